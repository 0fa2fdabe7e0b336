import ClinicalModel
import Testing

@testable import HL7v2

@Suite struct SegmentTerminatorTests {
    @Test(arguments: ["\r", "\n", "\r\n", "\n\r"])
    func anySegmentTerminatorGivesTheSameSegments(terminator: String) throws {
        let message = try HL7Parser.parse(Sample.bytes(Sample.adtA01, terminator: terminator), index: 1)
        #expect(message.segments.map(\.id) == ["MSH", "EVN", "PID", "PV1"])
        #expect(message.firstSegment(named: "PV1")?[3][3].value == "A")
    }

    @Test func mixedTerminatorsAndBlankLinesAreAccepted() throws {
        let text =
            Sample.adtA01[0] + "\r\n" + Sample.adtA01[1] + "\n\n   \n" + Sample.adtA01[2] + "\r" + Sample.adtA01[3]
            + "\n \t \n\n"
        let message = try HL7Parser.parse(Array(text.utf8), index: 1)
        #expect(message.segments.map(\.id) == ["MSH", "EVN", "PID", "PV1"])
        #expect(message.firstSegment(named: "PV1")?.fieldCount == 3)
    }

    @Test func aByteOrderMarkIsStripped() throws {
        let message = try HL7Parser.parse([0xEF, 0xBB, 0xBF] + Sample.bytes(Sample.adtA01), index: 1)
        #expect(message.header.id == "MSH")
        let result = HL7Parser.parseAll([0xEF, 0xBB, 0xBF] + Sample.bytes(Sample.adtA01, terminator: "\n"))
        #expect(result.parsed.count == 1)
        #expect(result.messages.count == 1)
    }

    @Test func mllpFramingBytesAreStripped() throws {
        let frame = [0x0B] + Sample.bytes(Sample.adtA01) + [0x1C, 0x0D]
        let message = try HL7Parser.parse(frame, index: 1)
        #expect(message.segments.map(\.id) == ["MSH", "EVN", "PID", "PV1"])
        #expect(message.firstSegment(named: "PV1")?.rawText == "PV1|1|I|WARD^101^A")
        let twoFrames = HL7Parser.parseAll(frame + frame)
        #expect(twoFrames.parsed.count == 2)
        #expect(twoFrames.parsed.map(\.index) == [1, 2])
    }

    @Test func splitMessagesEndEachSegmentWithCR() throws {
        let result = HL7Parser.parseAll(Sample.bytes(Sample.adtA01, terminator: "\r\n"))
        let message = try #require(result.parsed.first)
        #expect(message.bytes == Sample.bytes(Sample.adtA01, terminator: "\r"))
        #expect(message.byteCount == message.bytes.count)
    }
}
