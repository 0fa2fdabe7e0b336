public import Logging
import PHISafety

/// Process-wide logging for `fhirbridge serve`: swift-log through `SafeLogHandler` to standard error.
/// Log lines are catalogued event names (`http.request`, `mllp.message`, …) with allow-listed
/// metadata: kinds, positions, counts, routes, statuses and digests of message control ids; anything
/// else is printed as a redaction marker, so no message content can reach the log.
public enum ServerLogging {
    /// Bootstraps swift-log once per process.
    public static func bootstrap(level: Logger.Level) -> Logger {
        SafeLogging.bootstrap(level: level, label: "fhirbridge.serve")
    }
}
