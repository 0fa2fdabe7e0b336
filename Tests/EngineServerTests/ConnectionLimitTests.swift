import EngineServer
import Foundation
import HummingbirdTesting
import MLLP
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@testable import EngineServer

/// Hostile clients on loopback: connections held open without a request, heads and frames sent a
/// byte at a time, connections left idle. The server stays up, keeps its caps and serves others.
@Suite(.serialized) struct ConnectionLimitTests {
    /// A client holding 1,000 connections to each listener, sending nothing, locks nobody out:
    /// over each cap, the connection that has waited longest gives way to the new one. The test
    /// process holds both ends (about 2,500 descriptors), so it raises its soft limit on open files
    /// to the hard limit first, as `serve` does.
    @Test(.timeLimit(.minutes(6))) func aThousandIdleConnectionsLockNobodyOut() async throws {
        let files = OpenFileLimit.raise()
        try #require(files >= 2_700, "the hard limit on open files (\(files)) is too low for this test")
        let adt = try sample("adt-a01-basic.hl7")
        try await withServer(ServerConfiguration(), logs: LogCapture()) { running in
            let mllpPort = try #require(running.mllpPort)
            let held =
                try await RawConnections.open(1_000, to: running.httpPort)
                + RawConnections.open(1_000, to: mllpPort)
            defer { RawConnections.close(held) }
            let metrics = running.server.metrics
            #expect(metrics.value("fhirbridge_connections_open", labels: ["listener": "http"]) <= 256)
            #expect(metrics.value("fhirbridge_connections_open", labels: ["listener": "mllp"]) <= 256)

            let start = ContinuousClock.now
            try await TestClient.withClient(host: "127.0.0.1", port: running.httpPort) { client in
                let health = try await client.execute(.init("/health", method: .get, authority: "127.0.0.1"))
                #expect(health.status == .ok)
            }
            try await MLLPTestClient.withConnection(port: mllpPort) { session in
                let codes = try await session.exchange([adt]).map { ParsedAck($0).code }
                #expect(codes == ["AA"])
            }
            #expect(ContinuousClock.now - start < .seconds(20))
            #expect(
                metrics.value("fhirbridge_connections_closed_total", labels: ["listener": "mllp", "reason": "cap"]) > 0)
            #expect(
                metrics.value("fhirbridge_connections_closed_total", labels: ["listener": "http", "reason": "cap"]) > 0)
        }
    }

    /// Over a small cap, the server still answers, and the connection that waited longest is the one
    /// closed (today's listener crashed here, turning a connection away).
    @Test(.timeLimit(.minutes(6))) func overTheCapTheLongestWaitingConnectionGivesWay() async throws {
        var configuration = ServerConfiguration()
        configuration.maxMLLPConnections = 3
        configuration.maxHTTPConnections = 3
        let adt = try sample("adt-a01-basic.hl7")
        try await withServer(configuration, logs: LogCapture()) { running in
            let port = try #require(running.mllpPort)
            let oldest = try await RawConnection.open(port: port)
            let others = try await RawConnections.open(40, to: port)
            defer { RawConnections.close(others) }
            #expect(try await oldest.closedByServer(within: .seconds(10)))
            for _ in 0..<3 {
                try await MLLPTestClient.withConnection(port: port) { session in
                    let codes = try await session.exchange([adt]).map { ParsedAck($0).code }
                    #expect(codes == ["AA"])
                }
            }
            try await TestClient.withClient(host: "127.0.0.1", port: running.httpPort) { client in
                let response = try await client.execute(.init("/health", method: .get, authority: "127.0.0.1"))
                #expect(response.status == .ok)
            }
        }
    }

    /// A head or frame sent a byte at a time is cut off at its deadline, however steadily the bytes
    /// come; connections that send nothing are closed at the idle deadline; junk between frames is no
    /// progress.
    @Test(.timeLimit(.minutes(6))) func slowHeadsSlowFramesAndIdleConnectionsAreClosed() async throws {
        var configuration = ServerConfiguration()
        configuration.httpTimeouts = .init(header: .seconds(1), read: .seconds(1), idle: .seconds(2))
        configuration.mllpTimeouts = .init(read: .seconds(1), idle: .seconds(2))
        try await withServer(configuration, logs: LogCapture()) { running in
            let mllpPort = try #require(running.mllpPort)
            // HTTP: a head trickled a byte every 200 ms (it would take 8 s)
            var slowHead = try await RawConnection.open(port: running.httpPort)
            let head = Array("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            let trickled = try await slowHead.trickle(head, every: .milliseconds(200))
            #expect(trickled < head.count, "closed before the head was complete")
            // HTTP: a complete request, then nothing: closed at the idle deadline
            var idle = try await RawConnection.open(port: running.httpPort)
            try await idle.send(head)
            #expect(try await idle.readsResponseThenClosed(within: .seconds(6)))
            // MLLP: a frame trickled a byte every 200 ms
            var slowFrame = try await RawConnection.open(port: mllpPort)
            let frame = MLLPFraming.frame(try sample("adt-a01-basic.hl7"))
            #expect(try await slowFrame.trickle(Array(frame.prefix(40)), every: .milliseconds(200)) < 40)
            // MLLP: junk without a start byte, a byte every 500 ms, is not progress: closed when idle
            var junk = try await RawConnection.open(port: mllpPort)
            #expect(try await junk.trickle(Array(repeating: 0x0A, count: 20), every: .milliseconds(500)) < 20)
            let metrics = running.server.metrics
            #expect(
                metrics.value(
                    "fhirbridge_connections_closed_total", labels: ["listener": "http", "reason": "headerTimeout"])
                    >= 1)
            #expect(
                metrics.value(
                    "fhirbridge_connections_closed_total", labels: ["listener": "http", "reason": "idleTimeout"])
                    >= 1)
            #expect(
                metrics.value(
                    "fhirbridge_connections_closed_total", labels: ["listener": "mllp", "reason": "readTimeout"])
                    >= 1)
            #expect(
                metrics.value(
                    "fhirbridge_connections_closed_total", labels: ["listener": "mllp", "reason": "idleTimeout"])
                    >= 1)
        }
    }

    /// The guard's choice, on embedded channels: the waiting connection that made no progress for
    /// the longest gives way first, then a reading one; busy ones never; when all are busy the new
    /// connection is closed.
    @Test func theGuardClosesTheLongestWaitingConnectionAndNeverABusyOne() throws {
        let guarded = ConnectionGuard(listener: "test", maxConnections: 3, metrics: ServerMetrics())
        func channel() throws -> EmbeddedChannel {
            let channel = EmbeddedChannel()
            try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            return channel
        }
        let (a, b, c) = (try channel(), try channel(), try channel())
        for item in [a, b, c] { #expect(guarded.admit(item) == .admitted) }
        guarded.enter(.reading, a)
        guarded.enter(.busy, b)
        let d = try channel()
        #expect(guarded.admit(d) == .admittedClosingAnother)
        #expect(!c.isActive, "the waiting connection went first")
        #expect(a.isActive && b.isActive && d.isActive)
        let e = try channel()
        #expect(guarded.admit(e) == .admittedClosingAnother)
        #expect(!d.isActive, "then the other waiting one")
        guarded.enter(.busy, e)
        let f = try channel()
        #expect(guarded.admit(f) == .admittedClosingAnother)
        #expect(!a.isActive, "then a reading one")
        guarded.enter(.busy, f)
        let g = try channel()
        #expect(guarded.admit(g) == .refused)
        #expect(!g.isActive && b.isActive && e.isActive && f.isActive, "busy connections stay")
        #expect(guarded.count == 3)
    }
}

