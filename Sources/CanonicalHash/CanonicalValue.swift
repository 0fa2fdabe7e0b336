import ClinicalModel

/// A record in canonical form: the value tree the canonical encoding writes.
///
/// Canonical form v1 (`CanonicalForm.version`):
/// - Object members are sorted by key; `source` members (where a record was read) are left out,
///   since the same record read from an HL7 v2 message and from FHIR has different positions.
/// - Strings are trimmed and runs of white space fold to one space; empty strings, empty lists
///   and absent values are left out, so "absent" and "empty" hash alike.
/// - Lists of structures (identifiers, names, codings, components…) are sorted by their own
///   canonical bytes: their order carries no meaning. Lists of plain values (given names,
///   address lines) keep their order, which does.
/// - Dates keep their lexical form and precision (`2024-03` is not `2024-03-01`); decimals keep
///   their lexical form (`0.010` is not `0.01`).
public indirect enum CanonicalValue: Hashable, Sendable {
    case bool(Bool)
    case int(Int)
    case string(String)
    case list([CanonicalValue])
    case object([String: CanonicalValue])

    /// Writes the canonical bytes: a compact JSON-like text with sorted keys.
    public func write(into output: inout [UInt8]) {
        switch self {
        case .bool(let flag): output += flag ? Array("true".utf8) : Array("false".utf8)
        case .int(let number): output += Array(String(number).utf8)
        case .string(let text): Self.writeString(text, into: &output)
        case .list(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.write(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                members[key]!.write(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    public var bytes: [UInt8] {
        var output: [UInt8] = []
        write(into: &output)
        return output
    }

    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { buffer in
            // runs that need no escape are copied in one go
            var runStart = 0
            for index in 0..<buffer.count {
                let byte = buffer[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<index]))
                runStart = index + 1
                if byte < 0x20 {
                    output.append(contentsOf: "\\u00".utf8)
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 0xF)])
                } else {
                    output.append(UInt8(ascii: "\\"))
                    output.append(byte)
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Trims and folds white space runs (space, tab, CR, LF) to one space.
    static func normalize(_ text: String) -> String {
        // fast path: nothing to fold (no tab, CR, LF; no leading, trailing or double space)
        var copy = text
        let (clean, previous) = copy.withUTF8 { buffer -> (Bool, UInt8) in
            var previous: UInt8 = 0x20
            for byte in buffer {
                if byte == 0x09 || byte == 0x0A || byte == 0x0D || (byte == 0x20 && previous == 0x20) {
                    return (false, previous)
                }
                previous = byte
            }
            return (true, previous)
        }
        if clean && previous != 0x20 { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace {
                result.unicodeScalars.append(" ")
                pendingSpace = false
            }
            result.unicodeScalars.append(scalar)
        }
        return result
    }
}
