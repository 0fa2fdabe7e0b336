import FHIRR4
public import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL

/// An HTTP convert endpoint: `http(s)://host:port/path`, an optional bearer token, timeouts.
public struct HTTPEndpoint: Sendable {
    public var host: String
    public var port: Int
    public var path: String
    public var tls: NIOSSLContext?
    public var bearerToken: String?
    public var connectTimeout: TimeAmount
    public var responseTimeout: TimeAmount

    /// Reads `http://host[:port]/path` or `https://…` (`tls` must then be given).
    public init(
        url: String, tls: NIOSSLContext?, bearerToken: String?, connectTimeout: TimeAmount, responseTimeout: TimeAmount
    ) throws(SendError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { throw .usage("--http must be an http:// or https:// URL") }
        self.host = host
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        self.path = path
        self.tls = scheme == "https" ? tls : nil
        if scheme == "https" && tls == nil { throw .usage("an https:// URL needs a TLS context") }
        self.bearerToken = bearerToken
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
    }
}

/// POSTs one message or document to a convert endpoint (one connection each) and reads the answer:
/// 2xx is accepted; otherwise the status and, from an OperationOutcome body, each issue's code and
/// location (`issue.code`, `issue.location`/`expression`: positions; `diagnostics` and `details`
/// are free text and never read).
enum HTTPConvertClient {
    static func post(_ message: OutboundMessage, to endpoint: HTTPEndpoint) async throws -> DeliveryResult {
        let tls = endpoint.tls
        let host = endpoint.host
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: (HTTPResponseStatus, [UInt8]).self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(endpoint.connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if let tls {
                            let serverName = host.first?.isNumber == true || host.contains(":") ? nil : host
                            try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        }
                        try sync.addHTTPClientHandlers()
                        try sync.addHandler(ResponseCollector(promise: promise))
                    }
                }
                .connect(host: host, port: endpoint.port).get()
        } catch {
            promise.fail(DeliveryFailure.cannotConnect)
            throw DeliveryFailure.cannotConnect
        }
        defer { channel.close(promise: nil) }
        var headers = HTTPHeaders()
        headers.add(
            name: "Host", value: endpoint.port == 80 || endpoint.port == 443 ? host : "\(host):\(endpoint.port)")
        headers.add(name: "Content-Type", value: contentType(message.bytes))
        headers.add(name: "Content-Length", value: String(message.bytes.count))
        headers.add(name: "Accept", value: "application/fhir+json")
        headers.add(name: "Connection", value: "close")
        if let token = endpoint.bearerToken { headers.add(name: "Authorization", value: "Bearer " + token) }
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path, headers: headers)
        let timeout = channel.eventLoop.scheduleTask(in: endpoint.responseTimeout) {
            promise.fail(DeliveryFailure.ackTimeout)
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: message.bytes))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { _ in
            promise.fail(DeliveryFailure.connectionDropped)
        }
        let (status, body): (HTTPResponseStatus, [UInt8])
        do {
            (status, body) = try await promise.futureResult.get()
            timeout.cancel()
        } catch {
            timeout.cancel()
            throw error as? DeliveryFailure ?? .connectionDropped
        }
        let accepted = (200..<300).contains(Int(status.code))
        var result = DeliveryResult(
            message: message, outcome: .answered(code: "HTTP \(status.code)", accepted: accepted))
        if !accepted { result.details = issues(body) }
        return result
    }

    /// The media type the server reads the body as (by its first bytes, as the server detects).
    static func contentType(_ bytes: [UInt8]) -> String {
        let head = bytes.prefix(512).drop {
            $0 == 0xEF || $0 == 0xBB || $0 == 0xBF || $0 == 0x20 || $0 == 0x0A || $0 == 0x0D
        }
        if head.starts(with: Array("<".utf8)) { return "application/xml" }
        if head.starts(with: Array("MSH".utf8)) || head.starts(with: Array("FHS".utf8))
            || head.starts(with: Array("BHS".utf8))
        {
            return "x-application/hl7-v2+er7"
        }
        return "text/csv"
    }

    /// `issue <code> at <location>` for each OperationOutcome issue; nothing else of the body.
    static func issues(_ body: [UInt8]) -> [String] {
        guard let json = try? JSONReader.parse(body), json["resourceType"]?.stringValue == "OperationOutcome" else {
            return body.isEmpty ? [] : ["body is not an OperationOutcome"]
        }
        return (json["issue"]?.arrayValue ?? []).map { issue in
            let code = issue["code"]?.stringValue.flatMap { isToken($0) ? $0 : nil } ?? "?"
            let locations = (issue["location"]?.arrayValue ?? issue["expression"]?.arrayValue ?? []).compactMap(
                \.stringValue)
            return locations.isEmpty ? "issue \(code)" : "issue \(code) at \(locations.joined(separator: ", "))"
        }
    }

    static func isToken(_ text: String) -> Bool {
        text.count <= 64 && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0 == "-" }
    }
}

/// Collects one HTTP response (status and body) and hands it to `promise`.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    var promise: EventLoopPromise<(HTTPResponseStatus, [UInt8])>?

    init(promise: EventLoopPromise<(HTTPResponseStatus, [UInt8])>) { self.promise = promise }
    private var status: HTTPResponseStatus?
    private var body: [UInt8] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = head.status
        case .body(let buffer):
            if body.count < 1 << 20 { body += buffer.readableBytesView }
        case .end:
            if let status { promise?.succeed((status, body)) } else { promise?.fail(DeliveryFailure.badResponse) }
            promise = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise?.fail(DeliveryFailure.connectionDropped)
        promise = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise?.fail(DeliveryFailure.badResponse)
        promise = nil
        context.close(promise: nil)
    }
}
