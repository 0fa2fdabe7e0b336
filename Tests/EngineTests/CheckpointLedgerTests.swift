import ClinicalModel
import Foundation
import Pipeline
import Testing

/// Delta runs end to end: the CLI with `--ledger` writes only the units whose records changed.
/// (What every ledger backend must do is `LedgerContractTests`.)
struct CheckpointLedgerTests {
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
        let first = try CLITests.run([
            "convert", input.path, "--out", folder.appendingPathComponent("o1").path, "--ledger", ledger,
        ])
        #expect(first.0 == 0, "\(first.2)")
        let adt = input.appendingPathComponent("adt-a01-basic.hl7")
        let text = try String(contentsOf: adt, encoding: .utf8).replacingOccurrences(of: "|72|", with: "|75|")
        try text.write(to: adt, atomically: true, encoding: .utf8)
        let second = try CLITests.run([
            "convert", input.path, "--out", folder.appendingPathComponent("o2").path, "--ledger", ledger,
        ])
        #expect(second.0 == 0)
        #expect(second.2.contains("0 new, 1 changed"))
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("o2").path)
        #expect(written.count == 1 && written.allSatisfy { $0.hasPrefix("adt-a01-basic.") })
    }

    /// A zero-length or foreign ledger file is refused with exit 74 and a message that names the
    /// way out (`--new-ledger`), which then starts afresh and keeps the old file aside; a ledger
    /// held by another run is refused the same way.
    @Test func anEmptyDamagedOrLockedLedgerIsRefusedWithAClearMessage() throws {
        let folder = try Support.temporaryFolder("ledger-refused")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = folder.appendingPathComponent("ledger.db")
        let sample = Support.samples.appendingPathComponent("adt-a01-basic.hl7").path
        func convert(_ extra: [String] = []) throws -> (Int32, String, String) {
            try CLITests.run(
                ["convert", sample, "--out", folder.appendingPathComponent("out").path, "--ledger", ledger.path] + extra
            )
        }
        for bytes in [Data(), Data(repeating: 0x5A, count: 4096)] {
            try bytes.write(to: ledger)
            let refused = try convert()
            #expect(refused.0 == 74)
            #expect(refused.2.contains("--new-ledger"), "\(refused.2)")
            #expect(try Data(contentsOf: ledger) == bytes, "the refused file is left as it was")
            let fresh = try convert(["--new-ledger"])
            #expect(fresh.0 == 0, "\(fresh.2)")
            #expect(fresh.2.contains("new, 0 changed"))
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(names.contains { $0.hasPrefix("ledger.db.replaced-") })
            for name in names where name.hasPrefix("ledger.db") {
                try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
        // another run holds the ledger
        let held = try SQLiteCheckpointLedger(path: ledger.path)
        let locked = try convert()
        #expect(locked.0 == 74)
        #expect(locked.2.contains("in use by another run"), "\(locked.2)")
        try held.close()
        #expect(try convert().0 == 0)
    }
}
