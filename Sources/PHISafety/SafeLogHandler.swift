import Foundation
public import Logging

/// A swift-log handler that cannot print patient data.
///
/// A log line is a fixed event name from ``SafeLogHandler/events`` plus metadata from an allow-list
/// (``SafeLogHandler/rules``) whose values must match strict patterns. Anything else (a free-text
/// message, an unknown key, a value that does not match its key's pattern, an attached error) is
/// replaced by ``SafeLogHandler/redacted`` before it reaches the sink, so a call site that passes a
/// patient name by mistake prints `‹redacted›`, never the name.
///
///     logger.info("unit.failed", metadata: ["kind": "invalidTimestamp", "position": "message 1 PID[1]-7"])
///     // 2026-11-23T21:00:00Z warning fhirbridge.convert unit.failed kind=invalidTimestamp position=message 1 PID[1]-7
///     logger.info("Smith, John")   // ... ‹redacted›
public struct SafeLogHandler: LogHandler {
    /// What replaces a message or value that is not allowed.
    public static let redacted = "‹redacted›"

    /// The catalogue of event names. A message that is not one of these is redacted.
    public static let events: Set<String> = [
        // CLI runs
        "run.started", "run.finished", "unit.converted", "unit.failed", "unit.skipped", "input.unreadable",
        "output.written", "output.failed", "diagnostic", "ledger.completed", "audit.appended", "audit.failed",
        "reconcile.finished", "decrypt.failed", "deidentify.applied", "filter.applied",
        // server
        "server.exposed", "http.listening", "http.request", "http.unexpectedError", "mllp.listening", "mllp.refused",
        "mllp.stopped", "mllp.message", "mllp.connectionError", "mllp.closed", "conversion.failed",
        "server.fileLimitLow",
    ]

    /// A metadata key's value pattern.
    public enum ValueRule: Sendable {
        /// Lowercase or uppercase hex, 8 to 128 digits (SHA-256 digests and prefixes).
        case digest
        /// A non-negative or negative decimal integer.
        case count
        /// `[A-Za-z0-9._-]+`, at most 64 characters: diagnostic and error kinds, resource types, routes.
        case kind
        /// A comma-separated list of kinds (at most 10).
        case kinds
        /// A position in the grammar `SourceLocation` prints (segment/field, file:line column, XPath).
        case position
        /// A FHIR resource id derived by fhirbridge (UUID layout) or a digest.
        case recordKey
        /// A fixed set of words.
        case oneOf(Set<String>)
    }

