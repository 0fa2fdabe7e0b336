import ArgumentParser
import EngineServer
import FHIRMapping
import Foundation
import Pipeline

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve conversions over HTTP (POST /convert) and MLLP until SIGTERM or SIGINT.",
        discussion: """
            HTTP: POST /convert (HL7 v2, C-CDA or CSV body; ?format=hl7v2|ccda|csv, else detected; CSV through \
            the first profile that fits, --csv-profile ones first) returns a Bundle (application/fhir+json); errors are OperationOutcomes with positions (400, 401, 413, 415, \
            422, 503). GET /health, GET /metrics (Prometheus text). MLLP: each framed message is converted \
            and answered with an ACK (AA, AE for bad data, AR for unsupported types or structure); with \
            --out each converted message is also written as a bundle file. --types, --since, --until and \
            --deidentify apply to both, as for convert. The bearer token is read from \
            --token-file, never from the command line. Logs name positions and control ids, never patient data. \
            Each listener holds at most --max-http-connections or --max-mllp-connections connections: over \
            the cap a new connection takes the place of the one that has waited longest for a request or \
            frame (busy ones are never closed for it). Connections that are slow to send a request or \
            frame, or idle too long, are closed (the timeouts below, in seconds). MLLP senders authenticate \
            with client certificates: --mllp-client-ca.
            """)

    @Option(help: "HTTP port (0 picks a free port).")
    var httpPort: Int = 8080

    @Option(help: "MLLP port; 0 turns the MLLP listener off.")
    var mllpPort: Int = 2575

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .shortAndLong, help: "Folder for one bundle file per MLLP message (created if missing).")
    var out: String?

    @Option(help: "File holding the bearer token HTTP clients must send (first line).", completion: .file())
    var tokenFile: String?

    @Option(help: "PEM certificate chain: HTTP and MLLP use TLS. Needs --tls-key.", completion: .file())
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert.", completion: .file())
    var tlsKey: String?

    @Option(
        help: """
            PEM certificates of the CAs that issue MLLP senders' certificates: MLLP then requires a client \
            certificate chaining to one of them (mutual TLS). Needs --tls-cert.
            """,
        completion: .file())
    var mllpClientCa: String?

    @Option(help: "Open HTTP connections at most.")
    var maxHttpConnections: Int = 256

    @Option(help: "Open MLLP connections at most.")
    var maxMllpConnections: Int = 256

    @Option(help: "Seconds from connecting (TLS included) to a complete HTTP request head.")
    var httpHeaderTimeout: Int = 10

    @Option(help: "Seconds from an HTTP request head to the end of its body (and for a response to be read).")
    var httpReadTimeout: Int = 60

    @Option(help: "Seconds a kept-alive HTTP connection may wait for its next request.")
    var httpIdleTimeout: Int = 60

    @Option(help: "Seconds from an MLLP frame's start byte to its end (and for an ACK to be read).")
    var mllpReadTimeout: Int = 30

    @Option(help: "Seconds an MLLP connection may wait for its next frame.")
    var mllpIdleTimeout: Int = 300

    @Option(help: "Largest HTTP body or MLLP frame accepted, in bytes.")
    var maxBodyBytes: Int = 16 * 1024 * 1024

    @Option(help: "Conversions running at once (default: the number of cores).")
    var maxConcurrent: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Bundle type: transaction, batch or collection.")
    var bundleType: BundleType = .transaction

    @OptionGroup var source: SourceOptions

    @OptionGroup var home: HomeOptions

    @Option(help: "Log level for events on standard error.")
    var logLevel: LogLevel = .info

    @OptionGroup(title: "PHI safety") var encryption: EncryptionOptions
    @OptionGroup(title: "Record policy (HTTP responses and --out bundles)") var records: RecordPolicyOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions

    func validate() throws {
        guard (0...65535).contains(httpPort) else { throw ValidationError("--http-port must be 0 to 65535.") }
        if bundleType == .document {
            throw ValidationError(
                "--bundle-type document is for convert --out: serve writes transaction, batch or collection.")
        }
        guard (0...65535).contains(mllpPort) else { throw ValidationError("--mllp-port must be 0 to 65535.") }
        if encryption.encrypt && out == nil { throw ValidationError("--encrypt needs --out.") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together.") }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024.") }
        guard (1...1024).contains(maxConcurrent) else { throw ValidationError("--max-concurrent must be 1 to 1024.") }
        if mllpClientCa != nil && tlsCert == nil { throw ValidationError("--mllp-client-ca needs --tls-cert.") }
        for (name, value) in [
            ("--max-http-connections", maxHttpConnections), ("--max-mllp-connections", maxMllpConnections),
        ]
        where !(1...100_000).contains(value) {
            throw ValidationError("\(name) must be 1 to 100000.")
        }
        let timeouts = [
            ("--http-header-timeout", httpHeaderTimeout), ("--http-read-timeout", httpReadTimeout),
            ("--http-idle-timeout", httpIdleTimeout), ("--mllp-read-timeout", mllpReadTimeout),
            ("--mllp-idle-timeout", mllpIdleTimeout),
        ]
        for (name, value) in timeouts where !(1...86_400).contains(value) {
            throw ValidationError("\(name) must be 1 to 86400 seconds.")
        }
    }

    func run() async throws {
        let logger = ServerLogging.bootstrap(level: logLevel.level)
        let engine = try source.loadEngine(home) { configuration in
            configuration.bundleType = bundleType
            configuration.limits = limits.engineLimits
        }
        var configuration = ServerConfiguration(
            host: host, httpPort: httpPort, mllpPort: mllpPort == 0 ? nil : mllpPort,
            outputDirectory: out.map { URL(fileURLWithPath: $0) }, maxBodyBytes: maxBodyBytes,
            maxConcurrentConversions: maxConcurrent, maxHTTPConnections: maxHttpConnections,
            maxMLLPConnections: maxMllpConnections)
        configuration.httpTimeouts = .init(
            header: .seconds(Int64(httpHeaderTimeout)), read: .seconds(Int64(httpReadTimeout)),
            idle: .seconds(Int64(httpIdleTimeout)))
        configuration.mllpTimeouts = .init(
            read: .seconds(Int64(mllpReadTimeout)), idle: .seconds(Int64(mllpIdleTimeout)))
        configuration.sealingKey = try encryption.sealingKey()
        configuration.policy = try records.policy(keyFile: encryption.keyFile)
        if let tokenFile {
            configuration.bearerToken = try Self.setup { () throws(ServerSetupError) in
                try ServerConfiguration.readToken(fromFile: tokenFile)
            }
        }
        if let tlsCert, let tlsKey {
            configuration.tls = .init(
                certificateChainPath: tlsCert, privateKeyPath: tlsKey, mllpClientCAPath: mllpClientCa)
        }
        if !["127.0.0.1", "::1", "localhost"].contains(host),
            configuration.tls == nil || configuration.bearerToken == nil
        {
            logger.warning("server.exposed")
        }
        let server = try Self.setup { () throws(ServerSetupError) in
            try BridgeServer(engine: engine, configuration: configuration, logger: logger)
        }
        do {
            try await server.run()
        } catch {
            // Bind failures and the like: NIO errors name the address and errno, never input.
            FileHandle.standardError.write(Data("error: the server stopped: \(error)\n".utf8))
            throw Exit.ioError
        }
    }

    /// Runs a setup step; a `ServerSetupError` is printed and becomes exit code 74.
    static func setup<T>(_ step: () throws(ServerSetupError) -> T) throws -> T {
        do {
            return try step()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw Exit.ioError
        }
    }
}
