public import Foundation

/// Replay results as JUnit XML, the test report format that Jenkins (JUnit plugin), GitLab
/// (`artifacts:reports:junit`) and GitHub Actions reporters read.
///
///     <testsuites name="fhirbridge replay" tests="3" failures="1" errors="0" skipped="0" time="0.412">
///       <testsuite name="Samples/hl7v2" tests="3" failures="1" errors="0" skipped="0" time="0.412" timestamp="…" hostname="…">
///         <testcase name="oru-r01-lab.hl7" classname="Samples.hl7v2" file="Samples/hl7v2/oru-r01-lab.hl7" time="0.120">
///           <failure message="2 differences" type="mismatch">changed Bundle.entry[3]…</failure>
///         </testcase>
///       </testsuite>
///     </testsuites>
///
/// One `testsuite` per folder, one `testcase` per sample (`classname` is the folder with dots, as
/// Java class names are, so that readers group cases by folder). A failed sample has a `failure`
/// (output or errors differ), a sample that could not be replayed an `error`; their text lists the
/// differing paths, kinds and positions, never values, since CI keeps reports where anyone with
/// access to the job can read them.
public struct JUnitReport: Sendable {
    public var results: [ReplayResult]
    public var timestamp: Date
    public var hostname: String

    public init(results: [ReplayResult], timestamp: Date = Date(), hostname: String = ProcessInfo.processInfo.hostName)
    {
        self.results = results
        self.timestamp = timestamp
        self.hostname = hostname
    }

    public func xml() -> String {
        var suites: [(name: String, results: [ReplayResult])] = []
        for result in results {
            if let index = suites.firstIndex(where: { $0.name == result.sample.suite }) {
                suites[index].results.append(result)
            } else {
                suites.append((result.sample.suite, [result]))
            }
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let stamp = formatter.string(from: timestamp).replacingOccurrences(of: "Z", with: "")
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out += "<testsuites name=\"fhirbridge replay\"\(Self.counts(results))>\n"
        for (index, suite) in suites.enumerated() {
            out += "  <testsuite name=\"\(Self.escape(suite.name))\" id=\"\(index)\"\(Self.counts(suite.results))"
            out += " timestamp=\"\(stamp)\" hostname=\"\(Self.escape(hostname))\">\n"
            for result in suite.results {
                let name = DisplayPath.last(result.sample.name)
                let classname = suite.name.replacingOccurrences(of: "/", with: ".")
                out += "    <testcase name=\"\(Self.escape(name))\" classname=\"\(Self.escape(classname))\""
                out += " file=\"\(Self.escape(result.sample.name))\" time=\"\(Self.time(result.seconds))\""
                switch result.status {
                case .pass:
                    out += "/>\n"
                case .fail:
                    let count = result.findings.count
                    out +=
                        ">\n      <failure message=\"\(count) difference\(count == 1 ? "" : "s")\" type=\"mismatch\">"
                    out += Self.escape(result.findings.joined(separator: "\n")) + "</failure>\n    </testcase>\n"
                case .error:
                    let first = result.errorMessages.first ?? "error"
                    out += ">\n      <error message=\"\(Self.escape(first))\" type=\"replayError\">"
                    out += Self.escape(result.errorMessages.joined(separator: "\n")) + "</error>\n    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    static func counts(_ results: [ReplayResult]) -> String {
        let failures = results.filter { $0.status == .fail }.count
        let errors = results.filter { $0.status == .error }.count
        let time = results.reduce(0) { $0 + $1.seconds }
        return
            " tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"0\" time=\"\(Self.time(time))\""
    }

    static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    /// Text for XML attributes and content: the five predefined entities, and characters XML 1.0
    /// does not allow (control characters other than tab, line feed and carriage return) dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
