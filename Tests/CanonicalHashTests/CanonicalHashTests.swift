import CanonicalHash
import ClinicalModel
import Testing

struct CanonicalHashTests {
    static func patient() -> Patient {
        var patient = Patient(
            ref: EntityRef(.patient, key: "urn:oid:2.16.840.1.113883.19.5|SYN-1"),
            source: .hl7(message: 1, segment: "PID", occurrence: 1))
        patient.identifiers = [
            Identifier(system: "urn:oid:2.16.840.1.113883.19.5", value: "SYN-1"),
            Identifier(system: "http://hl7.org/fhir/sid/us-ssn", value: "999-00-0000"),
        ]
        patient.names = [
            HumanName(use: "official", family: "Synthetic", given: ["Alex", "Q"]),
            HumanName(use: "maiden", family: "Sample"),
        ]
        patient.birthDate = ClinicalDateTime(fhir: "1980-07-04")
        patient.gender = Coding(system: "http://hl7.org/fhir/administrative-gender", code: "female")
        patient.generalPractitioners = [EntityRef(.practitioner, key: "npi|1")]
        return patient
    }

    func digest(_ patient: Patient) -> String { CanonicalHasher.digest(patient).digest }

    @Test func reorderedRepeatsPaddedTextAndOtherPositionsHashAlike() {
        let base = Self.patient()
        var reordered = base
        reordered.identifiers.reverse()
        reordered.names.reverse()
        var padded = base
        padded.names[0].family = "  Synthetic \n"
        var moved = base
        moved.source = .csv(file: "patients.csv", line: 9, column: nil)
        var emptied = base
        emptied.races = []
        emptied.telecom = [ContactPoint(value: "   ")].filter { !$0.value.trimmingSpaces().isEmpty }
        for variant in [reordered, padded, moved, emptied] { #expect(digest(variant) == digest(base)) }
    }

    @Test func changedValuesPrecisionAndOrderOfNamePartsHashDifferently() {
        let base = Self.patient()
        var birth = base
        birth.birthDate = ClinicalDateTime(fhir: "1980-07-05")
        var precision = base
        precision.birthDate = ClinicalDateTime(fhir: "1980-07")
        var given = base
        given.names[0].given = ["Q", "Alex"]
        var gender = base
        gender.gender = Coding(system: "http://hl7.org/fhir/administrative-gender", code: "male")
        let digests = Set([base, birth, precision, given, gender].map(digest))
        #expect(digests.count == 5)
    }

    @Test func decimalsKeepTheirLexicalForm() {
        var first = Observation(ref: EntityRef(.observation, key: "o"), code: Concept(text: "x"))
        first.value = .quantity(Quantity(value: DecimalValue(lexical: "0.010")))
        var second = first
        second.value = .quantity(Quantity(value: DecimalValue(lexical: "0.01")))
        #expect(CanonicalHasher.digest(first).digest != CanonicalHasher.digest(second).digest)
    }

    @Test func referencesAreCollectedWithoutTheRecordItself() {
        let digest = CanonicalHasher.digest(Self.patient())
        #expect(digest.references == [EntityRef(.practitioner, key: "npi|1")])
    }

    @Test func theCanonicalFormIsPinned() {
        // A change here changes every digest: bump CanonicalForm.version with it.
        let text = String(decoding: CanonicalHasher.canonicalBytes(Self.patient()), as: UTF8.self)
        #expect(text.hasPrefix("fhirbridge-canonical/1\npatient\n{"))
        #expect(!text.contains("PID"))
        #expect(
            text.contains(
                #""names":[{"family":"Sample","use":"maiden"},{"family":"Synthetic","given":["Alex","Q"],"use":"official"}]"#
            ))
        #expect(digest(Self.patient()) == Self.pinnedDigest)
    }

    /// Strings are written with JSON's minimal escapes after trimming and folding white space runs.
    @Test func stringsAreFoldedThenEscaped() {
        var patient = Patient(ref: EntityRef(.patient, key: "k"))
        patient.names = [HumanName(family: "  O\"Brien\\x \t\r\n y\u{01}\u{1f}é  ")]
        let text = String(decoding: CanonicalHasher.canonicalBytes(patient), as: UTF8.self)
        #expect(text.contains(#"{"family":"O\"Brien\\x y\u0001\u001fé"}"#))
    }

    static let pinnedDigest = "63ffe22a9b60a9f5a1ef1e4ff7e4b07450a6cc384b15d631faa6a0e521e480e8"

    @Test func rollupsDoNotDependOnOrder() {
        let a = CanonicalHasher.rollup(["b", "a", "c"])
        let b = CanonicalHasher.rollup(["c", "b", "a"])
        #expect(a == b)
        #expect(a != CanonicalHasher.rollup(["a", "b"]))
    }
}
