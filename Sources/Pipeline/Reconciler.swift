import CanonicalHash
import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation

/// One record in a reconciliation report, named by its FHIR resource (`Patient/<derived id>`):
/// the derived id is a one-way hash of the business key, so the report names records an engineer
/// can look up on the target server without carrying identifiers such as MRNs.
public struct ReconciledRecord: Hashable, Sendable, Comparable {
    public var resource: String
    public var sourceDigest: String?
    public var fhirDigest: String?

    public static func < (lhs: ReconciledRecord, rhs: ReconciledRecord) -> Bool { lhs.resource < rhs.resource }
}

/// A reference that points at a record missing from the side it was read from.
public struct DanglingReference: Hashable, Sendable, Comparable {
    public var from: String
    public var to: String

    public static func < (lhs: DanglingReference, rhs: DanglingReference) -> Bool {
        (lhs.from, lhs.to) < (rhs.from, rhs.to)
    }
}

/// The outcome of comparing a source with its FHIR output: counts, differences by record, dangling
/// references, and source data that reached no output. Kinds, counts, resource ids and digests
/// only: no patient data.
public struct ReconciliationReport: Sendable {
    public var canonicalForm = CanonicalForm.version
    public var sourceCounts: [EntityKind: Int] = [:]
    public var fhirCounts: [EntityKind: Int] = [:]
    public var matched = 0
    public var missing: [ReconciledRecord] = []
    public var extra: [ReconciledRecord] = []
    public var changed: [ReconciledRecord] = []
    public var danglingInSource: [DanglingReference] = []
    /// Dangling references on the FHIR side that the source did not already have.
    public var danglingInFHIR: [DanglingReference] = []
    /// Source positions that reached no output, by kind and segment/field (`fieldNotMapped PV1-50`).
    public var unusedSource: [String: Int] = [:]
    public var sourceRollup = ""
    public var fhirRollup = ""
    public var sourceErrors: [SourceError] = []
    /// What became of the source elements (carried, declared with a reason, unaccounted), by element
    /// path, for the units whose reader accounts for its source.
    public var sourceAccount = SourceAccount()
    /// Converted units whose reader gave no source account (their elements are not counted).
    public var unitsNotAccounted = 0

    public init() {}

    /// True when every source record arrived unchanged, nothing else did, and every source element
    /// counted was carried or declared with a reason.
    public var isClean: Bool {
        missing.isEmpty && extra.isEmpty && changed.isEmpty && danglingInFHIR.isEmpty && sourceErrors.isEmpty
            && sourceAccount.isComplete
    }
}

/// Compares canonical records from the source with canonical records read back from FHIR.
public enum Reconciler {
    /// Diagnostics that mean source data reached no output.
    static let unusedKinds: Set<IssueKind> = [
        .fieldNotMapped, .segmentNotMapped, .customSegmentNotMapped, .encapsulatedDataNotMapped, .noteNotMapped,
        .noteWithoutContext, .segmentWithoutContext, .duplicateRecord,
    ]

    /// Latest version of each record by key: a later source unit (an A08 update) supersedes an
    /// earlier one, as it does in the output.
    static func latest(_ records: [ClinicalRecord]) -> [EntityRef: RecordDigest] {
        var result: [EntityRef: RecordDigest] = [:]
        for record in records {
            for digest in CanonicalHasher.digests(record) { result[digest.ref] = digest }
        }
        return result
    }

    static func resourceName(_ ref: EntityRef) -> String {
        "\(ref.kind.fhirResourceType)/\(ResourceID.derive(ref))"
    }

    /// Compares `source` with `fhir`; `account` is the source accounting of the run (`RunSummary`),
    /// whose unaccounted elements make the report not clean.
    public static func reconcile(
        source: [ClinicalRecord], sourceDiagnostics: [Diagnostic], sourceErrors: [SourceError], fhir: [ClinicalRecord],
        account: SourceAccount = SourceAccount(), unitsNotAccounted: Int = 0
    ) -> ReconciliationReport {
        var report = ReconciliationReport()
        report.sourceErrors = sourceErrors
        report.sourceAccount = account
        report.unitsNotAccounted = unitsNotAccounted
        let sourceDigests = latest(source)
        let fhirDigests = latest(fhir)
        for ref in sourceDigests.keys { report.sourceCounts[ref.kind, default: 0] += 1 }
        for ref in fhirDigests.keys { report.fhirCounts[ref.kind, default: 0] += 1 }
        for (ref, digest) in sourceDigests {
            guard let other = fhirDigests[ref] else {
                report.missing.append(ReconciledRecord(resource: resourceName(ref), sourceDigest: digest.digest))
                continue
            }
            if other.digest == digest.digest {
                report.matched += 1
            } else {
                report.changed.append(
                    ReconciledRecord(resource: resourceName(ref), sourceDigest: digest.digest, fhirDigest: other.digest)
                )
            }
        }
        for (ref, digest) in fhirDigests where sourceDigests[ref] == nil {
            report.extra.append(ReconciledRecord(resource: resourceName(ref), fhirDigest: digest.digest))
        }
        // A reference that already points outside the source (a merge message names patients that
        // live on the target server) is not a conversion problem: only new dangling references are.
        report.danglingInSource = dangling(sourceDigests)
        let expected = Set(report.danglingInSource)
        report.danglingInFHIR = dangling(fhirDigests).filter { !expected.contains($0) }
        for diagnostic in sourceDiagnostics where unusedKinds.contains(diagnostic.kind) {
            report.unusedSource["\(diagnostic.kind) \(positionWithoutMessage(diagnostic.location))", default: 0] += 1
        }
        report.sourceRollup = CanonicalHasher.rollup(sourceDigests.values.map(\.digest))
        report.fhirRollup = CanonicalHasher.rollup(fhirDigests.values.map(\.digest))
        report.missing.sort()
        report.extra.sort()
        report.changed.sort()
        return report
    }

    static func dangling(_ digests: [EntityRef: RecordDigest]) -> [DanglingReference] {
        var result: Set<DanglingReference> = []
        for digest in digests.values {
            for reference in digest.references where digests[reference] == nil {
                result.insert(DanglingReference(from: resourceName(digest.ref), to: resourceName(reference)))
            }
        }
        return result.sorted()
    }

    /// `PV1-50`, `ZLR`, `patients.csv column X`, an XPath: the position without the message
    /// number, so counts aggregate across a batch.
    static func positionWithoutMessage(_ location: SourceLocation?) -> String {
        switch location {
        case .hl7(_, let segment, _, let field, _, _, _)?:
            return field.map { "\(segment)-\($0)" } ?? segment
        case .csv(let file, _, let column)?:
            return column.map { "\(file) column \($0)" } ?? file
        case .xml(let xpath, _)?:
            return xpath.replacingOccurrences(of: #"\[\d+\]"#, with: "", options: .regularExpression)
        case .input(let name, _)?:
            return name
        case nil:
            return "unknown"
        }
    }
}
