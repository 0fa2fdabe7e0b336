import Crypto
import EngineServer
import Foundation
import NIOSSL
import SwiftASN1
import X509
import _CryptoExtras

/// Certificates made for one test run: a CA, server certificates for `localhost` and 127.0.0.1
/// (ECDSA P-256, or RSA for cipher-suite tests) and client certificates, all issued by the CA, as
/// PEM. Nothing is kept between runs.
struct TestPKI {
    let ca: Certificate
    let caKey: Certificate.PrivateKey
    let folder: URL

    /// A key pair and its certificate, as PEM.
    struct Identity {
        var certificatePEM: String
        var keyPEM: String

        /// The client configuration that presents this identity and trusts `trusting`.
        func clientConfiguration(trusting authority: String) throws -> TLSConfiguration {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(authority.utf8)))
            configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map {
                .certificate($0)
            }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
            return configuration
        }
    }

    init(name: String = "fhirbridge test CA") throws {
        let key = P256.Signing.PrivateKey()
        caKey = Certificate.PrivateKey(key)
        let subject = try DistinguishedName { CommonName(name) }
        ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: caKey.publicKey,
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86_400),
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: caKey)
        folder = try temporaryFolder("pki")
    }

    var caPEM: String { (try? ca.serializeAsPEM().pemString) ?? "" }

    /// Writes the CA certificate and returns its path.
    func caFile() throws -> String {
        let url = folder.appendingPathComponent("ca-\(UUID().uuidString).pem")
        try Data(caPEM.utf8).write(to: url)
        return url.path
    }

    /// A certificate issued by the CA for `localhost` and 127.0.0.1 (server) or for a sender (client).
    func issue(_ commonName: String, server: Bool, rsa: Bool = false) throws -> Identity {
        let key: Certificate.PrivateKey
        let keyPEM: String
        if rsa {
            let rsaKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            key = Certificate.PrivateKey(rsaKey)
            keyPEM = rsaKey.pemRepresentation
        } else {
            let p256 = P256.Signing.PrivateKey()
            key = Certificate.PrivateKey(p256)
            keyPEM = p256.pemRepresentation
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: Date().addingTimeInterval(-3600), notValidAfter: Date().addingTimeInterval(86_400),
            issuer: ca.subject, subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: rsa))
                try ExtendedKeyUsage([server ? .serverAuth : .clientAuth])
                if server {
                    SubjectAlternativeNames([
                        .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    ])
                }
            },
            issuerPrivateKey: caKey)
        return Identity(certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: keyPEM)
    }

    /// A server identity written to files, as `ServerConfiguration.tls` takes it.
    func serverFiles(rsa: Bool = false, mllpClientCA: String? = nil) throws -> ServerConfiguration.TLSFiles {
        let identity = try issue("localhost", server: true, rsa: rsa)
        let cert = folder.appendingPathComponent("server-\(UUID().uuidString).pem")
        let key = folder.appendingPathComponent("server-key-\(UUID().uuidString).pem")
        try Data(identity.certificatePEM.utf8).write(to: cert)
        try Data(identity.keyPEM.utf8).write(to: key)
        return .init(certificateChainPath: cert.path, privateKeyPath: key.path, mllpClientCAPath: mllpClientCA)
    }

    /// A client configuration that trusts this CA and presents no certificate.
    func anonymousClient() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        return configuration
    }
}
