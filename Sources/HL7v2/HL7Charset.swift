/// The character set of a message, from MSH-18 (HL7 table 0211).
///
///     HL7Charset(msh18: "UNICODE UTF-8")   // .utf8
///     HL7Charset(msh18: "8859/1")          // .latin1
///     HL7Charset(msh18: "")                // .utf8 (the default; ASCII is a subset)
///     HL7Charset(msh18: "8859/15")         // nil: unsupported
public enum HL7Charset: String, Sendable {
    /// `ASCII`. Decoded as UTF-8 (a superset), so stray UTF-8 still reads and invalid bytes are reported.
    case ascii = "ASCII"
    /// `UNICODE UTF-8`, also the default when MSH-18 is empty.
    case utf8 = "UNICODE UTF-8"
    /// `8859/1` (ISO Latin-1): every byte is the Unicode scalar of the same number.
    case latin1 = "8859/1"

    /// The charset an MSH-18 value names (its first repetition), or `nil` when it is not supported.
    /// Matching ignores case and surrounding spaces; empty means UTF-8.
    public init?(msh18 value: String) {
        let key = String(value.filter { $0 != " " && $0 != "_" && $0 != "-" }).uppercased()
        switch key {
        case "", "UNICODEUTF8", "UTF8", "UNICODE", "ISOIR192": self = .utf8
        case "ASCII", "USASCII", "ISOIR6": self = .ascii
        case "8859/1", "ISO8859/1", "ISO88591", "88591", "LATIN1", "ISOIR100": self = .latin1
        default: return nil
        }
    }

    /// Decodes bytes of this charset into a string; invalid UTF-8 becomes U+FFFD.
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch self {
        case .utf8, .ascii:
            return String(decoding: bytes, as: UTF8.self)
        case .latin1:
            var high = 0
            for byte in bytes where byte >= 0x80 { high += 1 }
            if high == 0 { return String(decoding: bytes, as: UTF8.self) }
            return String(unsafeUninitializedCapacity: bytes.count + high) { out in
                var index = 0
                for byte in bytes {
                    if byte < 0x80 {
                        out[index] = byte
                        index += 1
                    } else {
                        out[index] = 0xC0 | (byte >> 6)
                        out[index + 1] = 0x80 | (byte & 0x3F)
                        index += 2
                    }
                }
                return index
            }
        }
    }

    func string(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { string($0) }
    }
}

enum UTF8Validation {
    /// Whether `bytes` is well-formed UTF-8 (no overlongs, surrogates or scalars above U+10FFFF).
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                upper = 0x9F
            case 0xF0:
                length = 4
                lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                upper = 0x8F
            default: return false
            }
            guard index + length <= count else { return false }
            let second = bytes[index + 1]
            guard second >= lower && second <= upper else { return false }
            var offset = 2
            while offset < length {
                guard bytes[index + offset] & 0xC0 == 0x80 else { return false }
                offset += 1
            }
            index += length
        }
        return true
    }
}
