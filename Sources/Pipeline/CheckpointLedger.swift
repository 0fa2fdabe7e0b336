import CanonicalHash
import ClinicalModel
import Foundation

/// A checkpoint ledger for point-in-time delta runs: what `convert --ledger` consults and updates.
///
/// It holds, per record, the FHIR resource name (`Patient/<derived id>`, a one-way hash of the
/// business key: no identifiers) and canonical digests; per checkpoint, its exact UTC start and
/// the units (by SHA-256 of their input) whose output is written. A delta run:
///
/// 1. `begin` opens a checkpoint with its exact UTC start, or resumes the last one if it never
///    completed (a run killed half-way), start time and all;
/// 2. `isDone` skips units the checkpoint already wrote;
/// 3. `delta` decides, by `LedgerRule`, which of a unit's records to emit; only those are
///    written, then `commit` records the unit and the decisions. A crash between writing and
///    committing (or before a grouped commit was flushed) writes the same output again on restart
///    (names and decisions are deterministic), so each record is emitted exactly once;
/// 4. `complete` flushes, closes the checkpoint and reports as deleted the records it never saw.
///
/// **Shared records are settled once per checkpoint.** An Organization, Practitioner, Location
/// (or a Patient updated by a later message) can come with different content in different units
/// of one source. As in a bundle and in `reconcile`, the *last* version in source order is the
/// record's version for the checkpoint, and an unchanged source writes nothing on a rerun, however
/// many versions of a record it carries: see `LedgerRule`.
///
/// Only one run may use a ledger at a time: opening one that another run holds fails with
/// `LedgerError.locked`; storage that is empty or not a ledger fails with `LedgerError.empty` or
/// `.damaged` unless the backend is asked to start afresh.
///
/// A backend receives resource names and digests only (`LedgerEntry`), never records, so it cannot
/// store patient data. `SQLiteCheckpointLedger` (one machine) and `PostgresCheckpointLedger` (one
/// machine, or the shards of a run on many) are the backends; `LedgerContractTests` is the suite
/// every backend must pass. Calls are synchronous
/// (a backend on an event loop blocks on its futures: the run loop runs on its own thread). A
/// backend may group commits for speed; `flush`, `complete` and `close` make them durable.
public protocol CheckpointLedger: AnyObject, Sendable {
    /// Opens a new checkpoint started at `now`, or resumes the last one that did not complete.
    func begin(now: Date) throws -> LedgerCheckpoint

    /// Whether `checkpoint` already wrote the unit whose input has this digest.
    func isDone(inputDigest: String, in checkpoint: LedgerCheckpoint) throws -> Bool

    /// Decides, by `LedgerRule`, what a delta run does with each of a unit's entries. Reads only:
    /// nothing changes until `commit`.
    func delta(_ entries: [LedgerEntry], in checkpoint: LedgerCheckpoint) throws -> LedgerDelta

    /// Records that `checkpoint` wrote the unit (by input digest) with `delta`'s decisions (as
    /// `delta` returned them, with nothing committed in between).
    func commit(_ delta: LedgerDelta, inputDigest: String, in checkpoint: LedgerCheckpoint) throws

    /// Makes every commit so far durable.
    func flush() throws

    /// Flushes and closes the checkpoint at `now`; records last seen by an earlier checkpoint are
    /// deleted from the ledger and returned (meaningful when the run covered the whole source).
    func complete(_ checkpoint: LedgerCheckpoint, now: Date) throws -> LedgerCompletion

    /// Flushes and lets go of the storage (and its lock). The ledger is not used afterwards.
    func close() throws

    /// The checkpoint that is open (begun and not completed), if any. Opens none.
    func openCheckpoint() throws -> LedgerCheckpoint?

    /// Whether this process completes its checkpoints. A shard of a sharded run does not: it
    /// joins the checkpoint the driver opened, and the driver completes it once every shard is done
    /// (`fhirbridge ledger begin` / `complete`).
    var completesCheckpoints: Bool { get }
}

