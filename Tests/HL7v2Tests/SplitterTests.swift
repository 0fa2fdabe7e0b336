import ClinicalModel
import Foundation
import Testing

@testable import HL7v2

@Suite struct SplitterTests {
    static let input: [UInt8] = {
        let lines =
            [#"FHS|^~\&|F"#, #"BHS|^~\&|B"#] + BatchTests.message("S1") + [""] + BatchTests.message("S2")
            + ["BTS|2", "FTS|1"]
        return [0xEF, 0xBB, 0xBF] + Sample.bytes(lines, terminator: "\r\n")
    }()

    static func drain(_ splitter: inout HL7InputSplitter) -> [(index: Int, bytes: [UInt8])] {
        var chunks: [(index: Int, bytes: [UInt8])] = []
        while let chunk = splitter.next() { chunks.append(chunk) }
        return chunks
    }

    static func chunked(_ bytes: [UInt8], size: Int) -> [[UInt8]] {
        stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min($0 + size, bytes.count)]) }
    }

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func splittingSurvivesAnyChunking(chunkSize: Int) {
        var whole = HL7InputSplitter(bytes: Self.input)
        let expected = Self.drain(&whole)
        var streamed = HL7InputSplitter(chunks: Self.chunked(Self.input, size: chunkSize))
        let actual = Self.drain(&streamed)
        #expect(actual.map(\.index) == [1, 2])
        #expect(actual.map(\.index) == expected.map(\.index))
        #expect(actual.map(\.bytes) == expected.map(\.bytes))
        #expect(streamed.batchHeaders.map(\.id) == ["FHS", "BHS"])
        #expect(streamed.envelopeSegments.map(\.id) == ["FHS", "BHS", "BTS", "FTS"])
        #expect(streamed.diagnostics.isEmpty)
    }

    @Test func itemsComeInInputOrder() {
        var splitter = HL7InputSplitter(bytes: Self.input)
        var order: [String] = []
        while let item = splitter.nextItem() {
            switch item {
            case .message(let index, _): order.append("message \(index)")
            case .envelope(let segment): order.append(segment.id)
            }
        }
        #expect(order == ["FHS", "BHS", "message 1", "message 2", "BTS", "FTS"])
    }

    @Test func aFileIsReadIncrementallyFromItsPath() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hl7v2-splitter-\(UUID().uuidString).hl7")
        try Data(Self.input).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var splitter = try HL7InputSplitter(path: url.path, chunkSize: 5)
        let chunks = Self.drain(&splitter)
        #expect(chunks.count == 2)
        #expect(try HL7Parser.parse(chunks[1].bytes, index: chunks[1].index).controlID == "S2")
        #expect(splitter.readError == nil)
        #expect(throws: (any Error).self) { try HL7InputSplitter(path: url.path + ".missing") }
    }

    @Test func memoryStaysFlatWhateverTheInputSize() {
        let message = Sample.bytes(BatchTests.message("FLAT"), terminator: "\n")
        let total = 20_000
        var produced = 0
        var splitter = HL7InputSplitter(nextChunk: {
            guard produced < total else { return nil }
            produced += 100
            return Array(repeating: message, count: 100).flatMap { $0 }
        })
        var count = 0
        var last = 0
        while let chunk = splitter.next() {
            count += 1
            last = chunk.index
        }
        #expect(count == total)
        #expect(last == total)
        #expect(splitter.peakBufferedBytes < 100 * message.count + message.count * 2)
    }

    @Test func anEndlessLineIsCutAtTheLimitWithoutBeingHeld() throws {
        let limits = HL7Limits(maxMessageBytes: 64 * 1024)
        let junkChunk = [UInt8](repeating: UInt8(ascii: "A"), count: 32 * 1024)
        var remaining = 200  // 6.4 MB without a line break
        var sentTail = false
        var splitter = HL7InputSplitter(
            nextChunk: {
                if remaining > 0 {
                    remaining -= 1
                    return junkChunk
                }
                if !sentTail {
                    sentTail = true
                    return [0x0A] + Sample.bytes(BatchTests.message("AFTER"))
                }
                return nil
            }, limits: limits)
        let chunks = Self.drain(&splitter)
        #expect(chunks.count == 2)
        #expect(chunks[0].bytes.count == limits.maxMessageBytes + 1)
        #expect(parseError(chunks[0].bytes, index: chunks[0].index, limits: limits)?.kind == .messageTooLarge)
        #expect(try HL7Parser.parse(chunks[1].bytes, index: chunks[1].index, limits: limits).controlID == "AFTER")
        #expect(splitter.peakBufferedBytes < 3 * limits.maxMessageBytes)
    }

    @Test func anOversizedMessageInMemoryIsCutAndFailsAlone() {
        let limits = HL7Limits(maxMessageBytes: 300)
        let big =
            [Sample.header(control: "BIG")]
            + Array(repeating: "OBX|1|ST|X||" + String(repeating: "v", count: 50), count: 20)
        let input = Sample.bytes(big + BatchTests.message("SMALL"))
        let result = HL7Parser.parseAll(input, limits: limits)
        #expect(result.messages.count == 2)
        #expect(result.messages[0].failure?.kind == .messageTooLarge)
        #expect((try? result.messages[1].get())?.controlID == "SMALL")
    }
}
