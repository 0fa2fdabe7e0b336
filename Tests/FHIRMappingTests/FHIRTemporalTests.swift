import ClinicalModel
import Testing

@testable import FHIRMapping

@Suite struct FHIRTemporalTests {
    @Test(arguments: [
        ("2024", "2024"), ("2024-03", "2024-03"), ("2024-02-29", "2024-02-29"),
        ("2024-03-05T10:30+01:00", "2024-03-05T10:30:00+01:00"), ("2024-03-05T10:30:15Z", "2024-03-05T10:30:15Z"),
        ("2024-03-05T10:30:15.1234-05:00", "2024-03-05T10:30:15.1234-05:00"),
        ("2024-03-05T00:00:00+14:00", "2024-03-05T00:00:00+14:00"),
    ])
    func validDateTimes(_ input: String, _ expected: String) {
        #expect(FHIRTemporal.dateTime(ClinicalDateTime(fhir: input)) == expected)
    }

    @Test(arguments: [
        "", "24", "2024-13", "2023-02-29", "2024-04-31", "0000", "2024-03-05T10:30:00", "2024-03-05T24:00:00Z",
        "2024-03-05T10:30:00+15:00", "2024-03-05T10:30:00.Z", "2024-03-05 10:30:00Z", "2024-03-05T10Z", "20240305",
    ])
    func invalidDateTimes(_ input: String) {
        #expect(FHIRTemporal.dateTime(ClinicalDateTime(fhir: input)) == nil)
    }

    @Test func instantsNeedTimeAndZone() {
        #expect(FHIRTemporal.instant(ClinicalDateTime(fhir: "2024-03-05")) == nil)
        #expect(FHIRTemporal.instant(ClinicalDateTime(fhir: "2024-03-05T10:30+01:00")) == "2024-03-05T10:30:00+01:00")
        #expect(FHIRTemporal.instant(ClinicalDateTime(fhir: "2024-03-05T10:30:00.5Z")) == "2024-03-05T10:30:00.5Z")
    }

    @Test func datesAreTheDatePart() {
        #expect(FHIRTemporal.date(ClinicalDateTime(fhir: "2024-03-05T10:30:00Z")) == "2024-03-05")
        #expect(FHIRTemporal.date(ClinicalDateTime(fhir: "2024-03")) == "2024-03")
        #expect(FHIRTemporal.date(ClinicalDateTime(fhir: "2024-3-5")) == nil)
    }

    @Test(arguments: [
        ("0.010", true), ("-0", true), ("1e3", true), ("007", false), ("1.", false), (".5", false), ("1,5", false),
        ("", false),
    ])
    func decimalsKeepTheirLexicalForm(_ lexical: String, _ valid: Bool) {
        #expect((MappingContext.decimal(lexical) != nil) == valid)
        if valid { #expect(MappingContext.decimal(lexical)?.numberLexical == lexical) }
    }

    @Test(arguments: [("active", true), ("a b", true), (" a", false), ("a  b", false), ("a\tb", false), ("", false)])
    func codesFollowTheFHIRGrammar(_ code: String, _ valid: Bool) {
        #expect(code.isValidFHIRCode == valid)
    }
}
