import EngineServer
import Foundation
import Logging
import MLLP
import NIOCore
import NIOPosix
import NIOSSL
import Pipeline
import ServiceLifecycle
import TestSupport
import Testing

enum TestEngine {
    /// One engine for every test (loading Terminology/ and Mappings/ once).
    static let shared: Engine = {
        do {
            return try Engine(configuration: EngineConfiguration(home: Repository.root))
        } catch {
            fatalError("cannot load the engine: \(error)")
        }
    }()
}

func sample(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: Repository.url("Samples/hl7v2/\(name)")))
}

/// A synthetic ADT^A01 whose patient fields all hold the sentinel; `segmentID` replaces `PID` (an
/// unreadable segment ID makes the message fail to parse) and `type` goes to MSH-9.
func sentinelMessage(controlID: String = "SENT-1", type: String = "ADT^A01^ADT_A01", segmentID: String = "PID")
    -> [UInt8]
{
    let s = "ZZSENTINEL"
    let text =
        "MSH|^~\\&|APP|FAC|RECV|RFAC|20240101120000+0000||\(type)|\(controlID)|P|2.5.1\r"
        + "EVN|A01|20240101120000+0000\r"
        + "\(segmentID)|1||\(s)^^^\(s)^MR||\(s)^\(s)^\(s)||\(s)|\(s)||\(s)|\(s)^\(s)^\(s)^\(s)^\(s)||\(s)\r"
        + "PV1|1|I|\(s)^\(s)|E|||\(s)^\(s)\r"
    return Array(text.utf8)
}

/// Collects every log line (message and metadata) so tests can look for patient data in them.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label, factory: { _ in CapturingLogHandler(capture: self) })
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append("\(event.level) \(event.message) \(merged)")
    }
}

/// PEM files of a self-signed test certificate for localhost and 127.0.0.1 (P-256, valid until 2126).
/// Test-only; clients connect to 127.0.0.1 and verify the name `localhost` (SNI takes no IP address).
enum TestTLS {
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBpjCCAU2gAwIBAgIUZgC8HurFblPQD17mTWT6iawJ/bYwCgYIKoZIzj0EAwIw
        GjEYMBYGA1UEAwwPZmhpcmJyaWRnZS10ZXN0MCAXDTI2MTEyMzIwNDE1M1oYDzIx
        MjYxMDMwMjA0MTUzWjAaMRgwFgYDVQQDDA9maGlyYnJpZGdlLXRlc3QwWTATBgcq
        hkjOPQIBBggqhkjOPQMBBwNCAAQMgJ63OVGzk83coZs/Z01QNfCQuPBrjnCxE5kd
        dVWu9/kCX6TmDxsxfBA3HBkU1q0SFT25EigA/vgc8C+fGnHeo28wbTAdBgNVHQ4E
        FgQUy+6ixGeThBVKtvLuz/Yu7EVDtK8wHwYDVR0jBBgwFoAUy+6ixGeThBVKtvLu
        z/Yu7EVDtK8wDwYDVR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SH
        BH8AAAEwCgYIKoZIzj0EAwIDRwAwRAIgOt3FcH9M5Mk76DZgzAouzsESNyZzTrL8
        zU6J7j5sAqoCID6I5cpYGBB5oY6zu7svdwFPUpkHM6Q9gAqmfuxjgqp2
        -----END CERTIFICATE-----

        """
    static let privateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWVxWhVKENxlWcCtE
        U5bXmUNt81Pr8pCMo0JgI4HVb2qhRANCAAQMgJ63OVGzk83coZs/Z01QNfCQuPBr
        jnCxE5kddVWu9/kCX6TmDxsxfBA3HBkU1q0SFT25EigA/vgc8C+fGnHe
        -----END PRIVATE KEY-----

        """

    /// Writes the PEM files into a fresh folder.
    static func files() throws -> ServerConfiguration.TLSFiles {
        let folder = try temporaryFolder("tls")
        let cert = folder.appendingPathComponent("cert.pem")
        let key = folder.appendingPathComponent("key.pem")
        try Data(certificate.utf8).write(to: cert)
        try Data(privateKey.utf8).write(to: key)
        return .init(certificateChainPath: cert.path, privateKeyPath: key.path)
    }

    /// A client configuration that trusts only the test certificate.
    static func clientConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)))
        return configuration
    }
}

