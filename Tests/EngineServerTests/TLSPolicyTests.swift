import EngineServer
import Foundation
import HummingbirdTesting
import MLLP
import NIOCore
import NIOSSL
import Testing

/// TLS on both listeners: under TLS 1.2 only forward-secret suites, and MLLP senders authenticated
/// by client certificates (mutual TLS) when a client CA is configured. Certificates are made for
/// each run (`TestPKI`).
@Suite(.serialized) struct TLSPolicyTests {
    /// A TLS 1.2 client offering only static-RSA suites (`AES128-SHA`, `AES256-SHA` and their GCM
    /// forms) finds no suite in common, on an RSA certificate where they would otherwise work; the
    /// same client offering ECDHE gets through.
    @Test(.timeLimit(.minutes(6))) func tls12AcceptsOnlyForwardSecretSuites() async throws {
        let pki = try TestPKI()
        var configuration = ServerConfiguration()
        configuration.tls = try pki.serverFiles(rsa: true)
        let adt = try sample("adt-a01-basic.hl7")
        func client(_ suites: String) throws -> TLSConfiguration {
            var client = try pki.anonymousClient()
            client.maximumTLSVersion = .tlsv12
            client.cipherSuites = suites
            return client
        }
        let staticRSA = try client("AES128-SHA:AES256-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384")
        let ecdhe = try client("ECDHE-RSA-AES128-GCM-SHA256")
        try await withServer(configuration) { running in
            let port = try #require(running.mllpPort)
            let refused = try? await MLLPTestClient.withConnection(port: port, tls: staticRSA) { session in
                try await session.exchange([adt]).count
            }
            #expect(refused == nil || refused == 0)
            await #expect(throws: (any Error).self) {
                try await TestClient.withClient(
                    host: "127.0.0.1", port: running.httpPort,
                    configuration: .init(tlsConfiguration: staticRSA, serverName: "localhost")
                ) { client in
                    _ = try await client.execute(.init("/health", method: .get, authority: "127.0.0.1"))
                }
            }
            try await MLLPTestClient.withConnection(port: port, tls: ecdhe) { session in
                let codes = try await session.exchange([adt]).map { ParsedAck($0).code }
                #expect(codes == ["AA"])
            }
            try await TestClient.withClient(
                host: "127.0.0.1", port: running.httpPort,
                configuration: .init(tlsConfiguration: ecdhe, serverName: "localhost")
            ) { client in
                let response = try await client.execute(.init("/health", method: .get, authority: "127.0.0.1"))
                #expect(response.status == .ok)
            }
        }
        #expect(!ServerTLS.cipherSuites.contains("AES128-SHA:") && ServerTLS.cipherSuites.hasPrefix("ECDHE-"))
    }

    /// With a client CA, MLLP answers only senders presenting a certificate issued by it: no
    /// certificate, or one from another CA, gets no acknowledgement. HTTP does not ask for one.
    @Test(.timeLimit(.minutes(6))) func mllpSendersAuthenticateWithClientCertificates() async throws {
        let pki = try TestPKI()
        let stranger = try TestPKI(name: "another CA")
        var configuration = ServerConfiguration()
        configuration.tls = try pki.serverFiles(mllpClientCA: try pki.caFile())
        let adt = try sample("adt-a01-basic.hl7")
        let sender = try pki.issue("lab-sender", server: false).clientConfiguration(trusting: pki.caPEM)
        let impostor = try stranger.issue("lab-sender", server: false).clientConfiguration(trusting: pki.caPEM)
        try await withServer(configuration) { running in
            let port = try #require(running.mllpPort)
            try await MLLPTestClient.withConnection(port: port, tls: sender) { session in
                let codes = try await session.exchange([adt]).map { ParsedAck($0).code }
                #expect(codes == ["AA"])
            }
            for client in [try pki.anonymousClient(), impostor] {
                let acks = try? await MLLPTestClient.withConnection(port: port, tls: client) { session in
                    try await session.exchange([adt]).count
                }
                #expect(acks == nil || acks == 0)
            }
            try await TestClient.withClient(
                host: "127.0.0.1", port: running.httpPort,
                configuration: .init(tlsConfiguration: try pki.anonymousClient(), serverName: "localhost")
            ) { client in
                let response = try await client.execute(.init("/health", method: .get, authority: "127.0.0.1"))
                #expect(response.status == .ok)
            }
            #expect(
                running.server.metrics.value("fhirbridge_messages_converted_total", labels: ["transport": "mllp"]) == 1)
        }
    }

    @Test func aClientCAFileThatCannotBeReadStopsTheServerFromStarting() throws {
        let pki = try TestPKI()
        let files = try pki.serverFiles(mllpClientCA: pki.folder.appendingPathComponent("missing.pem").path)
        #expect(throws: ServerSetupError.self) { try ServerTLS.context(files, clientCA: files.mllpClientCAPath) }
    }
}
