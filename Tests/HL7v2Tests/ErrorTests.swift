import ClinicalModel
import Testing

@testable import HL7v2

@Suite struct ErrorTests {
    static let sentinel = "ZZSENTINEL"

    /// Malformed messages with the sentinel in every field, one per error kind.
    static let malformed: [(HL7ParseError.Kind, [UInt8], HL7Limits)] = {
        let s = sentinel
        let good = #"MSH|^~\&|\#(s)|\#(s)|\#(s)|\#(s)|20240101||ADT^A01|\#(s)|P|2.5.1"#
        func bytes(_ lines: [String]) -> [UInt8] { Sample.bytes(lines) }
        return [
            (.noMessageHeader, bytes(["\(s)|\(s)", "PID|1||\(s)"]), .default),
            (.noMessageHeader, bytes(["PID|1||\(s)", good]), .default),
            (.invalidEncodingCharacters, bytes(["MSH|\(s)|\(s)|\(s)"]), .default),
            (.invalidEncodingCharacters, bytes(["MSH\(s)|\(s)"]), .default),
            (.invalidSegmentID, bytes([good, "PID|1||\(s)", "\(s)|\(s)"]), .default),
            (.invalidSegmentID, bytes([good, "pid|\(s)"]), .default),
            (.invalidSegmentID, bytes([good, "PI|\(s)"]), .default),
            (.invalidSegmentID, bytes([good, " PID|\(s)"]), .default),
            (
                .missingMessageType, bytes([#"MSH|^~\&|\#(s)|\#(s)|||20240101||^\#(s)|\#(s)|P|2.5"#, "PID|1||\(s)"]),
                .default
            ),
            (.missingMessageType, bytes([#"MSH|^~\&|\#(s)"#]), .default),
            (
                .messageTooLarge, bytes([good, "PID|1||" + String(repeating: s, count: 20)]),
                HL7Limits(maxMessageBytes: 150)
            ),
            (
                .fieldTooLarge, bytes([good, "PID|1||" + String(repeating: s, count: 20)]),
                HL7Limits(maxFieldBytes: 100)
            ),
            (.unsupportedCharset, bytes([good + "||||||\(s)", "PID|1||\(s)"]), .default),
        ]
    }()

    @Test(arguments: 0..<malformed.count)
    func errorsCarryPositionsButNeverContent(case number: Int) throws {
        let (kind, bytes, limits) = Self.malformed[number]
        let error = try #require(parseError(bytes, index: 3, limits: limits))
        #expect(error.kind == kind)
        #expect(error.messageIndex == 3)
        let text = String(describing: error)
        #expect(!text.contains(Self.sentinel))
        #expect(!String(reflecting: error).contains(Self.sentinel))
        #expect(!error.sourceError.description.contains(Self.sentinel))
        #expect(text.hasPrefix("\(kind.rawValue) at message 3"))
    }

    @Test func malformedMessagesInABatchFailWithTheirOwnNumbers() {
        var input: [UInt8] = []
        for (_, bytes, _) in Self.malformed where bytes.starts(with: Array("MSH".utf8)) {
            input += bytes
        }
        let result = HL7Parser.parseAll(input)
        for (offset, outcome) in result.messages.enumerated() {
            if case .failure(let error) = outcome {
                #expect(error.messageIndex == offset + 1)
                #expect(!error.description.contains(Self.sentinel))
            }
        }
        #expect(result.messages.count >= 8)
    }

    @Test func anInvalidSegmentIDIsReportedByItsNumber() throws {
        let error = try #require(parseError([Sample.header(), "PID|1", "OBX|1", "ZZSENTINEL|x"], index: 3))
        #expect(error.kind == .invalidSegmentID)
        #expect(error.segmentNumber == 4)
        #expect(error.description == "invalidSegmentID at message 3 segment 4")
        #expect(error.location == .hl7(message: 3, segment: "", occurrence: 4))
    }

    @Test func aFieldTooLargeIsReportedAtItsField() throws {
        let limits = HL7Limits(maxFieldBytes: 20)
        let error = try #require(
            parseError([Sample.header(), "OBX|1|ST|X||0123456789ABCDEFGHIJK"], index: 2, limits: limits))
        #expect(error.kind == .fieldTooLarge)
        #expect(error.location == .hl7(message: 2, segment: "OBX", occurrence: 1, field: 5))
        #expect(error.description == "fieldTooLarge at message 2 OBX[1]-5")
    }

    @Test func limitsDefaultTo16MiBPerMessageAnd1MiBPerField() {
        #expect(HL7Limits.default.maxMessageBytes == 16 * 1024 * 1024)
        #expect(HL7Limits.default.maxFieldBytes == 1024 * 1024)
    }

    @Test func diagnosticsCarryPositionsButNeverContent() throws {
        let message = try HL7Parser.parse(
            Array((Sample.header() + "\rNTE|1||\(Self.sentinel)\\\(Self.sentinel)|").utf8) + [0xFF] + [0x0D], index: 1)
        #expect(message.diagnostics.map(\.kind) == [.unterminatedEscape, .invalidUTF8])
        #expect(!message.diagnostics.description.contains(Self.sentinel))
    }
}
