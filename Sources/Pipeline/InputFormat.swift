/// Source formats the engine reads, detected from content rather than file names.
public enum InputFormat: String, Sendable, CaseIterable {
    case hl7v2, ccda, csv

    /// Looks at the first bytes: MLLP or `MSH`/`FHS`/`BHS` after an optional BOM is HL7 v2; an XML
    /// prolog or `<ClinicalDocument` is C-CDA; otherwise a header line with commas is CSV.
    public static func detect(_ bytes: some Collection<UInt8>) -> InputFormat? {
        var prefix = Array(bytes.prefix(4096))[...]
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { prefix = prefix.dropFirst(3) }
        while let first = prefix.first,
            first == 0x0B || first == 0x20 || first == 0x0A || first == 0x0D || first == 0x09
        {
            prefix = prefix.dropFirst()
        }
        for header in ["MSH", "FHS", "BHS"] where prefix.starts(with: Array(header.utf8)) { return .hl7v2 }
        // Junk before the first message must not hide the messages after it: an MSH segment at the
        // start of a later line, followed by `|`, makes the input HL7 v2.
        if prefix.first != UInt8(ascii: "<"), Self.hasHeaderLine(prefix) { return .hl7v2 }
        if prefix.first == UInt8(ascii: "<") {
            let text = String(decoding: prefix, as: UTF8.self)
            if text.contains("ClinicalDocument") || text.hasPrefix("<?xml") { return .ccda }
        }
        if let newline = prefix.firstIndex(of: 0x0A) ?? (prefix.isEmpty ? nil : prefix.endIndex),
            prefix[prefix.startIndex..<newline].contains(UInt8(ascii: ","))
        {
            return .csv
        }
        return nil
    }

    /// Whether a line after the first starts with `MSH` and a byte that can be a field separator.
    static func hasHeaderLine(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while let found = bytes[index...].firstIndex(where: { $0 == 0x0D || $0 == 0x0A }) {
            let start = found + 1
            if start + 3 < bytes.endIndex, bytes[start] == UInt8(ascii: "M"), bytes[start + 1] == UInt8(ascii: "S"),
                bytes[start + 2] == UInt8(ascii: "H"), bytes[start + 3] == UInt8(ascii: "|")
            {
                return true
            }
            index = start
        }
        return false
    }
}
