import ClinicalModel
import Testing

@testable import HL7v2

@Suite struct BatchTests {
    static func message(_ control: String) -> [String] {
        [Sample.header(type: "ORU^R01", control: control), "PID|1||\(control)", "OBX|1|ST|X||v"]
    }

    static let batch: [String] =
        [#"FHS|^~\&|SENDER|FAC|||20240101"#, #"BHS|^~\&|SENDER|FAC|||20240101"#]
        + message("M1") + message("M2") + message("M3") + ["BTS|3", "FTS|1"]

    @Test func batchEnvelopesAreSeparatedFromMessages() throws {
        let result = HL7Parser.parseAll(Sample.bytes(Self.batch, terminator: "\n"))
        #expect(result.messages.count == 3)
        #expect(result.parsed.map(\.controlID) == ["M1", "M2", "M3"])
        #expect(result.parsed.map(\.index) == [1, 2, 3])
        #expect(result.parsed.allSatisfy { $0.segments.map(\.id) == ["MSH", "PID", "OBX"] })
        #expect(result.batchHeaders.map(\.id) == ["FHS", "BHS"])
        #expect(result.batchHeaders[0][3].value == "SENDER")
        #expect(result.batchHeaders[0][2].value == #"^~\&"#)
        #expect(result.envelopeSegments.map(\.id) == ["FHS", "BHS", "BTS", "FTS"])
        #expect(
            result.envelopeSegments[2].location(field: 1) == .hl7(message: 0, segment: "BTS", occurrence: 1, field: 1))
        #expect(result.diagnostics.isEmpty)
    }

    @Test func aBatchCountThatDisagreesIsReported() {
        var lines = Self.batch
        lines[lines.count - 2] = "BTS|5"
        lines[lines.count - 1] = "FTS|2"
        let result = HL7Parser.parseAll(Sample.bytes(lines))
        #expect(result.parsed.count == 3)
        #expect(
            result.diagnostics == [
                Diagnostic(
                    .warning, .batchCountMismatch, at: .hl7(message: 0, segment: "BTS", occurrence: 1, field: 1)),
                Diagnostic(
                    .warning, .batchCountMismatch, at: .hl7(message: 0, segment: "FTS", occurrence: 1, field: 1)),
            ])
    }

    @Test func severalBatchesInOneFileAreCountedSeparately() {
        let lines =
            [#"FHS|^~\&"#, #"BHS|^~\&"#] + Self.message("A") + ["BTS|1", #"BHS|^~\&"#] + Self.message("B")
            + Self.message("C") + ["BTS|2", "FTS|2"]
        let result = HL7Parser.parseAll(Sample.bytes(lines))
        #expect(result.parsed.map(\.controlID) == ["A", "B", "C"])
        #expect(result.batchHeaders.map(\.id) == ["FHS", "BHS", "BHS"])
        #expect(result.batchHeaders.map(\.occurrence) == [1, 1, 2])
        #expect(result.diagnostics.isEmpty)
    }

    @Test func headerlessMessagesAreSplitOnEachMSH() {
        let lines = Self.message("X1") + [""] + Self.message("X2") + Self.message("X3")
        let result = HL7Parser.parseAll(Sample.bytes(lines, terminator: "\r\n"))
        #expect(result.parsed.map(\.controlID) == ["X1", "X2", "X3"])
        #expect(result.batchHeaders.isEmpty)
    }

    @Test func contentBeforeTheFirstMSHFailsAloneWithAPosition() throws {
        let lines = ["garbage ZZSENTINEL line", "PID|1||ZZSENTINEL"] + Self.message("OK1") + Self.message("OK2")
        let result = HL7Parser.parseAll(Sample.bytes(lines))
        #expect(result.messages.count == 3)
        let error = try #require(result.messages[0].failure)
        #expect(error.kind == .noMessageHeader)
        #expect(error.location == .hl7(message: 1, segment: "MSH", occurrence: 1))
        #expect(!error.description.contains("ZZSENTINEL"))
        #expect(result.parsed.map(\.controlID) == ["OK1", "OK2"])
        #expect(result.parsed.map(\.index) == [2, 3])
    }

    @Test func anInputWithoutAnyMessageGivesOneNoMessageHeaderError() {
        for input in ["", "\n\n  \r\n", "FHS|^~\\&\rFTS|0\r"] {
            let result = HL7Parser.parseAll(Array(input.utf8))
            #expect(result.messages.count == 1)
            #expect(result.errors.map(\.kind) == [.noMessageHeader])
            #expect(result.errors.first?.messageIndex == 1)
        }
    }

    @Test func oneBadMessageDoesNotStopTheOthers() throws {
        let lines =
            Self.message("G1") + [#"MSH|^^^^|X"#, "PID|1"] + Self.message("G3") + ["MSH|^~\\&|A||||||", "PID|1"]
        let result = HL7Parser.parseAll(Sample.bytes(lines))
        #expect(result.messages.count == 4)
        #expect(result.messages.map { (try? $0.get())?.controlID } == ["G1", nil, "G3", nil])
        #expect(result.messages[1].failure?.kind == .invalidEncodingCharacters)
        #expect(result.messages[1].failure?.messageIndex == 2)
        #expect(result.messages[3].failure?.kind == .missingMessageType)
        #expect(result.messages[3].failure?.description == "missingMessageType at message 4 MSH[1]-9")
    }
}
