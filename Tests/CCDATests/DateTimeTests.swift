import ClinicalModel
import Testing

@testable import CCDA

/// HL7 v3 TS values keep their precision in FHIR lexical form; times without a zone get the
/// default zone; invalid values are refused, not guessed.
struct DateTimeTests {
    @Test(arguments: [
        ("2024", "2024"),
        ("202403", "2024-03"),
        ("20240305", "2024-03-05"),
        ("20240305-0500", "2024-03-05"),
        ("2024030510", "2024-03-05T10:00:00+00:00"),
        ("202403051030", "2024-03-05T10:30:00+00:00"),
        ("202403051030-0500", "2024-03-05T10:30:00-05:00"),
        ("20240305103015+0100", "2024-03-05T10:30:15+01:00"),
        ("20240305103015.25", "2024-03-05T10:30:15.25+00:00"),
        ("20240305103015.1234-0000", "2024-03-05T10:30:15.1234+00:00"),
        ("20240229", "2024-02-29"),
        (" 20240305 ", "2024-03-05"),
    ])
    func timestampKeepsItsPrecision(_ raw: String, _ expected: String) {
        #expect(CCDADateTime.parse(raw, defaultZone: "+00:00") == ClinicalDateTime(fhir: expected))
    }

    @Test func timeWithoutZoneTakesTheDefaultZone() {
        #expect(CCDADateTime.parse("202403051030", defaultZone: "+01:00")?.fhir == "2024-03-05T10:30:00+01:00")
    }

    @Test(arguments: [
        "", "20", "2024-03-05", "20230229", "20241301", "2024030525", "202403051060", "20240305.5",
        "20240305103015+1", "20240305103015+2500", "2024x305", "00000101",
    ])
    func invalidTimestampIsRefused(_ raw: String) {
        #expect(CCDADateTime.parse(raw, defaultZone: "+00:00") == nil)
    }
}
