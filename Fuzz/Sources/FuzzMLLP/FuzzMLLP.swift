// libFuzzer target: the MLLP frame decoder fed in arbitrary chunkings.
//
// The first two bytes choose the chunk sizes and the frame limit; the rest is the stream. The
// decoder runs once over the whole stream and once over the chunks; both must yield the same frames,
// every `.message` must fit the limit and hold no framing byte, and each decoded message goes
// through the HL7 v2 parser.
import HL7v2
import MLLP
import NIOCore

func decodeAll(_ stream: ArraySlice<UInt8>, chunkSizes: [Int], maxFrameBytes: Int) -> [MLLPFrame] {
    var decoder = MLLPFrameDecoder(maxFrameBytes: maxFrameBytes, keptPrefixBytes: 16)
    var buffer = ByteBufferAllocator().buffer(capacity: 0)
    var frames: [MLLPFrame] = []
    var offset = stream.startIndex
    var turn = 0
    while offset < stream.endIndex {
        let size = chunkSizes[turn % chunkSizes.count]
        turn += 1
        let end = min(stream.endIndex, offset + size)
        buffer.writeBytes(stream[offset..<end])
        offset = end
        while let frame = decoder.readFrame(from: &buffer) { frames.append(frame) }
        buffer.discardReadBytes()
    }
    if let last = decoder.finish(&buffer) { frames.append(last) }
    return frames
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let seed = Int(bytes[0])
    let maxFrameBytes = 1 + Int(bytes[1]) * 8  // 1 to 2041 bytes: the oversized path is reachable
    let stream = bytes[2...]
    let chunkSizes = [1 + seed % 7, 1 + seed % 13, 1 + seed, 3]
    let whole = decodeAll(stream, chunkSizes: [max(1, stream.count)], maxFrameBytes: maxFrameBytes)
    let chunked = decodeAll(stream, chunkSizes: chunkSizes, maxFrameBytes: maxFrameBytes)
    if whole != chunked {
        fatalError("FuzzMLLP: \(chunked.count) frames in chunks, \(whole.count) whole")
    }
    for frame in whole {
        switch frame {
        case .message(let content):
            precondition(content.readableBytes <= maxFrameBytes, "FuzzMLLP: frame over the limit")
            precondition(
                !content.readableBytesView.contains(MLLPFraming.startByte)
                    && !content.readableBytesView.contains(MLLPFraming.endByte), "FuzzMLLP: framing byte in a frame")
            _ = HL7Parser.parseAll(Array(content.readableBytesView), limits: HL7Limits(maxMessageBytes: 4096))
        case .oversized(let prefix, let byteCount):
            precondition(byteCount > maxFrameBytes && prefix.readableBytes <= 16, "FuzzMLLP: oversized frame too small")
        }
    }
    return 0
}
