import ClinicalModel
import Testing

@testable import HL7v2

@Suite struct EscapeTests {
    @Test(arguments: [
        (#"A\F\B"#, "A|B"),
        (#"A\S\B"#, "A^B"),
        (#"A\T\B"#, "A&B"),
        (#"A\R\B"#, "A~B"),
        (#"A\E\B"#, #"A\B"#),
        (#"line1\.br\line2"#, "line1\nline2"),
        (#"a\.sp\b"#, "a\nb"),
        (#"a\.sp2\b"#, "a\n\nb"),
        (#"a\.in+4\b\.ti-2\c\.sk1\d\.ce\e\.fi\f\.nf\g"#, "abcdefg"),
        (#"\H\bold\N\ text"#, "bold text"),
        (#"caf\XC3A9\"#, "café"),
        (#"crlf\X0D0A\end"#, "crlf\r\nend"),
        (#"x\C2842\y"#, "xy"),
        (#"x\M2442\y\M244220\z"#, "xyz"),
        (#"local \Zabc\ kept"#, #"local \Zabc\ kept"#),
        (#"unknown \Q\ kept"#, #"unknown \Q\ kept"#),
        (#"bad hex \XZZ\ kept"#, #"bad hex \XZZ\ kept"#),
        ("no escapes at all", "no escapes at all"),
        (#"open \F"#, #"open \F"#),
    ])
    func escapeSequencesDecode(raw: String, decoded: String) {
        #expect(HL7Escaping.decode(raw, delimiters: .standard) == decoded)
    }

    @Test func escapesAreDecodedInFieldValues() throws {
        let message = try parse([Sample.header(), #"OBX|1|FT|CODE||Fish \T\ Chips\.br\2 \S\ 3~second"#])
        let obx = try #require(message.firstSegment(named: "OBX"))
        #expect(obx[5].value == "Fish & Chips\n2 ^ 3")
        #expect(obx[5].rawText == #"Fish \T\ Chips\.br\2 \S\ 3~second"#)
        #expect(obx[5].repetitions[1].value == "second")
        #expect(message.diagnostics.isEmpty)
    }

    @Test func hexEscapesAreReadInTheMessageCharset() throws {
        let message = try parse([Sample.header() + "||||||8859/1", #"OBX|1|ST|X||caf\XE9\"#])
        #expect(message.charset == .latin1)
        #expect(message.firstSegment(named: "OBX")?[5].value == "café")
    }

    @Test func anUnterminatedEscapeIsKeptLiterallyAndReportedWithItsPosition() throws {
        let message = try parse([Sample.header(), #"NTE|1||C:\temp^ok~x&y\z"#])
        let nte = try #require(message.firstSegment(named: "NTE"))
        #expect(nte[3].value == #"C:\temp"#)
        #expect(nte[3].repetitions[1][1][2] == #"y\z"#)
        #expect(
            message.diagnostics == [
                Diagnostic(
                    .warning, .unterminatedEscape,
                    at: .hl7(
                        message: 1, segment: "NTE", occurrence: 1, field: 3, repetition: 1, component: 1,
                        subcomponent: 1)),
                Diagnostic(
                    .warning, .unterminatedEscape,
                    at: .hl7(
                        message: 1, segment: "NTE", occurrence: 1, field: 3, repetition: 2, component: 1,
                        subcomponent: 2)),
            ])
    }

    @Test func encodingEscapesDelimitersAndLineBreaks() {
        #expect(HL7Escaping.encode("a|b^c&d~e\\f", delimiters: .standard) == #"a\F\b\S\c\T\d\R\e\E\f"#)
        #expect(
            HL7Escaping.encode("one\ntwo\r\nthree\rfour", delimiters: .standard) == #"one\.br\two\.br\three\.br\four"#)
        #expect(HL7Escaping.encode("plain text é", delimiters: .standard) == "plain text é")
        var truncating = HL7Delimiters.standard
        truncating.truncation = UInt8(ascii: "#")
        #expect(HL7Escaping.encode("#1", delimiters: truncating) == #"\P\1"#)
    }

    @Test(arguments: ["a|b^c&d~e\\f", "x\ny", "\\F\\ literal", "é|ü", ""])
    func encodingThenDecodingGivesTheTextBack(text: String) {
        let custom = HL7Delimiters(
            field: UInt8(ascii: "$"), component: UInt8(ascii: "%"), repetition: UInt8(ascii: "*"),
            escape: UInt8(ascii: "!"), subcomponent: UInt8(ascii: "@"))
        for delimiters in [HL7Delimiters.standard, custom] {
            let encoded = HL7Escaping.encode(text, delimiters: delimiters)
            #expect(HL7Escaping.decode(encoded, delimiters: delimiters) == text)
        }
    }

    @Test func escapeDecodingIsSkippedWhenThereIsNoEscapeCharacter() {
        var noEscape = HL7Delimiters.standard
        noEscape.escape = nil
        #expect(HL7Escaping.decode(#"a\F\b"#, delimiters: noEscape) == #"a\F\b"#)
        #expect(HL7Escaping.encode("a|b", delimiters: noEscape) == "a|b")
    }
}