    /// The allow-list of metadata keys and their value rules.
    public static let rules: [String: ValueRule] = [
        "kind": .kind, "kinds": .kinds, "type": .kind, "format": .oneOf(["hl7v2", "ccda", "csv", "fhir"]),
        "position": .position, "count": .count, "units": .count, "converted": .count, "failed": .count,
        "resources": .count, "bytes": .count, "frames": .count, "durationMs": .count, "ms": .count,
        "port": .count, "status": .count, "seq": .count, "index": .count, "recordKey": .recordKey,
        "digest": .digest, "controlDigest": .digest, "ack": .oneOf(["AA", "AE", "AR", "CA", "CE", "CR"]),
        "method": .oneOf(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]),
        "route": .oneOf(["/convert", "/health", "/metrics", "other"]), "tls": .oneOf(["true", "false"]),
        "command": .oneOf(["convert", "reconcile", "serve", "decrypt", "audit", "render"]),
        "errorType": .kind, "level": .kind,
    ]

    public typealias Sink = @Sendable (String) -> Void

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public let label: String
    let sink: Sink

    /// - Parameters:
    ///   - label: the logger label; printed only when it is a ``ValueRule/kind``.
    ///   - sink: receives each finished line (no trailing newline). ``standardError`` by default.
    public init(label: String, level: Logger.Level = .info, sink: @escaping Sink = SafeLogHandler.standardError) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra, uniquingKeysWith: { _, new in new }) }
        sink(Self.line(level: event.level, label: label, message: event.message.description, metadata: merged))
    }

    /// The printed line for an event: time, level, label, event name, then `key=value` pairs sorted by key.
    public static func line(level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var parts = [Self.timestamp(), level.rawValue, Self.check(label, .kind) ? label : redacted]
        parts.append(events.contains(message) ? message : redacted)
        for key in metadata.keys.sorted() {
            guard let rule = rules[key] else {
                parts.append("\(redacted)=\(redacted)")
                continue
            }
            let value = Self.flatten(metadata[key])
            parts.append("\(key)=\(value.map { check($0, rule) ? $0 : redacted } ?? redacted)")
        }
        return parts.joined(separator: " ")
    }

    /// Whether a value passes a rule.
    public static func check(_ value: String, _ rule: ValueRule) -> Bool {
        switch rule {
        case .digest: return matches(value, #"^[0-9A-Fa-f]{8,128}$"#)
        case .count: return matches(value, #"^-?[0-9]{1,19}$"#)
        case .kind: return matches(value, #"^[A-Za-z0-9._-]{1,64}$"#)
        case .kinds:
            let items = value.split(separator: ",", omittingEmptySubsequences: false)
            return items.count <= 10 && items.allSatisfy { matches(String($0), #"^[A-Za-z0-9._-]{1,64}$"#) }
        case .position: return isPosition(value)
        case .recordKey:
            return matches(value, #"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"#)
                || matches(value, #"^[0-9a-f]{16,64}$"#)
        case .oneOf(let words): return words.contains(value)
        }
    }

    /// The grammar `SourceLocation.description` prints: an HL7 position (`message 2 OBX[3]-5(2).1.1`),
    /// a CSV position (`labs.csv:12 column RESULT`), a positional XPath with an optional line
    /// (`/ClinicalDocument[1]/recordTarget[1] (line 40)`) or an input (`adt.hl7 at byte 512`).
    /// File names and CSV column names are limited to `[A-Za-z0-9._-]` and spaces in column names.
    public static func isPosition(_ value: String) -> Bool {
        let file = #"[A-Za-z0-9._-]{1,128}"#
        let patterns = [
            #"^message [0-9]{1,9} [A-Z0-9]{3}\[[0-9]{1,9}\](-[0-9]{1,4}(\([0-9]{1,6}\))?(\.[0-9]{1,4}(\.[0-9]{1,4})?)?)?$"#,
            "^\(file):[0-9]{1,12}( column [A-Za-z0-9_. -]{1,64})?$",
            #"^(/[A-Za-z_][A-Za-z0-9_.:-]{0,63}(\[[0-9]{1,9}\])?|/@[A-Za-z_][A-Za-z0-9_.:-]{0,63}|/text\(\))+( \(line [0-9]{1,9}\))?$"#,
            "^\(file)( at byte [0-9]{1,15})?$",
        ]
        return value.utf8.count <= 1024 && patterns.contains { matches(value, $0) }
    }

    static func matches(_ value: String, _ pattern: String) -> Bool {
        value.range(of: pattern, options: .regularExpression) != nil
    }

    /// A metadata value as text when it is a plain string (or a stringConvertible); lists and
    /// dictionaries are never printed.
    static func flatten(_ value: Logger.Metadata.Value?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .stringConvertible(let convertible)?: return convertible.description
        default: return nil
        }
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    /// Writes a line and a newline to standard error.
    public static let standardError: Sink = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Process-wide bootstrap of ``SafeLogHandler``.
public enum SafeLogging {
    /// Bootstraps swift-log with ``SafeLogHandler`` once per process (later calls are ignored) and
    /// returns a logger with `label`.
    public static func bootstrap(
        level: Logger.Level, label: String, sink: @escaping SafeLogHandler.Sink = SafeLogHandler.standardError
    ) -> Logger {
        once.bootstrap(level: level, sink: sink)
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    /// A logger on ``SafeLogHandler`` without touching the process-wide bootstrap (tests, libraries).
    public static func logger(label: String, level: Logger.Level = .info, sink: @escaping SafeLogHandler.Sink) -> Logger
    {
        Logger(label: label) { label in SafeLogHandler(label: label, level: level, sink: sink) }
    }

    private static let once = Once()

    private final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        func bootstrap(level: Logger.Level, sink: @escaping SafeLogHandler.Sink) {
            lock.lock()
            defer { lock.unlock() }
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in SafeLogHandler(label: label, level: level, sink: sink) }
        }
    }
}
