import EngineServer
import FHIRR4
import Foundation
import HummingbirdTesting
import MLLP
import NIOCore
import NIOSSL
import PHISafety
import Pipeline
import Testing

/// Real sockets on 127.0.0.1 with ephemeral ports (never any other address).
///
/// The server tests' time limits (6 minutes) bound a hang, not the work (each takes seconds alone): in
/// the full parallel run on a 2-core machine they wait behind the CLI tests, which block threads of the
/// shared pool on their subprocesses.
@Suite(.serialized) struct LoopbackTests {
    @Test(.timeLimit(.minutes(6))) func mllpAcknowledgesAndWritesBundlesAtomically() async throws {
        let out = try temporaryFolder("out")
        defer { try? FileManager.default.removeItem(at: out) }
        var configuration = ServerConfiguration()
        configuration.outputDirectory = out
        let adt = try sample("adt-a01-basic.hl7")
        let oru = try sample("oru-r01-lab.hl7")
        let logs = LogCapture()
        try await withServer(configuration, logs: logs) { running in
            let port = try #require(running.mllpPort)
            try await MLLPTestClient.withConnection(port: port) { session in
                // Junk before the first frame, then one message written a byte at a time.
                let first = try await session.exchange([adt], chunkSize: 1, rawPrefix: Array("\r\n junk \n".utf8))
                #expect(first.count == 1)
                #expect(ParsedAck(first[0]).code == "AA")
                #expect(ParsedAck(first[0]).controlID == "SAMPLE-ADT-0001")
                #expect(
                    ParsedAck(first[0]).segments[0].hasPrefix(
                        "MSH|^~\\&|RECV|RECV_FAC|SAMPLE_APP|SAMPLE_FAC^2.16.840.1.113883.19.5^ISO|"))
                #expect(ParsedAck(first[0]).segments[0].contains("|ACK^A01^ACK|"))
                let more = try await session.exchange([oru, adt], chunkSize: 7)
                #expect(more.map { ParsedAck($0).code } == ["AA", "AA"])
            }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(files.count == 2)  // the resent ADT overwrote its own file
        #expect(files.allSatisfy { $0.hasSuffix(".json") })
        let adtFile = try #require(files.first { $0.hasPrefix("SAMPLE-ADT-0001-") })
        let bundle = try JSONReader.parse(Array(try Data(contentsOf: out.appendingPathComponent(adtFile))))
        #expect(bundle["resourceType"]?.stringValue == "Bundle")
        #expect(logs.all.contains { $0.contains("mllp.listening") })
    }

