import ClinicalModel
import Testing

/// One timestamp grammar for HL7 v2 (DTM) and HL7 v3 (TS): every precision is kept in FHIR lexical
/// form, times without a zone get the default zone, invalid values are refused, not guessed.
struct HL7DateTimeTests {
    /// Spelled the same in both standards.
    static let common: [(String, String)] = [
        ("2024", "2024"),
        ("202403", "2024-03"),
        ("20240305", "2024-03-05"),
        ("20240305-0500", "2024-03-05"),
        ("2024030510", "2024-03-05T10:00:00+00:00"),
        ("202403051030", "2024-03-05T10:30:00+00:00"),
        ("202403051030-0500", "2024-03-05T10:30:00-05:00"),
        ("20240305103015", "2024-03-05T10:30:15+00:00"),
        ("20240305103015+0100", "2024-03-05T10:30:15+01:00"),
        ("20240305103015+1400", "2024-03-05T10:30:15+14:00"),
        ("20240305103015.2", "2024-03-05T10:30:15.2+00:00"),
        ("20240305103015.25", "2024-03-05T10:30:15.25+00:00"),
        ("20240305103015.1234-0000", "2024-03-05T10:30:15.1234+00:00"),
        ("20240229", "2024-02-29"),
        ("20000229", "2000-02-29"),
        ("00010101", "0001-01-01"),
        (" 20240305 ", "2024-03-05"),
        ("\t20240305", "2024-03-05"),
    ]

    /// Wrong in both.
    static let invalid: [String] = [
        "", "20", "202", "2024-03-05", "20230229", "19000229", "20241301", "20240001", "20240230", "20240431",
        "2024030525", "202403051060", "20240305103060", "20240305.5", "2024030510.5", "20240305103015.",
        "20240305103015+1", "20240305103015+2500", "20240305103015+0160", "20240305103015+01:00", "2024x305",
        "00000101", "+0500", "2024+", "20240305103015.1a", "2024030510301", "20240305 1030",
    ]

    @Test(arguments: common)
    func v2KeepsThePrecision(_ raw: String, _ expected: String) {
        #expect(HL7DateTime.parse(raw, defaultZone: "+00:00", syntax: .v2) == ClinicalDateTime(fhir: expected))
    }

    @Test(arguments: common)
    func v3KeepsThePrecision(_ raw: String, _ expected: String) {
        #expect(HL7DateTime.parse(raw, defaultZone: "+00:00", syntax: .v3) == ClinicalDateTime(fhir: expected))
    }

    @Test(arguments: common.map(\.1))
    func precisionIsWhatTheSourceGave(_ fhir: String) {
        let expected: ClinicalDateTime.Precision =
            switch fhir.count {
            case 4: .year
            case 7: .month
            case 10: .day
            default: fhir.contains(".") ? .fraction : .second
            }
        #expect(ClinicalDateTime(fhir: fhir).precision == expected)
    }

    @Test(arguments: [HL7DateTime.Syntax.v2, .v3])
    func timeWithoutZoneTakesTheDefaultZone(_ syntax: HL7DateTime.Syntax) {
        #expect(
            HL7DateTime.parse("202403051030", defaultZone: "+01:00", syntax: syntax)?.fhir
                == "2024-03-05T10:30:00+01:00")
        #expect(
            HL7DateTime.parse("202403051030-0300", defaultZone: "+01:00", syntax: syntax)?.fhir
                == "2024-03-05T10:30:00-03:00")
        #expect(HL7DateTime.parse("20240305", defaultZone: "+01:00", syntax: syntax)?.fhir == "2024-03-05")
    }

    @Test(arguments: invalid)
    func invalidTimestampIsRefusedInV2(_ raw: String) {
        #expect(HL7DateTime.parse(raw, defaultZone: "+00:00", syntax: .v2) == nil)
    }

    @Test(arguments: invalid)
    func invalidTimestampIsRefusedInV3(_ raw: String) {
        #expect(HL7DateTime.parse(raw, defaultZone: "+00:00", syntax: .v3) == nil)
    }

    /// What v3 TS allows and v2 DTM does not: `Z`, hour-only zones, more than four fraction
    /// digits, and line breaks around the value (XML white space).
    @Test(arguments: [
        ("20240305103015Z", "2024-03-05T10:30:15Z"),
        ("20240305Z", "2024-03-05"),
        ("202403051030+01", "2024-03-05T10:30:00+01:00"),
        ("20240305103015.123456", "2024-03-05T10:30:15.123456+00:00"),
        ("\n 20240305\r\n", "2024-03-05"),
    ])
    func onlyV3AllowsItsExtensions(_ raw: String, _ expected: String) {
        #expect(HL7DateTime.parse(raw, defaultZone: "+00:00", syntax: .v3) == ClinicalDateTime(fhir: expected))
        #expect(HL7DateTime.parse(raw, defaultZone: "+00:00", syntax: .v2) == nil)
    }
}
