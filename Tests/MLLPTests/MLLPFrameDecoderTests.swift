import MLLP
import NIOCore
import NIOEmbedded
import Testing

/// A framing case: raw stream bytes and the frames a decoder must find in them.
struct MLLPCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let messages: [[UInt8]]
    var testDescription: String { name }

    static let adt = Array("MSH|^~\\&|A|B|C|D|20240101||ADT^A01^ADT_A01|MSG1|P|2.5.1\rPID|1||X\r".utf8)
    static let oru = Array("MSH|^~\\&|A|B|C|D|20240101||ORU^R01^ORU_R01|MSG2|P|2.5.1\rOBX|1|NM|X||7\r".utf8)

    static let all: [MLLPCase] = [
        MLLPCase(name: "one frame", bytes: MLLPFraming.frame(adt), messages: [adt]),
        MLLPCase(
            name: "two frames back to back", bytes: MLLPFraming.frame(adt) + MLLPFraming.frame(oru),
            messages: [adt, oru]),
        MLLPCase(
            name: "junk between frames",
            bytes: Array("garbage\n".utf8) + MLLPFraming.frame(adt) + [0x0A, 0x0D, 0x20, 0x00, 0x1C, 0x0D]
                + MLLPFraming.frame(oru)
                + Array("\r\n".utf8),
            messages: [adt, oru]),
        MLLPCase(
            name: "end byte without carriage return", bytes: [0x0B] + adt + [0x1C] + MLLPFraming.frame(oru),
            messages: [adt, oru]),
        MLLPCase(
            name: "abandoned frame restarts at the next start byte",
            bytes: [0x0B] + Array("MSH|^~\\&|half".utf8) + MLLPFraming.frame(adt), messages: [adt]),
        MLLPCase(name: "empty frame", bytes: [0x0B, 0x1C, 0x0D] + MLLPFraming.frame(adt), messages: [[], adt]),
        MLLPCase(name: "no frame at all", bytes: Array("MSH|^~\\&|not framed\r".utf8), messages: []),
    ]
}

/// Feeds `bytes` to a decoder in chunks of `chunkSize`, as ByteToMessageHandler would.
func decodeFrames(_ bytes: [UInt8], chunkSize: Int, maxFrameBytes: Int = 1 << 20) -> [MLLPFrame] {
    var decoder = MLLPFrameDecoder(maxFrameBytes: maxFrameBytes, keptPrefixBytes: 64)
    var buffer = ByteBuffer()
    var frames: [MLLPFrame] = []
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + chunkSize, bytes.count)
        buffer.writeBytes(bytes[offset..<end])
        offset = end
        while let frame = decoder.readFrame(from: &buffer) { frames.append(frame) }
    }
    if let last = decoder.finish(&buffer) { frames.append(last) }
    return frames
}

func messageBytes(_ frames: [MLLPFrame]) -> [[UInt8]] {
    frames.compactMap {
        if case .message(let buffer) = $0 { return Array(buffer.readableBytesView) }
        return nil
    }
}

@Suite struct MLLPFrameDecoderTests {
    @Test(arguments: MLLPCase.all, [1, 2, 3, 7, 64, 4096])
    func framingSurvivesAnyChunking(_ c: MLLPCase, chunkSize: Int) {
        let frames = decodeFrames(c.bytes, chunkSize: chunkSize)
        #expect(messageBytes(frames) == c.messages)
        #expect(frames.count == c.messages.count)
    }

    @Test(arguments: [1, 5, 1000, 100_000])
    func oversizedFrameIsDiscardedAndReported(chunkSize: Int) {
        let big = MLLPCase.adt + [UInt8](repeating: UInt8(ascii: "X"), count: 300_000) + [0x0D]
        let stream = MLLPFraming.frame(big) + MLLPFraming.frame(MLLPCase.oru)
        let frames = decodeFrames(stream, chunkSize: chunkSize, maxFrameBytes: 10_000)
        #expect(frames.count == 2)
        guard case .oversized(let prefix, let count)? = frames.first else {
            Issue.record("expected an oversized frame first")
            return
        }
        #expect(count == big.count)
        #expect(Array(prefix.readableBytesView) == Array(big.prefix(64)))
        #expect(messageBytes(frames) == [MLLPCase.oru])
    }

    @Test func oversizedFrameWithoutEndIsReportedAtTheNextStart() {
        let stream = [0x0B] + [UInt8](repeating: 0x41, count: 5_000) + MLLPFraming.frame(MLLPCase.adt)
        let frames = decodeFrames(stream, chunkSize: 100, maxFrameBytes: 1_000)
        #expect(frames.count == 2)
        if case .oversized(_, let count)? = frames.first {
            #expect(count == 5_000)
        } else {
            Issue.record("no oversized frame")
        }
        #expect(messageBytes(frames) == [MLLPCase.adt])
    }

    @Test func frameOfExactlyTheLimitIsAMessage() {
        let payload = [UInt8](repeating: 0x41, count: 1_000)
        let frames = decodeFrames(MLLPFraming.frame(payload), chunkSize: 10, maxFrameBytes: 1_000)
        #expect(messageBytes(frames) == [payload])
    }

    @Test func memoryStaysBoundedWhileDiscarding() {
        var decoder = MLLPFrameDecoder(maxFrameBytes: 4_096)
        var buffer = ByteBuffer(bytes: [0x0B])
        var peak = 0
        for _ in 0..<1_000 {
            buffer.writeBytes([UInt8](repeating: 0x41, count: 1_000))
            #expect(decoder.readFrame(from: &buffer) == nil)
            peak = max(peak, buffer.readableBytes)
        }
        #expect(peak <= 4_096 + 1_000)
        buffer.writeBytes([0x1C, 0x0D])
        if case .oversized(_, let count)? = decoder.readFrame(from: &buffer) {
            #expect(count == 1_000_000)
        } else {
            Issue.record("no oversized frame")
        }
    }

    @Test func endByteAsTheLastByteOfTheStreamEndsTheFrame() {
        let frames = decodeFrames([0x0B] + MLLPCase.adt + [0x1C], chunkSize: 4096)
        #expect(messageBytes(frames) == [MLLPCase.adt])
    }

    @Test func pipelineDecodesInboundAndFramesOutbound() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MLLPFrameDecoder()))
        try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(MLLPFrameEncoder()))
        let stream = MLLPFraming.frame(MLLPCase.adt) + MLLPFraming.frame(MLLPCase.oru)
        for chunk in stride(from: 0, to: stream.count, by: 13) {
            try channel.writeInbound(ByteBuffer(bytes: stream[chunk..<min(chunk + 13, stream.count)]))
        }
        var received: [[UInt8]] = []
        while let frame = try channel.readInbound(as: MLLPFrame.self) {
            if case .message(let buffer) = frame { received.append(Array(buffer.readableBytesView)) }
        }
        #expect(received == [MLLPCase.adt, MLLPCase.oru])

        try channel.writeOutbound(ByteBuffer(bytes: Array("MSH|ack\r".utf8)))
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(written.readableBytesView) == MLLPFraming.frame(Array("MSH|ack\r".utf8)))
        _ = try channel.finish()
    }
}