extension CheckpointLedger {
    public var completesCheckpoints: Bool { true }
}

/// Why a ledger cannot be opened or used. Descriptions name no path and hold no record data.
public enum LedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Another run holds the ledger.
    case locked
    /// The ledger's storage exists but is empty (a zero-length file).
    case empty
    /// The storage is not a ledger, or is damaged; the reason is a short fixed text.
    case damaged(String)
    /// The storage cannot be read or written.
    case unavailable(String)

    public var description: String {
        switch self {
        case .locked:
            "the ledger is in use by another run (one run per ledger at a time)"
        case .empty:
            "the ledger file is empty; pass --new-ledger to start a new ledger there"
        case .damaged(let reason):
            "the ledger file is not a fhirbridge ledger or is damaged (\(reason)); pass --new-ledger to start a new ledger there"
        case .unavailable(let reason):
            "cannot use the ledger (\(reason))"
        }
    }
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

/// What a ledger knows of one record.
public struct LedgerRecordState: Sendable, Hashable {
    /// The digest of the version the target was last sent.
    public var digest: String
    /// The last checkpoint that saw the record.
    public var seenAt: Int64
    /// The last checkpoint that emitted it.
    public var writtenAt: Int64
    /// The checkpoint that first emitted it.
    public var createdAt: Int64
    /// Its last occurrence in `seenAt` was an earlier version that was held back (see `LedgerRule`).
    public var heldBack: Bool

    public init(digest: String, seenAt: Int64, writtenAt: Int64, createdAt: Int64, heldBack: Bool = false) {
        self.digest = digest
        self.seenAt = seenAt
        self.writtenAt = writtenAt
        self.createdAt = createdAt
        self.heldBack = heldBack
    }
}

/// How a delta run settles a record, one occurrence at a time in source order. Every backend
/// decides through it, so backends differ in storage only.
///
/// The ledger keeps, per record, the digest the target was last sent (`LedgerRecordState.digest`)
/// and the other versions the record came with in the last checkpoint that saw it (`variants`).
/// An occurrence is:
/// - **new** when the ledger does not know the record: emitted;
/// - **unchanged** when its digest is the one the target holds: not emitted;
/// - **unchanged** too when it is one of the other versions the record came with last time and
///   nothing of the record was emitted yet in this checkpoint: it is *held back*, since a later
///   occurrence is expected to bring the target's version again (an unchanged source);
/// - **changed** otherwise: emitted, and the target holds it from then on. Once a record has been
///   emitted in a checkpoint, each later occurrence that differs from what the target holds is
///   emitted too, so the target ends with the last version in source order.
///
/// So an unchanged rerun writes nothing whatever versions a source carries of a shared record,
/// and a record whose last version changed is emitted. If a checkpoint's last occurrence of a
/// record was held back (the units that brought the target's version are gone from the source, or
/// came earlier this time), the target holds another version than the source's last: `complete`
/// reports the record as *unsettled* and forgets its variants, so the next run emits it.
public enum LedgerRule {
    /// The decision for one occurrence of a record in `checkpoint`, given what the ledger holds.
    ///
    /// - Parameter isVariant: whether `digest` is among the record's other versions in the last
    ///   checkpoint before this one that saw it (asked only when it matters).
    public static func decide(
        _ entry: LedgerEntry, state: LedgerRecordState?, checkpoint: Int64, isVariant: () throws -> Bool
    ) rethrows -> LedgerDecision {
        let id = checkpoint
        guard let state else {
            return LedgerDecision(
                entry: entry, outcome: .new, isFirstInCheckpoint: true,
                state: LedgerRecordState(digest: entry.digest, seenAt: id, writtenAt: id, createdAt: id))
        }
        let first = state.seenAt != id
        var after = state
        after.seenAt = id
        if entry.digest == state.digest {
            after.heldBack = false
            return LedgerDecision(entry: entry, outcome: .unchanged, isFirstInCheckpoint: first, state: after)
        }
        if state.writtenAt != id, try isVariant() {
            after.heldBack = true
            return LedgerDecision(
                entry: entry, outcome: .unchanged, isFirstInCheckpoint: first, state: after, variants: [entry.digest])
        }
        after.digest = entry.digest
        after.writtenAt = id
        after.heldBack = false
        // the version the target held came with an earlier unit of this checkpoint: one of its versions
        let variants = first ? [] : [state.digest]
        return LedgerDecision(
            entry: entry, outcome: state.createdAt == id ? .new : .changed, isFirstInCheckpoint: first, state: after,
            variants: variants)
    }
}

