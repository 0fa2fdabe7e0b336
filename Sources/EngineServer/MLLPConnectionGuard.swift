import MLLP
import NIOCore

/// Times an MLLP connection's phases and counts it against the listener's cap (see
/// `ConnectionGuard`), through two handlers that share one state: `bytesHandler()`, before the
/// frame decoder, sees frames start (`0x0B`) and end (`0x1C`); `framesHandler()`, after it, sees
/// each decoded frame and each acknowledgement written.
///
/// - `readTimeout`: from a frame's start byte to its end;
/// - `idleTimeout`: from connecting or the last acknowledgement to the next frame's start (bytes
///   between frames, which the decoder skips, do not count as progress);
/// - an acknowledgement the sender stops reading is given `readTimeout` to drain.
///
/// From a frame's end to its acknowledgement the connection has no deadline (it is busy).
final class MLLPConnectionGuard {
    let timer: ConnectionTimer
    let timeouts: ServerConfiguration.MLLPTimeouts
    /// A start byte came after the last end byte.
    private var inFrame = false
    /// Frames decoded, and acknowledgements written.
    private var decodedCount = 0
    private var acknowledgedCount = 0
    private var active = false

    init(connectionGuard: ConnectionGuard, timeouts: ServerConfiguration.MLLPTimeouts) {
        self.timer = ConnectionTimer(connectionGuard: connectionGuard)
        self.timeouts = timeouts
    }

    /// The handler for the byte stream (after TLS, before the frame decoder).
    func bytesHandler() -> BytesHandler { BytesHandler(state: self) }
    /// The handler for decoded frames and acknowledgements (after the decoder and the encoder).
    func framesHandler() -> FramesHandler { FramesHandler(state: self) }

    func activate(_ context: ChannelHandlerContext) {
        guard !active else { return }
        active = true
        if timer.activate(context) { update(context) }
    }

    func deactivate() {
        active = false
        timer.deactivate()
    }

    /// Enters the phase the counters say the connection is in.
    func update(_ context: ChannelHandlerContext) {
        if decodedCount > acknowledgedCount {
            if timer.phase != .busy { timer.enter(.busy, timeout: nil, kind: "", context) }
        } else if inFrame {
            if timer.phase != .reading { timer.enter(.reading, timeout: timeouts.read, kind: "readTimeout", context) }
        } else {
            timer.enter(.waiting, timeout: timeouts.idle, kind: "idleTimeout", context)
        }
    }

    func read(_ buffer: ByteBuffer, _ context: ChannelHandlerContext) {
        var changed = false
        for byte in buffer.readableBytesView where byte == MLLPFraming.startByte || byte == MLLPFraming.endByte {
            let starts = byte == MLLPFraming.startByte
            if starts != inFrame {
                inFrame = starts
                changed = true
            }
        }
        if changed && decodedCount == acknowledgedCount { update(context) }
    }

    func decoded(_ context: ChannelHandlerContext) {
        decodedCount += 1
        update(context)
    }

    func acknowledged(_ context: ChannelHandlerContext) {
        acknowledgedCount += 1
        update(context)
    }

    final class BytesHandler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let state: MLLPConnectionGuard

        init(state: MLLPConnectionGuard) { self.state = state }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { state.activate(context) }
        }

        func channelActive(context: ChannelHandlerContext) {
            state.activate(context)
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.deactivate()
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            state.deactivate()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            state.read(unwrapInboundIn(data), context)
            context.fireChannelRead(data)
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            state.timer.writabilityChanged(context.channel.isWritable, timeout: state.timeouts.read, context)
            context.fireChannelWritabilityChanged()
        }
    }

    final class FramesHandler: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = MLLPFrame
        typealias InboundOut = MLLPFrame
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let state: MLLPConnectionGuard

        init(state: MLLPConnectionGuard) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            state.decoded(context)
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            state.acknowledged(context)
            context.write(data, promise: promise)
        }
    }
}
