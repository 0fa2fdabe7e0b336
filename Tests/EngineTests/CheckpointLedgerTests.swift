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
}
