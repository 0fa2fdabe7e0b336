import ClinicalModel
import Foundation
public import Logging
public import MLLP
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PHISafety
public import Pipeline
public import ServiceLifecycle

/// Runs conversions for both transports: at most `maxConcurrentConversions` at once, each on a
/// thread of its own pool (never on the cooperative pool or an event loop), with counters.
///
///     let conversions = try ConversionService(engine: engine, configuration: configuration, metrics: metrics)
///     let bundle = try await conversions.convertBody(bytes, format: nil)     // HTTP
///     let ack = await conversions.acknowledge(.message(frame))               // MLLP
///
/// As a `Service` it waits for graceful shutdown and then stops its threads; put it first in the
/// `ServiceGroup` so the listeners (shut down in reverse order) drain before it stops.
public final class ConversionService: Service, Sendable {
    public let engine: Engine
    public let metrics: ServerMetrics
    let limiter: ConversionLimiter
    let pool: NIOThreadPool
    /// Where MLLP messages are written, with the sealing key (`nil`: nothing is written).
    let output: Output?
    /// Applied to every record before it is emitted, over both transports (as `convert` does).
    let policy: RecordPolicy
    let logger: Logger
    private let stopped = NIOLockedValueBox(false)

    /// The `--out` folder: one bundle per converted MLLP message, named by control id and digest
    /// (`BundleFileSink.Naming.byMessage`), sealed with a key.
    struct Output: Sendable {
        var directory: URL
        var sealingKey: DataKey?

        /// A sink for one frame's messages.
        func sink(_ emitter: FHIREmitter) throws -> BundleFileSink {
            try BundleFileSink(directory: directory, emitter: emitter, sealingKey: sealingKey, naming: .byMessage)
        }
    }

    public init(
        engine: Engine, configuration: ServerConfiguration, metrics: ServerMetrics,
        logger: Logger = Logger(label: "fhirbridge.conversions")
    ) throws(ServerSetupError) {
        self.engine = engine
        self.metrics = metrics
        self.logger = logger
        self.policy = configuration.policy
        self.output = try configuration.outputDirectory.map { url throws(ServerSetupError) in
            do {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                throw ServerSetupError("cannot create the output folder")
            }
            return Output(directory: url, sealingKey: configuration.sealingKey)
        }
        self.limiter = ConversionLimiter(
            permits: configuration.maxConcurrentConversions, maxWaiting: configuration.maxQueuedRequests,
            onChange: { running, waiting in
                metrics.setGauge("fhirbridge_conversions_in_flight", to: running)
                metrics.setGauge("fhirbridge_conversions_waiting", to: waiting)
            })
        self.pool = NIOThreadPool(numberOfThreads: configuration.maxConcurrentConversions)
        pool.start()
    }

    /// Waits for graceful shutdown (or cancellation), then stops the threads.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Stops the threads once the conversions they run are done. Idempotent.
    public func shutdown() async throws {
        let first = stopped.withLockedValue { stopped in
            defer { stopped = true }
            return !stopped
        }
        if first { try await pool.shutdownGracefully() }
    }

    // MARK: HTTP

    /// The result of converting one HTTP body.
    public struct BodyResult: Sendable {
        /// The Bundle, compact JSON.
        public var bundle: [UInt8]
        public var unitCount: Int
        public var diagnosticCount: Int
    }

