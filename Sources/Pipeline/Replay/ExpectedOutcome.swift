import ClinicalModel
import Foundation

/// `NAME.expected`: the errors (and warnings) a sample is expected to give, one block per issue,
/// blocks separated by a blank line. Kinds and positions only, so the file holds no patient data.
///
///     kind: invalidEncodingCharacters     # the error a unit fails with (or `warning:` a diagnostic kind)
///     unit: 2                             # the unit's number in its input, or `row` (CSV: any unit)
///     position: message 2 MSH[1]-2        # the location as printed
///
/// `output: none` (a block of its own) says the sample converts to nothing (no record at all).
/// Other keys (`good`, used by `RobustnessTests`) are kept as they are when `--record` refreshes the
/// file. A sample passes only when each failed unit matches an error block, each error block matches
/// a failed unit, and each warning block matches a diagnostic.
public struct ExpectedOutcome: Sendable, Hashable {
    public struct Issue: Sendable, Hashable {
        public var isWarning: Bool
        public var kind: String
        /// A unit number, `row`, or `nil` for any unit.
        public var unit: String?
        public var position: String
        /// Keys this reader does not use, in file order (kept on refresh).
        public var other: [String: String] = [:]
        public var otherOrder: [String] = []

        /// `invalidEncodingCharacters at message 2 MSH[1]-2 (unit 2)`: kind and position, no value.
        public var summary: String {
            let what = isWarning ? "warning \(kind)" : kind
            let at = position.isEmpty ? "" : " at \(position)"
            return what + at + (unit.map { " (unit \($0))" } ?? "")
        }

        func matches(kind: String, position: String, unit index: Int) -> Bool {
            guard kind == self.kind, position == self.position else { return false }
            guard let unit, unit != "row" else { return true }
            return unit == String(index)
        }
    }

    public var issues: [Issue] = []
    public var expectsNoOutput = false

    public init(issues: [Issue] = [], expectsNoOutput: Bool = false) {
        self.issues = issues
        self.expectsNoOutput = expectsNoOutput
    }

    /// Reads the file's text; `nil` with the 1-based line of the first line that is not `key: value`.
    public static func parse(_ text: String) -> Result<ExpectedOutcome, LineError> {
        var outcome = ExpectedOutcome()
        var block: [(key: String, value: String, line: Int)] = []
        func close() -> LineError? {
            defer { block = [] }
            guard !block.isEmpty else { return nil }
            var fields: [String: String] = [:]
            var order: [String] = []
            for entry in block {
                if fields[entry.key] == nil { order.append(entry.key) }
                fields[entry.key] = entry.value
            }
            if fields["output"] == "none" {
                outcome.expectsNoOutput = true
                return nil
            }
            let isWarning = fields["kind"] == nil && fields["warning"] != nil
            guard let kind = fields["kind"] ?? fields["warning"] else {
                return LineError(line: block[0].line, message: "a block needs kind, warning or output")
            }
            var issue = Issue(
                isWarning: isWarning, kind: kind, unit: fields["unit"], position: fields["position"] ?? "")
            for key in order where !["kind", "warning", "unit", "position"].contains(key) {
                issue.other[key] = fields[key]
                issue.otherOrder.append(key)
            }
            outcome.issues.append(issue)
            return nil
        }
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                if let error = close() { return .failure(error) }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                return .failure(LineError(line: offset + 1, message: "expected key: value"))
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            block.append((key, value, offset + 1))
        }
        if let error = close() { return .failure(error) }
        return .success(outcome)
    }

    /// A problem in an expectation file, by line.
    public struct LineError: Error, Sendable, Hashable {
        public var line: Int
        public var message: String
    }

    /// The file's text.
    public var text: String {
        var blocks: [String] = []
        if expectsNoOutput { blocks.append("output: none\n") }
        for issue in issues {
            var lines = [(issue.isWarning ? "warning" : "kind") + ": " + issue.kind]
            if let unit = issue.unit { lines.append("unit: \(unit)") }
            lines.append("position: \(issue.position)")
            for key in issue.otherOrder { lines.append("\(key): \(issue.other[key] ?? "")") }
            blocks.append(lines.joined(separator: "\n") + "\n")
        }
        return blocks.joined(separator: "\n")
    }

    /// What differs between this expectation and the units a run gave: kinds and positions only.
    func mismatches(_ units: [UnitResult], hasOutput: Bool) -> [String] {
        var found: [String] = []
        var matched = Set<Int>()
        for unit in units {
            guard let error = unit.error else { continue }
            let position = error.location.map(String.init(describing:)) ?? ""
            if let index = issues.indices.first(where: {
                !issues[$0].isWarning && !matched.contains($0)
                    && issues[$0].matches(kind: error.kind.rawValue, position: position, unit: unit.index)
            }) {
                matched.insert(index)
            } else {
                let at = position.isEmpty ? "" : " at \(position)"
                found.append("unexpected error \(error.kind.rawValue)\(at) (unit \(unit.index))")
            }
        }
        for (index, issue) in issues.enumerated() where !issue.isWarning && !matched.contains(index) {
            found.append("missing error \(issue.summary)")
        }
        for issue in issues where issue.isWarning {
            let present = units.contains { unit in
                unit.diagnostics.contains {
                    issue.matches(
                        kind: $0.kind.rawValue, position: $0.location.map(String.init(describing:)) ?? "",
                        unit: unit.index)
                }
            }
            if !present { found.append("missing \(issue.summary)") }
        }
        if expectsNoOutput && hasOutput { found.append("unexpected output (expected none)") }
        return found
    }

    /// The outcome a run gave, keeping the warning blocks that still hold and the extra keys of
    /// blocks that are still there.
    func recorded(from units: [UnitResult], rowUnits: Bool, hasOutput: Bool) -> ExpectedOutcome {
        var next = ExpectedOutcome()
        next.expectsNoOutput = !hasOutput && !units.contains { $0.error != nil }
        for unit in units {
            guard let error = unit.error else { continue }
            let position = error.location.map(String.init(describing:)) ?? ""
            var issue = Issue(
                isWarning: false, kind: error.kind.rawValue, unit: rowUnits ? "row" : String(unit.index),
                position: position)
            if let old = issues.first(where: {
                !$0.isWarning && $0.matches(kind: issue.kind, position: position, unit: unit.index)
            }) {
                issue.unit = old.unit
                issue.other = old.other
                issue.otherOrder = old.otherOrder
            }
            next.issues.append(issue)
        }
        for issue in issues where issue.isWarning {
            let holds = units.contains { unit in
                unit.diagnostics.contains {
                    issue.matches(
                        kind: $0.kind.rawValue, position: $0.location.map(String.init(describing:)) ?? "",
                        unit: unit.index)
                }
            }
            if holds { next.issues.append(issue) }
        }
        return next
    }

    /// Whether there is anything to write.
    var isEmpty: Bool { issues.isEmpty && !expectsNoOutput }
}
