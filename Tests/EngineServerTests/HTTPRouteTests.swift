import FHIRR4
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import EngineServer

/// Runs the HTTP application in-process (`app.test(.router)`), then stops the conversion threads.
func withRouter<T: Sendable>(
    _ configuration: ServerConfiguration = ServerConfiguration(mllpPort: nil), logs: LogCapture = LogCapture(),
    _ body: @Sendable (any TestClientProtocol) async throws -> T
) async throws -> T {
    let server = try BridgeServer(engine: TestEngine.shared, configuration: configuration, logger: logs.logger())
    do {
        let value = try await server.application().test(.router, body)
        try await server.conversions.shutdown()
        return value
    } catch {
        try? await server.conversions.shutdown()
        throw error
    }
}

func json(_ body: ByteBuffer) throws -> JSON {
    try JSONReader.parse(Array(body.readableBytesView))
}

/// The issues of an OperationOutcome body: (code, diagnostics, location).
func issues(_ body: ByteBuffer) throws -> [(code: String, kind: String, location: String?)] {
    let outcome = try json(body)
    #expect(outcome["resourceType"]?.stringValue == "OperationOutcome")
    return (outcome["issue"]?.arrayValue ?? []).map {
        ($0["code"]?.stringValue ?? "", $0["diagnostics"]?.stringValue ?? "", $0["location"]?[0]?.stringValue)
    }
}

extension JSON {
    subscript(index: Int) -> JSON? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}

@Suite struct HTTPRouteTests {
    @Test func convertReturnsABundle() async throws {
        let body = try sample("adt-a01-basic.hl7")
        try await withRouter { client in
            do {
                let response = try await client.execute(uri: "/convert", method: .post, body: ByteBuffer(bytes: body))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/fhir+json; charset=utf-8")
                let bundle = try json(response.body)
                #expect(bundle["resourceType"]?.stringValue == "Bundle")
                #expect((bundle["entry"]?.arrayValue?.count ?? 0) > 3)
                #expect(response.headers[HTTPField.Name("FHIRBridge-Units")!] == "1")
            }
        }
    }

    @Test func batchBecomesOneBundleAndContentTypeNamesTheFormat() async throws {
        let body = try sample("batch-fhs-three-messages.hl7")
        try await withRouter { client in
            let response = try await client.execute(
                uri: "/convert", method: .post, headers: [.contentType: "x-application/hl7-v2+er7"],
                body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
            #expect(response.headers[HTTPField.Name("FHIRBridge-Units")!] == "3")
        }
    }

    @Test func tokenFileIsReadTrimmedAndChecked() throws {
        let folder = try temporaryFolder("token")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("good")
        try Data("  0123456789abcdef-token  \nsecond line\n".utf8).write(to: good)
        #expect(try ServerConfiguration.readToken(fromFile: good.path) == "0123456789abcdef-token")
        let short = folder.appendingPathComponent("short")
        try Data("abc\n".utf8).write(to: short)
        #expect(throws: ServerSetupError.self) { try ServerConfiguration.readToken(fromFile: short.path) }
        #expect(throws: ServerSetupError.self) {
            try ServerConfiguration.readToken(fromFile: folder.appendingPathComponent("missing").path)
        }
    }

