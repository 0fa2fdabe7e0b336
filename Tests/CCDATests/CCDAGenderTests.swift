import ClinicalModel
import Foundation
import Testing

/// `administrativeGenderCode` (issue 17): a valid translation under an unmapped code is used, and
/// an unknown code leaves a trace (the source coding, which FHIR writes as `source-coding`).
struct CCDAGenderTests {
    static func gender(_ element: String) throws -> (Coding?, [Diagnostic]) {
        let (record, diagnostics) = try Fixtures.read(CCDADefectTests.document(patient: element, ""))
        return (try #require(record.patients.first).gender, diagnostics)
    }

    @Test func aValidGenderTranslationUnderAnUnmappedCodeIsUsed() throws {
        let (gender, _) = try Self.gender(
            """
            <administrativeGenderCode code="1" codeSystem="1.2.3.4.5.99">
              <translation code="M" codeSystem="2.16.840.1.113883.5.1"/>
            </administrativeGenderCode>
            """)
        #expect(gender == Coding(system: "http://hl7.org/fhir/administrative-gender", code: "male"))
        // a translation from another code system is not taken for a gender
        let (local, _) = try Self.gender(
            """
            <administrativeGenderCode code="1" codeSystem="1.2.3.4.5.99">
              <translation code="M" codeSystem="1.2.3.4.5.98"/>
            </administrativeGenderCode>
            """)
        #expect(local?.system != "http://hl7.org/fhir/administrative-gender")
    }

    @Test func anUnknownGenderCodeLeavesATrace() throws {
        let (gender, diagnostics) = try Self.gender(
            #"<administrativeGenderCode code="X9" codeSystem="2.16.840.1.113883.5.1"/>"#)
        #expect(
            gender == Coding(system: "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender", code: "X9"))
        #expect(diagnostics.contains { $0.kind == .unmappedCode && $0.code == "X9" })
        let (absent, _) = try Self.gender(#"<administrativeGenderCode nullFlavor="ASKU"/>"#)
        #expect(absent == Coding(system: "http://terminology.hl7.org/CodeSystem/v3-NullFlavor", code: "ASKU"))
        let (known, _) = try Self.gender(#"<administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>"#)
        #expect(known == Coding(system: "http://hl7.org/fhir/administrative-gender", code: "female"))
    }
}