    /// Converts a whole body (one or many units) into one Bundle. Any failing unit fails the request
    /// (422 with every error's position), so a client never gets part of its input silently.
    ///
    /// - Throws: `ServerError`: 415 for a format that is not recognised or not supported, 422 for bad
    ///   data, 503 when the queue is full or the server is stopping.
    public func convertBody(_ bytes: [UInt8], format: InputFormat?) async throws(ServerError) -> BodyResult {
        metrics.increment("fhirbridge_bytes_received_total", by: bytes.count, labels: ["transport": "http"])
        let engine = self.engine
        let policy = self.policy
        let outcome: Result<BodyResult, ServerError>
        do {
            outcome = try await limiter.withPermit(boundedQueue: true) {
                try await self.pool.runIfActive {
                    Self.convertBody(bytes, format: format, engine: engine, policy: policy)
                }
            }
        } catch ConversionLimiter.Failure.overloaded {
            metrics.increment("fhirbridge_rejected_overload_total", labels: ["transport": "http"])
            throw ServerError.unavailable("conversionQueueFull")
        } catch {
            throw ServerError.unavailable("serverStopping")
        }
        switch outcome {
        case .success(let result):
            metrics.increment(
                "fhirbridge_messages_converted_total", by: result.unitCount, labels: ["transport": "http"])
            return result
        case .failure(let error):
            for kind in error.kinds {
                metrics.increment("fhirbridge_messages_failed_total", labels: ["transport": "http", "kind": kind])
            }
            throw error
        }
    }

    /// One body through the pipeline into one compact Bundle, after the record policy.
    static func convertBody(_ bytes: [UInt8], format: InputFormat?, engine: Engine, policy: RecordPolicy)
        -> Result<BodyResult, ServerError>
    {
        let sink = SingleBundleSink(emitter: engine.emitter, destination: .memory)
        let pipeline = ConversionPipeline(engine: engine, sink: sink, policy: policy, format: format)
        let summary = pipeline.run([.memory(name: "body", bytes: bytes)])
        let errors = summary.errors
        if let unsupported = errors.first(where: {
            $0.kind == .unknownInputFormat || $0.kind == .unsupportedInputFormat
        }),
            errors.count == 1
        {
            return .failure(.unsupportedFormat(unsupported.kind.rawValue))
        }
        if !errors.isEmpty { return .failure(.unprocessable(errors)) }
        guard let bundle = sink.bytes else { return .failure(.unprocessable([SourceError(.noUnits, at: nil)])) }
        let diagnosticCount = summary.diagnosticsByKind.values.reduce(0, +)
        return .success(BodyResult(bundle: bundle, unitCount: summary.converted, diagnosticCount: diagnosticCount))
    }

    // MARK: MLLP

    /// What one MLLP frame led to.
    public struct Acknowledgement: Sendable {
        /// The ACK message (ER7, without MLLP framing).
        public var bytes: [UInt8]
        public var code: HL7AcknowledgementCode
        /// The inbound MSH-10 (a correlation id, not patient data).
        public var controlID: String
        /// Error kinds, for the log line.
        public var kinds: [String]
    }

    /// Converts the message(s) of one frame, writes each bundle when an output folder is set, and
    /// builds the acknowledgement: `AA` when every message was converted (and written), `AR` for
    /// unsupported types and structure problems, `AE` for data and processing errors. Waits for a
    /// conversion slot (an MLLP connection has one message in flight, so this is its back-pressure).
    public func acknowledge(_ frame: MLLPFrame) async -> Acknowledgement {
        let engine = self.engine
        let output = self.output
        let policy = self.policy
        let controlID = Self.makeControlID()
        let timestamp = Self.timestamp(Date())
        switch frame {
        case .oversized(let prefix, let byteCount):
            metrics.increment("fhirbridge_bytes_received_total", by: byteCount, labels: ["transport": "mllp"])
            let header = HL7InboundHeader(scanning: prefix.readableBytesView)
            let issue = HL7AcknowledgementIssue(
                kind: "frameTooLarge", location: .hl7(message: 1, segment: "MSH", occurrence: 1),
                errorCode: .applicationInternalError, rejectsMessage: true)
            let ack = HL7Acknowledgement(issues: [issue])
            return record(
                Acknowledgement(
                    bytes: ack.bytes(replyingTo: header, controlID: controlID, timestamp: timestamp), code: ack.code,
                    controlID: header?.controlID ?? "", kinds: [issue.kind]),
                converted: 0)
        case .message(let buffer):
            let bytes = Array(buffer.readableBytesView)
            metrics.increment("fhirbridge_bytes_received_total", by: bytes.count, labels: ["transport": "mllp"])
            do {
                let (ack, converted) = try await limiter.withPermit(boundedQueue: false) {
                    try await self.pool.runIfActive {
                        Self.process(
                            bytes, engine: engine, output: output, policy: policy, controlID: controlID,
                            timestamp: timestamp)
                    }
                }
                return record(ack, converted: converted)
            } catch {
                // Stopping: no conversion ran; the sender may resend.
                let header = HL7InboundHeader(scanning: bytes)
                let issue = HL7AcknowledgementIssue(
                    kind: "serverStopping", location: nil, errorCode: .applicationInternalError, rejectsMessage: false)
                let ack = HL7Acknowledgement(issues: [issue])
                return record(
                    Acknowledgement(
                        bytes: ack.bytes(replyingTo: header, controlID: controlID, timestamp: timestamp),
                        code: ack.code,
                        controlID: header?.controlID ?? "", kinds: [issue.kind]),
                    converted: 0)
            }
        }
    }