    @Test func formatParameterIsHonouredAndChecked() async throws {
        let body = try sample("oru-r01-lab.hl7")
        try await withRouter { client in
            #expect(
                try await client.execute(uri: "/convert?format=hl7v2", method: .post, body: ByteBuffer(bytes: body))
                    .status == .ok)
            do {
                let response = try await client.execute(
                    uri: "/convert?format=pdf", method: .post, body: ByteBuffer(bytes: body))
                #expect(response.status == .badRequest)
                #expect(try issues(response.body).map(\.kind) == ["unknownFormatParameter"])
                #expect(try issues(response.body).map(\.code) == ["invalid"])
            }
        }
    }

    @Test func emptyBodyIsABadRequest() async throws {
        try await withRouter { client in
            do {
                let response = try await client.execute(uri: "/convert", method: .post, body: ByteBuffer())
                #expect(response.status == .badRequest)
                #expect(try issues(response.body).map(\.kind) == ["emptyBody"])
            }
        }
    }

    @Test func unrecognisedContentIsUnsupported() async throws {
        try await withRouter { client in
            do {
                let response = try await client.execute(
                    uri: "/convert", method: .post, body: ByteBuffer(string: "%PDF-1.7 binary stuff")
                )
                #expect(response.status == .unsupportedMediaType)
                #expect(response.headers[.contentType] == "application/fhir+json; charset=utf-8")
                #expect(try issues(response.body).map(\.code) == ["not-supported"])
            }
        }
    }

    @Test func badDataIs422WithPositionsAndNoPatientData() async throws {
        let logs = LogCapture()
        let broken = sentinelMessage(controlID: "BAD-1", segmentID: "P1d")
        let unsupported = sentinelMessage(controlID: "BAD-2", type: "ZZZ^Z99")
        try await withRouter(logs: logs) { client in
            do {
                let response = try await client.execute(
                    uri: "/convert", method: .post, body: ByteBuffer(bytes: broken + unsupported))
                #expect(response.status == .unprocessableContent)
                let found = try issues(response.body)
                #expect(found.map(\.kind) == ["invalidSegmentID", "unsupportedMessageType"])
                #expect(found.map(\.code) == ["structure", "not-supported"])
                #expect(found[0].location == "message 1 segment 3")
                #expect(found[1].location == "message 2 MSH[1]-9")
                #expect(!String(buffer: response.body).contains("ZZSENTINEL"))
            }
        }
        #expect(!logs.all.isEmpty)
        #expect(!logs.all.contains { $0.contains("ZZSENTINEL") })
    }

    @Test func bodyOverTheLimitIs413() async throws {
        var configuration = ServerConfiguration(mllpPort: nil)
        configuration.maxBodyBytes = 2_048
        let body = try sample("oru-r01-lab.hl7") + [UInt8](repeating: 0x0D, count: 4_096)
        try await withRouter(configuration) { client in
            do {
                let response = try await client.execute(uri: "/convert", method: .post, body: ByteBuffer(bytes: body))
                #expect(response.status == .contentTooLarge)
                #expect(try issues(response.body).map(\.code) == ["too-costly"])
            }
        }
    }

    @Test func bearerTokenGuardsConvertAndMetricsButNotHealth() async throws {
        var configuration = ServerConfiguration(mllpPort: nil)
        configuration.bearerToken = "s3cret-token-for-tests-only"
        let logs = LogCapture()
        let body = try sample("adt-a01-basic.hl7")
        try await withRouter(configuration, logs: logs) { client in
            do {
                let response = try await client.execute(uri: "/convert", method: .post, body: ByteBuffer(bytes: body))
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                #expect(try issues(response.body).map(\.code) == ["security"])
                #expect(try issues(response.body).map(\.kind) == ["missingBearerToken"])
            }
            for wrong in ["Bearer s3cret-token-for-tests-onlz", "Bearer s3cret", "Basic czNjcmV0", "Bearer "] {
                #expect(
                    try await client.execute(
                        uri: "/convert", method: .post, headers: [.authorization: wrong], body: ByteBuffer(bytes: body)
                    ).status == .unauthorized)
            }
            #expect(
                try await client.execute(
                    uri: "/convert", method: .post, headers: [.authorization: "Bearer s3cret-token-for-tests-only"],
                    body: ByteBuffer(bytes: body)
                ).status == .ok)
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
        #expect(!logs.all.contains { $0.contains("s3cret") })
    }

    @Test func constantTimeComparisonIsCorrect() {
        func equal(_ a: String, _ b: String) -> Bool {
            BearerAuthMiddleware<BasicRequestContext>.constantTimeEquals(Array(a.utf8), Array(b.utf8))
        }
        #expect(equal("abcdef", "abcdef"))
        #expect(!equal("abcdeg", "abcdef"))
        #expect(!equal("abcde", "abcdef"))
        #expect(!equal("abcdefg", "abcdef"))
        #expect(!equal("", "abcdef"))
    }

    @Test func healthAndMetricsAnswer() async throws {
        let body = try sample("adt-a01-basic.hl7")
        try await withRouter { client in
            do {
                let response = try await client.execute(uri: "/health", method: .get)
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"pass"}"#)
            }
            _ = try await client.execute(uri: "/convert", method: .post, body: ByteBuffer(bytes: body))
            _ = try await client.execute(
                uri: "/convert", method: .post, body: ByteBuffer(bytes: sentinelMessage(type: "ZZZ^Z99")))
            do {
                let response = try await client.execute(uri: "/nowhere", method: .get)
                #expect(response.status == .notFound)
                #expect(try issues(response.body).map(\.code) == ["not-found"])
            }
            do {
                let response = try await client.execute(uri: "/metrics", method: .get)
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE fhirbridge_http_requests_total counter"))
                #expect(text.contains(#"fhirbridge_http_requests_total{route="/convert"} 2"#))
                #expect(text.contains(#"fhirbridge_http_responses_total{status="200"}"#))
                #expect(text.contains(#"fhirbridge_http_responses_total{status="422"} 1"#))
                #expect(text.contains(#"fhirbridge_http_responses_total{status="404"} 1"#))
                #expect(text.contains(#"fhirbridge_messages_converted_total{transport="http"} 1"#))
                #expect(
                    text.contains(
                        #"fhirbridge_messages_failed_total{transport="http",kind="unsupportedMessageType"} 1"#))
                #expect(
                    text.contains(
                        #"fhirbridge_bytes_received_total{transport="http"} \#(body.count + sentinelMessage(type: "ZZZ^Z99").count)"#
                    ))
            }
        }
    }
}

@Suite struct ConversionLimiterTests {
    @Test func limitsConcurrencyAndRefusesWhenTheQueueIsFull() async throws {
        let limiter = ConversionLimiter(permits: 2, maxWaiting: 1)
        let peak = Peak()
        let gate = Gate()
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    try await limiter.withPermit(boundedQueue: true) {
                        await peak.enter()
                        await gate.wait()
                        await peak.leave()
                        return "ran"
                    }
                }
            }
            while true {
                let waiting = await limiter.waitingCount
                let running = await limiter.runningCount
                if waiting >= 1 && running >= 2 { break }
                try await Task.sleep(for: .milliseconds(1))
            }
            // Two running, one waiting: the next one is refused.
            await #expect(throws: ConversionLimiter.Failure.overloaded) {
                try await limiter.withPermit(boundedQueue: true) { "refused" }
            }
            await gate.open()
            var results: [String] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(results == ["ran", "ran", "ran"])
        #expect(await peak.maximum == 2)
        #expect(await limiter.runningCount == 0)
    }

    actor Gate {
        var opened = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        func wait() async {
            if opened { return }
            await withCheckedContinuation { waiters.append($0) }
        }
        func open() {
            opened = true
            for waiter in waiters { waiter.resume() }
            waiters = []
        }
    }

    actor Peak {
        var current = 0
        var maximum = 0
        func enter() {
            current += 1
            maximum = max(maximum, current)
        }
        func leave() { current -= 1 }
    }
}