/// Plain TCP connections to 127.0.0.1 that send what a test says and notice when the server closes.
struct RawConnection {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator

    static func open(port: Int) async throws -> RawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawConnection(channel: channel, iterator: channel.inbound.makeAsyncIterator())
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Sends `bytes` one at a time; returns how many were sent before the server closed.
    mutating func trickle(_ bytes: [UInt8], every interval: Duration) async throws -> Int {
        for (index, byte) in bytes.enumerated() {
            if !channel.channel.isActive { return index }
            do {
                try await channel.outbound.write(ByteBuffer(bytes: [byte]))
            } catch {
                return index
            }
            try await Task.sleep(for: interval)
        }
        return bytes.count
    }

    /// Whether the server closes the connection within `limit`.
    func closedByServer(within limit: Duration) async throws -> Bool {
        let closeFuture = channel.channel.closeFuture
        let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await closeFuture.get()
                return true
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        return closed
    }

    /// Whether a response arrives and the server then closes the connection within `limit`.
    mutating func readsResponseThenClosed(within limit: Duration) async throws -> Bool {
        guard let first = try await iterator.next(), first.readableBytes > 0 else { return false }
        return try await closedByServer(within: limit)
    }
}

/// Many plain connections held open, sending nothing.
enum RawConnections {
    static func open(_ count: Int, to port: Int) async throws -> [any Channel] {
        var channels: [any Channel] = []
        for start in stride(from: 0, to: count, by: 100) {
            let batch = (start..<min(start + 100, count)).map { _ in
                ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port)
            }
            for future in batch { channels.append(try await future.get()) }
        }
        return channels
    }

    static func close(_ channels: [any Channel]) {
        for channel in channels { channel.close(promise: nil) }
    }
}