    @Test(.timeLimit(.minutes(6))) func mllpBundlesAreSealedWhenAKeyIsSet() async throws {
        let out = try temporaryFolder("out-sealed")
        defer { try? FileManager.default.removeItem(at: out) }
        var configuration = ServerConfiguration()
        configuration.outputDirectory = out
        let key = try DataKey(bytes: Array(repeating: 7, count: 32))
        configuration.sealingKey = key
        let adt = try sample("adt-a01-basic.hl7")
        try await withServer(configuration, logs: LogCapture()) { running in
            let port = try #require(running.mllpPort)
            try await MLLPTestClient.withConnection(port: port) { session in
                let acks = try await session.exchange([adt])
                #expect(acks.map { ParsedAck($0).code } == ["AA"])
            }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(files.count == 1)
        let file = try #require(files.first)
        #expect(file.hasSuffix(".json.enc"))
        let sealed = Array(try Data(contentsOf: out.appendingPathComponent(file)))
        // no plaintext on disk: the bundle JSON cannot be read from the file
        #expect(!String(decoding: sealed, as: UTF8.self).contains("Bundle"))
        let bundle = try JSONReader.parse(try SealedFile.open(sealed, key: key))
        #expect(bundle["resourceType"]?.stringValue == "Bundle")
    }

    @Test(.timeLimit(.minutes(6))) func mllpRejectsAndErrorsWithPositionsOnly() async throws {
        let out = try temporaryFolder("out-broken")
        defer { try? FileManager.default.removeItem(at: out) }
        var configuration = ServerConfiguration()
        configuration.outputDirectory = out
        configuration.maxBodyBytes = 8_192
        let logs = LogCapture()
        try await withServer(configuration, logs: logs) { running in
            let port = try #require(running.mllpPort)
            try await MLLPTestClient.withConnection(port: port) { session in
                let unsupported = try await session.exchange([sentinelMessage(controlID: "U-1", type: "ZZZ^Z99")])
                let ack = ParsedAck(unsupported[0])
                #expect(ack.code == "AR")
                #expect(ack.controlID == "U-1")
                #expect(
                    ack.errors == [
                        "ERR||MSH^1^9^1|200^Unsupported message type^HL70357|E|unsupportedMessageType|||unsupportedMessageType at message 1 MSH[1]-9"
                    ])

                let structure = try await session.exchange([sentinelMessage(controlID: "S-1", segmentID: "P1d")])
                #expect(ParsedAck(structure[0]).code == "AR")
                #expect(ParsedAck(structure[0]).controlID == "S-1")
                #expect(
                    ParsedAck(structure[0]).errors.first?.hasPrefix(
                        "ERR|||100^Segment sequence error^HL70357|E|invalidSegmentID|||invalidSegmentID at message 1 segment 3"
                    ) == true)

                var big = sentinelMessage(controlID: "BIG-1")
                big += Array("NTE|1||".utf8) + [UInt8](repeating: UInt8(ascii: "Z"), count: 20_000) + [0x0D]
                let oversized = try await session.exchange([big], chunkSize: 1_000)
                #expect(ParsedAck(oversized[0]).code == "AR")
                #expect(ParsedAck(oversized[0]).controlID == "BIG-1")
                #expect(ParsedAck(oversized[0]).errors.first?.contains("|frameTooLarge|") == true)

                // The output folder is gone (a file took its place): the message cannot be stored.
                try FileManager.default.removeItem(at: out)
                try Data("not a folder".utf8).write(to: out)
                let unwritable = try await session.exchange([sentinelMessage(controlID: "W-1")])
                #expect(ParsedAck(unwritable[0]).code == "AE")
                #expect(
                    ParsedAck(unwritable[0]).errors.first?.contains(
                        "|207^Application internal error^HL70357|E|outputWriteFailed|") == true)

                for reply in unsupported + structure + oversized + unwritable {
                    #expect(!String(decoding: reply, as: UTF8.self).contains("ZZSENTINEL"))
                }
            }
            let metrics = running.server.metrics
            #expect(metrics.value("fhirbridge_mllp_acks_total", labels: ["code": "AR"]) == 3)
            #expect(metrics.value("fhirbridge_mllp_acks_total", labels: ["code": "AE"]) == 1)
        }
        #expect(!logs.all.isEmpty)
        #expect(!logs.all.contains { $0.contains("ZZSENTINEL") })
        // control ids are logged as digests (they are source data): the first 16 hex digits of SHA-256
        let controlDigest = String(sha256Hex(Array("U-1".utf8)).prefix(16))
        #expect(logs.all.contains { $0.contains(controlDigest) && $0.contains("AR") })
    }

    @Test(.timeLimit(.minutes(6))) func httpOverLoopback() async throws {
        var configuration = ServerConfiguration(mllpPort: nil)
        configuration.maxBodyBytes = 64 * 1024
        let body = try sample("vxu-v04-immunization.hl7")
        try await withServer(configuration) { running in
            try await TestClient.withClient(host: "127.0.0.1", port: running.httpPort) { client in
                let ok = try await client.execute(
                    .init("/convert?format=hl7v2", method: .post, authority: "127.0.0.1", body: ByteBuffer(bytes: body))
                )
                #expect(ok.status == .ok)
                #expect(
                    try JSONReader.parse(Array(ok.body!.readableBytesView))["resourceType"]?.stringValue == "Bundle")
                let big = try await client.execute(
                    .init(
                        "/convert", method: .post, authority: "127.0.0.1",
                        body: ByteBuffer(repeating: 0x41, count: 100_000)))
                #expect(big.status == .contentTooLarge)
            }
            // The connection of a refused body may be closed: use a fresh one.
            try await TestClient.withClient(host: "127.0.0.1", port: running.httpPort) { client in
                let health = try await client.execute(.init("/health", method: .get, authority: "127.0.0.1"))
                #expect(health.status == .ok)
            }
        }
    }

    @Test(.timeLimit(.minutes(6))) func tlsForHTTPAndMLLP() async throws {
        var configuration = ServerConfiguration()
        configuration.tls = try TestTLS.files()
        let tls = try TestTLS.clientConfiguration()
        let adt = try sample("adt-a01-basic.hl7")
        try await withServer(configuration) { running in
            let port = try #require(running.mllpPort)
            try await MLLPTestClient.withConnection(port: port, tls: tls) { session in
                let acks = try await session.exchange([adt], chunkSize: 100)
                #expect(acks.map { ParsedAck($0).code } == ["AA"])
            }
            // Plain MLLP on the TLS port gets no acknowledgement.
            let plain: Int? =
                (try? await MLLPTestClient.withConnection(port: port) { session in
                    try? await session.exchange([adt]).count
                }) ?? nil
            #expect(plain == nil || plain == 0)
            try await TestClient.withClient(
                host: "127.0.0.1", port: running.httpPort,
                configuration: .init(tlsConfiguration: tls, serverName: "localhost")
            ) { client in
                let response = try await client.execute(
                    .init("/convert", method: .post, authority: "127.0.0.1", body: ByteBuffer(bytes: adt)))
                #expect(response.status == .ok)
            }
        }
    }

    @Test(.timeLimit(.minutes(6))) func gracefulShutdownClosesIdleConnectionsAndStops() async throws {
        let adt = try sample("adt-a01-basic.hl7")
        try await withServer { running in
            let port = try #require(running.mllpPort)
            try await MLLPTestClient.withConnection(port: port) { session in
                let acks = try await session.exchange([adt])
                #expect(acks.map { ParsedAck($0).code } == ["AA"])
                await running.serviceGroup.triggerGracefulShutdown()
                let closed = try await session.closedByServer()
                #expect(closed)
            }
        }
    }

    /// 2,000 MLLP messages over 4 connections and 500 HTTP requests over 4 connections, on loopback.
    @Test(.timeLimit(.minutes(5))) func loadOverLoopback() async throws {
        var generator = SyntheticMessages(seed: 42)
        let messages = (0..<2_000).map { generator.next(index: $0) }
        let logs = LogCapture()
        var configuration = ServerConfiguration()
        configuration.maxConcurrentConversions = 2
        try await withServer(configuration, logs: logs) { running in
            let port = try #require(running.mllpPort)
            let mllpStart = ContinuousClock.now
            let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
                for connection in 0..<4 {
                    group.addTask {
                        let mine = Array(stride(from: connection, to: messages.count, by: 4))
                        return try await MLLPTestClient.withConnection(port: port) { session in
                            var accepted = 0
                            for batch in stride(from: 0, to: mine.count, by: 25) {
                                let indices = Array(mine[batch..<min(batch + 25, mine.count)])
                                let acks = try await session.exchange(indices.map { messages[$0] })
                                for (index, ack) in zip(indices, acks) {
                                    let parsed = ParsedAck(ack)
                                    if parsed.code == "AA" && parsed.controlID == "MSG\(index)" { accepted += 1 }
                                }
                            }
                            return accepted
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            let mllpSeconds = (ContinuousClock.now - mllpStart).seconds
            #expect(accepted == 2_000)

            let http = messages.prefix(500)
            let httpStart = ContinuousClock.now
            let ok = try await withThrowingTaskGroup(of: Int.self) { group in
                for connection in 0..<4 {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: running.httpPort) { client in
                            var ok = 0
                            for index in stride(from: connection, to: http.count, by: 4) {
                                let response = try await client.execute(
                                    .init(
                                        "/convert", method: .post, authority: "127.0.0.1",
                                        body: ByteBuffer(bytes: http[index])))
                                if response.status == .ok { ok += 1 }
                            }
                            return ok
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            let httpSeconds = (ContinuousClock.now - httpStart).seconds
            #expect(ok == 500)
            #expect(mllpSeconds < 120)
            #expect(httpSeconds < 120)
            let metrics = running.server.metrics
            #expect(metrics.value("fhirbridge_messages_converted_total", labels: ["transport": "mllp"]) == 2_000)
            #expect(metrics.value("fhirbridge_messages_converted_total", labels: ["transport": "http"]) == 500)
            print(
                "load: MLLP 2000 messages / 4 connections in \(format(mllpSeconds)) s = \(format(2_000 / mllpSeconds)) msg/s; "
                    + "HTTP 500 requests / 4 connections in \(format(httpSeconds)) s = \(format(500 / httpSeconds)) req/s; "
                    + "peak RSS \(peakResidentMegabytes()) MB")
        }
        #expect(!logs.all.contains { $0.contains("Testpatient") || $0.contains("Main St") })
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func format(_ value: Double) -> String { String(format: "%.1f", value) }

/// VmHWM from /proc/self/status (Linux), in MB; 0 elsewhere.
func peakResidentMegabytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    return kilobytes / 1024
}
