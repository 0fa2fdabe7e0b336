import ClinicalModel
import Foundation
import Pipeline
import TestSupport
import Testing

/// A ledger backend under test: how to open it on some storage (again, after a "kill"), and the
/// bytes it keeps there, to check that nothing but resource names and digests is stored.
struct LedgerBackend: CustomTestStringConvertible, Sendable {
    /// Ways storage gets damaged outside the ledger's control.
    enum Damage: Sendable {
        /// Emptied (a zero-length file; for a server, an empty schema).
        case emptied
        /// Overwritten with bytes that are not a ledger.
        case overwritten
    }

    var name: String
    /// Opens the backend on the storage behind `folder` (the same storage each time).
    var open: @Sendable (URL) throws -> any CheckpointLedger
    /// Opens it starting a new ledger whatever the storage holds (`--new-ledger`).
    var openAfresh: @Sendable (URL) throws -> any CheckpointLedger
    /// Damages the storage behind `folder` (no ledger open on it).
    var damage: @Sendable (URL, Damage) throws -> Void
    /// Everything the backend keeps for `folder`, as bytes.
    var storedBytes: @Sendable (URL) throws -> [UInt8]

    var testDescription: String { name }

    /// Every backend the contract runs against: SQLite, and PostgreSQL when a server is there
    /// (`PostgresServer`; without one `postgresServerIsThere` notes the skip, or fails under CI).
    static let all: [LedgerBackend] = [sqlite] + (PostgresServer.isAvailable ? [postgres] : [])

    static let sqlite =
        LedgerBackend(
            name: "SQLite",
            open: { try SQLiteCheckpointLedger(path: $0.appendingPathComponent("ledger.db").path) },
            openAfresh: {
                try SQLiteCheckpointLedger(path: $0.appendingPathComponent("ledger.db").path, startAfresh: true)
            },
            damage: { folder, damage in
                let path = folder.appendingPathComponent("ledger.db")
                switch damage {
                case .emptied: try Data().write(to: path)
                case .overwritten:
                    var generator = SyntheticMessages.Generator(seed: 7)
                    try Data((0..<8192).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: path)
                }
                for suffix in ["-wal", "-journal", "-shm"] {
                    try? FileManager.default.removeItem(atPath: path.path + suffix)
                }
            },
            storedBytes: { folder in
                // the database and whatever journal or write-ahead log GRDB left beside it
                try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                    .flatMap { Array(try Data(contentsOf: folder.appendingPathComponent($0))) }
            })

    /// A schema per storage folder, on the test server.
    static let postgres = LedgerBackend(
        name: "PostgreSQL",
        open: { try PostgresCheckpointLedger(try address($0)) },
        openAfresh: { try PostgresCheckpointLedger(try address($0), startAfresh: true) },
        damage: { folder, damage in
            let server = try #require(PostgresServer.require())
            let schema = schemaName(folder)
            var sql = "DROP SCHEMA \(schema) CASCADE; CREATE SCHEMA \(schema);"
            if damage == .overwritten {
                sql += " CREATE TABLE \(schema).notes (id int PRIMARY KEY, body bytea); "
                sql += "INSERT INTO \(schema).notes SELECT g, sha256(g::text::bytea) FROM generate_series(1, 64) g;"
            }
            #expect(try server.psql(sql).status == 0)
        },
        storedBytes: { folder in
            let server = try #require(PostgresServer.require())
            return Array(try server.dump(schema: schemaName(folder)).utf8)
        })

    /// `t_` and 16 hex digits of a hash of the folder's path.
    static func schemaName(_ folder: URL) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in folder.path.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "t_" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func address(_ folder: URL) throws -> PostgresLedgerAddress {
        let server = try #require(PostgresServer.require())
        guard case .postgres(let address) = try LedgerLocation.parse(server.url(schema: schemaName(folder))) else {
            throw PostgresServer.Failure(description: "not a PostgreSQL URL")
        }
        return address
    }
}

