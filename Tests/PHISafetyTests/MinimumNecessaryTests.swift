import ClinicalModel
import FHIRR4
import Foundation
import PHISafety
import Pipeline
import TestSupport
import Testing

/// `--types`, `--since` and `--until` limit what is emitted, in the Pipeline's run loop.
struct MinimumNecessaryTests {
    /// What every unit emits about its own source, whatever `--types` says: the Provenance with its
    /// agents, and for an HL7 v2 message its MessageHeader (event, sender, sending application).
    static let provenanceTypes: Set<String> = ["Provenance", "Device", "Organization", "MessageHeader"]

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
        // and through the pipeline: Observation and Patient, plus the unit's Provenance and its agents
        let bytes = Array(try Data(contentsOf: Support.samples.appendingPathComponent("hl7v2/adt-a01-basic.hl7")))
        let sink = SingleBundleSink(emitter: Support.engine.emitter, destination: .memory)
        let policy = RecordPolicy(filter: try RecordFilter(types: ["Observation"], since: nil, until: nil))
        let output = ConversionPipeline(engine: Support.engine, sink: sink, policy: policy)
            .run([.memory(name: "adt.hl7", bytes: bytes)])
        #expect(Set(output.resources.keys).isSubset(of: Self.provenanceTypes.union(["Observation", "Patient"])))
        #expect(output.resources["Observation"] == record.observations.count && output.resources["Patient"] == 1)
        let bundle = try JSONReader.parse(try #require(sink.bytes))
        #expect(FHIREmitter.resourceCounts(bundle) == output.resources)
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

    /// Over a Synthea patient's whole history (and an ADT message for next of kin): a range after
    /// every date drops every dated clinical event, of whatever kind, and keeps the people,
    /// organizations, locations, coverage and links, which are never dropped by date.
    @Test(.needsCorpus) func aRangeAfterEverythingKeepsOnlyWhatIsNotAnEvent() throws {
        let folder = TestCorpus.url("synthea/ccda")
        let file = try #require(
            FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".xml") }.sorted().first)
        let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(file)))
        var records = Support.engine.convert(bytes, inputName: "synthea.xml").compactMap(\.record)
        records.append(try Self.record())
        let present = Set(records.flatMap { $0.counts.keys })
        let events: Set<EntityKind> = [
            .encounter, .condition, .allergy, .procedure, .immunization, .medication, .serviceRequest, .specimen,
            .observation, .diagnosticReport, .document, .appointment, .carePlan, .imagingStudy, .composition,
        ]
        #expect(present.contains(.relatedPerson) && present.contains(.practitioner))
        let filter = try RecordFilter(types: nil, since: "2999-01-01", until: nil)
        var droppedKinds = Set<EntityKind>()
        for record in records {
            let kept = filter.apply(record)
            // events are kept only when they carry no date at all
            let undated = record.entities.filter { events.contains(type(of: $0).kind) && $0.clinicalDate == nil }
            #expect(kept.entities.filter { events.contains(type(of: $0).kind) }.map(\.ref) == undated.map(\.ref))
            for (kind, count) in record.counts where !events.contains(kind) { #expect(kept.counts[kind] == count) }
            for (kind, count) in record.counts where events.contains(kind) && kept.counts[kind, default: 0] < count {
                droppedKinds.insert(kind)
            }
        }
        // what Synthea and the ADT message date (independent of `clinicalDate`): all of it goes
        let dated: Set<EntityKind> = [
            .encounter, .condition, .allergy, .procedure, .immunization, .medication, .observation,
            .diagnosticReport,
        ]
        #expect(dated.isSubset(of: droppedKinds), "kept: \(dated.subtracting(droppedKinds).map(\.rawValue).sorted())")
    }

    @Test func unknownTypesAndBadDatesAreRefused() {
        #expect(throws: RecordFilterError.self) { try RecordFilter(types: ["Patients"], since: nil, until: nil) }
        #expect(throws: RecordFilterError.self) { try RecordFilter(types: nil, since: "15/03/2024", until: nil) }
    }

    @Test func theCLIAppliesTheLimits() throws {
        let run = try Support.run([
            "convert", "Samples/hl7v2/adt-a01-basic.hl7", "--types", "Patient,Condition", "--since", "2024-01-01",
            "--quiet",
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
