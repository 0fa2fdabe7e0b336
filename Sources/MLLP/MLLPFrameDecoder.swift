public import NIOCore

/// Splits an MLLP byte stream into frames, whatever the TCP chunking.
///
///     try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MLLPFrameDecoder(maxFrameBytes: 1 << 20)))
///     // inbound: MLLPFrame.message(ByteBuffer) per frame, .oversized(prefix:byteCount:) for frames over the limit
///
/// Framing (HL7 v2.5.1 Appendix C.4.3): a frame starts with `0x0B` and ends with `0x1C 0x0D`.
/// Tolerated:
/// - bytes between frames (line feeds, keep-alive junk) are skipped;
/// - a `0x1C` followed by another byte than `0x0D` still ends the frame;
/// - a `0x0B` inside a frame means the sender gave up on it: the incomplete frame is dropped (or
///   reported as `.oversized` when it was over the limit) and a new one starts.
///
/// A frame longer than `maxFrameBytes` is not buffered: its content is discarded as it arrives (only
/// the first `keptPrefixBytes`, which hold the MSH segment, are kept) and one `.oversized` is emitted
/// at its end, so memory stays bounded by the limit whatever the peer sends.
///
/// - Complexity: O(n) in the bytes received; each byte is looked at once.
public struct MLLPFrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = MLLPFrame

    /// The largest frame content (framing bytes excluded) delivered as `.message`.
    public let maxFrameBytes: Int
    /// How many bytes of an oversized frame are kept for its `.oversized` prefix.
    public let keptPrefixBytes: Int

    private enum State: Sendable {
        case seekingStart
        /// Inside a frame; `scanned` bytes of content hold no framing byte.
        case inFrame(scanned: Int)
        /// Inside an oversized frame; `count` content bytes seen; `sawEnd` after its `0x1C`.
        case discarding(prefix: ByteBuffer, count: Int, sawEnd: Bool)
    }

    private var state: State = .seekingStart

    public init(maxFrameBytes: Int = 16 * 1024 * 1024, keptPrefixBytes: Int = 4096) {
        precondition(maxFrameBytes > 0 && keptPrefixBytes >= 0)
        self.maxFrameBytes = maxFrameBytes
        self.keptPrefixBytes = min(keptPrefixBytes, maxFrameBytes)
    }

    /// Reads the next complete frame, consuming it and any junk before it; `nil` when more bytes are
    /// needed (bytes already known to be junk or discarded content are consumed anyway).
    public mutating func readFrame(from buffer: inout ByteBuffer) -> MLLPFrame? {
        while true {
            switch state {
            case .seekingStart:
                guard let start = Self.firstFramingByte(in: buffer, from: 0, includingEnd: false) else {
                    buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                    return nil
                }
                buffer.moveReaderIndex(forwardBy: start + 1)
                state = .inFrame(scanned: 0)

            case .inFrame(let scanned):
                guard let found = Self.firstFramingByte(in: buffer, from: scanned, includingEnd: true) else {
                    if buffer.readableBytes > maxFrameBytes {
                        let prefix = keptPrefix(of: buffer)
                        let count = buffer.readableBytes
                        buffer.moveReaderIndex(forwardBy: count)
                        state = .discarding(prefix: prefix, count: count, sawEnd: false)
                        return nil
                    }
                    state = .inFrame(scanned: buffer.readableBytes)
                    return nil
                }
                let byte = buffer.getInteger(at: buffer.readerIndex + found, as: UInt8.self)!
                if byte == MLLPFraming.startByte {
                    // A new start before an end: the sender abandoned the frame. One over the limit is
                    // reported as oversized, as it is when its bytes arrive in smaller chunks.
                    if found > maxFrameBytes {
                        let prefix = keptPrefix(of: buffer)
                        buffer.moveReaderIndex(forwardBy: found + 1)
                        state = .inFrame(scanned: 0)
                        return .oversized(prefix: prefix, byteCount: found)
                    }
                    buffer.moveReaderIndex(forwardBy: found + 1)
                    state = .inFrame(scanned: 0)
                    continue
                }
                if found > maxFrameBytes {
                    let prefix = keptPrefix(of: buffer)
                    buffer.moveReaderIndex(forwardBy: found + 1)
                    state = .discarding(prefix: prefix, count: found, sawEnd: true)
                    continue
                }
                guard found + 1 < buffer.readableBytes else {
                    state = .inFrame(scanned: found)  // wait for the byte after 0x1C
                    return nil
                }
                let content = buffer.readSlice(length: found)!
                buffer.moveReaderIndex(forwardBy: 1)
                if buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == MLLPFraming.carriageReturn {
                    buffer.moveReaderIndex(forwardBy: 1)
                }
                state = .seekingStart
                return .message(content)

            case .discarding(let prefix, let count, true):
                guard let next = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
                if next == MLLPFraming.carriageReturn { buffer.moveReaderIndex(forwardBy: 1) }
                state = .seekingStart
                return .oversized(prefix: prefix, byteCount: count)

            case .discarding(let prefix, let count, false):
                guard let found = Self.firstFramingByte(in: buffer, from: 0, includingEnd: true) else {
                    let readable = buffer.readableBytes
                    buffer.moveReaderIndex(forwardBy: readable)
                    state = .discarding(prefix: prefix, count: count + readable, sawEnd: false)
                    return nil
                }
                let byte = buffer.getInteger(at: buffer.readerIndex + found, as: UInt8.self)!
                buffer.moveReaderIndex(forwardBy: found + 1)
                if byte == MLLPFraming.startByte {
                    state = .inFrame(scanned: 0)
                    return .oversized(prefix: prefix, byteCount: count + found)
                }
                state = .discarding(prefix: prefix, count: count + found, sawEnd: true)
            }
        }
    }

    /// At the end of the stream: a frame whose `0x1C` was the last byte is complete; any other
    /// incomplete frame is dropped.
    public mutating func finish(_ buffer: inout ByteBuffer) -> MLLPFrame? {
        defer {
            state = .seekingStart
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        }
        switch state {
        case .inFrame(let scanned)
        where scanned + 1 == buffer.readableBytes
            && buffer.getInteger(at: buffer.readerIndex + scanned, as: UInt8.self) == MLLPFraming.endByte:
            return .message(buffer.readSlice(length: scanned)!)
        case .discarding(let prefix, let count, true):
            return .oversized(prefix: prefix, byteCount: count)
        default:
            return nil
        }
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = readFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        if let frame = readFrame(from: &buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return .continue
        }
        if seenEOF, let frame = finish(&buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
        }
        return .needMoreData
    }

    private func keptPrefix(of buffer: ByteBuffer) -> ByteBuffer {
        var prefix = ByteBufferAllocator().buffer(capacity: keptPrefixBytes)
        prefix.writeBytes(buffer.readableBytesView.prefix(keptPrefixBytes))
        return prefix
    }

    /// The offset (from the reader index) of the first `0x0B`, or `0x0B`/`0x1C`, at or after `offset`.
    private static func firstFramingByte(in buffer: ByteBuffer, from offset: Int, includingEnd: Bool) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            var index = offset
            while index < bytes.count {
                let byte = bytes[index]
                if byte == MLLPFraming.startByte || (includingEnd && byte == MLLPFraming.endByte) { return index }
                index += 1
            }
            return nil
        }
    }
}
