import FHIRR4
import Testing

struct JSONRoundTripTests {
    @Test(arguments: ["plain", "quote \" backslash \\ slash /", "line\nbreak\ttab\r", "\u{01}\u{1f}", "µmol/L ü 🙂", ""])
    func stringsSurviveWriteAndRead(_ text: String) throws {
        let value = JSON.object(JSONObject(["a": .string(text)]))
        let bytes = JSONWriter().bytes(value)
        #expect(try JSONReader.parse(bytes) == value)
    }

    /// The exact escapes RFC 8259 requires and no others, at the start, middle and end of a string.
    @Test func stringsAreEscapedMinimally() {
        let text = "\"a\\b\nc\u{01}d\u{1f}\t/é\r\u{08}\u{0C}\""
        let written = String(decoding: JSONWriter().bytes(.string(text)), as: UTF8.self)
        #expect(written == #""\"a\\b\nc\u0001d\u001f\t/é\r\b\f\"""#)
        #expect(String(decoding: JSONWriter().bytes(.string("plain")), as: UTF8.self) == #""plain""#)
    }

    @Test func numbersKeepTheirLexicalForm() throws {
        let parsed = try JSONReader.parse("[0.010, -1, 1e3, 7]")
        #expect(parsed == .array([.number("0.010"), .number("-1"), .number("1e3"), .number("7")]))
        #expect(JSONWriter().string(parsed) == "[0.010,-1,1e3,7]")
    }

    @Test func memberOrderIsKeptAndSemanticEqualityIgnoresIt() throws {
        let first = try JSONReader.parse(#"{"b":1,"a":{"y":true,"x":null}}"#)
        let second = try JSONReader.parse(#"{"a":{"x":null,"y":true},"b":1}"#)
        #expect(first != second)
        #expect(JSON.semanticallyEqual(first, second))
        #expect(JSONWriter().string(first) == #"{"b":1,"a":{"y":true,"x":null}}"#)
    }

    @Test(arguments: [#"{"a":}"#, "[1,]", #""unterminated"#, "01x", "{} extra", #""\q""#])
    func malformedInputFailsWithAnOffset(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONReader.parse(text) }
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONReader.parse(deep) }
    }
}