    private func record(_ ack: Acknowledgement, converted: Int) -> Acknowledgement {
        metrics.increment("fhirbridge_mllp_acks_total", labels: ["code": ack.code.rawValue])
        if converted > 0 {
            metrics.increment("fhirbridge_messages_converted_total", by: converted, labels: ["transport": "mllp"])
        }
        for kind in ack.kinds {
            metrics.increment("fhirbridge_messages_failed_total", labels: ["transport": "mllp", "kind": kind])
        }
        return ack
    }

    /// Parses, maps, writes and acknowledges one frame's bytes (on a pool thread), through the
    /// pipeline: the record policy applies before a bundle is written.
    static func process(
        _ bytes: [UInt8], engine: Engine, output: Output?, policy: RecordPolicy, controlID: String, timestamp: String
    ) -> (Acknowledgement, Int) {
        let header = HL7InboundHeader(scanning: bytes)
        var issues: [HL7AcknowledgementIssue] = []
        var converted = 0
        let outputFailed = HL7AcknowledgementIssue(
            kind: "outputWriteFailed", location: nil, errorCode: .applicationInternalError, rejectsMessage: false)
        let sink: BundleFileSink?
        do {
            sink = try output?.sink(engine.emitter)
        } catch {
            sink = nil
            issues.append(outputFailed)
        }
        if issues.isEmpty {
            let pipeline = ConversionPipeline(engine: engine, sink: sink, policy: policy, format: .hl7v2)
            _ = pipeline.run([.memory(name: "mllp", bytes: bytes)]) { event in
                switch event {
                case .unit(let unit, _):
                    if let error = unit.error {
                        issues.append(HL7AcknowledgementIssue(error))
                    } else if unit.record != nil {
                        converted += 1
                    }
                case .outputFailed:
                    issues.append(outputFailed)
                    converted -= 1
                case .inputStarted, .inputUnreadable:
                    break
                }
            }
        }
        let ack = HL7Acknowledgement(issues: issues)
        let result = Acknowledgement(
            bytes: ack.bytes(replyingTo: header, controlID: controlID, timestamp: timestamp), code: ack.code,
            controlID: header?.controlID ?? "", kinds: issues.map(\.kind))
        return (result, converted)
    }

    /// A fresh MSH-10 for an acknowledgement: `A` and 16 hex digits (within v2.5's 20 characters).
    static func makeControlID() -> String {
        let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16, uppercase: true)
        return "A" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// `YYYYMMDDHHMMSS+0000` in UTC (HL7 DTM with an explicit zone).
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : String($0) } ?? "00" }
        return "\(c.year ?? 1970)\(two(c.month))\(two(c.day))\(two(c.hour))\(two(c.minute))\(two(c.second))+0000"
    }
}
