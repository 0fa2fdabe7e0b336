import ClinicalModel
import Foundation
import Pipeline
import Testing

/// A ledger backend under test: how to open it on some storage (again, after a "kill"), and the
/// bytes it keeps there, to check that nothing but resource names and digests is stored.
struct LedgerBackend: CustomTestStringConvertible, Sendable {
    var name: String
    /// Opens the backend on the storage behind `folder` (the same storage each time).
    var open: @Sendable (URL) throws -> any CheckpointLedger
    /// Everything the backend keeps for `folder`, as bytes.
    var storedBytes: @Sendable (URL) throws -> [UInt8]

    var testDescription: String { name }

    /// Every backend the contract runs against. A PostgreSQL backend adds itself here.
    static let all: [LedgerBackend] = [
        LedgerBackend(
            name: "SQLite",
            open: { try SQLiteCheckpointLedger(path: $0.appendingPathComponent("ledger.db").path) },
            storedBytes: { folder in
                // the database and whatever journal or write-ahead log GRDB left beside it
                try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                    .flatMap { Array(try Data(contentsOf: folder.appendingPathComponent($0))) }
            })
    ]
}

/// The contract every `CheckpointLedger` backend must pass: new, changed and unchanged records;
/// resuming a checkpoint after a kill half-way; skipping units already written; deletions on
/// completion; the exact start time kept; nothing stored but resource names and digests.
@Suite struct LedgerContractTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600.125)  // 2026-01-01T00:00:00.125Z
    static let later = Date(timeIntervalSince1970: 1_767_229_200.5)

    static func records(_ name: String) throws -> [ClinicalRecord] {
        try Support.convert(Support.samples.appendingPathComponent(name)).compactMap(\.record)
    }

    static func entries(_ record: ClinicalRecord) -> [LedgerEntry] { LedgerEntry.entries(record).map(\.entry) }

    static func withStorage<T>(_ name: String, _ body: (URL) throws -> T) throws -> T {
        let folder = try Support.temporaryFolder("ledger-\(name)")
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder)
    }

    @Test(arguments: LedgerBackend.all)
    func newChangedAndUnchangedRecords(_ backend: LedgerBackend) throws {
        try Self.withStorage("delta") { folder in
            let ledger = try backend.open(folder)
            let record = try #require(Self.records("oru-r01-lab.hl7").first)
            let entries = Self.entries(record)
            #expect(entries.count == record.entities.count)
            let first = try ledger.begin(now: Self.start)
            let fresh = try ledger.delta(entries)
            #expect(fresh.new == Set(entries.map(\.resource)) && fresh.changed.isEmpty && fresh.unchanged.isEmpty)
            try ledger.commit(entries, inputDigest: "unit-1", in: first)
            _ = try ledger.complete(first, now: Self.later)

            var changed = record
            changed.observations[0].value = .quantity(Quantity(value: DecimalValue(lexical: "75")))
            let changedEntries = Self.entries(changed)
            let second = try ledger.begin(now: Self.later)
            #expect(second.id == first.id + 1)
            let delta = try ledger.delta(changedEntries)
            let changedName = try #require(
                LedgerEntry.entries(changed).first { $0.ref == changed.observations[0].ref }?.entry.resource)
            #expect(delta.changed == [changedName])
            #expect(delta.new.isEmpty)
            #expect(delta.unchanged.count == entries.count - 1)
            #expect(delta.emitted == [changedName])
            // the same input again, unchanged: nothing to emit
            try ledger.commit(changedEntries, inputDigest: "unit-1b", in: second)
            #expect(try ledger.delta(changedEntries).emitted.isEmpty)
        }
    }

    @Test(arguments: LedgerBackend.all)
    func aRunKilledHalfWayResumesItsCheckpointAndSkipsWrittenUnits(_ backend: LedgerBackend) throws {
        try Self.withStorage("resume") { folder in
            let units = try Self.records("batch-fhs-three-messages.hl7")
            #expect(units.count == 3)
            let killed: LedgerCheckpoint
            do {
                // the first run writes one unit and is killed (never completes)
                let ledger = try backend.open(folder)
                killed = try ledger.begin(now: Self.start)
                try ledger.commit(Self.entries(units[0]), inputDigest: units[0].document.digest ?? "", in: killed)
            }
            let restarted = try backend.open(folder)
            let resumed = try restarted.begin(now: Self.later)
            #expect(resumed == killed, "the open checkpoint is resumed, start time and all")
            var written: [Int] = []
            for (index, unit) in units.enumerated() {
                let digest = unit.document.digest ?? ""
                if try restarted.isDone(inputDigest: digest, in: resumed) { continue }
                written.append(index)
                try restarted.commit(Self.entries(unit), inputDigest: digest, in: resumed)
            }
            #expect(written == [1, 2])
            let completion = try restarted.complete(resumed, now: Self.later)
            #expect(completion.deleted.isEmpty)
            #expect(completion.checkpoint == killed.id)
            // a completed checkpoint is not resumed: the next run opens a new one, where nothing is done yet
            let next = try restarted.begin(now: Self.later)
            #expect(next.id == killed.id + 1)
            #expect(try !restarted.isDone(inputDigest: units[0].document.digest ?? "", in: next))
        }
    }

    @Test(arguments: LedgerBackend.all)
    func recordsNotSeenByACompletedCheckpointAreDeleted(_ backend: LedgerBackend) throws {
        try Self.withStorage("deletions") { folder in
            let ledger = try backend.open(folder)
            let record = try #require(Self.records("adt-a01-basic.hl7").first)
            let first = try ledger.begin(now: Self.start)
            try ledger.commit(Self.entries(record), inputDigest: "a", in: first)
            #expect(try ledger.complete(first, now: Self.later).deleted.isEmpty)

            var smaller = record
            let removed = smaller.allergies.removeFirst()
            let removedName = try #require(LedgerEntry.entries(record).first { $0.ref == removed.ref }?.entry.resource)
            let second = try ledger.begin(now: Self.later)
            try ledger.commit(Self.entries(smaller), inputDigest: "b", in: second)
            let completion = try ledger.complete(second, now: Self.later)
            #expect(completion.deleted == [removedName])
            #expect(completion.deleted[0].hasPrefix("AllergyIntolerance/"))
            #expect(completion.checkpoint == second.id)
            // deleted records are gone: seen again, they are new
            #expect(try ledger.delta(Self.entries(record)).new == [removedName])
        }
    }

    @Test(arguments: LedgerBackend.all)
    func theExactStartTimeIsKept(_ backend: LedgerBackend) throws {
        try Self.withStorage("start") { folder in
            let ledger = try backend.open(folder)
            let checkpoint = try ledger.begin(now: Self.start)
            #expect(checkpoint.startedAt == "2026-01-01T00:00:00.125Z")
            // reopened later, the open checkpoint keeps its start
            let reopened = try backend.open(folder)
            #expect(try reopened.begin(now: Self.later).startedAt == "2026-01-01T00:00:00.125Z")
            let completion = try reopened.complete(checkpoint, now: Self.later)
            #expect(completion.startedAt == "2026-01-01T00:00:00.125Z")
            #expect(completion.completedAt == "2026-01-01T01:00:00.500Z")
        }
    }

    @Test(arguments: LedgerBackend.all)
    func nothingButResourceNamesAndDigestsIsStored(_ backend: LedgerBackend) throws {
        try Self.withStorage("stored") { folder in
            let record = try #require(Self.records("adt-a01-basic.hl7").first)
            do {
                let ledger = try backend.open(folder)
                let checkpoint = try ledger.begin(now: Self.start)
                try ledger.commit(Self.entries(record), inputDigest: record.document.digest ?? "", in: checkpoint)
                _ = try ledger.complete(checkpoint, now: Self.later)
            }
            let stored = String(decoding: try backend.storedBytes(folder), as: UTF8.self)
            for entry in Self.entries(record) {
                #expect(stored.contains(entry.resource) && stored.contains(entry.digest))
            }
            // no business key, name, identifier, code or input name of the source reaches the ledger
            let patient = try #require(record.patients.first)
            var forbidden = [record.document.inputName] + record.entities.map(\.ref.key)
            forbidden += patient.identifiers.map(\.value) + patient.names.flatMap { $0.given + [$0.family ?? ""] }
            for text in forbidden where text.count >= 4 {
                #expect(!stored.contains(text), "the ledger holds source text (\(text.count) characters)")
            }
        }
    }
}
