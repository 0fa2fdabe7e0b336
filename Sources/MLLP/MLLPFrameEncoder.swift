public import NIOCore

/// Wraps each outbound message (usually an ACK) in MLLP framing: `0x0B`, the bytes, `0x1C 0x0D`.
///
///     try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(MLLPFrameEncoder()))
public struct MLLPFrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = ByteBuffer

    public init() {}

    public func encode(data: ByteBuffer, out: inout ByteBuffer) {
        out.reserveCapacity(minimumWritableBytes: data.readableBytes + 3)
        out.writeInteger(MLLPFraming.startByte)
        out.writeImmutableBuffer(data)
        out.writeInteger(MLLPFraming.endByte)
        out.writeInteger(MLLPFraming.carriageReturn)
    }
}
