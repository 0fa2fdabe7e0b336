import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Times an HTTP/1.1 connection's phases and counts it against the listener's cap (see
/// `ConnectionGuard`). It sits after the HTTP codec, so it sees whole request heads: trickling a
/// head byte by byte does not keep a connection open.
///
/// - `headerTimeout`: from connecting (TLS handshake included) to a complete request head;
/// - `readTimeout`: from a request head to the end of its body;
/// - `idleTimeout`: from a response's end to the next request head (keep-alive);
/// - a response the client stops reading is given `readTimeout` to drain.
///
/// While a request is being converted and answered the connection has no deadline.
final class HTTPConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timer: ConnectionTimer
    let timeouts: ServerConfiguration.HTTPTimeouts
    /// Requests whose head arrived and whose response has not ended.
    private var inFlight = 0
    /// A request's body is still arriving.
    private var readingBody = false

    init(connectionGuard: ConnectionGuard, timeouts: ServerConfiguration.HTTPTimeouts) {
        self.timer = ConnectionTimer(connectionGuard: connectionGuard)
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { activate(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard timer.activate(context) else { return }
        timer.enter(.waiting, timeout: timeouts.header, kind: "headerTimeout", context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer.deactivate()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer.deactivate()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            inFlight += 1
            readingBody = true
            timer.enter(.reading, timeout: timeouts.read, kind: "readTimeout", context)
        case .body:
            break
        case .end:
            readingBody = false
            timer.enter(.busy, timeout: nil, kind: "", context)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            inFlight = max(0, inFlight - 1)
            if inFlight == 0 && !readingBody {
                timer.enter(.waiting, timeout: timeouts.idle, kind: "idleTimeout", context)
            }
        }
        context.write(data, promise: promise)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        timer.writabilityChanged(context.channel.isWritable, timeout: timeouts.read, context)
        context.fireChannelWritabilityChanged()
    }
}
