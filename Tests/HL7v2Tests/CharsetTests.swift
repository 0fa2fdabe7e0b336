import ClinicalModel
import Testing

@testable import HL7v2

@Suite struct CharsetTests {
    static func message(charset: String, obx5: [UInt8]) -> [UInt8] {
        Array((Sample.header() + "||||||" + charset + "\r" + "OBX|1|ST|X||").utf8) + obx5 + Array("|\r".utf8)
    }

    @Test func latin1BytesDecodeToUnicode() throws {
        let message = try HL7Parser.parse(Self.message(charset: "8859/1", obx5: Array("caf".utf8) + [0xE9]), index: 1)
        #expect(message.charset == .latin1)
        #expect(message.firstSegment(named: "OBX")?[5].value == "café")
        #expect(message.firstSegment(named: "OBX")?[5].rawText == "café")
        #expect(message.diagnostics.isEmpty)
    }

    @Test(arguments: ["", "UNICODE UTF-8", "unicode utf-8", "UTF-8~UNICODE", #""""#])
    func utf8IsTheDefaultAndTheUnicodeCharset(charset: String) throws {
        let message = try HL7Parser.parse(Self.message(charset: charset, obx5: Array("café ✓".utf8)), index: 1)
        #expect(message.charset == .utf8)
        #expect(message.firstSegment(named: "OBX")?[5].value == "café ✓")
    }

    @Test func asciiIsAccepted() throws {
        let message = try HL7Parser.parse(Self.message(charset: "ASCII", obx5: Array("plain".utf8)), index: 1)
        #expect(message.charset == .ascii)
        #expect(message.firstSegment(named: "OBX")?[5].value == "plain")
    }

    @Test func invalidUTF8IsReplacedAndReportedWithTheFieldLocationOnly() throws {
        let message = try HL7Parser.parse(
            Self.message(charset: "UNICODE UTF-8", obx5: Array("ZZSENTINEL".utf8) + [0xE9, 0x41]), index: 7)
        #expect(message.firstSegment(named: "OBX")?[5].value == "ZZSENTINEL\u{FFFD}A")
        #expect(
            message.diagnostics == [
                Diagnostic(.warning, .invalidUTF8, at: .hl7(message: 7, segment: "OBX", occurrence: 1, field: 5))
            ])
        #expect(!message.diagnostics.description.contains("ZZSENTINEL"))
    }

    @Test func validMultibyteUTF8IsNotReported() throws {
        let message = try HL7Parser.parse(Self.message(charset: "", obx5: Array("µg/L 中文 😀".utf8)), index: 1)
        #expect(message.diagnostics.isEmpty)
    }

    @Test(arguments: ["8859/15", "UNICODE UTF-16", "ISO IR87", "ZZSENTINEL"])
    func otherCharsetsAreUnsupported(charset: String) {
        let error = parseError(Self.message(charset: charset, obx5: Array("x".utf8)), index: 2)
        #expect(error?.kind == .unsupportedCharset)
        #expect(error?.location == .hl7(message: 2, segment: "MSH", occurrence: 1, field: 18))
        #expect(!String(describing: error).contains("ZZSENTINEL"))
    }

    @Test func charsetNamesFollowTable0211() {
        #expect(HL7Charset(msh18: "8859/1") == .latin1)
        #expect(HL7Charset(msh18: " ascii ") == .ascii)
        #expect(HL7Charset(msh18: "UNICODE UTF-8") == .utf8)
        #expect(HL7Charset(msh18: "") == .utf8)
        #expect(HL7Charset(msh18: "8859/2") == nil)
    }
}
