import CSVSource
import ClinicalModel
import Foundation
import Terminology
import TestSupport
import Testing

/// Paths, the terminology and the bundled profiles shared by the CSV tests (the checkout and the
/// corpus: `TestSupport`).
enum Fixtures {
    static let mappings = Repository.url("Mappings")
    static let samples = Repository.url("Samples/csv")
    static let synthea = TestCorpus.url("synthea")
    static let syntheaCSV = TestCorpus.url("synthea/csv")

    static let loadedStore: Result<TerminologyStore, any Error> = Result {
        try TerminologyStore.load(from: Repository.url("Terminology"))
    }

    static func store() throws -> TerminologyStore { try loadedStore.get() }

    static func profiles() throws -> [CSVProfile] { try CSVProfiles.loadAll(from: mappings) }

    static func profile(_ name: String) throws -> CSVProfile {
        let profile = try profiles().first { $0.name == name }
        return try #require(profile)
    }

    static func labProfile() throws -> CSVProfile {
        try CSVProfile.load(samples.appendingPathComponent("lab-results.profile.yaml"))
    }

    /// A fresh folder under the temporary directory; the caller removes it.
    static func temporaryFolder(_ name: String = "csv") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("fhirbridge-csv-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `files` (name → text) into a new temporary folder.
    static func folder(_ files: [String: String], name: String = "csv") throws -> URL {
        let folder = try temporaryFolder(name)
        for (file, text) in files {
            try Data(text.utf8).write(to: folder.appendingPathComponent(file))
        }
        return folder
    }

    /// Writes a profile YAML into a temporary file.
    static func profileFile(_ yaml: String, name: String = "test-profile.yaml") throws -> URL {
        let folder = try temporaryFolder("profile")
        let url = folder.appendingPathComponent(name)
        try Data(yaml.utf8).write(to: url)
        return url
    }
}

/// Per-patient CSV row counts from `MANIFEST.md`: the table under "Patients and CSV row counts".
struct ManifestRow {
    var id: String
    var counts: [String: Int]

    static func load(_ url: URL) throws -> [ManifestRow] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var header: [String]?
        var rows: [ManifestRow] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                if header != nil && !rows.isEmpty { break }
                continue
            }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if header == nil {
                if cells.contains("encounters") && cells.contains("Id") { header = cells }
                continue
            }
            guard let header, cells.count == header.count, let idIndex = header.firstIndex(of: "Id") else { continue }
            let id = cells[idIndex].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            guard id.count == 36 else { continue }
            var counts: [String: Int] = [:]
            for (name, cell) in zip(header, cells) { if let number = Int(cell) { counts[name] = number } }
            rows.append(ManifestRow(id: id, counts: counts))
        }
        return rows
    }
}
