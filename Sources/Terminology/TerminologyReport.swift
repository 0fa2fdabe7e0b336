public import ClinicalModel

/// Terminology findings of a run, aggregated: how often each (kind, system, code) was seen. It holds
/// code systems and codes only (terminology, not patient data), never displays, text or locations.
///
///     var report = TerminologyReport()
///     report.add(diagnostics)                 // from RecordNormalizer, for every record of a run
///     report.counts["unknownCode"]?["http://loinc.org"]?["99999-9"]   // 3
///     print(report.summaryLines().joined(separator: "\n"))
public struct TerminologyReport: Hashable, Sendable, Codable {
    /// The diagnostic kinds the report keeps.
    public static let kinds: Set<IssueKind> = [
        .unknownCode, .malformedCode, .codeSystemNotLoaded, .unknownCodeSystem, .localCode, .displayMismatch,
        .unitNotUCUM, .unmappedCode,
    ]
    /// Stands for "no system" in `counts`.
    public static let noSystem = "(none)"

    /// kind (its raw value) → system → code → occurrences.
    public private(set) var counts: [String: [String: [String: Int]]] = [:]

    public init() {}

    /// Adds the terminology diagnostics of one record (others are ignored).
    public mutating func add(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics where Self.kinds.contains(diagnostic.kind) {
            add(kind: diagnostic.kind.rawValue, system: diagnostic.system, code: diagnostic.code)
        }
    }

    public mutating func add(kind: String, system: String?, code: String?, count: Int = 1) {
        counts[kind, default: [:]][system ?? Self.noSystem, default: [:]][code ?? "", default: 0] += count
    }

    /// Adds another report (e.g. from a parallel worker).
    public mutating func merge(_ other: TerminologyReport) {
        for (kind, systems) in other.counts {
            for (system, codes) in systems {
                for (code, count) in codes { add(kind: kind, system: system, code: code, count: count) }
            }
        }
    }

    public var isEmpty: Bool { counts.isEmpty }

    /// Occurrences of a kind, over all systems and codes.
    public func total(_ kind: IssueKind) -> Int { total(kind.rawValue) }

    func total(_ kind: String) -> Int {
        counts[kind]?.values.reduce(0) { $0 + $1.values.reduce(0, +) } ?? 0
    }

    /// Rows sorted by kind, then count (descending), system and code.
    public var rows: [(kind: String, system: String, code: String, count: Int)] {
        var rows: [(kind: String, system: String, code: String, count: Int)] = []
        for (kind, systems) in counts {
            for (system, codes) in systems {
                for (code, count) in codes { rows.append((kind, system, code, count)) }
            }
        }
        return rows.sorted { ($0.kind, -$0.count, $0.system, $0.code) < ($1.kind, -$1.count, $1.system, $1.code) }
    }

    /// Text lines: per kind its total and distinct codes by system, then the most frequent codes.
    public func summaryLines(top: Int = 10) -> [String] {
        var lines: [String] = []
        for kind in counts.keys.sorted() {
            let systems = counts[kind] ?? [:]
            lines.append("\(kind): \(total(kind))")
            for system in systems.keys.sorted() {
                let codes = systems[system] ?? [:]
                let occurrences = codes.values.reduce(0, +)
                let best = codes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(top)
                let list = best.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                lines.append("  \(system): \(occurrences) (\(codes.count) codes) \(list)")
            }
        }
        return lines
    }

    /// The report fit for logs and run reports: a code is shown as itself only when it is a well-formed
    /// code of a standard code system (LOINC, SNOMED CT, RxNorm, CVX, ICD-10-CM) or, for
    /// `displayMismatch`, a code the code system knows. Every other code (local codes, codes of
    /// unknown or unloaded systems, malformed codes, units) is free text from the source as far as we
    /// know, so it is replaced by a fingerprint `#` + 16 hex digits (FNV-1a 64 of the code): equal codes
    /// still group, and the full list is available on request (`--terminology-report`), written like
    /// any output. System names are kept only when they are URIs or OIDs.
    public func redacted() -> TerminologyReport {
        var result = TerminologyReport()
        for (kind, systems) in counts {
            for (system, codes) in systems {
                let shownSystem = Self.isSafeSystem(system) ? system : Self.fingerprint(system)
                for (code, count) in codes {
                    let shown = Self.isSafeCode(code, system: system, kind: kind) ? code : Self.fingerprint(code)
                    result.add(kind: kind, system: shownSystem, code: shown, count: count)
                }
            }
        }
        return result
    }

    static func isSafeSystem(_ system: String) -> Bool {
        if system == noSystem { return true }
        if system.hasPrefix("http://") || system.hasPrefix("https://") || system.hasPrefix("urn:oid:") {
            return system.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        }
        return !system.isEmpty && system.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }
    }

    static func isSafeCode(_ code: String, system: String, kind: String) -> Bool {
        if code.isEmpty { return true }
        let kind = IssueKind(rawValue: kind)
        guard kind != .unitNotUCUM, kind != .localCode else { return false }
        // a display mismatch is reported only for codes the loaded code system holds
        if kind == .displayMismatch { return true }
        return CodeSyntax.isWellFormed(code, system: system) == true
    }

    /// `#` and the FNV-1a 64-bit hash of the text in hex: a grouping key, not a secret.
    public static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return "#" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Occurrences over every kind.
    public var totalOccurrences: Int { counts.keys.reduce(0) { $0 + total($1) } }
}
