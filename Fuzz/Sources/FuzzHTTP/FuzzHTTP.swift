// libFuzzer target: the HTTP API of `fhirbridge serve`, in-process (no socket).
//
// The responder is the one `BridgeServer.application()` serves (router, RequestAccountingMiddleware,
// BearerAuthMiddleware, the routes of HTTPRoutes), built once per process for two configurations:
// without a token, and with the token `fuzzTokenValue`. Each input is a request:
//
//     byte 0      bit 0: the configuration with the token; bit 1: add Content-Length when the input
//                 has none; bits 2-7: the body arrives in chunks of 1 + 37 × (bits 2-7) bytes
//     then text   METHOD SP TARGET LF (NAME: VALUE LF)* LF BODY
//
// Invariants: the responder never throws and never crashes; every status is a documented one;
// every error (4xx, 5xx) is an OperationOutcome in `application/fhir+json` with at least one issue,
// 401 carries `WWW-Authenticate: Bearer` and 503 `Retry-After`; a 200 from `/convert` is a Bundle;
// with the token configured, only a request that carries it gets a 200 other than `/health`; and
// `ZZSENTINEL` anywhere in the request appears in no response header and in no body other than a
// converted Bundle's.
import EngineServer
import FHIRR4
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import Pipeline

/// The repository root: FHIRBRIDGE_HOME, else three folders above Fuzz/Sources/<target>/.
let home: URL = {
    if let path = ProcessInfo.processInfo.environment["FHIRBRIDGE_HOME"] { return URL(fileURLWithPath: path) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}()

/// The bearer token of the guarded configuration (seeds carry it, so the fuzzer gets past the check).
let fuzzTokenValue = "fuzz-token-0123456789abcdef"
/// Small, so that 413 is reachable with the fuzzer's input sizes.
let maxBodyBytes = 2048
/// The statuses HTTPRoutes documents (405 is RequestAccountingMiddleware's mapping of the router's).
let documentedStatuses: Set<Int> = [200, 400, 401, 404, 405, 413, 415, 422, 503]
let sentinel = Array("ZZSENTINEL".utf8)

typealias Handler = @Sendable (Request) async throws -> Response

/// A result handed from a task to the waiting thread (the semaphore orders the accesses).
final class Box<T>: @unchecked Sendable {
    var value: T?
}

/// Runs `body` on the concurrency pool and waits for it: libFuzzer calls the target synchronously.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let box = Box<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// The application's responder with a fresh `BasicRequestContext` per request, as the server makes one.
func handler<App: ApplicationProtocol>(_ app: App, logger: Logger) async throws -> Handler {
    let responder = try await app.responder
    let channel = NIOAsyncTestingChannel()
    return { request in
        let context = App.Context(source: ApplicationRequestContextSource(channel: channel, logger: logger))
        return try await responder.respond(to: request, context: context)
    }
}

/// The open and the guarded responder, built once.
let handlers: (open: Handler, guarded: Handler) = runBlocking {
    let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
    do {
        let engine = try Engine(configuration: EngineConfiguration(home: home))
        func make(token: String?) async throws -> Handler {
            let configuration = ServerConfiguration(
                mllpPort: nil, bearerToken: token, maxBodyBytes: maxBodyBytes, maxConcurrentConversions: 1)
            let server = try BridgeServer(engine: engine, configuration: configuration, logger: logger)
            return try await handler(server.application(), logger: logger)
        }
        return (try await make(token: nil), try await make(token: fuzzTokenValue))
    } catch {
        fatalError("FuzzHTTP: cannot load the engine from \(home.path) (set FHIRBRIDGE_HOME): \(error)")
    }
}

/// A request body delivered in chunks.
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffers: [ByteBuffer]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>
        mutating func next() async -> ByteBuffer? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: buffers[...]) }
}

/// Collects a response body.
final class CollectedBody: @unchecked Sendable {
    var buffer = ByteBuffer()
}

struct CollectingWriter: ResponseBodyWriter {
    let collected: CollectedBody
    mutating func write(_ buffer: ByteBuffer) async throws { collected.buffer.writeImmutableBuffer(buffer) }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// The request an input describes (method, target, header lines, body), and the raw header values.
struct FuzzRequest {
    var method: HTTPRequest.Method
    var target: String
    var fields: HTTPFields
    var authorizations: [String]
    var body: [UInt8]