func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("fhirbridge-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A running `BridgeServer` on 127.0.0.1 with ephemeral ports.
struct RunningServer: Sendable {
    let server: BridgeServer
    let httpPort: Int
    let mllpPort: Int?
    let serviceGroup: ServiceGroup
}

/// Starts the server on loopback with ephemeral ports, runs `body`, then shuts down gracefully and
/// waits for every service to stop.
func withServer<T: Sendable>(
    _ configuration: ServerConfiguration = ServerConfiguration(), logs: LogCapture = LogCapture(),
    _ body: @Sendable (RunningServer) async throws -> T
) async throws -> T {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    configuration.httpPort = 0
    if configuration.mllpPort != nil { configuration.mllpPort = 0 }
    let (ports, portSink) = AsyncStream<(BridgeServer.Listener, Int)>.makeStream()
    let server = try BridgeServer(
        engine: TestEngine.shared, configuration: configuration, logger: logs.logger(label: "server"),
        onListening: { listener, port in portSink.yield((listener, port)) })
    let group = ServiceGroup(configuration: .init(services: server.services(), logger: logs.logger(label: "group")))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { portSink.finish() }
            try await group.run()
        }
        var http: Int?
        var mllp: Int?
        for await (listener, port) in ports {
            switch listener {
            case .http: http = port
            case .mllp: mllp = port
            }
            if http != nil, mllp != nil || configuration.mllpPort == nil { break }
        }
        guard let http else {
            try await tasks.waitForAll()
            throw ServerSetupError("the server did not start")
        }
        let running = RunningServer(server: server, httpPort: http, mllpPort: mllp, serviceGroup: group)
        do {
            let value = try await body(running)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// A minimal MLLP client over loopback: raw writes (so tests control framing and chunking) and
/// decoded ACK frames.
enum MLLPTestClient {
    /// Connects to 127.0.0.1, runs `body` with a session, then closes the connection.
    static func withConnection<T: Sendable>(
        port: Int, tls: TLSConfiguration? = nil, _ body: (inout Session) async throws -> T
    ) async throws -> T {
        let context = try tls.map { try NIOSSLContext(configuration: $0) }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MLLPFrameDecoder()))
                    return try NIOAsyncChannel<MLLPFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var session = Session(iterator: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&session)
        }
    }

    struct Session {
        var iterator: NIOAsyncChannelInboundStream<MLLPFrame>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

        /// Sends messages (framed, written in chunks of `chunkSize`) and returns one ACK per message.
        mutating func exchange(_ messages: [[UInt8]], chunkSize: Int = 1 << 20, rawPrefix: [UInt8] = []) async throws
            -> [[UInt8]]
        {
            try await exchange(
                raw: rawPrefix + messages.flatMap { MLLPFraming.frame($0) }, expecting: messages.count,
                chunkSize: chunkSize)
        }

        /// Sends raw bytes and reads `count` frames back (fewer if the server closes the connection).
        mutating func exchange(raw: [UInt8], expecting count: Int, chunkSize: Int = 1 << 20) async throws -> [[UInt8]] {
            var offset = 0
            while offset < raw.count {
                let end = min(offset + chunkSize, raw.count)
                try await outbound.write(ByteBuffer(bytes: raw[offset..<end]))
                offset = end
            }
            var acks: [[UInt8]] = []
            while acks.count < count, let frame = try await iterator.next() {
                if case .message(let buffer) = frame { acks.append(Array(buffer.readableBytesView)) }
            }
            return acks
        }

        /// Waits for the server to close the connection (true) or send something (false).
        mutating func closedByServer() async throws -> Bool {
            try await iterator.next() == nil
        }
    }
}

/// The segments of an ACK, and its MSA-1 and MSA-2.
struct ParsedAck {
    let segments: [String]
    init(_ bytes: [UInt8]) { segments = String(decoding: bytes, as: UTF8.self).split(separator: "\r").map(String.init) }
    var msa: [Substring] {
        segments.first { $0.hasPrefix("MSA|") }?.split(separator: "|", omittingEmptySubsequences: false) ?? []
    }
    var code: String { msa.count > 1 ? String(msa[1]) : "" }
    var controlID: String { msa.count > 2 ? String(msa[2]) : "" }
    var errors: [String] { segments.filter { $0.hasPrefix("ERR|") } }
}
