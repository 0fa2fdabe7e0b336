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
    /// CSV warnings (a cell dropped, a row or file with a problem) are listed the same way, by
    /// file, line and column header.
    public var inputWarnings: [String] = []
    /// Diagnostics listed or counted as input warnings.
    public var inputWarningCount = 0
    public var ioErrors: [String] = []
    public var ledger = LedgerSummary()
    /// Terminology findings (unknown, unmapped, local codes; units not in UCUM) by system and code.
    public var terminology = TerminologyReport()
    /// What became of the source elements of the units whose reader accounts for them (HL7 v2, CSV,
    /// C-CDA once its reader does): carried, declared with a reason, unaccounted, by element path.
    public var account = SourceAccount()
    /// Converted units whose reader gave no source account: their source is not proven carried.
    public var unitsNotAccounted = 0

    /// Delta-run counts (records by FHIR resource name only).
    public struct LedgerSummary: Sendable {
        public var checkpoint: Int64?
        public var startedAt: String?
        public var new = 0
        public var changed = 0
        public var unchanged = 0
        public var resumedUnits = 0
        public var deleted: [String] = []
        /// Records whose last version in source order the target was not sent; the next run emits them.
        public var unsettled: [String] = []

        public init() {}

        /// Counts a unit's records at their first occurrence in the checkpoint (until `complete`).
        public mutating func add(_ delta: LedgerDelta) {
            for decision in delta.decisions where decision.isFirstInCheckpoint {
                switch decision.outcome {
                case .new: new += 1
                case .changed: changed += 1
                case .unchanged: unchanged += 1
                }
            }
        }

        /// The `ledger` member of `--report` (and what `fhirbridge ledger complete` prints), or `nil`
        /// without a checkpoint.
        public func json() -> JSON? {
            guard let checkpoint else { return nil }
            var delta = JSONObject()
            delta.append("checkpoint", .number(String(checkpoint)))
            delta.append("startedAt", .string(startedAt ?? ""))
            delta.append("new", .int(new))
            delta.append("changed", .int(changed))
            delta.append("unchanged", .int(unchanged))
            delta.append("resumedUnits", .int(resumedUnits))
            delta.append("deleted", .array(deleted.map { .string($0) }))
            delta.append("unsettled", .array(unsettled.map { .string($0) }))
            return .object(delta)
        }

        /// The completed checkpoint's own counts, each record once (a resumed run's earlier part too).
        public mutating func complete(_ completion: LedgerCompletion) {
            checkpoint = completion.checkpoint
            startedAt = completion.startedAt
            deleted = completion.deleted
            unsettled = completion.unsettled
            new = completion.counts.new
            changed = completion.counts.changed
            unchanged = completion.counts.unchanged
        }
    }

    public init() {}

    /// Kinds listed with their positions in `inputWarnings`.
    public static let inputWarningKinds: Set<IssueKind> = [
        .truncatedSegment, .missingRequiredField, .missingRequiredSegment, .invalidUTF8, .batchCountMismatch,
    ]
    /// Whether a diagnostic is listed with its position: the kinds above, and CSV warnings.
    static func isInputWarning(_ diagnostic: Diagnostic) -> Bool {
        if inputWarningKinds.contains(diagnostic.kind) { return true }
        if case .csv? = diagnostic.location, diagnostic.severity >= .warning { return true }
        return false
    }

    /// Positioned input warnings kept (the rest are counted only).
    public static let inputWarningLimit = 1_000

    public mutating func record(unit: UnitResult, input: String? = nil) {
        for diagnostic in unit.diagnostics where Self.isInputWarning(diagnostic) {
            inputWarningCount += 1
            guard inputWarnings.count < Self.inputWarningLimit else { continue }
            inputWarnings.append("\(diagnostic)" + (input.map { " (\($0))" } ?? ""))
        }
        units += 1
        if let error = unit.error {
            failed += 1
            errors.append(error)
        } else {
            converted += 1
            if let unitAccount = unit.account {
                account.add(unitAccount)
            } else {
                unitsNotAccounted += 1
            }
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
        lines += accountLines()
        if let checkpoint = ledger.checkpoint {
            lines.append(
                "checkpoint \(checkpoint) (started \(ledger.startedAt ?? "?")): \(ledger.new) new, \(ledger.changed) changed, "
                    + "\(ledger.unchanged) unchanged records, \(ledger.deleted.count) deleted, \(ledger.resumedUnits) units already written"
                    + (ledger.unsettled.isEmpty
                        ? "" : ", \(ledger.unsettled.count) unsettled (emitted by the next run)")
            )
        }
        if !terminology.isEmpty {
            lines.append("terminology (codes in local or unknown systems shown as #fingerprints):")
            lines += terminology.redacted().summaryLines(top: 5).map { "  " + $0 }
        }
        for error in errors.prefix(50) { lines.append("error: \(error)") }
        if errors.count > 50 { lines.append("… and \(errors.count - 50) more errors") }
        for warning in inputWarnings.prefix(50) { lines.append(warning) }
        if inputWarningCount > min(inputWarnings.count, 50) {
            lines.append("… and \(inputWarningCount - min(inputWarnings.count, 50)) more input warnings")
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
        object.append("sourceAccount", Self.accountJSON(account, unitsNotAccounted: unitsNotAccounted))
        object.append("errors", .array(errors.map { .string($0.description) }))
        object.append("inputWarnings", .array(inputWarnings.map { .string($0) }))
        object.append("ioErrors", .array(ioErrors.map { .string($0) }))
        if let delta = ledger.json() { object.append("ledger", delta) }
        return JSONWriter(style: .pretty).bytes(.object(object))
    }

    /// The source account for standard error: the totals, then each unaccounted path, and the
    /// declared paths with their reasons (most frequent first, at most `top` of each).
    public func accountLines(top: Int = 20) -> [String] {
        guard !account.isEmpty || unitsNotAccounted > 0 else { return [] }
        let totals = account.totals
        var line =
            "source elements: \(totals.carried) carried, \(totals.declared) declared, \(totals.unaccounted) unaccounted"
        if unitsNotAccounted > 0 { line += "; \(unitsNotAccounted) units not accounted" }
        var lines = [line]
        let unaccounted = account.unaccounted.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
        for (path, count) in unaccounted.prefix(top) { lines.append("  unaccounted \(path) \(count)") }
        if unaccounted.count > top { lines.append("  … and \(unaccounted.count - top) more unaccounted paths") }
        return lines
    }

    /// The account as JSON: totals, then per element path the unaccounted counts and the declared
    /// counts with their reasons (paths and reasons are mapping data, never values).
    public static func accountJSON(_ account: SourceAccount, unitsNotAccounted: Int) -> JSON {
        let totals = account.totals
        var object = JSONObject()
        object.append("carried", .int(totals.carried))
        object.append("declared", .int(totals.declared))
        object.append("unaccounted", .int(totals.unaccounted))
        object.append("unitsNotAccounted", .int(unitsNotAccounted))
        var unaccounted = JSONObject()
        for (path, count) in account.unaccounted.sorted(by: { $0.key < $1.key }) {
            unaccounted.append(path, .int(count))
        }
        object.append("unaccountedByPath", .object(unaccounted))
        var declared = JSONObject()
        for (path, count) in account.declared.sorted(by: { $0.key < $1.key }) {
            var item = JSONObject()
            item.append("count", .int(count))
            item.append("reason", .string(account.reasons[path] ?? ""))
            declared.append(path, .object(item))
        }
        object.append("declaredByPath", .object(declared))
        var carried = JSONObject()
        for (path, count) in account.carried.sorted(by: { $0.key < $1.key }) { carried.append(path, .int(count)) }
        object.append("carriedByPath", .object(carried))
        return .object(object)
    }
}