/// The PostgreSQL backend runs the contract only when a server is there: this says so (a note
/// locally, a failure under CI).
@Test func postgresServerIsThere() {
    _ = PostgresServer.require()
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

    /// Decides and commits a unit's entries; returns what was emitted.
    @discardableResult
    static func commit(
        _ entries: [LedgerEntry], _ inputDigest: String, _ ledger: any CheckpointLedger, _ checkpoint: LedgerCheckpoint
    ) throws -> Set<String> {
        let delta = try ledger.delta(entries, in: checkpoint)
        try ledger.commit(delta, inputDigest: inputDigest, in: checkpoint)
        return delta.emitted
    }

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
            let fresh = try ledger.delta(entries, in: first)
            #expect(fresh.new == Set(entries.map(\.resource)) && fresh.changed.isEmpty && fresh.unchanged.isEmpty)
            try ledger.commit(fresh, inputDigest: "unit-1", in: first)
            _ = try ledger.complete(first, now: Self.later)

            var changed = record
            changed.observations[0].value = .quantity(Quantity(value: DecimalValue(lexical: "75")))
            let changedEntries = Self.entries(changed)
            let second = try ledger.begin(now: Self.later)
            #expect(second.id == first.id + 1)
            let delta = try ledger.delta(changedEntries, in: second)
            let changedName = try #require(
                LedgerEntry.entries(changed).first { $0.ref == changed.observations[0].ref }?.entry.resource)
            #expect(delta.changed == [changedName])
            #expect(delta.new.isEmpty)
            #expect(delta.unchanged.count == entries.count - 1)
            #expect(delta.emitted == [changedName])
            // the same input again, unchanged: nothing to emit
            try ledger.commit(delta, inputDigest: "unit-1b", in: second)
            #expect(try ledger.delta(changedEntries, in: second).emitted.isEmpty)
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
                let delta = try ledger.delta(Self.entries(units[0]), in: killed)
                try ledger.commit(delta, inputDigest: units[0].document.digest ?? "", in: killed)
                try ledger.close()
            }
            let restarted = try backend.open(folder)
            let resumed = try restarted.begin(now: Self.later)
            #expect(resumed == killed, "the open checkpoint is resumed, start time and all")
            var written: [Int] = []
            for (index, unit) in units.enumerated() {
                let digest = unit.document.digest ?? ""
                if try restarted.isDone(inputDigest: digest, in: resumed) { continue }
                written.append(index)
                try restarted.commit(
                    try restarted.delta(Self.entries(unit), in: resumed), inputDigest: digest, in: resumed)
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
            try Self.commit(Self.entries(record), "a", ledger, first)
            #expect(try ledger.complete(first, now: Self.later).deleted.isEmpty)

            var smaller = record
            let removed = smaller.allergies.removeFirst()
            let removedName = try #require(LedgerEntry.entries(record).first { $0.ref == removed.ref }?.entry.resource)
            let second = try ledger.begin(now: Self.later)
            try Self.commit(Self.entries(smaller), "b", ledger, second)
            let completion = try ledger.complete(second, now: Self.later)
            #expect(completion.deleted == [removedName])
            #expect(completion.deleted[0].hasPrefix("AllergyIntolerance/"))
            #expect(completion.checkpoint == second.id)
            // deleted records are gone: seen again, they are new
            let third = try ledger.begin(now: Self.later)
            #expect(try ledger.delta(Self.entries(record), in: third).new == [removedName])
        }
    }

    @Test(arguments: LedgerBackend.all)
    func theExactStartTimeIsKept(_ backend: LedgerBackend) throws {
        try Self.withStorage("start") { folder in
            let ledger = try backend.open(folder)
            let checkpoint = try ledger.begin(now: Self.start)
            #expect(checkpoint.startedAt == "2026-01-01T00:00:00.125Z")
            try ledger.close()
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
                try Self.commit(Self.entries(record), record.document.digest ?? "", ledger, checkpoint)
                _ = try ledger.complete(checkpoint, now: Self.later)
                try ledger.close()
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

    // MARK: Shared records, settled once per checkpoint

    /// A source of units, each a list of `(resource, version)`; digests are made up from the
    /// version so a test reads as a table.
    static func unit(_ records: [(String, String)]) -> [LedgerEntry] {
        records.map { LedgerEntry(resource: $0.0, digest: String(repeating: $0.1, count: 64)) }
    }

    /// Runs one checkpoint over `units` (input digests `u0`, `u1`…) and returns, per unit, the
    /// resources emitted, and the completion.
    static func run(_ units: [[LedgerEntry]], on ledger: any CheckpointLedger, at now: Date = later) throws -> (
        emitted: [Set<String>], completion: LedgerCompletion
    ) {
        let checkpoint = try ledger.begin(now: now)
        var emitted: [Set<String>] = []
        for (index, entries) in units.enumerated() {
            emitted.append(try commit(entries, "u\(index)", ledger, checkpoint))
        }
        return (emitted, try ledger.complete(checkpoint, now: now))
    }

    /// The case: an Organization each message carries with its own content. The first run
    /// sends each version in source order (the target ends with the last); an unchanged rerun
    /// writes nothing, every time; a change is emitted once and counted once.
    @Test(arguments: LedgerBackend.all)
    func sharedRecordsWithDifferentContentDoNotFlipFlop(_ backend: LedgerBackend) throws {
        try Self.withStorage("shared") { folder in
            let ledger = try backend.open(folder)
            let source = [
                Self.unit([("Organization/o", "a"), ("Patient/1", "1")]),
                Self.unit([("Organization/o", "b"), ("Patient/2", "2"), ("Practitioner/p", "p")]),
                Self.unit([("Organization/o", "a"), ("Patient/3", "3"), ("Practitioner/p", "p")]),
                Self.unit([("Organization/o", "c"), ("Patient/4", "4")]),
            ]
            let first = try Self.run(source, on: ledger)
            #expect(
                first.emitted == [
                    ["Organization/o", "Patient/1"], ["Organization/o", "Patient/2", "Practitioner/p"],
                    ["Organization/o", "Patient/3"], ["Organization/o", "Patient/4"],
                ])
            #expect(first.completion.counts == LedgerCounts(new: 6, changed: 0, unchanged: 0))
            for _ in 0..<3 {
                let again = try Self.run(source, on: ledger)
                #expect(again.emitted.allSatisfy { $0.isEmpty }, "an unchanged rerun writes nothing")
                #expect(again.completion.counts == LedgerCounts(new: 0, changed: 0, unchanged: 6))
                #expect(again.completion.unsettled.isEmpty && again.completion.deleted.isEmpty)
            }
            // the last version changes: emitted once, by the unit that carries it
            var changedLast = source
            changedLast[3] = Self.unit([("Organization/o", "d"), ("Patient/4", "4")])
            let third = try Self.run(changedLast, on: ledger)
            #expect(third.emitted == [[], [], [], ["Organization/o"]])
            #expect(third.completion.counts == LedgerCounts(new: 0, changed: 1, unchanged: 5))
            #expect(try Self.run(changedLast, on: ledger).emitted.allSatisfy(\.isEmpty))
            // an earlier version changes: once the record is sent, each later differing version is
            // sent too, so the target ends with the last one; still one changed record
            var changedFirst = changedLast
            changedFirst[0] = Self.unit([("Organization/o", "e"), ("Patient/1", "1")])
            let fourth = try Self.run(changedFirst, on: ledger)
            #expect(fourth.emitted == [["Organization/o"], ["Organization/o"], ["Organization/o"], ["Organization/o"]])
            #expect(fourth.completion.counts == LedgerCounts(new: 0, changed: 1, unchanged: 5))
            #expect(try Self.run(changedFirst, on: ledger).emitted.allSatisfy(\.isEmpty))
            // a patient changes in one unit: exactly that record
            var onePatient = changedFirst
            onePatient[2] = Self.unit([("Organization/o", "a"), ("Patient/3", "x"), ("Practitioner/p", "p")])
            let fifth = try Self.run(onePatient, on: ledger)
            #expect(fifth.emitted == [[], [], ["Patient/3"], []])
            #expect(fifth.completion.counts == LedgerCounts(new: 0, changed: 1, unchanged: 5))
        }
    }

    /// When the units that brought the target's version of a record are gone, the version held
    /// back is the source's last: the checkpoint reports the record unsettled and the next run
    /// sends it; the run after writes nothing.
    @Test(arguments: LedgerBackend.all)
    func aHeldBackLastVersionIsReportedUnsettledAndSentNextRun(_ backend: LedgerBackend) throws {
        try Self.withStorage("unsettled") { folder in
            let ledger = try backend.open(folder)
            let both = [Self.unit([("Location/l", "a")]), Self.unit([("Location/l", "b"), ("Patient/1", "1")])]
            _ = try Self.run(both, on: ledger)
            let cut = [Self.unit([("Location/l", "a")])]
            let second = try Self.run(cut, on: ledger)
            #expect(second.emitted == [[]])
            #expect(second.completion.unsettled == ["Location/l"])
            #expect(second.completion.deleted == ["Patient/1"])
            let third = try Self.run(cut, on: ledger)
            #expect(third.emitted == [["Location/l"]])
            #expect(third.completion.unsettled.isEmpty)
            #expect(third.completion.counts == LedgerCounts(new: 0, changed: 1, unchanged: 0))
            #expect(try Self.run(cut, on: ledger).emitted == [[]])
            // the two versions again, in the other order: the target's version comes first now
            let swapped = [Self.unit([("Location/l", "b")]), Self.unit([("Location/l", "a")])]
            let fifth = try Self.run(swapped, on: ledger)
            #expect(fifth.emitted == [["Location/l"], ["Location/l"]])
            #expect(try Self.run(swapped, on: ledger).emitted == [[], []])
        }
    }

    /// A unit that names one record twice counts it once, with its last digest (the one its
    /// bundle keeps).
    @Test(arguments: LedgerBackend.all)
    func aRecordTwiceInOneUnitIsDecidedOnceWithItsLastDigest(_ backend: LedgerBackend) throws {
        try Self.withStorage("twice") { folder in
            let ledger = try backend.open(folder)
            let unit = Self.unit([("Practitioner/p", "a"), ("Practitioner/p", "b")])
            let checkpoint = try ledger.begin(now: Self.start)
            let delta = try ledger.delta(unit, in: checkpoint)
            #expect(delta.decisions.count == 1)
            #expect(delta.decisions.first?.entry.digest == String(repeating: "b", count: 64))
            try ledger.commit(delta, inputDigest: "u", in: checkpoint)
            _ = try ledger.complete(checkpoint, now: Self.later)
            #expect(try Self.run([Self.unit([("Practitioner/p", "b")])], on: ledger).emitted == [[]])
        }
    }

    // MARK: One run at a time; damaged storage

    @Test(arguments: LedgerBackend.all)
    func aSecondRunOnTheSameLedgerIsRefusedUntilTheFirstCloses(_ backend: LedgerBackend) throws {
        try Self.withStorage("lock") { folder in
            let first = try backend.open(folder)
            let checkpoint = try first.begin(now: Self.start)
            try Self.commit(Self.unit([("Patient/1", "1")]), "u", first, checkpoint)
            #expect(throws: LedgerError.locked) { _ = try backend.open(folder) }
            #expect(throws: LedgerError.locked) { _ = try backend.openAfresh(folder) }
            try first.close()
            let second = try backend.open(folder)
            #expect(try second.begin(now: Self.later) == checkpoint, "the first run's checkpoint is resumed")
            #expect(try second.isDone(inputDigest: "u", in: checkpoint))
        }
    }

    @Test(arguments: LedgerBackend.all)
    func emptyOrForeignStorageIsRefusedUnlessStartedAfresh(_ backend: LedgerBackend) throws {
        for damage in [LedgerBackend.Damage.emptied, .overwritten] {
            try Self.withStorage("damaged") { folder in
                do {
                    let ledger = try backend.open(folder)
                    _ = try Self.run([Self.unit([("Patient/1", "1")])], on: ledger)
                    try ledger.close()
                }
                try backend.damage(folder, damage)
                #expect {
                    _ = try backend.open(folder)
                } throws: { error in
                    switch (damage, error as? LedgerError) {
                    case (.emptied, .empty?), (.overwritten, .damaged?): true
                    default: false
                    }
                }
                let fresh = try backend.openAfresh(folder)
                let run = try Self.run([Self.unit([("Patient/1", "1")])], on: fresh)
                #expect(run.emitted == [["Patient/1"]], "a new ledger: every record is new")
                #expect(run.completion.checkpoint == 1)
            }
        }
    }
}
