import Foundation
public import Hummingbird
import Logging
import NIOCore

/// The outermost middleware: every response, thrown errors included, becomes an OperationOutcome
/// when it is an error, and is counted by route and status and logged in one line (method, route,
/// status, milliseconds; never the query, headers or body).
public struct RequestAccountingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    public init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        var response: Response
        var kinds: [String] = []
        do {
            response = try await next(request, context)
        } catch let error as ServerError {
            kinds = error.kinds
            response = try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let mapped: ServerError =
                switch error.status.code {
                case 404: .notFound()
                case 405: .methodNotAllowed()
                case 413: .tooLarge()
                case 400..<500: ServerError(status: error.status, code: .invalid, kind: "badRequest")
                default: .internalError()
                }
            kinds = mapped.kinds
            response = try mapped.response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            let mapped = ServerError.tooLarge()
            kinds = mapped.kinds
            response = try mapped.response(from: request, context: context)
        } catch {
            let mapped = ServerError.internalError()
            kinds = mapped.kinds
            context.logger.error("http.unexpectedError", metadata: ["errorType": "\(type(of: error))"])
            response = try mapped.response(from: request, context: context)
        }
        let route = Self.route(context.endpointPath)
        let status = String(response.status.code)
        metrics.increment("fhirbridge_http_requests_total", labels: ["route": route])
        metrics.increment("fhirbridge_http_responses_total", labels: ["status": status])
        let elapsed = ContinuousClock.now - start
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "route": "\(route)", "status": "\(status)", "ms": "\(milliseconds)",
        ]
        if !kinds.isEmpty { metadata["kinds"] = "\(kinds.prefix(10).joined(separator: ","))" }
        context.logger.log(level: response.status.code >= 500 ? .error : .info, "http.request", metadata: metadata)
        return response
    }

    /// A known route, or `other` (keeps metric labels bounded whatever paths clients try).
    static func route(_ endpoint: String?) -> String {
        switch endpoint {
        case "/convert", "/health", "/metrics": return endpoint!
        default: return "other"
        }
    }
}

/// `Authorization: Bearer <token>` on the routes it guards; anything else is 401 with an
/// OperationOutcome (`security`) and `WWW-Authenticate: Bearer`. The token is compared in constant
/// time (its length is the only thing the timing depends on) and never logged.
public struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    private let token: [UInt8]
    let metrics: ServerMetrics

    public init(token: String, metrics: ServerMetrics) {
        self.token = Array(token.utf8)
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization] else {
            metrics.increment("fhirbridge_auth_failures_total")
            throw ServerError.unauthorized("missingBearerToken")
        }
        let bytes = Array(header.utf8)
        guard bytes.count > 7, String(decoding: bytes.prefix(7), as: UTF8.self).lowercased() == "bearer " else {
            metrics.increment("fhirbridge_auth_failures_total")
            throw ServerError.unauthorized("unsupportedAuthorizationScheme")
        }
        var presented = bytes.dropFirst(7)
        while presented.first == 0x20 { presented = presented.dropFirst() }
        while presented.last == 0x20 { presented = presented.dropLast() }
        guard Self.constantTimeEquals(Array(presented), token) else {
            metrics.increment("fhirbridge_auth_failures_total")
            throw ServerError.unauthorized("invalidBearerToken")
        }
        return try await next(request, context)
    }

    /// Compares every byte of `expected` whatever the input, so the time taken says nothing about
    /// how much of a guess was right.
    static func constantTimeEquals(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = presented.count == expected.count ? 0 : 1
        for index in expected.indices {
            let byte = index < presented.count ? presented[index] : 0
            difference |= byte ^ expected[index]
        }
        return difference == 0
    }
}
