/// The URI fhirbridge gives a code system that a source names but that has no URI: an HL7 v2
/// coding-system name (CWE-3) that is local (`99LOCAL`, `99xxx`, `L`, `LB`) or not in HL7 table
/// 0396 as the engine knows it. The name is kept, percent-encoded, so codes of different local
/// systems stay apart and the source name can be read back:
///
///     CodingSystemURN.uri(forName: "99LOCAL")                          // "urn:fhirbridge:v2-coding-system:99LOCAL"
///     CodingSystemURN.name(of: "urn:fhirbridge:v2-coding-system:99%20LAB")   // "99 LAB"
///
/// Names are kept as written (case and all); characters other than ASCII letters, digits and
/// `-._~` are percent-encoded (UTF-8), which makes the URI a valid FHIR `uri` and a valid URN.
public enum CodingSystemURN {
    public static let prefix = "urn:fhirbridge:v2-coding-system:"

    /// The URI for a coding-system name; `nil` for an empty name.
    public static func uri(forName name: String) -> String? {
        let trimmed = name.trimmingSpaces()
        guard !trimmed.isEmpty else { return nil }
        var encoded = ""
        for byte in trimmed.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true)
                    + String(byte & 0x0F, radix: 16, uppercase: true)
            }
        }
        return prefix + encoded
    }

    /// The source name of a URI made by `uri(forName:)`; `nil` for any other URI.
    public static func name(of uri: String) -> String? {
        guard uri.hasPrefix(prefix) else { return nil }
        var bytes: [UInt8] = []
        var iterator = uri.utf8.dropFirst(prefix.utf8.count).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        let name = String(decoding: bytes, as: UTF8.self)
        return name.isEmpty ? nil : name
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
