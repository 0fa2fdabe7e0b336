public import Logging
import MLLP
public import NIOCore
import NIOPosix
public import NIOSSL
import PHISafety
public import ServiceLifecycle

/// The MLLP listener: frames messages off each TCP (or TLS) connection, converts them through the
/// `ConversionService` and answers each frame with an HL7 acknowledgement, in order.
///
///     let listener = MLLPListener(host: "127.0.0.1", port: 2575, conversions: conversions, maxFrameBytes: 1 << 24)
///     let group = ServiceGroup(services: [conversions, listener], gracefulShutdownSignals: [.sigterm], logger: logger)
///
/// Back-pressure: a connection handles one frame at a time and reads at most a couple of frames
/// ahead (then stops reading from the socket); frames over `maxFrameBytes` are discarded as they
/// arrive and answered with `AR`. On graceful shutdown it stops accepting, each connection finishes
/// (and acknowledges) the frame in hand, then closes; unacknowledged frames are for the sender to resend.
///
/// Connections are counted and timed by a `ConnectionGuard`: at most `maxConnections` are open
/// (over it, a new one takes the place of the one waiting longest for a frame; one that cannot
/// get a place is closed), a frame must arrive within `timeouts.read` of its start byte, and a
/// connection with no frame for `timeouts.idle` is closed. Every accepted connection, refused or
/// not, is closed through its async channel, so none is dropped with its writer unfinished.
public struct MLLPListener: Service {
    let host: String
    let port: Int
    let conversions: ConversionService
    let maxFrameBytes: Int
    let connections: ConnectionGuard
    let timeouts: ServerConfiguration.MLLPTimeouts
    let tls: NIOSSLContext?
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let onListening: @Sendable (_ port: Int) async -> Void

    public init(
        host: String, port: Int, conversions: ConversionService, maxFrameBytes: Int, maxConnections: Int = 256,
        timeouts: ServerConfiguration.MLLPTimeouts = .init(), tls: NIOSSLContext? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "fhirbridge.mllp"),
        onListening: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.conversions = conversions
        self.maxFrameBytes = maxFrameBytes
        self.connections = ConnectionGuard(
            listener: "mllp", maxConnections: max(1, maxConnections), metrics: conversions.metrics)
        self.timeouts = timeouts
        self.tls = tls
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let maxFrameBytes = self.maxFrameBytes
        let tls = self.tls
        let connections = self.connections
        let timeouts = self.timeouts
        let server = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    let timing = MLLPConnectionGuard(connectionGuard: connections, timeouts: timeouts)
                    if let tls { try sync.addHandler(NIOSSLServerHandler(context: tls)) }
                    try sync.addHandler(timing.bytesHandler())
                    try sync.addHandler(ByteToMessageHandler(MLLPFrameDecoder(maxFrameBytes: maxFrameBytes)))
                    try sync.addHandler(MessageToByteHandler(MLLPFrameEncoder()))
                    try sync.addHandler(timing.framesHandler())
                    let connection = try NIOAsyncChannel<MLLPFrame, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2)))
                    // a connection accepted while the listener stops never reaches `serve`; its writer
                    // is finished when it closes (by its peer or its idle deadline), not dropped unfinished
                    let outbound = connection.outbound
                    channel.closeFuture.whenComplete { _ in outbound.finish() }
                    return connection
                }
            }
        let boundPort = server.channel.localAddress?.port ?? port
        logger.info("mllp.listening", metadata: ["port": "\(boundPort)", "tls": "\(tls != nil)"])
        await onListening(boundPort)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { accepted in
                for try await connection in accepted.cancelOnGracefulShutdown() {
                    // a connection the guard closed (over the cap) ends at once in `serve`
                    group.addTask { await serve(connection) }
                }
            }
            logger.info("mllp.stopped")
        }
    }

    private func serve(_ connection: NIOAsyncChannel<MLLPFrame, ByteBuffer>) async {
        conversions.metrics.increment("fhirbridge_mllp_connections_total")
        var frames = 0
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await frame in inbound.cancelOnGracefulShutdown() {
                    let ack = await conversions.acknowledge(frame)
                    frames += 1
                    let metadata: Logger.Metadata = [
                        "controlDigest": "\(String(sha256Hex(Array(ack.controlID.utf8)).prefix(16)))",
                        "ack": "\(ack.code.rawValue)",
                        "kinds": "\(ack.kinds.prefix(10).joined(separator: ","))",
                    ]
                    logger.log(level: ack.code == .accept ? .debug : .info, "mllp.message", metadata: metadata)
                    try await outbound.write(ByteBuffer(bytes: ack.bytes))
                }
            }
        } catch {
            logger.info(
                "mllp.connectionError",
                metadata: ["errorType": "\(type(of: error))", "frames": "\(frames)"])
            return
        }
        logger.debug("mllp.closed", metadata: ["frames": "\(frames)"])
    }
}
