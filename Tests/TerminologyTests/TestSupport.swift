import Foundation
import Terminology
import TestSupport

/// Paths and the loaded store shared by the terminology tests (the checkout and the corpus: `TestSupport`).
enum Fixtures {
    static let terminologyDirectory = Repository.url("Terminology").resolvingSymlinksInPath()
    /// The v2-to-FHIR IG's vocabulary map CSVs in the corpus.
    static let corpusDirectory = TestCorpus.url("v2-to-fhir-maps/codesystems")

    static let loaded: Result<TerminologyStore, any Error> = Result {
        try TerminologyStore.load(from: terminologyDirectory)
    }

    static func store() throws -> TerminologyStore { try loaded.get() }

    /// Every JSON file under `Terminology/`, relative paths sorted.
    static func jsonFiles() -> [String] {
        let base = terminologyDirectory.path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted()
    }

    /// A scratch copy of `Terminology/` that a test may break; removed by the caller.
    static func scratchCopy() throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("terminology-tests-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: terminologyDirectory, to: folder)
        // Tests edit the copy: make sure it is not a link back into the repository.
        let type = try FileManager.default.attributesOfItem(atPath: folder.path)[.type] as? FileAttributeType
        guard type == .typeDirectory else {
            try FileManager.default.removeItem(at: folder)
            throw CocoaError(.fileWriteUnknown)
        }
        return folder
    }
}

/// A minimal RFC 4180 reader for the IG's CSV sheets (quoted fields, doubled quotes, newlines in quotes).
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var characters = text.makeIterator()
    var pending: Character? = nil
    while let c = pending ?? characters.next() {
        pending = nil
        if quoted {
            if c == "\"" {
                let next = characters.next()
                if next == "\"" {
                    field.append("\"")
                } else {
                    quoted = false
                    pending = next
                }
            } else {
                field.append(c)
            }
        } else if c == "\"" && field.isEmpty {
            quoted = true
        } else if c == "," {
            row.append(field)
            field = ""
        } else if c == "\n" || c == "\r\n" || c == "\r" {
            row.append(field)
            rows.append(row)
            row = []
            field = ""
        } else {
            field.append(c)
        }
    }
    if !field.isEmpty || !row.isEmpty {
        row.append(field)
        rows.append(row)
    }
    return rows
}

extension String {
    /// Trimmed of all Unicode whitespace, including the U+00A0 some IG sheets carry.
    var trimmed: String {
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[start...end])
    }
}
