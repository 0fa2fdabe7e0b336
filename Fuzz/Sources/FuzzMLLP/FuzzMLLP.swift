// libFuzzer target: the MLLP frame decoder fed in arbitrary chunkings, and the acknowledgement of
// each frame.
//
// The first two bytes choose the chunk sizes and the frame limit; the rest is the stream. The
// decoder runs once over the whole stream and once over the chunks; both must yield the same frames,
// every `.message` must fit the limit and hold no framing byte, and each decoded message goes
// through the HL7 v2 parser. Each frame is then acknowledged as the MLLP listener does it
// (`HL7InboundHeader` scanning, issues from the parse errors, `HL7Acknowledgement.bytes`), and the
// ACK must be what a sender can read: no framing byte, one CR per segment (MSH, MSA, then ERR), read
// back by our parser as one message of those segments, MSA-1 the code and MSA-2 the inbound MSH-10
// byte for byte.
import ClinicalModel
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
            expect(content.readableBytes <= maxFrameBytes, "FuzzMLLP: frame over the limit")
            expect(
                !content.readableBytesView.contains(MLLPFraming.startByte)
                    && !content.readableBytesView.contains(MLLPFraming.endByte), "FuzzMLLP: framing byte in a frame")
            let bytes = Array(content.readableBytesView)
            let parsed = HL7Parser.parseAll(bytes, limits: HL7Limits(maxMessageBytes: 4096))
            let issues = parsed.errors.map { HL7AcknowledgementIssue($0.sourceError) }
            checkAcknowledgement(HL7Acknowledgement(issues: issues), header: HL7InboundHeader(scanning: bytes))
        case .oversized(let prefix, let byteCount):
            expect(byteCount > maxFrameBytes && prefix.readableBytes <= 16, "FuzzMLLP: oversized frame too small")
            let issue = HL7AcknowledgementIssue(
                kind: "frameTooLarge", location: .hl7(message: 1, segment: "MSH", occurrence: 1),
                errorCode: .applicationInternalError, rejectsMessage: true)
            checkAcknowledgement(
                HL7Acknowledgement(issues: [issue]), header: HL7InboundHeader(scanning: prefix.readableBytesView))
        }
    }
    return 0
}

/// The acknowledgement's own MSH-10 and MSH-7, fixed (the server makes them per message).
let ackControlID = "A0123456789ABCDEF"
let ackTimestamp = "20240101120000+0000"

/// Builds the ACK for one inbound frame and checks that a sender can read it.
func checkAcknowledgement(_ ack: HL7Acknowledgement, header: HL7InboundHeader?) {
    let bytes = ack.bytes(replyingTo: header, controlID: ackControlID, timestamp: ackTimestamp)
    expect(
        !bytes.contains(MLLPFraming.startByte) && !bytes.contains(MLLPFraming.endByte) && !bytes.contains(0x0A),
        "FuzzMLLP: framing byte or line feed in an ACK")
    // One CR ends each segment: MSH, MSA, one ERR per issue (at most maxErrorSegments).
    let errCount = min(ack.issues.count, HL7Acknowledgement.maxErrorSegments)
    expect(bytes.last == 0x0D, "FuzzMLLP: ACK does not end with a segment terminator")
    let lines = bytes.split(separator: 0x0D, omittingEmptySubsequences: false).dropLast()
    let expectedIDs = ["MSH", "MSA"] + Array(repeating: "ERR", count: errCount)
    expect(lines.count == expectedIDs.count, "FuzzMLLP: ACK has \(lines.count) segments, not \(expectedIDs.count)")
    for (line, id) in zip(lines, expectedIDs) {
        expect(line.starts(with: Array(id.utf8)), "FuzzMLLP: ACK segment is not \(id)")
    }
    // MSA-2 is the inbound MSH-10 as written, and nothing more: `MSA|<code>|<MSH-10>`.
    let field = header?.delimiters.field ?? HL7Delimiters.standard.field
    let msa = Array(lines[lines.startIndex + 1])
    let expectedMSA = Array("MSA".utf8) + [field] + Array(ack.code.rawValue.utf8) + [field] + (header?.rawField(10) ?? [])
    expect(msa == expectedMSA, "FuzzMLLP: MSA is not MSA|code|MSH-10")

    // Our parser reads it back as one message with those segments.
    let parsed = HL7Parser.parseAll(bytes)
    guard parsed.messages.count == 1, case .success(let message) = parsed.messages[0] else {
        let kinds = parsed.errors.map(\.sourceError.kind)
        fatalError("FuzzMLLP: the ACK does not parse (\(parsed.messages.count) messages, errors \(kinds))")
    }
    expect(message.segments.map(\.id) == expectedIDs, "FuzzMLLP: parsed ACK segments differ")
    expect(message.controlID == ackControlID, "FuzzMLLP: ACK MSH-10 changed")
    expect(message.header[9][1].value == "ACK", "FuzzMLLP: ACK MSH-9 is not ACK")
    // The defaults the ACK writes when the inbound message has none read back as written.
    if header?.rawField(11).isEmpty ?? true {
        expect(message.header[11].value == "P", "FuzzMLLP: ACK MSH-11 is not P")
    }
    if header?.rawField(12).isEmpty ?? true {
        expect(message.version == "2.5.1", "FuzzMLLP: ACK MSH-12 is not 2.5.1")
    }
    let msaSegment = message.segments[1]
    expect(msaSegment.fieldCount <= 2, "FuzzMLLP: MSA has \(msaSegment.fieldCount) fields")
    expect(msaSegment[1].value == ack.code.rawValue, "FuzzMLLP: MSA-1 is not the code")
}

/// `precondition` that keeps its message in an optimised build (the fuzzer's report shows it).
func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
