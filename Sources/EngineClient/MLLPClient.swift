import MLLP
public import NIOCore
import NIOPosix
public import NIOSSL

/// Why a message got no acknowledgement.
public enum DeliveryFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// No connection could be made (refused, unreachable, connect timeout, TLS handshake).
    case cannotConnect
    /// The connection closed or failed before the ACK came.
    case connectionDropped
    /// No ACK within the ACK timeout.
    case ackTimeout
    /// The reply is not an HL7 acknowledgement (no MSH, or no MSA-1).
    case notAnAcknowledgement
    /// An HTTP response that is not one (HTTP mode).
    case badResponse

    public var description: String {
        switch self {
        case .cannotConnect: "cannot connect"
        case .connectionDropped: "connection dropped"
        case .ackTimeout: "no ACK within the timeout"
        case .notAnAcknowledgement: "the reply is not an HL7 acknowledgement"
        case .badResponse: "the response is not HTTP"
        }
    }
}

/// Where and how to connect: host and port, optional TLS, timeouts.
public struct MLLPEndpoint: Sendable {
    public var host: String
    public var port: Int
    /// TLS with this context (server certificate checked against its trust roots and `host`).
    public var tls: NIOSSLContext?
    public var connectTimeout: TimeAmount
    public var ackTimeout: TimeAmount
    /// The largest ACK frame read.
    public var maxFrameBytes: Int

    public init(
        host: String, port: Int, tls: NIOSSLContext? = nil, connectTimeout: TimeAmount = .seconds(10),
        ackTimeout: TimeAmount = .seconds(30), maxFrameBytes: Int = 1 << 20
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.ackTimeout = ackTimeout
        self.maxFrameBytes = maxFrameBytes
    }

    /// A TLS context that trusts the certificates in `caFile` (PEM), or the system's roots.
    public static func tlsContext(caFile: String?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        return try NIOSSLContext(configuration: configuration)
    }
}

/// One MLLP connection that sends a message and waits for its acknowledgement, one at a time.
///
///     let connection = try await MLLPConnection.connect(to: endpoint)
///     let ack = try await connection.send(bytes)    // the ACK frame's bytes
///     connection.close()
///
/// MLLP (HL7 v2.5.1 Appendix C) frames each message `0x0B … 0x1C 0x0D`; the receiver answers each
/// frame with one acknowledgement frame, in order. The framing is `MLLPFrameEncoder` and
/// `MLLPFrameDecoder`, the same as the listener's.
public final class MLLPConnection: Sendable {
    let channel: any Channel
    let ackTimeout: TimeAmount

    init(channel: any Channel, ackTimeout: TimeAmount) {
        self.channel = channel
        self.ackTimeout = ackTimeout
    }

    /// Connects (TCP, then the TLS handshake when configured).
    public static func connect(
        to endpoint: MLLPEndpoint, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(DeliveryFailure) -> MLLPConnection {
        let tls = endpoint.tls
        let host = endpoint.host
        let maxFrameBytes = endpoint.maxFrameBytes
        let ackTimeout = endpoint.ackTimeout
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(endpoint.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if let tls {
                            let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
                            try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        }
                        try sync.addHandler(ByteToMessageHandler(MLLPFrameDecoder(maxFrameBytes: maxFrameBytes)))
                        try sync.addHandler(MessageToByteHandler(MLLPFrameEncoder()))
                        try sync.addHandler(AcknowledgementHandler(ackTimeout: ackTimeout))
                    }
                }
                .connect(host: host, port: endpoint.port).get()
            return MLLPConnection(channel: channel, ackTimeout: ackTimeout)
        } catch {
            throw .cannotConnect
        }
    }

    /// Sends one message and returns its acknowledgement's bytes.
    public func send(_ message: [UInt8]) async throws(DeliveryFailure) -> [UInt8] {
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        channel.writeAndFlush(AcknowledgementHandler.Request(bytes: ByteBuffer(bytes: message), reply: promise))
            .whenFailure { _ in promise.fail(DeliveryFailure.connectionDropped) }
        do {
            return try await promise.futureResult.get()
        } catch let failure as DeliveryFailure {
            throw failure
        } catch {
            throw .connectionDropped
        }
    }

    /// Whether the connection is still open (a receiver may close it after each ACK).
    public var isActive: Bool { channel.isActive }

    public func close() {
        channel.close(promise: nil)
    }
}

/// Pairs each outbound message with the next inbound frame; fails the waiting message when the
/// connection closes or no frame comes within the ACK timeout (and then closes the connection, whose
/// stream position is no longer known).
final class AcknowledgementHandler: ChannelDuplexHandler {
    typealias InboundIn = MLLPFrame
    typealias OutboundIn = Request
    typealias OutboundOut = ByteBuffer

    struct Request: Sendable {
        var bytes: ByteBuffer
        var reply: EventLoopPromise<[UInt8]>
    }

    let ackTimeout: TimeAmount
    private var waiting: [(reply: EventLoopPromise<[UInt8]>, timeout: Scheduled<Void>)] = []

    init(ackTimeout: TimeAmount) { self.ackTimeout = ackTimeout }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        let timeout = loop.scheduleTask(in: ackTimeout) {
            let (handler, context) = bound.value
            handler.failAll(.ackTimeout)
            context.close(promise: nil)
        }
        waiting.append((request.reply, timeout))
        context.write(wrapOutboundOut(request.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !waiting.isEmpty else { return }  // an unsolicited frame: nothing waits for it
        let (reply, timeout) = waiting.removeFirst()
        timeout.cancel()
        switch unwrapInboundIn(data) {
        case .message(let buffer): reply.succeed(Array(buffer.readableBytesView))
        case .oversized: reply.fail(DeliveryFailure.notAnAcknowledgement)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.connectionDropped)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(.connectionDropped)
        context.close(promise: nil)
    }

    private func failAll(_ failure: DeliveryFailure) {
        let pending = waiting
        waiting = []
        for (reply, timeout) in pending {
            timeout.cancel()
            reply.fail(failure)
        }
    }
}
