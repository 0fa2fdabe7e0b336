import FHIRR4
import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import Pipeline

/// The HTTP API of `fhirbridge serve`.
///
///     POST /convert[?format=hl7v2|ccda|csv]   body: the source      -> 200 Bundle (application/fhir+json)
///     GET  /health                                                   -> 200 {"status":"pass"}
///     GET  /metrics                                                  -> 200 Prometheus text counters
///
/// Errors are OperationOutcomes with positions only: 400 (bad parameter, empty body), 401 (bearer
/// token missing or wrong, when configured), 404, 413 (body over `maxBodyBytes`), 415 (format not
/// recognised or not supported), 422 (bad data: every failing unit with its position), 503 (queue
/// full, with `Retry-After`).
public enum HTTPRoutes {
    /// Builds the router; `/convert` and `/metrics` need the bearer token when one is configured.
    public static func router(
        conversions: ConversionService, configuration: ServerConfiguration
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestAccountingMiddleware(metrics: conversions.metrics))
        router.get("/health") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/health+json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"pass"}"#)))
        }
        let guarded = router.group()
        if let token = configuration.bearerToken {
            guarded.add(middleware: BearerAuthMiddleware(token: token, metrics: conversions.metrics))
        }
        guarded.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: conversions.metrics.text())))
        }
        let maxBodyBytes = configuration.maxBodyBytes
        guarded.post("/convert") { request, context -> Response in
            try await convert(request, context: context, conversions: conversions, maxBodyBytes: maxBodyBytes)
        }
        return router
    }

    static func convert(
        _ request: Request, context: BasicRequestContext, conversions: ConversionService, maxBodyBytes: Int
    ) async throws -> Response {
        let format = try requestedFormat(request)
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            throw ServerError.tooLarge()
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw ServerError.tooLarge()
        }
        guard body.readableBytes > 0 else { throw ServerError.badRequest("emptyBody") }
        let result = try await conversions.convertBody(Array(body.readableBytesView), format: format)
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/fhir+json; charset=utf-8",
                HTTPField.Name("FHIRBridge-Units")!: String(result.unitCount),
                HTTPField.Name("FHIRBridge-Diagnostics")!: String(result.diagnosticCount),
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: result.bundle)))
    }

    /// `?format=` wins; otherwise a recognised `Content-Type`; otherwise detected from the content.
    static func requestedFormat(_ request: Request) throws(ServerError) -> InputFormat? {
        if let value = request.uri.queryParameters["format"] {
            guard let format = InputFormat(rawValue: value.lowercased()) else {
                throw .badRequest("unknownFormatParameter")
            }
            return format
        }
        return request.headers[.contentType].flatMap(format(contentType:))
    }

    /// The format a media type names, if it names one.
    static func format(contentType: String) -> InputFormat? {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        switch type {
        case "x-application/hl7-v2+er7", "application/hl7-v2", "application/hl7-v2+er7", "application/edi-hl7":
            return .hl7v2
        case "text/csv", "application/csv":
            return .csv
        case "application/xml", "text/xml", "application/hl7-cda+xml", "application/cda+xml":
            return .ccda
        default:
            return nil
        }
    }
}
