public import Logging

/// Process-wide logging for `fhirbridge serve`: swift-log to standard error. Log lines carry kinds,
/// positions, counts, routes, statuses and message control ids; never message content.
public enum ServerLogging {
    /// Bootstraps swift-log once per process; `level` is trace, debug, info, notice, warning, error
    /// or critical.
    public static func bootstrap(level: String) throws(ServerSetupError) -> Logger {
        guard let level = Logger.Level(rawValue: level.lowercased()) else {
            throw ServerSetupError("unknown log level")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "fhirbridge.serve")
        logger.logLevel = level
        return logger
    }
}
