public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
import NIOPosix
import NIOSSL
public import Pipeline
public import ServiceLifecycle

/// `fhirbridge serve`: the HTTP application and the MLLP listener over one `ConversionService`, run
/// as a `ServiceGroup` that shuts down gracefully on SIGTERM or SIGINT.
///
///     let server = try BridgeServer(engine: engine, configuration: configuration, logger: logger)
///     try await server.run()                                   // until SIGTERM / SIGINT
///
/// Shutdown order: the MLLP listener (stop accepting, finish the frame in hand), then HTTP (finish
/// in-flight requests), then the conversion threads.
///
/// Each listener counts and times its connections (`ConnectionGuard`): a cap with the longest
/// waiting connection giving way to a new one, header, read and idle deadlines. The soft limit on
/// open files is raised to the hard limit at start (`OpenFileLimit`), so the caps, not the
/// process's descriptors, bound the connections.
public struct BridgeServer: Sendable {
    public let configuration: ServerConfiguration
    public let conversions: ConversionService
    public let metrics: ServerMetrics
    let logger: Logger
    let tls: NIOSSLContext?
    /// The MLLP listener's context: `tls`, or one that requires client certificates.
    let mllpTLS: NIOSSLContext?
    let httpConnections: ConnectionGuard
    let onListening: @Sendable (Listener, Int) async -> Void

    /// Which listener is up, for `onListening`.
    public enum Listener: String, Sendable { case http, mllp }

    /// Loads TLS files and creates the output folder; nothing listens until `run()`.
    ///
    /// - Parameter onListening: called with each listener's bound port (useful with port 0).
    public init(
        engine: Engine, configuration: ServerConfiguration, logger: Logger = Logger(label: "fhirbridge.serve"),
        onListening: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) throws(ServerSetupError) {
        self.configuration = configuration
        self.metrics = ServerMetrics()
        self.logger = logger
        let tls = try configuration.tls.map { files throws(ServerSetupError) in try ServerTLS.context(files) }
        self.tls = tls
        self.mllpTLS = try configuration.tls.map { files throws(ServerSetupError) in
            guard let clientCA = files.mllpClientCAPath else { return tls! }
            return try ServerTLS.context(files, clientCA: clientCA)
        }
        self.httpConnections = ConnectionGuard(
            listener: "http", maxConnections: max(1, configuration.maxHTTPConnections), metrics: metrics)
        self.conversions = try ConversionService(
            engine: engine, configuration: configuration, metrics: metrics, logger: logger)
        self.onListening = onListening
    }

    /// The HTTP application (also usable alone, e.g. with `app.test(.router)`).
    public func application() -> some ApplicationProtocol {
        let onListening = self.onListening
        let logger = self.logger
        return Application(
            router: HTTPRoutes.router(conversions: conversions, configuration: configuration),
            server: .http1(tls: tls, connections: httpConnections, timeouts: configuration.httpTimeouts),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.httpPort), serverName: nil,
                // the guard keeps the cap by closing connections; this only bounds those still closing
                availableConnectionsDelegate: MaximumAvailableConnections(2 * configuration.maxHTTPConnections + 64)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("http.listening", metadata: ["port": "\(port)"])
                await onListening(.http, port)
            },
            logger: logger)
    }

    /// The MLLP listener, when a port is configured.
    public func mllpListener() -> MLLPListener? {
        guard let port = configuration.mllpPort else { return nil }
        let onListening = self.onListening
        return MLLPListener(
            host: configuration.host, port: port, conversions: conversions, maxFrameBytes: configuration.maxBodyBytes,
            maxConnections: configuration.maxMLLPConnections, timeouts: configuration.mllpTimeouts, tls: mllpTLS,
            logger: logger, onListening: { port in await onListening(.mllp, port) })
    }

    /// The services in start order (shut down in reverse).
    public func services() -> [any Service] {
        var services: [any Service] = [conversions, application()]
        if let listener = mllpListener() { services.append(listener) }
        return services
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    public func run() async throws {
        let files = OpenFileLimit.raise()
        let needed = 2 * (configuration.maxHTTPConnections + configuration.maxMLLPConnections) + 256
        if files < needed {
            logger.warning("server.fileLimitLow", metadata: ["count": "\(files)"])
        }
        let group = ServiceGroup(
            configuration: .init(services: services(), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
