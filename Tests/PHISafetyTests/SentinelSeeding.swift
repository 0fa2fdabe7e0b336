import Foundation

/// Writes a sentinel into source fields: every HL7 v2 field, every CSV cell, every C-CDA text node
/// and attribute value (structural attributes excepted).
enum SentinelSeeding {
    static let sentinel = "ZZSENTINEL"

    // MARK: - HL7 v2

    /// Fields kept so the message still routes: MSH-1/2 (delimiters), MSH-9 (type), MSH-12
    /// (version), MSH-18 (charset). Indexes are positions after splitting on `|`.
    static let keptMSH: Set<Int> = [1, 8, 11, 17]

    static func segments(_ message: String) -> [[String]] {
        // "\r\n" is one Character in Swift: fold it first
        message.replacingOccurrences(of: "\r\n", with: "\r").split(whereSeparator: { $0 == "\r" || $0 == "\n" }).map {
            $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }
    }

    static func join(_ segments: [[String]]) -> String {
        segments.map { $0.joined(separator: "|") }.joined(separator: "\r") + "\r"
    }

    static func seededField(_ field: String) -> String {
        field.isEmpty
            ? sentinel
            : field.split(separator: "~", omittingEmptySubsequences: false).map { repetition in
                repetition.split(separator: "^", omittingEmptySubsequences: false).map { _ in sentinel }.joined(
                    separator: "^")
            }.joined(separator: "~")
    }

    /// Every field seeded at once, then one message per field with only that field seeded (so the
    /// other fields stay valid and the mapping paths behind that field run), then broken variants.
    static func hl7Variants(_ message: String) -> [String] {
        let original = segments(message)
        var variants: [String] = []
        variants.append(
            join(
                original.map { fields in
                    fields.enumerated().map { index, field in
                        index == 0 || (fields[0] == "MSH" && keptMSH.contains(index)) ? field : seededField(field)
                    }
                }))
        for (segmentIndex, fields) in original.enumerated() {
            for index in 1..<max(fields.count + 2, 2) {
                if fields[0] == "MSH" && keptMSH.contains(index) { continue }
                var copy = original
                while copy[segmentIndex].count <= index { copy[segmentIndex].append("") }
                copy[segmentIndex][index] = seededField(copy[segmentIndex][index])
                variants.append(join(copy))
            }
        }
        let all = variants[0]
        variants.append(all.replacingOccurrences(of: "\rPID|", with: "\rP!D|"))
        variants.append(all.replacingOccurrences(of: sentinel, with: sentinel + "\\X4"))
        variants.append(
            "MSH|^~\\&|\(sentinel)|\(sentinel)|||\(sentinel)||\(sentinel)^\(sentinel)|\(sentinel)|P|2.5.1\rPID|1||\(sentinel)\r"
        )
        return variants
    }

    // MARK: - CSV

