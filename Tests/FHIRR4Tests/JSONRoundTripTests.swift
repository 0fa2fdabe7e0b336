import FHIRR4
import Testing

struct JSONRoundTripTests {
    @Test(arguments: ["plain", "quote \" backslash \\ slash /", "line\nbreak\ttab\r", "\u{01}\u{1f}", "µmol/L ü 🙂", ""])
    func stringsSurviveWriteAndRead(_ text: String) throws {
        let value = JSON.object(JSONObject(["a": .string(text)]))
        let bytes = JSONWriter().bytes(value)
        #expect(try JSONReader.parse(bytes) == value)
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