    init(_ text: ArraySlice<UInt8>) {
        var lines: [ArraySlice<UInt8>] = []
        var rest = text
        var body: ArraySlice<UInt8> = []
        while let newline = rest.firstIndex(of: 0x0A) {
            var line = rest[..<newline]
            rest = rest[(newline + 1)...]
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty && !lines.isEmpty {
                body = rest
                rest = []
                break
            }
            lines.append(line)
        }
        if !rest.isEmpty { lines.append(rest) }
        let requestLine = lines.first ?? []
        let space = requestLine.firstIndex(of: 0x20) ?? requestLine.endIndex
        method = HTTPRequest.Method(String(decoding: requestLine[..<space], as: UTF8.self)) ?? .post
        let target = String(decoding: requestLine[space...].dropFirst(), as: UTF8.self)
        self.target = target.isEmpty ? "/" : target
        fields = HTTPFields()
        authorizations = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                let name = HTTPField.Name(String(decoding: line[..<colon], as: UTF8.self))
            else { continue }
            var value = line[(colon + 1)...]
            while value.first == 0x20 { value = value.dropFirst() }
            fields.append(HTTPField(name: name, value: value))
            if name == .authorization { authorizations.append(String(decoding: value, as: UTF8.self)) }
        }
        self.body = Array(body)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let guarded = bytes[0] & 1 == 1
    let addLength = bytes[0] & 2 == 2
    let chunkSize = 1 + 37 * Int(bytes[0] >> 2)
    var parsed = FuzzRequest(bytes[1...])
    if addLength && parsed.fields[.contentLength] == nil { parsed.fields[.contentLength] = String(parsed.body.count) }
    let body = stride(from: 0, to: parsed.body.count, by: chunkSize).map {
        ByteBuffer(bytes: parsed.body[$0..<min(parsed.body.count, $0 + chunkSize)])
    }
    let request = Request(
        head: HTTPRequest(
            method: parsed.method, scheme: "http", authority: "localhost", path: parsed.target,
            headerFields: parsed.fields),
        body: RequestBody(asyncSequence: Chunks(buffers: body)))
    let handle = guarded ? handlers.guarded : handlers.open
    let outcome: Result<(Response, ByteBuffer), any Error> = runBlocking {
        do {
            let response = try await handle(request)
            let collected = CollectedBody()
            try await response.body.write(CollectingWriter(collected: collected))
            return .success((response, collected.buffer))
        } catch {
            return .failure(error)
        }
    }
    guard case .success(let (response, responseBody)) = outcome else {
        fatalError("FuzzHTTP: the responder threw instead of answering")
    }
    check(response, body: Array(responseBody.readableBytesView), request: parsed, guarded: guarded, input: bytes)
    return 0
}

func check(_ response: Response, body: [UInt8], request: FuzzRequest, guarded: Bool, input: [UInt8]) {
    let status = response.status.code
    expect(documentedStatuses.contains(status), "FuzzHTTP: undocumented status \(status)")
    let contentType = response.headers[.contentType] ?? ""
    if status == 200 {
        if contentType.hasPrefix("application/fhir+json") {
            guard let bundle = try? JSONReader.parse(body), bundle["resourceType"]?.stringValue == "Bundle" else {
                fatalError("FuzzHTTP: a 200 from /convert is not a Bundle")
            }
        }
        if guarded && !contentType.hasPrefix("application/health+json") {
            expect(
                request.authorizations.contains { $0.contains(fuzzTokenValue) },
                "FuzzHTTP: 200 without the bearer token")
        }
    } else {
        expect(contentType == "application/fhir+json; charset=utf-8", "FuzzHTTP: error \(status) is not FHIR JSON")
        guard let outcome = try? JSONReader.parse(body), outcome["resourceType"]?.stringValue == "OperationOutcome",
            let issues = outcome["issue"]?.arrayValue, !issues.isEmpty
        else { fatalError("FuzzHTTP: error \(status) without an OperationOutcome") }
        for issue in issues {
            expect(
                issue["severity"]?.stringValue == "error" && !(issue["code"]?.stringValue ?? "").isEmpty
                    && !(issue["diagnostics"]?.stringValue ?? "").isEmpty,
                "FuzzHTTP: an issue without severity, code or diagnostics")
        }
        if status == 401 { expect(response.headers[.wwwAuthenticate] == "Bearer", "FuzzHTTP: 401 without a challenge") }
        if status == 503 { expect(response.headers[.retryAfter] != nil, "FuzzHTTP: 503 without Retry-After") }
    }
    // Patient data leaves only inside a converted Bundle.
    if contains(input, sentinel) {
        for field in response.headers {
            expect(!contains(Array(field.value.utf8), sentinel), "FuzzHTTP: request content in a response header")
        }
        if !(status == 200 && contentType.hasPrefix("application/fhir+json")) {
            expect(!contains(body, sentinel), "FuzzHTTP: request content in a \(status) body")
        }
    }
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
}

/// `precondition` that keeps its message in an optimised build (the fuzzer's report shows it).
func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
