import ClinicalModel
import HL7v2
import MLLP
import Testing

func segments(_ bytes: [UInt8]) -> [String] {
    String(decoding: bytes, as: UTF8.self).split(separator: "\r").map(String.init)
}

@Suite struct HL7AcknowledgementTests {
    static let inbound = Array(
        "MSH|^~\\&|SEND_APP|SEND_FAC^1.2.3^ISO|RECV_APP|RECV_FAC|20240101120000+0000||ADT^A01^ADT_A01|MSG00001|P|2.5.1|||AL|NE||UNICODE UTF-8\rPID|1||ZZSENTINEL^^^H^MR||ZZSENTINEL^ZZSENTINEL\r"
            .utf8)

    @Test func acceptSwapsSenderAndReceiverAndEchoesTheControlID() throws {
        let header = try #require(HL7InboundHeader(scanning: Self.inbound))
        let bytes = HL7Acknowledgement(issues: []).bytes(
            replyingTo: header, controlID: "A1", timestamp: "20240102030405+0000")
        #expect(
            segments(bytes) == [
                "MSH|^~\\&|RECV_APP|RECV_FAC|SEND_APP|SEND_FAC^1.2.3^ISO|20240102030405+0000||ACK^A01^ACK|A1|P|2.5.1||||||UNICODE UTF-8",
                "MSA|AA|MSG00001",
            ])
        let parsed = try HL7Parser.parse(bytes, index: 1)
        #expect(parsed.messageType.code == "ACK")
        #expect(parsed.firstSegment(named: "MSA")?[2].value == "MSG00001")
    }

    @Test func errorCarriesPositionAndTableCodeButNoValues() throws {
        let header = try #require(HL7InboundHeader(scanning: Self.inbound))
        let location = SourceLocation.hl7(message: 1, segment: "PID", occurrence: 1, field: 7)
        let ack = HL7Acknowledgement(issues: [HL7AcknowledgementIssue(SourceError(.invalidTimestamp, at: location))])
        #expect(ack.code == .error)
        let lines = segments(ack.bytes(replyingTo: header, controlID: "A2", timestamp: "20240102030405+0000"))
        #expect(lines[1] == "MSA|AE|MSG00001")
        #expect(
            lines[2]
                == "ERR||PID^1^7^1|102^Data type error^HL70357|E|invalidTimestamp|||invalidTimestamp at message 1 PID[1]-7"
        )
        #expect(!lines.joined().contains("ZZSENTINEL"))
    }

    @Test func unsupportedTypeAndStructureProblemsReject() throws {
        let header = try #require(HL7InboundHeader(scanning: Self.inbound))
        let type = SourceError(.unsupportedMessageType, at: .hl7(message: 1, segment: "MSH", occurrence: 1, field: 9))
        let ack = HL7Acknowledgement(issues: [HL7AcknowledgementIssue(type)])
        #expect(ack.code == .reject)
        let lines = segments(ack.bytes(replyingTo: header, controlID: "A3", timestamp: "20240101000000+0000"))
        #expect(lines[1] == "MSA|AR|MSG00001")
        #expect(lines[2].hasPrefix("ERR||MSH^1^9^1|200^Unsupported message type^HL70357|E|unsupportedMessageType|"))

        let parse = HL7ParseError(.invalidSegmentID, at: .hl7(message: 1, segment: "", occurrence: 3), segmentNumber: 3)
        let structural = HL7Acknowledgement(issues: [HL7AcknowledgementIssue(parse.sourceError)])
        #expect(structural.code == .reject)
        let err = segments(structural.bytes(replyingTo: header, controlID: "A4", timestamp: "20240101000000+0000"))[2]
        #expect(err.hasPrefix("ERR|||100^Segment sequence error^HL70357|E|invalidSegmentID|"))
    }

    @Test(arguments: [
        ("unsupportedMessageType", 200, true), ("noMessageHeader", 100, true), ("invalidSegmentID", 100, true),
        ("missingMessageType", 101, true), ("invalidEncodingCharacters", 102, true), ("messageTooLarge", 207, true),
        ("unsupportedCharset", 207, true), ("invalidTimestamp", 102, false), ("missingPatientIdentifier", 101, false),
        ("unmappedCode", 103, false), ("somethingElse", 207, false),
    ])
    func kindsAreClassified(kind: String, code: Int, rejects: Bool) {
        let issue = HL7AcknowledgementIssue(SourceError(IssueKind(rawValue: kind), at: nil))  // names by prefix too
        #expect(issue.errorCode.code == code)
        #expect(issue.rejectsMessage == rejects)
    }

    @Test func repliesInTheInboundDelimitersAndEscapesText() throws {
        let inbound = Array("MSH$%*!@$SEND$$RECV$$20240101$$ORU%R01$CTRL%9$P$2.5.1\rPID$1\r".utf8)
        let header = try #require(HL7InboundHeader(scanning: inbound))
        #expect(header.hasOwnDelimiters)
        #expect(header.controlID == "CTRL%9")
        let issue = HL7AcknowledgementIssue(
            kind: "odd$kind", location: nil, errorCode: .applicationInternalError, rejectsMessage: false)
        let lines = segments(
            HL7Acknowledgement(issues: [issue]).bytes(
                replyingTo: header, controlID: "A5", timestamp: "20240101000000+0000"))
        #expect(lines[0] == "MSH$%*!@$RECV$$SEND$$20240101000000+0000$$ACK%R01%ACK$A5$P$2.5.1")
        #expect(lines[1] == "MSA$AE$CTRL%9")
        #expect(lines[2] == "ERR$$$207%Application internal error%HL70357$E$odd!F!kind$$$odd!F!kind")
        let parsed = try HL7Parser.parse(
            HL7Acknowledgement(issues: [issue]).bytes(
                replyingTo: header, controlID: "A5", timestamp: "20240101000000+0000"), index: 1)
        #expect(parsed.firstSegment(named: "ERR")?[5].value == "odd$kind")
    }

    @Test func versionsBefore25UseTheLegacyErrorSegment() throws {
        let inbound = Array("MSH|^~\\&|S|SF|R|RF|20240101||ADT^A04|C1|P|2.3\r".utf8)
        let header = try #require(HL7InboundHeader(scanning: inbound))
        let location = SourceLocation.hl7(message: 1, segment: "PID", occurrence: 1, field: 3)
        let lines = segments(
            HL7Acknowledgement(issues: [
                HL7AcknowledgementIssue(SourceError(IssueKind(rawValue: "missingIdentifier"), at: location))
            ])
            .bytes(replyingTo: header, controlID: "A6", timestamp: "20240101000000+0000"))
        #expect(lines[0].hasSuffix("|ACK^A04^ACK|A6|P|2.3"))
        #expect(lines[2] == "ERR|PID^1^3^101&Required field missing&HL70357")
    }

    @Test func unreadableEncodingCharactersFallBackToStandardDelimiters() throws {
        let inbound = Array("MSH|^^\\&|S|SF|R|RF|20240101||ADT^A01|CTRL-7|P|2.5.1\r".utf8)
        let header = try #require(HL7InboundHeader(scanning: inbound))
        #expect(!header.hasOwnDelimiters)
        #expect(header.controlID == "CTRL-7")
        let lines = segments(
            HL7Acknowledgement(code: .reject).bytes(
                replyingTo: header, controlID: "A7", timestamp: "20240101000000+0000"))
        #expect(lines[0] == "MSH|^~\\&|R|RF|S|SF|20240101000000+0000||ACK|A7|P|2.5.1")
        #expect(lines[1] == "MSA|AR|CTRL-7")
    }

    /// Found by FuzzMLLP (Tests/RobustnessTests/Regressions/mllp/ack-echoes-unknown-charset): an
    /// MSH-18 the parser does not know was echoed, so the ACK itself could not be read.
    @Test func unknownCharsetIsNotEchoedButAKnownOneIs() throws {
        let unknown = try #require(
            HL7InboundHeader(scanning: Array("MSH|^~\\&|S|SF|R|RF|20240101||ADT^A01|C1|P|2.5.1||||||S\r".utf8)))
        let reply = HL7Acknowledgement(code: .reject).bytes(
            replyingTo: unknown, controlID: "A9", timestamp: "20240101000000+0000")
        #expect(segments(reply)[0] == "MSH|^~\\&|R|RF|S|SF|20240101000000+0000||ACK^A01^ACK|A9|P|2.5.1")
        let parsed = HL7Parser.parseAll(reply)
        #expect(parsed.messages.count == 1 && parsed.errors.isEmpty)

        let latin1 = try #require(
            HL7InboundHeader(scanning: Array("MSH|^~\\&|S|SF|R|RF|20240101||ADT^A01|C2|P|2.5.1||||||8859/1\r".utf8)))
        let echoed = HL7Acknowledgement(code: .accept).bytes(
            replyingTo: latin1, controlID: "A10", timestamp: "20240101000000+0000")
        #expect(segments(echoed)[0].hasSuffix("|A10|P|2.5.1||||||8859/1"))
        #expect(try HL7Parser.parse(echoed, index: 1).charset == .latin1)
    }

    /// Found by FuzzMLLP (Regressions/mllp/ack-default-version-not-escaped): with `.` as a delimiter and
    /// no MSH-12, the default version was written unescaped and read back as `2`.
    @Test func defaultVersionIsEscapedInTheInboundDelimiters() throws {
        let header = try #require(HL7InboundHeader(scanning: Array("MSH#$*!.#S#SF#R#RF#20240101##ADT$A01#C3\r".utf8)))
        let reply = HL7Acknowledgement(code: .accept).bytes(
            replyingTo: header, controlID: "A11", timestamp: "20240101000000+0000")
        #expect(segments(reply)[0] == "MSH#$*!.#R#RF#S#SF#20240101000000+0000##ACK$A01$ACK#A11#P#2!T!5!T!1")
        #expect(try HL7Parser.parse(reply, index: 1).version == "2.5.1")
    }

    @Test func noHeaderStillGivesAnAcknowledgement() throws {
        #expect(HL7InboundHeader(scanning: Array("PID|1\r".utf8)) == nil)
        let lines = segments(
            HL7Acknowledgement(code: .reject).bytes(replyingTo: nil, controlID: "A8", timestamp: "20240101000000+0000"))
        #expect(lines == ["MSH|^~\\&|||||20240101000000+0000||ACK|A8|P|2.5.1", "MSA|AR|"])
    }

    @Test func batchReplyUsesTheFirstMessageHeader() throws {
        let inbound = Array(
            "FHS|^~\\&|S\rBHS|^~\\&|S\rMSH|^~\\&|S|SF|R|RF|20240101||ADT^A01|FIRST|P|2.5.1\rPID|1\r".utf8)
        let header = try #require(HL7InboundHeader(scanning: inbound))
        #expect(header.controlID == "FIRST")
        #expect(HL7InboundHeader(scanning: Array("FHS|^~\\&|S\rBHS|^~\\&\r".utf8)) == nil)
    }

    @Test func headerSkipsFramingBOMAndBlankLines() throws {
        let inbound = [0x0B, 0xEF, 0xBB, 0xBF, 0x0A] + Array("MSH|^~\\&|S||||x||ADT^A08|C9|T|2.4\nPID|1\n".utf8)
        let header = try #require(HL7InboundHeader(scanning: inbound))
        #expect(header.controlID == "C9")
        #expect(header.version == "2.4")
        #expect(header.triggerEvent == Array("A08".utf8))
    }
}