/// What a delta run does with one occurrence of a record, and what the ledger records for it.
public struct LedgerDecision: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        case new, changed, unchanged
    }

    public var entry: LedgerEntry
    public var outcome: Outcome
    /// The record's first occurrence in the checkpoint (what the per-unit counts count).
    public var isFirstInCheckpoint: Bool
    /// The record's state once the unit is committed.
    public var state: LedgerRecordState
    /// Versions the record came with in this checkpoint other than the one the target holds.
    public var variants: [String]

    public var emits: Bool { outcome != .unchanged }

    public init(
        entry: LedgerEntry, outcome: Outcome, isFirstInCheckpoint: Bool, state: LedgerRecordState,
        variants: [String] = []
    ) {
        self.entry = entry
        self.outcome = outcome
        self.isFirstInCheckpoint = isFirstInCheckpoint
        self.state = state
        self.variants = variants
    }
}

/// A unit's records against the ledger, by resource name.
public struct LedgerDelta: Sendable, Hashable {
    /// One decision per resource, in entry order (an entry repeated in a unit counts once, with its
    /// last digest: the last one wins in the unit's bundle too).
    public var decisions: [LedgerDecision]

    public init(decisions: [LedgerDecision] = []) {
        self.decisions = decisions
    }

    public var new: Set<String> { names(.new) }
    public var changed: Set<String> { names(.changed) }
    public var unchanged: Set<String> { names(.unchanged) }
    /// What a delta run emits: new and changed records.
    public var emitted: Set<String> { Set(decisions.filter(\.emits).map(\.entry.resource)) }

    func names(_ outcome: LedgerDecision.Outcome) -> Set<String> {
        Set(decisions.filter { $0.outcome == outcome }.map(\.entry.resource))
    }

    /// Decides a unit's entries one after another, with the ledger's state for each name
    /// (`state(name)`) and its variants (`isVariant(name, digest)`). Entries with one name are
    /// folded into the last.
    public static func deciding(
        _ entries: [LedgerEntry], checkpoint: Int64, state: (String) throws -> LedgerRecordState?,
        isVariant: (String, String) throws -> Bool
    ) throws -> LedgerDelta {
        var last: [String: Int] = [:]
        for (index, entry) in entries.enumerated() { last[entry.resource] = index }
        var delta = LedgerDelta()
        delta.decisions.reserveCapacity(last.count)
        for (index, entry) in entries.enumerated() where last[entry.resource] == index {
            delta.decisions.append(
                try LedgerRule.decide(entry, state: try state(entry.resource), checkpoint: checkpoint) {
                    try isVariant(entry.resource, entry.digest)
                })
        }
        return delta
    }
}

/// Records by what a checkpoint did with them, each counted once.
public struct LedgerCounts: Sendable, Hashable {
    public var new = 0
    public var changed = 0
    public var unchanged = 0

    public init(new: Int = 0, changed: Int = 0, unchanged: Int = 0) {
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
    /// Records the checkpoint saw, each once (a resumed checkpoint's earlier part included).
    public var counts: LedgerCounts
    /// Records whose last version in source order the target was not sent (see `LedgerRule`); the
    /// next run emits them. Sorted.
    public var unsettled: [String]

    public init(
        checkpoint: Int64, startedAt: String, completedAt: String, deleted: [String],
        counts: LedgerCounts = LedgerCounts(), unsettled: [String] = []
    ) {
        self.checkpoint = checkpoint
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.deleted = deleted
        self.counts = counts
        self.unsettled = unsettled
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
