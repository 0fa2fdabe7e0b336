import ClinicalModel
import FHIRR4
import Foundation
import PHISafety
import Pipeline
import Testing

/// `--types`, `--since` and `--until` limit what is emitted, in the Pipeline's OutputWriter.
struct MinimumNecessaryTests {
    /// What every unit emits about its own source, whatever `--types` says.
    static let provenanceTypes: Set<String> = ["Provenance", "Device", "Organization"]

    static func record() throws -> ClinicalRecord {
        let bytes = Array(try Data(contentsOf: Support.samples.appendingPathComponent("hl7v2/adt-a01-basic.hl7")))
        let unit = try #require(Support.engine.convertHL7v2(bytes, inputName: "adt.hl7").first)
        return try #require(unit.record)
    }

    @Test func typesKeepListedKindsAndTheReferencedPatient() throws {
        let record = try Self.record()
        #expect(!record.encounters.isEmpty && !record.observations.isEmpty)
        let limited = try RecordFilter(types: ["Observation"], since: nil, until: nil).apply(record)
        #expect(limited.observations.count == record.observations.count)
        #expect(limited.patients.count == 1)
        #expect(limited.encounters.isEmpty && limited.allergies.isEmpty && limited.practitioners.isEmpty)
        #expect(limited.observations.allSatisfy { $0.encounter == nil && $0.performers.isEmpty })
        #expect(limited.observations.allSatisfy { $0.patient == limited.patients[0].ref })
        // and through the writer: Observation and Patient, plus the unit's Provenance and its agents
        let writer = try OutputWriter(directory: nil, ndjson: false, policy: RecordPolicy(filter: try RecordFilter(
            types: ["Observation"], since: nil, until: nil)))
        let output = writer.combinedOutput([record], engine: Support.engine)
        #expect(Set(output.resources.keys).isSubset(of: Self.provenanceTypes.union(["Observation", "Patient"])))
        #expect(output.resources["Observation"] == record.observations.count && output.resources["Patient"] == 1)
    }

    @Test func patientIsDroppedWhenNothingKeptRefersToIt() throws {
        let limited = try RecordFilter(types: ["Practitioner"], since: nil, until: nil).apply(try Self.record())
        #expect(limited.patients.isEmpty)
        #expect(!limited.practitioners.isEmpty)
    }

    @Test func datesOutsideTheRangeAreDroppedPatientsKept() throws {
        let record = try Self.record()
        let later = try RecordFilter(types: nil, since: "2030-01-01", until: nil).apply(record)
        #expect(later.patients.count == record.patients.count)
        #expect(later.encounters.isEmpty && later.observations.isEmpty)
        let inside = try RecordFilter(types: nil, since: "2024-03", until: "2024-03-15").apply(record)
        #expect(inside.observations.count == record.observations.count)
        let before = try RecordFilter(types: nil, since: nil, until: "2024-03-14").apply(record)
        #expect(before.observations.isEmpty)
        #expect(before.allergies.count == record.allergies.count, "an allergy dated 2020 stays")
    }

    @Test func unknownTypesAndBadDatesAreRefused() {
        #expect(throws: RecordFilterError.self) { try RecordFilter(types: ["Patients"], since: nil, until: nil) }
        #expect(throws: RecordFilterError.self) { try RecordFilter(types: nil, since: "15/03/2024", until: nil) }
    }

    @Test func theCLIAppliesTheLimits() throws {
        let run = try Support.run([
            "convert", "Samples/hl7v2/adt-a01-basic.hl7", "--types", "Patient,Condition", "--since", "2024-01-01", "--quiet",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let bundle = try JSONReader.parse(Array(run.stdout))
        let types = Set((bundle["entry"]?.arrayValue ?? []).compactMap { $0["resource"]?["resourceType"]?.stringValue })
        #expect(types.isSubset(of: Self.provenanceTypes.union(["Patient", "Condition"])))
        #expect(types.isSuperset(of: ["Patient", "Condition"]))
        let usage = try Support.run(["convert", "Samples/hl7v2/adt-a01-basic.hl7", "--types", "Patients"])
        #expect(usage.status == 64)
    }
}
