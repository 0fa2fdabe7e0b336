import ClinicalModel
import Testing

/// `DecimalValue(parsing:)`: source numbers to the lexical form FHIR and JSON accept.
struct DecimalValueTests {
    @Test(arguments: [
        // already lexical (the fast path)
        ("120", "120"), ("5.25", "5.25"), ("0.30", "0.30"), ("0", "0"), ("10.0", "10.0"),
        // completed, trimmed or signed
        ("007", "7"), ("00", "0"), ("00.5", "0.5"), (".5", "0.5"), ("5.", "5"), ("+3", "3"), ("-.5", "-0.5"),
        ("-007.10", "-7.10"), (" 42 ", "42"), (".", "0"),
    ])
    func parsesToLexicalForm(_ input: String, _ expected: String) {
        #expect(DecimalValue(parsing: input)?.lexical == expected)
    }

    @Test(arguments: ["", "1.2.3", "1e5", "abc", "12a", "--1", "1,5", "-"])
    func rejectsWhatIsNotADecimal(_ input: String) {
        #expect(DecimalValue(parsing: input) == nil)
    }
}
