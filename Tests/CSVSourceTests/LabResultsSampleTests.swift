import CSVSource
import ClinicalModel
import Foundation
import Testing

/// `Samples/csv`: the hand-written generic profile and its synthetic CSV, against `lab-results.counts.json`.
@Suite("Generic lab-result sample")
struct LabResultsSampleTests {
    struct Expected: Decodable {
        struct PatientCounts: Decodable {
            var controlID: String
            var observations: Int
            var effective: String
        }

        var profile: String
        var input: String
        var records: Int
        var errors: Int
        var patients: [PatientCounts]
    }

    static func expected() throws -> Expected {
        let data = try Data(contentsOf: Fixtures.samples.appendingPathComponent("lab-results.counts.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    @Test func sampleMatchesItsExpectedCounts() throws {
        let expected = try Self.expected()
        let profile = try Fixtures.labProfile()
        #expect(profile.name == expected.profile)
        let input = Fixtures.samples.appendingPathComponent(expected.input)
        let (records, diagnostics, errors) = try CSVSourceReader(profile: profile, terminology: try Fixtures.store())
            .read(folder: input)
        #expect(errors.count == expected.errors)
        #expect(diagnostics.isEmpty)
        #expect(records.count == expected.records)
        for (record, patient) in zip(records, expected.patients) {
            #expect(record.document.controlID == patient.controlID)
            #expect(record.document.inputName == expected.input)
            #expect(record.observations.count == patient.observations)
            #expect(record.observations.first?.effective?.fhir == patient.effective)
        }
    }

    @Test func rowsCarryTypedValues() throws {
        let profile = try Fixtures.labProfile()
        let (records, _, _) = try CSVSourceReader(profile: profile, terminology: try Fixtures.store())
            .read(folder: Fixtures.samples.appendingPathComponent("lab-results.csv"))
        let ada = records[0]
        #expect(ada.patients[0].gender?.code == "female")
        #expect(ada.patients[0].birthDate?.fhir == "1975-03-14")
        #expect(ada.patients[0].ref.key == "https://example.org/fhirbridge-samples/mrn|100001")
        let glucose = try #require(ada.observations.first { $0.code.codings.first?.code == "2345-7" })
        #expect(glucose.categories == ["laboratory"])
        #expect(glucose.interpretation.first?.codings.first?.code == "H")
        #expect(glucose.referenceRange.first?.low?.value?.lexical == "70")
        #expect(glucose.referenceRange.first?.high?.unit == "mg/dL")
        #expect(glucose.ref.key == "https://example.org/fhirbridge-samples/mrn|100001|ACC-0001|2345-7")
        let sodium = try #require(ada.observations.first { $0.code.codings.first?.code == "2951-2" })
        #expect(sodium.note.first?.text == "Slightly \"hemolyzed\" sample,\r\nrecollection not needed")
        let bo = records[1]
        #expect(bo.patients[0].birthDate?.fhir == "1960-11-02")
        let cholesterol = try #require(bo.observations.first { $0.code.codings.first?.code == "2093-3" })
        #expect(
            cholesterol.value
                == .quantity(
                    Quantity(
                        value: DecimalValue(lexical: "100"), comparator: "<", unit: "mg/dL",
                        system: "http://unitsofmeasure.org",
                        code: "mg/dL")))
        let cy = records[2]
        #expect(cy.patients[0].gender?.code == "unknown")
        #expect(cy.observations.contains { $0.value == .string("Negative") })
    }

    @Test func theFolderIsDetectedAsTheLabLayout() throws {
        let candidates = try Fixtures.profiles() + [Fixtures.labProfile()]
        #expect(
            CSVSourceReader.detectProfile(folder: Fixtures.samples, candidates: candidates)?.name
                == "generic-lab-results")
    }
}
