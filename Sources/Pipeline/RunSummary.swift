import ClinicalModel
import FHIRR4
import Terminology

/// Counts for one run: units converted and failed, resources by type, diagnostics by kind, and
/// each error with its kind and position. It reads no patient data: kinds, positions, counts.
public struct RunSummary: Sendable {
    public var units = 0
    public var converted = 0
    public var failed = 0
    public var bytes = 0
    public var resources: [String: Int] = [:]
    public var diagnosticsByKind: [String: Int] = [:]
    public var errors: [SourceError] = []
    /// Warnings that the input itself is damaged (cut short, a required field or segment missing,
    /// bytes that are not UTF-8, batch counts that differ), each with its kind, position and input:
    /// the first `inputWarningLimit`; all of them are counted in `diagnosticsByKind`.
    public var inputWarnings: [String] = []
    public var ioErrors: [String] = []
    public var ledger = LedgerSummary()
    /// Terminology findings (unknown, unmapped, local codes; units not in UCUM) by system and code.
    public var terminology = TerminologyReport()

    /// Delta-run counts (records by FHIR resource name only).
    public struct LedgerSummary: Sendable {
        public var checkpoint: Int64?
        public var startedAt: String?
        public var new = 0
        public var changed = 0
        public var unchanged = 0
        public var resumedUnits = 0
        public var deleted: [String] = []

        public mutating func add(_ delta: LedgerDelta) {
            new += delta.new.count
            changed += delta.changed.count
            unchanged += delta.unchanged.count
        }
    }

    public init() {}

    /// Kinds listed with their positions in `inputWarnings`.
    public static let inputWarningKinds: Set<IssueKind> = [
        .truncatedSegment, .missingRequiredField, .missingRequiredSegment, .invalidUTF8, .batchCountMismatch,
    ]
    /// Positioned input warnings kept (the rest are counted only).
    public static let inputWarningLimit = 1_000

    public mutating func record(unit: UnitResult, input: String? = nil) {
        for diagnostic in unit.diagnostics where Self.inputWarningKinds.contains(diagnostic.kind) {
            guard inputWarnings.count < Self.inputWarningLimit else { break }
            inputWarnings.append("\(diagnostic)" + (input.map { " (\($0))" } ?? ""))
        }
        units += 1
        if let error = unit.error {
            failed += 1
            errors.append(error)
        } else {
            converted += 1
        }
        for diagnostic in unit.diagnostics { diagnosticsByKind[diagnostic.kind.rawValue, default: 0] += 1 }
        terminology.add(unit.diagnostics)
    }

    public mutating func record(error: SourceError) {
        units += 1
        failed += 1
        errors.append(error)
    }

    public mutating func record(resources counts: [String: Int], diagnostics: [Diagnostic]) {
        for (type, count) in counts { resources[type, default: 0] += count }
        for diagnostic in diagnostics { diagnosticsByKind[diagnostic.kind.rawValue, default: 0] += 1 }
    }

    public func text() -> String {
        var lines = ["fhirbridge: \(units) units, \(converted) converted, \(failed) failed, \(bytes) bytes read"]
        if !resources.isEmpty {
            lines.append(
                "resources: "
                    + resources.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !diagnosticsByKind.isEmpty {
            lines.append(
                "diagnostics: "
                    + diagnosticsByKind.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value)" }.joined(
                        separator: ", "))
        }
        if let checkpoint = ledger.checkpoint {
            lines.append(
                "checkpoint \(checkpoint) (started \(ledger.startedAt ?? "?")): \(ledger.new) new, \(ledger.changed) changed, "
                    + "\(ledger.unchanged) unchanged records, \(ledger.deleted.count) deleted, \(ledger.resumedUnits) units already written"
            )
        }
        if !terminology.isEmpty {
            lines.append("terminology (codes in local or unknown systems shown as #fingerprints):")
            lines += terminology.redacted().summaryLines(top: 5).map { "  " + $0 }
        }
        for error in errors.prefix(50) { lines.append("error: \(error)") }
        if errors.count > 50 { lines.append("… and \(errors.count - 50) more errors") }
        for warning in inputWarnings.prefix(50) { lines.append(warning) }
        let warningCount = Self.inputWarningKinds.reduce(0) { $0 + (diagnosticsByKind[$1.rawValue] ?? 0) }
        if warningCount > min(inputWarnings.count, 50) {
            lines.append("… and \(warningCount - min(inputWarnings.count, 50)) more input warnings")
        }
        for error in ioErrors { lines.append("error: \(error)") }
        return lines.joined(separator: "\n") + "\n"
    }

    public func json() -> [UInt8] {
        var object = JSONObject()
        object.append("units", .int(units))
        object.append("converted", .int(converted))
        object.append("failed", .int(failed))
        object.append("bytes", .int(bytes))
        var resourceObject = JSONObject()
        for (type, count) in resources.sorted(by: { $0.key < $1.key }) { resourceObject.append(type, .int(count)) }
        object.append("resources", .object(resourceObject))
        var diagnosticObject = JSONObject()
        for (kind, count) in diagnosticsByKind.sorted(by: { $0.key < $1.key }) {
            diagnosticObject.append(kind, .int(count))
        }
        object.append("diagnostics", .object(diagnosticObject))
        var terminologyRows: [JSON] = []
        for row in terminology.redacted().rows {
            var item = JSONObject()
            item.append("kind", .string(row.kind))
            item.append("system", .string(row.system))
            item.append("code", .string(row.code))
            item.append("count", .int(row.count))
            terminologyRows.append(.object(item))
        }
        object.append("terminology", .array(terminologyRows))
        object.append("errors", .array(errors.map { .string($0.description) }))
        object.append("inputWarnings", .array(inputWarnings.map { .string($0) }))
        object.append("ioErrors", .array(ioErrors.map { .string($0) }))
        if let checkpoint = ledger.checkpoint {
            var delta = JSONObject()
            delta.append("checkpoint", .number(String(checkpoint)))
            delta.append("startedAt", .string(ledger.startedAt ?? ""))
            delta.append("new", .int(ledger.new))
            delta.append("changed", .int(ledger.changed))
            delta.append("unchanged", .int(ledger.unchanged))
            delta.append("resumedUnits", .int(ledger.resumedUnits))
            delta.append("deleted", .array(ledger.deleted.map { .string($0) }))
            object.append("ledger", .object(delta))
        }
        return JSONWriter(style: .pretty).bytes(.object(object))
    }
}
