import Testing

@testable import CCDA

/// Narrative text is folded over its UTF-8 bytes: XML whitespace and no-break spaces collapse to
/// one space, every other character (including those whose last byte is A0) is kept.
struct XMLSpaceTests {
    @Test(arguments: [
        ("", ""),
        ("   \t\r\n ", ""),
        ("  Aspirin  81 mg \n daily ", "Aspirin 81 mg daily"),
        ("\u{A0}left\u{A0}\u{A0}right\u{A0}", "left right"),
        // à is C3 A0 and 蠀 is E8 A0 80: their A0 bytes are not no-break spaces
        ("voilà  là", "voilà là"),
        ("蠀 \u{A0} 蠀", "蠀 蠀"),
        // © is C2 A9: a C2 lead byte alone is not a space
        ("© 2024", "© 2024"),
        ("tab\tand\r\nnewline", "tab and newline"),
    ])
    func runsOfSpaceCollapse(_ text: String, _ expected: String) {
        #expect(text.collapsingXMLSpace() == expected)
    }

    @Test(arguments: ["", " ", "\u{A0}", " \u{A0}\t\r\n", "x", " à ", "\u{A0}©", "蠀", " \u{A0}a"])
    func hasNonXMLSpaceAgreesWithCollapsing(_ text: String) {
        #expect(text.hasNonXMLSpace == !text.collapsingXMLSpace().isEmpty)
    }
}