    /// RFC 4180 records (quoted fields, doubled quotes, line breaks inside quotes).
    static func csvRecords(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        while let scalar = next() {
            if quoted {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            quoted = false
                            pending = following
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\r": continue
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }

    static func csvLine(_ fields: [String]) -> String {
        fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
    }

    /// The header kept; for each column, a copy of every data row with that column seeded (the
    /// key column made unique per column so each copy is its own patient unit); then every cell seeded.
    static func csvVariant(_ text: String, keyColumn: String) -> String {
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        var prefix: [String] = []
        while let first = lines.first,
            first.trimmingCharacters(in: .whitespaces).hasPrefix("#")
                || first.hasPrefix("\u{FEFF}#")
        {
            prefix.append(String(first).replacingOccurrences(of: "\r", with: ""))
            lines.removeFirst()
        }
        let records = csvRecords(lines.joined(separator: "\n")).filter { !($0.count == 1 && $0[0].isEmpty) }
        guard let header = records.first else { return text }
        let rows = records.dropFirst()
        let keyIndex = header.firstIndex(of: keyColumn)
        var output = prefix + [header.joined(separator: ",")]
        for (column, _) in header.enumerated() {
            for row in rows {
                var copy = row
                while copy.count < header.count { copy.append("") }
                if let keyIndex, column != keyIndex { copy[keyIndex] += "9\(column)" }
                copy[column] = sentinel
                output.append(csvLine(copy))
            }
        }
        output.append(csvLine(header.map { _ in sentinel }))
        return output.joined(separator: "\n") + "\n"
    }

    // MARK: - C-CDA

    /// Attributes that are structure, not content: kept.
    static let structuralAttributes: Set<String> = [
        "codeSystem", "codeSystemName", "codeSystemVersion", "classCode", "moodCode", "typeCode", "determinerCode",
        "inversionInd", "contextConductionInd", "contextControlCode", "negationInd", "nullFlavor", "mediaType",
        "representation", "operator", "institutionSpecified", "xsi:type", "xsi:schemaLocation", "xmlns", "ID",
    ]

    enum XMLSeeding { case everything, textOnly, attributesOnly }

    /// Seeds text nodes and attribute values; `templateId/@root`, `@extension` of templateId, code
    /// system attributes and namespace declarations are kept.
    static func ccdaVariant(_ xml: String, _ mode: XMLSeeding) -> String {
        let scalars = Array(xml.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        func starts(_ text: String, at position: Int) -> Bool {
            let pattern = Array(text.unicodeScalars)
            return position + pattern.count <= scalars.count
                && Array(scalars[position..<(position + pattern.count)]) == pattern
        }
        func copyThrough(_ terminator: String) {
            while index < scalars.count && !starts(terminator, at: index) {
                output.append(scalars[index])
                index += 1
            }
            for scalar in terminator.unicodeScalars where index < scalars.count {
                output.append(scalar)
                index += 1
            }
        }
        while index < scalars.count {
            if starts("<!--", at: index) {
                copyThrough("-->")
            } else if starts("<?", at: index) || starts("<!DOCTYPE", at: index) {
                copyThrough(">")
            } else if starts("<![CDATA[", at: index) {
                output.append(contentsOf: "<![CDATA[".unicodeScalars)
                index += 9
                while index < scalars.count && !starts("]]>", at: index) { index += 1 }
                if mode != .attributesOnly { output.append(contentsOf: sentinel.unicodeScalars) }
                copyThrough("]]>")
            } else if scalars[index] == "<" {
                var end = index
                var quote: Unicode.Scalar? = nil
                while end < scalars.count {
                    let scalar = scalars[end]
                    if let open = quote {
                        if scalar == open { quote = nil }
                    } else if scalar == "\"" || scalar == "'" {
                        quote = scalar
                    } else if scalar == ">" {
                        break
                    }
                    end += 1
                }
                let tag = String(String.UnicodeScalarView(scalars[index...min(end, scalars.count - 1)]))
                output.append(contentsOf: (mode == .textOnly ? tag : seedAttributes(tag)).unicodeScalars)
                index = end + 1
            } else {
                var end = index
                while end < scalars.count && scalars[end] != "<" { end += 1 }
                let text = String(String.UnicodeScalarView(scalars[index..<end]))
                let blank = text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
                output.append(contentsOf: (blank || mode == .attributesOnly ? text : sentinel).unicodeScalars)
                index = end
            }
        }
        return String(output)
    }

    static func seedAttributes(_ tag: String) -> String {
        guard !tag.hasPrefix("</") else { return tag }
        let name = tag.dropFirst().prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" }
        let pattern = #"([A-Za-z_:][-A-Za-z0-9_:.]*)(\s*=\s*)("[^"]*"|'[^']*')"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return tag }
        let source = tag as NSString
        var result = ""
        var last = 0
        for match in regex.matches(in: tag, range: NSRange(location: 0, length: source.length)) {
            let attribute = source.substring(with: match.range(at: 1))
            result += source.substring(with: NSRange(location: last, length: match.range.location - last))
            let structural =
                structuralAttributes.contains(attribute) || attribute.hasPrefix("xmlns")
                || (name == "templateId" && (attribute == "root" || attribute == "extension"))
            if structural {
                result += source.substring(with: match.range)
            } else {
                result += attribute + source.substring(with: match.range(at: 2)) + "\"\(sentinel)\""
            }
            last = match.range.location + match.range.length
        }
        result += source.substring(from: last)
        return result
    }
}
