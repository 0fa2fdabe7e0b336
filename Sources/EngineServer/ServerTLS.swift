import HummingbirdCore
import Logging
import NIOCore
public import NIOSSL

/// TLS for both listeners from PEM files.
public enum ServerTLS {
    /// A server context from a PEM certificate chain and a PEM private key (TLS 1.2 or later).
    public static func context(_ files: ServerConfiguration.TLSFiles) throws(ServerSetupError) -> NIOSSLContext {
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
    /// HTTP/1.1, over TLS when a context is given.
    static func http1(tls context: NIOSSLContext?, idleTimeout: TimeAmount) -> HTTPServerBuilder {
        let configuration = HTTP1Channel.Configuration(idleTimeout: idleTimeout)
        guard let context else { return .http1(configuration: configuration) }
        return HTTPServerBuilder { responder in
            TLSChildChannel(base: HTTP1Channel(responder: responder, configuration: configuration), context: context)
        }
    }
}
