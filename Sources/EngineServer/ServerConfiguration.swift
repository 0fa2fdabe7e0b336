public import Foundation
public import NIOCore
public import PHISafety

/// How `fhirbridge serve` listens and how much it accepts at once.
///
///     var configuration = ServerConfiguration()          // HTTP 127.0.0.1:8080, MLLP 2575
///     configuration.mllpPort = nil                      // no MLLP listener
///     configuration.bearerToken = try ServerConfiguration.readToken(fromFile: "/run/secrets/token")
public struct ServerConfiguration: Sendable {
    /// The address both listeners bind to (default loopback only).
    public var host: String
    /// HTTP port; 0 picks a free port (see `BridgeServer.onListening`).
    public var httpPort: Int
    /// MLLP port, or `nil` for no MLLP listener; 0 picks a free port.
    public var mllpPort: Int?
    /// Where MLLP messages are written, one bundle per message (atomically); `nil` writes nothing.
    public var outputDirectory: URL?
    /// With a key, bundles written to `outputDirectory` are sealed (AES-256-GCM, `<name>.json.enc`)
    /// in memory before they touch the disk.
    public var sealingKey: DataKey?
    /// Minimum-necessary limits and de-identification, applied to every record before it is emitted
    /// (HTTP responses and `outputDirectory` bundles alike), as `convert` applies them.
    public var policy = RecordPolicy()
    /// HTTP requests need `Authorization: Bearer <token>` (not `/health`); `nil` is no authentication.
    public var bearerToken: String?
    /// PEM certificate chain and private key: both listeners speak TLS when set.
    public var tls: TLSFiles?
    /// The largest HTTP body and MLLP frame accepted (413, or an `AR` acknowledgement).
    public var maxBodyBytes: Int
    /// Conversions running at once (each on its own thread); more wait their turn.
    public var maxConcurrentConversions: Int
    /// HTTP requests that may wait for a conversion slot before new ones get 503.
    public var maxQueuedRequests: Int
    /// Open HTTP connections at most. Over it, a new connection takes the place of the open one
    /// that has waited longest without a request (`ConnectionGuard`); when all are busy it is closed.
    public var maxHTTPConnections: Int
    /// Open MLLP connections at most, as for HTTP.
    public var maxMLLPConnections: Int
    /// How long an HTTP connection may take to send a request, and may stay open without one.
    public var httpTimeouts = HTTPTimeouts()
    /// How long an MLLP connection may take to send a frame, and may stay open without one.
    public var mllpTimeouts = MLLPTimeouts()

    public struct TLSFiles: Sendable, Hashable {
        public var certificateChainPath: String
        public var privateKeyPath: String
        /// PEM certificates of the CAs that issue MLLP senders' client certificates: when set, the
        /// MLLP listener requires a client certificate that chains to one of them (mutual TLS).
        public var mllpClientCAPath: String?

        public init(certificateChainPath: String, privateKeyPath: String, mllpClientCAPath: String? = nil) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
            self.mllpClientCAPath = mllpClientCAPath
        }
    }

    /// HTTP deadlines (`HTTPConnectionGuardHandler`).
    public struct HTTPTimeouts: Sendable, Hashable {
        /// From connecting (TLS handshake included) to a complete request head.
        public var header: TimeAmount
        /// From a request head to the end of its body; also how long a response may wait for the
        /// client to read it.
        public var read: TimeAmount
        /// From a response to the next request head on a kept-alive connection.
        public var idle: TimeAmount

        public init(header: TimeAmount = .seconds(10), read: TimeAmount = .seconds(60), idle: TimeAmount = .seconds(60))
        {
            self.header = header
            self.read = read
            self.idle = idle
        }
    }

    /// MLLP deadlines (`MLLPConnectionGuard`).
    public struct MLLPTimeouts: Sendable, Hashable {
        /// From a frame's start byte to its end byte; also how long an acknowledgement may wait for
        /// the sender to read it.
        public var read: TimeAmount
        /// From connecting or the last acknowledgement to the next frame's start.
        public var idle: TimeAmount

        public init(read: TimeAmount = .seconds(30), idle: TimeAmount = .seconds(300)) {
            self.read = read
            self.idle = idle
        }
    }

    public init(
        host: String = "127.0.0.1", httpPort: Int = 8080, mllpPort: Int? = 2575, outputDirectory: URL? = nil,
        bearerToken: String? = nil, tls: TLSFiles? = nil, maxBodyBytes: Int = 16 * 1024 * 1024,
        maxConcurrentConversions: Int = ProcessInfo.processInfo.activeProcessorCount,
        maxQueuedRequests: Int? = nil, maxHTTPConnections: Int = 256, maxMLLPConnections: Int = 256
    ) {
        self.host = host
        self.httpPort = httpPort
        self.mllpPort = mllpPort
        self.outputDirectory = outputDirectory
        self.bearerToken = bearerToken
        self.tls = tls
        self.maxBodyBytes = maxBodyBytes
        self.maxConcurrentConversions = max(1, maxConcurrentConversions)
        self.maxQueuedRequests = maxQueuedRequests ?? 16 * max(1, maxConcurrentConversions)
        self.maxHTTPConnections = maxHTTPConnections
        self.maxMLLPConnections = maxMLLPConnections
    }

    /// Reads a bearer token from a file (first line, surrounding white space removed). Tokens are
    /// never taken from the command line, where other users can read them.
    public static func readToken(fromFile path: String) throws(ServerSetupError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerSetupError("cannot read the token file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let token =
            text.split(whereSeparator: \.isNewline).first.map {
                $0.trimmingCharacters(in: .whitespaces)
            } ?? ""
        guard !token.isEmpty else { throw ServerSetupError("the token file is empty") }
        guard token.utf8.count >= 16 else { throw ServerSetupError("the token must be at least 16 characters long") }
        return token
    }
}

/// A problem starting the server (a file that cannot be read, a port in use). Names files and
/// settings, never secrets.
public struct ServerSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
