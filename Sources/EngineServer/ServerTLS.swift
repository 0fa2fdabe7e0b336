import HummingbirdCore
import Logging
import NIOCore
public import NIOSSL

/// TLS for both listeners from PEM files: TLS 1.2 or later, and under TLS 1.2 only suites with
/// forward secrecy (ECDHE key exchange, AEAD ciphers); TLS 1.3 suites all have it.
public enum ServerTLS {
    /// The TLS 1.2 suites offered, in OpenSSL's notation: ECDHE with AES-GCM or ChaCha20-Poly1305.
    /// Static-RSA key exchange (`AES128-SHA`, `AES256-SHA`, `AES128-GCM-SHA256`, …) and CBC modes
    /// are left out.
    public static let cipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// A server context from a PEM certificate chain and a PEM private key. With `clientCA`
    /// (`TLSFiles.mllpClientCAPath`), a client certificate issued by one of its CAs is required.
    public static func context(_ files: ServerConfiguration.TLSFiles, clientCA: String? = nil)
        throws(ServerSetupError) -> NIOSSLContext
    {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificateChainPath)
        } catch {
            throw ServerSetupError("cannot read the TLS certificate file (PEM)")
        }
        guard !chain.isEmpty else { throw ServerSetupError("the TLS certificate file holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.privateKeyPath, format: .pem)
        } catch {
            throw ServerSetupError("cannot read the TLS private key file (PEM)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuites = cipherSuites
        if let clientCA {
            let authorities: [NIOSSLCertificate]
            do {
                authorities = try NIOSSLCertificate.fromPEMFile(clientCA)
            } catch {
                throw ServerSetupError("cannot read the client CA file (PEM)")
            }
            guard !authorities.isEmpty else { throw ServerSetupError("the client CA file holds no certificate") }
            // a chain to one of these CAs is required; client certificates carry no host name to check
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(authorities)
            configuration.sendCANameList = true
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerSetupError("the TLS certificate and key do not make a usable TLS context")
        }
    }
}

/// Adds a TLS server handler in front of an HTTP child channel (what `HummingbirdTLS` does; that
/// product is not a dependency of this target).
struct TLSChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let context: NIOSSLContext

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1, over TLS when a context is given, each connection timed and counted by `connections`.
    static func http1(
        tls context: NIOSSLContext?, connections: ConnectionGuard, timeouts: ServerConfiguration.HTTPTimeouts
    ) -> HTTPServerBuilder {
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [HTTPConnectionGuardHandler(connectionGuard: connections, timeouts: timeouts)],
            idleTimeout: timeouts.idle)
        guard let context else { return .http1(configuration: configuration) }
        return HTTPServerBuilder { responder in
            TLSChildChannel(base: HTTP1Channel(responder: responder, configuration: configuration), context: context)
        }
    }
}
