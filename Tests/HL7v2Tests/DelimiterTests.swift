import ClinicalModel
import Testing

@testable import HL7v2

@Suite struct DelimiterTests {
    @Test func standardDelimitersAreReadFromMSH1AndMSH2() throws {
        let message = try parse(Sample.adtA01)
        #expect(message.delimiters == .standard)
        #expect(message.delimiters.escape == UInt8(ascii: "\\"))
        #expect(message.delimiters.truncation == nil)
        #expect(message.delimiters.encodingCharacters == #"^~\&"#)
    }

    @Test func customDelimitersSplitFieldsComponentsRepetitionsAndSubcomponents() throws {
        let message = try parse([
            "MSH$%*!@$APP$FAC$$$20240101$$ADT%A01$CTRL$P$2.5",
            "PID$1$$A%B@C*D%E$$X!F!Y!S!Z!T!W!R!V!E!U",
        ])
        #expect(message.delimiters.field == UInt8(ascii: "$"))
        #expect(message.delimiters.component == UInt8(ascii: "%"))
        #expect(message.delimiters.repetition == UInt8(ascii: "*"))
        #expect(message.delimiters.escape == UInt8(ascii: "!"))
        #expect(message.delimiters.subcomponent == UInt8(ascii: "@"))
        #expect(message.messageType.code == "ADT")
        #expect(message.messageType.event == "A01")
        #expect(message.controlID == "CTRL")
        let pid = try #require(message.firstSegment(named: "PID"))
        #expect(pid[3].repetitions.count == 2)
        #expect(pid[3][1].value == "A")
        #expect(pid[3][2][1] == "B")
        #expect(pid[3][2][2] == "C")
        #expect(pid[3].repetitions[1][2].value == "E")
        #expect(pid[5].value == "X$Y%Z@W*V!U")
    }

    @Test func msh1AndMsh2AreLiteralAndNeverSplitOrDecoded() throws {
        let message = try parse(Sample.adtA01)
        let header = message.header
        #expect(header[1].value == "|")
        #expect(header[2].value == #"^~\&"#)
        #expect(header[2].rawText == #"^~\&"#)
        #expect(header[2].repetitions.count == 1)
        #expect(header[2].first.componentCount == 1)
        #expect(header[2][1].subcomponentCount == 1)
        #expect(header[3].value == "SENDAPP")
        #expect(header.fieldCount == 12)
    }

    @Test func truncationCharacterIsReadAsTheFifthEncodingCharacter() throws {
        let message = try parse([#"MSH|^~\&#|APP|FAC|||20240101||ORU^R01|1|P|2.7"#, #"OBX|1|ST|X||A\P\B#"#])
        #expect(message.delimiters.truncation == UInt8(ascii: "#"))
        #expect(message.header[2].value == #"^~\&#"#)
        #expect(message.firstSegment(named: "OBX")?[5].value == "A#B#")
        #expect(message.version == "2.7")
    }

    @Test(arguments: [
        ("MSH|^^\\&|A", 2),  // duplicate
        ("MSH|^~\\|", 2),  // too short
        ("MSH|^~\\&#%|A", 2),  // too long
        ("MSH|^~A&|A", 2),  // alphanumeric
        ("MSH||A|B", 2),  // missing MSH-2
        ("MSH|", 2),  // nothing at all
        ("MSH", 1),  // no field separator
        ("MSHA^~\\&A", 1),  // alphanumeric field separator
        ("MSH|^|\\&|A", 2),  // field separator among the encoding characters
        ("MSH ^~\\& ", 1),  // space
    ])
    func badEncodingCharactersAreRejectedAtTheirField(header: String, field: Int) {
        let error = parseError([header, "PID|1"], index: 4)
        #expect(error?.kind == .invalidEncodingCharacters)
        #expect(error?.location == .hl7(message: 4, segment: "MSH", occurrence: 1, field: field))
    }

    @Test func fhsAndBhsDefineTheirOwnDelimiters() {
        let input = Array("FHS#%*!@#F\rBHS$^~\\&$B$x^y\rMSH|^~\\&|A|B|||20240101||ACK|1|P|2.5\rBTS|1\rFTS|1\r".utf8)
        let result = HL7Parser.parseAll(input)
        #expect(result.batchHeaders.count == 2)
        #expect(result.batchHeaders[0].delimiters.field == UInt8(ascii: "#"))
        #expect(result.batchHeaders[0][3].value == "F")
        #expect(result.batchHeaders[1].delimiters.field == UInt8(ascii: "$"))
        #expect(result.batchHeaders[1][4][2].value == "y")
        #expect(result.parsed.count == 1)
        #expect(result.diagnostics.isEmpty)
    }
}
