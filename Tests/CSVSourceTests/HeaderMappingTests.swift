import CSVSource
import ClinicalModel
import Foundation
import Testing

/// Columns are found by header name: reordering them changes nothing but positions.
@Suite("Header names, not positions")
struct HeaderMappingTests {
    static func reorder(_ csv: String, _ order: (Int) -> [Int]) -> String {
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices where !lines[index].isEmpty {
            let fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            lines[index] = order(fields.count).map { fields[$0] }.joined(separator: ",")
        }
        return lines.joined(separator: "\n")
    }

    static func withoutSources(_ record: ClinicalRecord) -> ClinicalRecord {
        var record = record
        for index in record.patients.indices { record.patients[index].source = nil }
        for index in record.encounters.indices { record.encounters[index].source = nil }
        for index in record.observations.indices { record.observations[index].source = nil }
        for index in record.organizations.indices { record.organizations[index].source = nil }
        for index in record.practitioners.indices { record.practitioners[index].source = nil }
        return record
    }

    @Test func reversedAndExtraColumnsGiveTheSameRecords() throws {
        let files = SyntheaV3Fixture.files.filter {
            ["patients.csv", "encounters.csv", "observations.csv", "organizations.csv", "providers.csv"].contains(
                $0.key)
        }
        var reversed: [String: String] = [:]
        for (name, text) in files {
            let extra = Self.reorder(text) { Array((0..<$0).reversed()) }
            // a new column nobody maps
            reversed[name] = extra.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
                $0.element.isEmpty ? "" : ($0.offset == 0 ? "NEW_COLUMN," : "x,") + $0.element
            }.joined(separator: "\n")
        }
        let profile = try Fixtures.profile("synthea-csv-3")
        let reader = CSVSourceReader(profile: profile, terminology: try Fixtures.store())
        let plainFolder = try Fixtures.folder(files, name: "plain")
        let reversedFolder = try Fixtures.folder(reversed, name: "reversed")
        defer {
            try? FileManager.default.removeItem(at: plainFolder)
            try? FileManager.default.removeItem(at: reversedFolder)
        }
        let plain = try reader.read(folder: plainFolder)
        let other = try reader.read(folder: reversedFolder)
        #expect(plain.errors.isEmpty && other.errors.isEmpty)
        #expect(plain.records.count == 2)
        var left = plain.records.map(Self.withoutSources)
        var right = other.records.map(Self.withoutSources)
        for index in left.indices {
            left[index].document.inputName = ""
            right[index].document.inputName = ""
        }
        #expect(left == right)
        let unmapped = other.diagnostics.filter { $0.kind == .columnNotMapped }
        #expect(unmapped.count == 5)
        #expect(
            unmapped.allSatisfy {
                if case .csv(_, 1, let column) = $0.location { column == "NEW_COLUMN" } else { false }
            })
    }
}
