import Foundation
import Testing

@testable import Terminology

@Suite("Translations: GEMs, local maps, IG maps")
struct TranslationTests {
    static let icd9 = "http://hl7.org/fhir/sid/icd-9-cm"
    static let icd10 = "http://hl7.org/fhir/sid/icd-10-cm"

    @Test(arguments: [
        ("0010", ["A00.0"], ConceptMapEquivalence.equivalent),
        ("250.00", ["E11.9"], .inexact),
        ("25000", ["E11.9"], .inexact),
        ("401.9", ["I10"], .inexact),
        ("493.90", ["J45.909", "J45.998"], .inexact),
        ("V22.1", ["Z34.80", "Z34.90"], .inexact),
    ])
    func gemSamples(_ code: String, _ targets: [String], _ equivalence: ConceptMapEquivalence) throws {
        let store = try Fixtures.store()
        let translations = store.translate(system: Self.icd9, code: code, target: "I10")
        #expect(translations.map(\.target.code).sorted() == targets)
        #expect(translations.allSatisfy { $0.equivalence == equivalence && $0.target.system == Self.icd10 })
        #expect(
            translations.allSatisfy {
                $0.map == "maps/icd-9-cm--icd-10-cm.tsv" && $0.comment?.hasPrefix("GEM flags") == true
            })
    }

    @Test func everyGEMTargetIsAnICD10CMCode() throws {
        let store = try Fixtures.store()
        let gem = try store.codeSystems.gemTable("maps/icd-9-cm--icd-10-cm.tsv")
        #expect(gem.rows.count > 14_000)
        var missing: Set<String> = []
        var sourcesMissing: Set<String> = []
        for (source, rows) in gem.rows {
            if store.codeSystems.lookup(system: Self.icd9, code: source) == nil { sourcesMissing.insert(source) }
            for row in rows
            where !row.target.isEmpty && store.codeSystems.lookup(system: Self.icd10, code: row.target) == nil {
                missing.insert(row.target)
            }
        }
        // The GEMs are from 2018; ICD-10-CM 2026 has since retired a few codes (they are reported, not hidden).
        print(
            "GEM targets not in ICD-10-CM 2026: \(missing.count) \(missing.sorted().prefix(10)); GEM sources not in ICD-9-CM v32: \(sourcesMissing.count)"
        )
        #expect(missing.count < 200)
        #expect(sourcesMissing.count < 50)
    }

    @Test func igTableMapsTranslateThroughTheSameCall() throws {
        let store = try Fixtures.store()
        let gender = store.translate(system: "HL70001", code: "F")
        #expect(
            gender.contains {
                $0.target.description == "http://hl7.org/fhir/administrative-gender|female"
                    && $0.equivalence == .equivalent
            })
        let unmatched = store.translate(system: "HL70052", code: "W")
        #expect(
            !unmatched.isEmpty && unmatched.allSatisfy { $0.equivalence == .unmatched && $0.comment != nil },
            "\(unmatched)")
    }

    @Test func localConceptMapsLoadFromMappings() throws {
        let store = try Fixtures.store()
        let map = try #require(
            store.localConceptMaps.first { $0.id == "v3-administrative-gender--administrative-gender" })
        #expect(map.sourceCodes == ["F", "M", "UN"])
        let female = store.translate(system: "2.16.840.1.113883.5.1", code: "F")
        #expect(female.map(\.target.description) == ["http://hl7.org/fhir/administrative-gender|female"])
        #expect(female.first?.equivalence == .equal)
        #expect(store.translate(system: "2.16.840.1.113883.5.1", code: "UN").first?.equivalence == .narrower)
    }

    @Test func localMapErrorsNameFileAndPath() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("local-maps-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("Mappings/terminology")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let json = """
            { "source": { "name": "x", "url": "x", "version": "1", "licence": "CC0" }, "id": "lab--loinc",
              "sourceSystem": "99LAB", "targetSystem": "http://loinc.org",
              "entries": [ { "code": "GLU", "target": { "code": "2345-7" }, "equivalence": "equivalent" },
                           { "code": "K", "target": { "code": " " }, "equivalence": "equivalent" } ] }
            """
        try Data(json.utf8).write(to: folder.appendingPathComponent("lab--loinc.json"))
        do {
            _ = try TerminologyStore.loadLocalConceptMaps(from: folder)
            Issue.record("accepted an empty target code")
        } catch let error as TerminologyLoadError {
            #expect(error.description == "Mappings/terminology/lab--loinc.json: $.entries[1].target.code: empty")
        }
        try Data(json.replacingOccurrences(of: "\" \"", with: "\"2823-3\"").utf8).write(
            to: folder.appendingPathComponent("lab--loinc.json"))
        let maps = try TerminologyStore.loadLocalConceptMaps(from: folder)
        #expect(maps.first?.translate("GLU").first?.target.description == "http://loinc.org|2345-7")
    }
}
