/// HL7 v2 table ids in their many spellings.
///
///     V2Table.normalize("HL70001")    // "0001"
///     V2Table.normalize("HL7-0354")   // "0354"
///     V2Table.normalize("HL0207")     // "0207"
///     V2Table.normalize("http://terminology.hl7.org/CodeSystem/v2-0004")  // "0004"
public enum V2Table {
    /// The THO code system URI prefix for HL7 v2 tables (`…/v2-0001`).
    public static let systemPrefix = "http://terminology.hl7.org/CodeSystem/v2-"

    /// The four-digit table id, or `nil` when `raw` does not name a v2 table.
    ///
    /// Accepts `0001`, `1`, `HL70001`, `HL7-0001`, `HL7_0001`, `HL0001`, `v2-0001`, the THO URI and the
    /// legacy FHIR DSTU2 URI `http://hl7.org/fhir/v2/0001`. Case-insensitive; surrounding whitespace is ignored.
    public static func normalize(_ raw: String) -> String? {
        // the usual spelling, four digits, needs no trimming or case folding
        if raw.utf8.count == 4, raw.utf8.allSatisfy({ (0x30...0x39).contains($0) }) { return raw }
        let text = raw.trimmingWhitespace()
        let lower = text.lowercased()
        for prefix in [systemPrefix.lowercased(), "http://hl7.org/fhir/v2/"] where lower.hasPrefix(prefix) {
            return digits(text.dropFirst(prefix.count))
        }
        var rest = Substring(text.uppercased())
        for prefix in ["V2-", "HL7", "HL"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        if let first = rest.first, first == "-" || first == "_" || first == " " { rest = rest.dropFirst() }
        return digits(rest)
    }

    /// The THO code system URI for a table id in any spelling `normalize(_:)` accepts.
    ///
    ///     V2Table.systemURI("HL70005")   // "http://terminology.hl7.org/CodeSystem/v2-0005"
    public static func systemURI(_ raw: String) -> String? {
        normalize(raw).map { systemPrefix + $0 }
    }

    static func digits(_ text: Substring) -> String? {
        guard (1...4).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return String(repeating: "0", count: 4 - text.count) + text
    }
}

extension StringProtocol {
    /// Trims spaces, tabs, newlines and no-break spaces (some IG sheets carry U+00A0 after codes).
    func trimmingWhitespace() -> String {
        // ASCII fast path: nothing to trim when the ends are neither space nor control characters
        if let first = utf8.first, let last = utf8.reversed().first, first > 0x20, first < 0x80, last > 0x20,
            last < 0x80
        {
            return String(self)
        }
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
