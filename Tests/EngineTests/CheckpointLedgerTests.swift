import ClinicalModel
import Foundation
import Pipeline
import Testing

/// Delta runs: only new and changed records are emitted, deletions are reported, and a run
/// killed half-way resumes its checkpoint and writes each unit once.
struct CheckpointLedgerTests {
    static func records(_ name: String) throws -> [ClinicalRecord] {
        try Support.convert(Support.samples.appendingPathComponent(name)).compactMap(\.record)
    }

    @Test func aSecondRunOfTheSameInputEmitsNothing() throws {
        let folder = try Support.temporaryFolder("ledger-same")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try CheckpointLedger(path: folder.appendingPathComponent("l.db").path)
        let record = try #require(Self.records("adt-a01-basic.hl7").first)
        try ledger.begin()
        let first = try ledger.delta(record)
        #expect(first.new.count == record.entities.count && first.changed.isEmpty)
        try ledger.commit(record, inputDigest: record.document.digest ?? "")
        _ = try ledger.complete()
        try ledger.begin()
        let second = try ledger.delta(record)
        #expect(second.emitted.isEmpty)
        #expect(second.unchanged.count == record.entities.count)
    }

    @Test func aChangedValueIsEmittedAndAMissingRecordIsReportedDeleted() throws {
        let folder = try Support.temporaryFolder("ledger-change")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try CheckpointLedger(path: folder.appendingPathComponent("l.db").path)
        let record = try #require(Self.records("adt-a01-basic.hl7").first)
        try ledger.begin()
        try ledger.commit(record, inputDigest: "a")
        _ = try ledger.complete()

        var changed = record
        changed.observations[0].value = .quantity(Quantity(value: DecimalValue(lexical: "75")))
        let removed = changed.allergies.removeFirst()
        try ledger.begin()
        let delta = try ledger.delta(changed)
        #expect(delta.changed == [changed.observations[0].ref])
        #expect(delta.new.isEmpty)
        try ledger.commit(changed, inputDigest: "b")
        let completion = try ledger.complete()
        #expect(completion.deleted.count == 1)
        #expect(completion.deleted[0].hasPrefix("AllergyIntolerance/"))
        #expect(!completion.deleted[0].contains(removed.ref.key))
        #expect(completion.checkpoint == 2)
    }

    @Test func aRunKilledHalfWayResumesItsCheckpointAndSkipsWrittenUnits() throws {
        let folder = try Support.temporaryFolder("ledger-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("l.db").path
        let units = try Self.records("batch-fhs-three-messages.hl7")
        #expect(units.count == 3)
        do {
            // the first run writes one unit and is killed (never completes)
            let ledger = try CheckpointLedger(path: path)
            try ledger.begin()
            try ledger.commit(units[0], inputDigest: units[0].document.digest ?? "")
        }
        let restarted = try CheckpointLedger(path: path)
        try restarted.begin()
        #expect(restarted.checkpoint == 1)
        var written = 0
        for unit in units {
            let digest = unit.document.digest ?? ""
            if try restarted.isDone(inputDigest: digest) { continue }
            written += 1
            try restarted.commit(unit, inputDigest: digest)
        }
        #expect(written == 2)
        let completion = try restarted.complete()
        #expect(completion.deleted.isEmpty)
    }

    @Test func theCLIDeltaRunWritesOnlyChangedUnits() throws {
        let folder = try Support.temporaryFolder("ledger-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        for name in ["adt-a01-basic.hl7", "oru-r01-lab.hl7"] {
            try FileManager.default.copyItem(
                at: Support.samples.appendingPathComponent(name), to: input.appendingPathComponent(name))
        }
        let ledger = folder.appendingPathComponent("ledger.db").path
        let first = try CLITests.run(["convert", input.path, "--out", folder.appendingPathComponent("o1").path, "--ledger", ledger])
        #expect(first.0 == 0, "\(first.2)")
        let adt = input.appendingPathComponent("adt-a01-basic.hl7")
        let text = try String(contentsOf: adt, encoding: .utf8).replacingOccurrences(of: "|72|", with: "|75|")
        try text.write(to: adt, atomically: true, encoding: .utf8)
        let second = try CLITests.run(["convert", input.path, "--out", folder.appendingPathComponent("o2").path, "--ledger", ledger])
        #expect(second.0 == 0)
        #expect(second.2.contains("0 new, 1 changed"))
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("o2").path)
        #expect(written == ["adt-a01-basic.json"])
    }
}
