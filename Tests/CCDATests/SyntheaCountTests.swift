import CCDA
import ClinicalModel
import Foundation
import TestSupport
import Testing

/// The Synthea C-CDA documents give, per patient, as many records of each kind as the CSV export
/// of the same patients has rows (`synthea/MANIFEST.md`, the reconciliation ground truth).
/// Observations count as the manifest says: one per FHIR Observation, or one per component.
/// Care plans are not compared: Synthea's C-CDA plan section is narrative only (no entries).
@Suite(.needsCorpus)
struct SyntheaCountTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var id: String
        var counts: [String: Int]
        var testDescription: String { String(id.prefix(8)) }
    }

    /// The "Patients and CSV row counts" table of MANIFEST.md, by column name.
    static let expected: [Expected] = {
        let url = TestCorpus.url("synthea/MANIFEST.md")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        var header: [String]?
        var rows: [Expected] = []
        for line in text.split(separator: "\n") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.first == "#", cells.contains("encounters") {
                header = cells
                continue
            }
            guard let header, cells.count == header.count, Int(cells[0]) != nil else {
                if header != nil, !rows.isEmpty { break }
                continue
            }
            var counts: [String: Int] = [:]
            for (name, cell) in zip(header, cells) { if let value = Int(cell) { counts[name] = value } }
            rows.append(Expected(id: cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")), counts: counts))
        }
        return rows
    }()

    @Test func manifestListsSixteenPatients() {
        #expect(Self.expected.count == 16)
    }

    @Test(arguments: expected)
    func countsEqualTheCSVRows(_ expected: Expected) throws {
        let url = try #require(Corpus.synthea.first { $0.lastPathComponent.contains(expected.id) })
        let (record, _) = try Fixtures.read(url)
        let patient = try #require(record.patients.first)
        #expect(
            patient.identifiers.contains {
                $0.value == expected.id && $0.system == "https://github.com/synthetichealth/synthea"
            })
        #expect(patient.ref.key == "https://github.com/synthetichealth/synthea|" + expected.id)
        #expect(record.encounters.count == expected.counts["encounters"])
        #expect(record.conditions.count == expected.counts["conditions"])
        #expect(record.medications.count == expected.counts["medications"])
        #expect(record.allergies.count == expected.counts["allergies"])
        #expect(record.immunizations.count == expected.counts["immunizations"])
        #expect(record.procedures.count == expected.counts["procedures"])
        #expect(record.observationRowCount == expected.counts["observations"])
        #expect(record.imagingStudies.count == expected.counts["imaging_studies"])
    }
}
