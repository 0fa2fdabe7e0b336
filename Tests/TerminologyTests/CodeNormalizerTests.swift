import ClinicalModel
import Terminology
import Testing

@Suite("Code normalizer")
struct CodeNormalizerTests {
    @Test func normalizeRewritesSystemsOnly() throws {
        let normalizer = CodeNormalizer(store: try Fixtures.store())
        let coding = normalizer.normalize(Coding(system: "LN", code: " 718-7 ", display: "Hemoglobin"))
        #expect(coding == Coding(system: "http://loinc.org", code: "718-7", display: "Hemoglobin"))
        #expect(normalizer.normalize(Coding(system: "L", code: "X1")).system == nil)
        #expect(
            normalizer.normalize(Coding(system: "urn:oid:2.16.840.1.113883.6.96", code: "1")).system
                == "http://snomed.info/sct")
    }

    @Test func unknownSystemNameIsReported() throws {
        let normalizer = CodeNormalizer(store: try Fixtures.store())
        let (coding, diagnostic) = normalizer.normalizeReportingUnknownSystem(Coding(system: "WHATEVER", code: "1"))
        #expect(coding.system == nil)
        #expect(diagnostic?.kind == .unknownCodeSystem)
        #expect(normalizer.normalizeReportingUnknownSystem(Coding(system: "99LOC", code: "1")).diagnostic == nil)
    }

    @Test func translateMapsTableCodes() throws {
        let normalizer = CodeNormalizer(store: try Fixtures.store())
        let (coding, diagnostic) = normalizer.translate(
            Coding(system: "HL70001", code: "F"), table: "0001", target: nil)
        #expect(
            coding == Coding(system: "http://hl7.org/fhir/administrative-gender", code: "female", display: "Female"))
        #expect(diagnostic == nil)
        let (status, _) = normalizer.translate(
            Coding(code: "I"), table: "0004", target: "http://hl7.org/fhir/encounter-status")
        #expect(status.code == "in-progress")
    }

    @Test func unmappedCodeKeepsSourceCodingAndWarns() throws {
        let normalizer = CodeNormalizer(store: try Fixtures.store())
        let (coding, diagnostic) = normalizer.translate(
            Coding(code: "TOX", display: "Cytotoxic"), table: "HL70078", target: nil)
        #expect(
            coding == Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0078", code: "TOX", display: "Cytotoxic")
        )
        #expect(
            diagnostic
                == Diagnostic(
                    .warning, .unmappedCode, at: nil, system: "http://terminology.hl7.org/CodeSystem/v2-0078",
                    code: "TOX"))
    }

    @Test func codingsFromOtherSystemsAreNotTranslated() throws {
        let normalizer = CodeNormalizer(store: try Fixtures.store())
        let (coding, diagnostic) = normalizer.translate(
            Coding(system: "http://hl7.org/fhir/administrative-gender", code: "female"), table: "0001", target: nil)
        #expect(coding.code == "female")
        #expect(diagnostic == nil)
        let (empty, none) = normalizer.translate(Coding(code: "  "), table: "0001", target: nil)
        #expect(empty.code == nil)
        #expect(none == nil)
    }

    @Test func conceptsAreNormalizedCodingByCoding() throws {
        let normalizer = CodeNormalizer(store: try Fixtures.store())
        let concept = normalizer.normalize(
            Concept(codings: [Coding(system: "SCT", code: "1"), Coding(system: "I10", code: "E11.9")], text: "t"))
        #expect(concept.codings.map(\.system) == ["http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10-cm"])
        #expect(concept.text == "t")
    }
}
