import ClinicalModel
import FHIRMapping
import Foundation
import Pipeline
import TestSupport
import Testing

@testable import CanonicalHash

/// The hashing path writes canonical bytes straight from the encoded tree; the reference path builds
/// the `CanonicalValue` first and writes that. Both must give the same bytes for every record of
/// every source we have, and for the records read back from our FHIR output.
struct CanonicalBytesTests {
    static func mismatches(_ records: [ClinicalRecord]) -> [String] {
        var found: [String] = []
        for record in records {
            for entity in record.entities
            where CanonicalHasher.canonicalBytes(entity) != CanonicalHasher.referenceBytes(entity) {
                found.append("\(type(of: entity).kind.rawValue) \(entity.ref.key.hashValue)")
            }
        }
        return found
    }

    static func records(_ folder: URL, extensions: Set<String>? = nil) throws -> [ClinicalRecord] {
        try Support.files(under: folder, extensions: extensions).flatMap {
            try Support.convert($0).compactMap(\.record)
        }
    }

    @Test func directBytesEqualTheReferenceFormForEverySample() throws {
        let records = try Self.records(Support.samples)
        #expect(records.count > 5)
        #expect(Self.mismatches(records) == [])
        let reader = FHIRReader()
        let (readBack, _) = reader.records(from: reader.resources(fromBundle: try Support.bundle(records)))
        #expect(Self.mismatches(readBack) == [])
    }

    @Test(.needsCorpus) func directBytesEqualTheReferenceFormForTheCorpus() throws {
        var records = try Self.records(TestCorpus.url("fhir-converter/hl7v2"))
        records += try Self.records(TestCorpus.url("hl7v2-public"))
        records += try Self.records(TestCorpus.url("fhir-converter/ccda"), extensions: ["ccda"])
        records += try Self.records(TestCorpus.url("synthea/ccda"), extensions: ["xml"])
        for source in try Support.engine.sources([TestCorpus.url("synthea/csv").path]) {
            records += try Support.engine.convert(source).units.compactMap(\.record)
        }
        #expect(records.count > 300)
        #expect(Self.mismatches(records) == [])
    }

    @Test func anEmptiedMemberAndReorderedListsHashAlike() {
        var patient = Patient(ref: EntityRef(.patient, key: "p1"))
        patient.names = [HumanName(family: "Doe", given: ["A", "B"]), HumanName(family: "Roe")]
        var reordered = patient
        reordered.names.reverse()
        reordered.birthPlace = "  "
        #expect(CanonicalHasher.canonicalBytes(patient) == CanonicalHasher.canonicalBytes(reordered))
        #expect(CanonicalHasher.canonicalBytes(patient) == CanonicalHasher.referenceBytes(patient))
        var regiven = patient
        regiven.names[0].given = ["B", "A"]
        #expect(CanonicalHasher.canonicalBytes(patient) != CanonicalHasher.canonicalBytes(regiven))
    }
}
