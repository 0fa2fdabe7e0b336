import Foundation
import NIOConcurrencyHelpers

/// Counters for `/metrics`, written in the Prometheus text exposition format (version 0.0.4).
///
///     metrics.increment("fhirbridge_http_responses_total", labels: ["status": "200"])
///     metrics.text()   // "# TYPE fhirbridge_http_responses_total counter\nfhirbridge_http_responses_total{status=\"200\"} 1\n…"
///
/// Label values are kinds, transports, codes and statuses: never input content.
public final class ServerMetrics: Sendable {
    private struct Key: Hashable, Comparable {
        var name: String
        var labels: String  // rendered `{a="b",…}` or empty

        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.name, lhs.labels) < (rhs.name, rhs.labels) }
    }

    private struct State {
        var counters: [Key: Int] = [:]
        var gauges: [Key: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// Help text by metric name.
    static let help: [String: String] = [
        "fhirbridge_http_requests_total": "HTTP requests received, by route.",
        "fhirbridge_http_responses_total": "HTTP responses sent, by status code.",
        "fhirbridge_messages_converted_total": "Source units (messages, documents) converted, by transport.",
        "fhirbridge_messages_failed_total": "Source units that failed, by transport and error kind.",
        "fhirbridge_bytes_received_total": "Source bytes received, by transport.",
        "fhirbridge_mllp_connections_total": "MLLP connections accepted.",
        "fhirbridge_mllp_acks_total": "MLLP acknowledgements sent, by MSA-1 code.",
        "fhirbridge_rejected_overload_total": "Requests refused because the conversion queue was full.",
        "fhirbridge_conversions_in_flight": "Conversions running now.",
        "fhirbridge_conversions_waiting": "Conversions waiting for a slot.",
    ]

    public init() {}

    public func increment(_ name: String, by amount: Int = 1, labels: KeyValuePairs<String, String> = [:]) {
        let key = Key(name: name, labels: Self.render(labels))
        state.withLockedValue { $0.counters[key, default: 0] += amount }
    }

    public func setGauge(_ name: String, to value: Int, labels: KeyValuePairs<String, String> = [:]) {
        let key = Key(name: name, labels: Self.render(labels))
        state.withLockedValue { $0.gauges[key] = value }
    }

    /// The current value of a counter (tests, summaries).
    public func value(_ name: String, labels: KeyValuePairs<String, String> = [:]) -> Int {
        let key = Key(name: name, labels: Self.render(labels))
        return state.withLockedValue { $0.counters[key] ?? $0.gauges[key] ?? 0 }
    }

    /// The sum of a counter over all its label values.
    public func total(_ name: String) -> Int {
        state.withLockedValue { state in state.counters.filter { $0.key.name == name }.values.reduce(0, +) }
    }

    /// Every metric in the Prometheus text format, sorted by name and labels.
    public func text() -> String {
        let (counters, gauges) = state.withLockedValue { ($0.counters, $0.gauges) }
        var out = ""
        func write(_ values: [Key: Int], type: String) {
            var lastName = ""
            for key in values.keys.sorted() {
                if key.name != lastName {
                    if let help = Self.help[key.name] { out += "# HELP \(key.name) \(help)\n" }
                    out += "# TYPE \(key.name) \(type)\n"
                    lastName = key.name
                }
                out += "\(key.name)\(key.labels) \(values[key]!)\n"
            }
        }
        write(counters, type: "counter")
        write(gauges, type: "gauge")
        return out
    }

    private static func render(_ labels: KeyValuePairs<String, String>) -> String {
        guard !labels.isEmpty else { return "" }
        let parts = labels.map { key, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\""
            )
            .replacingOccurrences(of: "\n", with: "\\n")
            return "\(key)=\"\(escaped)\""
        }
        return "{" + parts.joined(separator: ",") + "}"
    }
}
