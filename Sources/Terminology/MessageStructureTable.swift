/// HL7 table 0354 (message structure) as data: which message structure an MSH-9 code and trigger
/// event use, loaded from `Terminology/v2-tables/v2-0354-message-structure.json`.
///
///     table.structure(code: "ADT", event: "A08")   // "ADT_A01"
///     table.structure(code: "ACK", event: "A01")   // "ACK"
public struct MessageStructureTable: Hashable, Sendable {
    /// `CODE^EVENT` -> structure.
    private let structures: [String: String]

    public static let empty = MessageStructureTable(structures: [:])

    init(structures: [String: String]) { self.structures = structures }

    /// The number of code and event pairs the table assigns.
    public var count: Int { structures.count }

    /// The structure table 0354 gives for a code and trigger event (case is ignored), or `nil`
    /// when the pair is not in the table. An acknowledgement's structure is `ACK` whatever its
    /// event (the table says "Varies").
    ///
    /// - Complexity: O(1).
    public func structure(code: String, event: String?) -> String? {
        let code = code.uppercased()
        if code == "ACK" { return "ACK" }
        guard let event = event?.uppercased(), !event.isEmpty else { return nil }
        return structures[code + "^" + event]
    }
}

/// The JSON file: `source`, `id`, `note`, and `structures` as structure -> `["CODE^EVENT", …]`.
struct MessageStructureFile: Decodable {
    var source: TerminologySource
    var id: String
    var structures: [String: [String]]

    /// Checks the file: every pair is `CODE^EVENT`, the code is the structure's own (`ADT^A04` in
    /// `ADT_A01`), and no pair is given two structures.
    func table(file: String) throws -> MessageStructureTable {
        var table: [String: String] = [:]
        for structure in structures.keys.sorted() {
            let code = structure.split(separator: "_").first.map(String.init) ?? structure
            for (position, pair) in (structures[structure] ?? []).enumerated() {
                let path = "$.structures.\(structure)[\(position)]"
                let parts = pair.split(separator: "^", omittingEmptySubsequences: false)
                guard parts.count == 2, parts.allSatisfy({ $0.count == 3 && $0.allSatisfy(\.isUppercaseLetterOrDigit) })
                else {
                    throw TerminologyLoadError(.invalidContent, file: file, jsonPath: path, "expected CODE^EVENT")
                }
                guard parts[0] == code else {
                    throw TerminologyLoadError(.invalidContent, file: file, jsonPath: path, "code is not \(code)")
                }
                if let other = table[pair] {
                    throw TerminologyLoadError(.duplicateID, file: file, jsonPath: path, "\(pair) is also in \(other)")
                }
                table[pair] = structure
            }
        }
        return MessageStructureTable(structures: table)
    }
}

extension Character {
    fileprivate var isUppercaseLetterOrDigit: Bool { ("A"..."Z").contains(self) || ("0"..."9").contains(self) }
}
