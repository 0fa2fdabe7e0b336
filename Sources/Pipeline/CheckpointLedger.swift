import CanonicalHash
import ClinicalModel
import Foundation

/// A checkpoint ledger for point-in-time delta runs: what `convert --ledger` consults and updates.
///
/// It holds, per record, the FHIR resource name (`Patient/<derived id>`, a one-way hash of the
/// business key: no identifiers) and the canonical digest; per checkpoint, its exact UTC start and
/// the units (by SHA-256 of their input) whose output is written. A delta run:
///
/// 1. `begin` opens a checkpoint with its exact UTC start, or resumes the last one if it never
///    completed (a run killed half-way), start time and all;
/// 2. `isDone` skips units the checkpoint already wrote;
/// 3. `delta` sorts a unit's records into new, changed and unchanged; only new and changed ones
///    are emitted, then `commit` records the unit and its records in one transaction. A crash
///    between writing and committing rewrites the same output on restart (names are
///    deterministic), so each record is emitted exactly once;
/// 4. `complete` closes the checkpoint and reports as deleted the records it never saw.
///
/// A backend receives resource names and digests only (`LedgerEntry`), never records, so it cannot
/// store patient data. `SQLiteCheckpointLedger` is the backend today; a PostgreSQL one conforms the
/// same way, and `LedgerContractTests` is the suite every backend must pass. Calls are synchronous
/// (a backend on an event loop blocks on its futures: the run loop runs on its own thread).
public protocol CheckpointLedger: Sendable {
    /// Opens a new checkpoint started at `now`, or resumes the last one that did not complete.
    func begin(now: Date) throws -> LedgerCheckpoint

    /// Whether `checkpoint` already wrote the unit whose input has this digest.
    func isDone(inputDigest: String, in checkpoint: LedgerCheckpoint) throws -> Bool

    /// Sorts a unit's entries into new, changed and unchanged against what the ledger holds.
    func delta(_ entries: [LedgerEntry]) throws -> LedgerDelta

    /// Records, in one transaction, that `checkpoint` wrote the unit (by input digest) and saw its
    /// entries: digests are updated, and each entry is marked as seen by this checkpoint.
    func commit(_ entries: [LedgerEntry], inputDigest: String, in checkpoint: LedgerCheckpoint) throws

    /// Closes the checkpoint at `now`; records last seen by an earlier checkpoint are deleted from
    /// the ledger and returned (meaningful when the run covered the whole source).
    func complete(_ checkpoint: LedgerCheckpoint, now: Date) throws -> LedgerCompletion
}

/// An open checkpoint.
public struct LedgerCheckpoint: Sendable, Hashable {
    /// 1, 2, 3… in the order checkpoints were opened.
    public var id: Int64
    /// The exact UTC start, ISO 8601 with milliseconds (`2026-03-01T08:15:00.250Z`).
    public var startedAt: String

    public init(id: Int64, startedAt: String) {
        self.id = id
        self.startedAt = startedAt
    }
}

/// What a ledger stores of one record: its FHIR resource name and canonical digest.
public struct LedgerEntry: Sendable, Hashable {
    /// `Type/<derived id>`.
    public var resource: String
    /// Lowercase hex SHA-256 of the record's canonical form.
    public var digest: String

    public init(resource: String, digest: String) {
        self.resource = resource
        self.digest = digest
    }

    /// The entries of a unit's records, with the record each one names.
    public static func entries(_ record: ClinicalRecord) -> [(entry: LedgerEntry, ref: EntityRef)] {
        CanonicalHasher.digests(record).map {
            (LedgerEntry(resource: Reconciler.resourceName($0.ref), digest: $0.digest), $0.ref)
        }
    }
}

/// A unit's records against the ledger, by resource name.
public struct LedgerDelta: Sendable, Hashable {
    public var new: Set<String> = []
    public var changed: Set<String> = []
    public var unchanged: Set<String> = []
    /// What a delta run emits: new and changed records.
    public var emitted: Set<String> { new.union(changed) }

    public init(new: Set<String> = [], changed: Set<String> = [], unchanged: Set<String> = []) {
        self.new = new
        self.changed = changed
        self.unchanged = unchanged
    }
}

/// A closed checkpoint.
public struct LedgerCompletion: Sendable, Hashable {
    public var checkpoint: Int64
    public var startedAt: String
    public var completedAt: String
    /// FHIR resource names (`Patient/<id>`) of records no longer present in the source, sorted.
    public var deleted: [String]

    public init(checkpoint: Int64, startedAt: String, completedAt: String, deleted: [String]) {
        self.checkpoint = checkpoint
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.deleted = deleted
    }
}

extension LedgerCheckpoint {
    /// A point in time as ledgers store it: UTC, ISO 8601 with milliseconds.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
