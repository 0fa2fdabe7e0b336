public import ClinicalModel
import FHIRR4
public import Hummingbird

/// An HTTP failure that renders itself as an OperationOutcome (`application/fhir+json`).
///
///     throw ServerError.unprocessable([SourceError(.invalidSegmentID, at: location)])   // 422
///     throw ServerError.badRequest("unknownFormatParameter")                           // 400
///
/// Its `description` (for logs) is the status and the kinds, never content.
public struct ServerError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    /// The OperationOutcome issues.
    public let issues: [JSONObject]
    /// Kinds, for logs and metrics.
    public let kinds: [String]
    public let headers: HTTPFields

    init(status: HTTPResponse.Status, issues: [JSONObject], kinds: [String], headers: HTTPFields = [:]) {
        self.status = status
        self.issues = issues
        self.kinds = kinds
        self.headers = headers
    }

    init(status: HTTPResponse.Status, code: OperationOutcome.IssueType, kind: String, headers: HTTPFields = [:]) {
        self.init(
            status: status, issues: [OperationOutcome.issue(code: code, kind: kind)], kinds: [kind], headers: headers)
    }

    /// 422: the input was read but its units could not be converted (one issue per error, with its position).
    public static func unprocessable(_ errors: [SourceError]) -> ServerError {
        ServerError(
            status: .unprocessableContent, issues: errors.map(OperationOutcome.issue),
            kinds: errors.map(\.kind.rawValue))
    }

    /// 400: the request itself is wrong (a bad query parameter, an empty body).
    public static func badRequest(_ kind: String) -> ServerError {
        ServerError(status: .badRequest, code: .invalid, kind: kind)
    }

    /// 401 with `WWW-Authenticate: Bearer`.
    public static func unauthorized(_ kind: String) -> ServerError {
        ServerError(status: .unauthorized, code: .security, kind: kind, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// 413: the body is larger than the configured limit.
    public static func tooLarge() -> ServerError {
        ServerError(status: .contentTooLarge, code: .tooCostly, kind: "bodyTooLarge")
    }

    /// 415: the format is not one the engine reads (or cannot be recognised).
    public static func unsupportedFormat(_ kind: String) -> ServerError {
        ServerError(status: .unsupportedMediaType, code: .notSupported, kind: kind)
    }

    /// 503 with `Retry-After`: every conversion slot is busy and the queue is full, or the server is stopping.
    public static func unavailable(_ kind: String) -> ServerError {
        ServerError(status: .serviceUnavailable, code: .transient, kind: kind, headers: [.retryAfter: "1"])
    }

    /// 404 and 405 from the router.
    static func notFound() -> ServerError {
        ServerError(status: .notFound, code: .notFound, kind: "noSuchEndpoint")
    }

    static func methodNotAllowed() -> ServerError {
        ServerError(status: .methodNotAllowed, code: .notSupported, kind: "methodNotAllowed")
    }

    /// 500 without details.
    static func internalError() -> ServerError {
        ServerError(status: .internalServerError, code: .exception, kind: "internalError")
    }

    public var description: String { "HTTP \(status.code) \(kinds.joined(separator: ","))" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = JSONWriter(style: .compact).bytes(.object(OperationOutcome.resource(issues)))
        var headers = self.headers
        headers[.contentType] = "application/fhir+json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
