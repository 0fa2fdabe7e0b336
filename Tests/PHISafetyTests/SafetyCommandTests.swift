import FHIRR4
import Foundation
import Testing

/// Exit codes and messages of the PHI commands and options through the binary.
@Suite(.serialized)
struct SafetyCommandTests {
    let environment = ["FHIRBRIDGE_KEY": Support.keyBase64]

    @Test func encryptedOutputsDecryptAndReconcile() throws {
        let folder = try Support.temporaryFolder("enc")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        let sample = "Samples/hl7v2/oru-r01-lab.hl7"
        let convert = try Support.run(
            ["convert", sample, "--out", out, "--ndjson", "--encrypt", "--quiet"], environment: environment)
        #expect(convert.status == 0, "\(convert.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(!names.isEmpty && names.allSatisfy { $0.hasSuffix(".ndjson.enc") })
        // reconcile reads sealed files with the same key sources
        let reconcile = try Support.run(["reconcile", sample, "--fhir", out, "--quiet"], environment: environment)
        #expect(reconcile.status == 0, "\(reconcile.stderr)")
        // decrypt: one file to stdout, several into a folder
        let one = try Support.run(["decrypt", out + "/Patient.ndjson.enc"], environment: environment)
        #expect(one.status == 0)
        #expect(
            try JSONReader.parse(Array(one.stdout.split(separator: 0x0A).first ?? []))["resourceType"]?.stringValue
                == "Patient")
        let plain = folder.appendingPathComponent("plain").path
        let all = try Support.run(
            ["decrypt"] + names.map { out + "/" + $0 } + ["--out", plain], environment: environment)
        #expect(all.status == 0)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: plain).sorted() == names.map { String($0.dropLast(4)) })
    }

    /// A file named after the patient: with --redact-input-names its name reaches no position, log,
    /// summary, report or output name, and reconcile still pairs the records.
    @Test func redactedInputNamesKeepFileNamesOutOfEveryMessage() throws {
        let folder = try Support.temporaryFolder("redact-names")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try String(
            contentsOf: Support.samples.appendingPathComponent("hl7v2/oru-r01-lab.hl7"), encoding: .utf8)
        let named = folder.appendingPathComponent("ZZSENTINEL_Doe_1970.hl7")
        // a good message, then a broken one: the error names the input by position
        try (good + "MSH|^~\\&|A|B\rPID|1\r").write(to: named, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out").path
        let report = folder.appendingPathComponent("report.json").path
        let convert = try Support.run([
            "convert", named.path, "--out", out, "--report", report, "--redact-input-names", "--log-level", "trace",
        ])
        #expect(convert.status == 65, "\(convert.stderr)")
        #expect(convert.stderr.contains("input-"))
        let texts =
            [convert.stderr, try String(contentsOfFile: report, encoding: .utf8)]
            + (try FileManager.default.contentsOfDirectory(atPath: out))
        for text in texts { #expect(!text.contains("ZZSENTINEL"), "file name leaked: \(text.prefix(200))") }
        let reconcile = try Support.run(["reconcile", named.path, "--fhir", out, "--redact-input-names"])
        #expect(!reconcile.stderr.contains("ZZSENTINEL"))
        #expect(reconcile.stderr.contains("0 missing") && reconcile.stderr.contains("0 changed"), "\(reconcile.stderr)")
    }

    @Test func tamperedTruncatedOrWrongKeyExits65() throws {
        let folder = try Support.temporaryFolder("tamper")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        let convert = try Support.run(
            ["convert", "Samples/hl7v2/adt-a01-basic.hl7", "--out", out, "--encrypt", "--quiet"],
            environment: environment)
        #expect(convert.status == 0, "\(convert.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(names.count == 1)
        let file =
            out + "/" + (try #require(names.first { $0.hasPrefix("adt-a01-basic.") && $0.hasSuffix(".json.enc") }))
        let sealed = try Data(contentsOf: URL(fileURLWithPath: file))
        var tampered = sealed
        tampered[tampered.count / 2] ^= 0x20
        try tampered.write(to: URL(fileURLWithPath: folder.appendingPathComponent("tampered.json.enc").path))
        try sealed.prefix(sealed.count - 40).write(
            to: URL(fileURLWithPath: folder.appendingPathComponent("short.json.enc").path))
        for (name, expected) in [("tampered", "authentication failed"), ("short", "truncated")] {
            let run = try Support.run(
                ["decrypt", folder.appendingPathComponent("\(name).json.enc").path], environment: environment)
            #expect(run.status == 65)
            #expect(run.stdout.isEmpty)
            #expect(run.stderr.contains(expected), "\(run.stderr)")
        }
        let wrong = try Support.run(["decrypt", file], environment: ["FHIRBRIDGE_KEY": Support.otherKeyBase64])
        #expect(wrong.status == 65)
        #expect(wrong.stderr.contains("another key"))
    }

    @Test func keysNeverComeFromTheCommandLine() throws {
        let missing = try Support.run(["convert", "Samples/hl7v2/adt-a01-basic.hl7", "--encrypt"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("FHIRBRIDGE_KEY"))
        #expect(missing.stdout.isEmpty)
        let onCommandLine = try Support.run([
            "convert", "Samples/hl7v2/adt-a01-basic.hl7", "--encrypt", "--key", Support.keyBase64,
        ])
        #expect(onCommandLine.status == 64)
        let deidentifyWithoutKey = try Support.run(["convert", "Samples/hl7v2/adt-a01-basic.hl7", "--deidentify"])
        #expect(deidentifyWithoutKey.status == 64)
    }

    @Test func auditVerifyExitCodes() throws {
        let folder = try Support.temporaryFolder("audit-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let audit = folder.appendingPathComponent("runs.audit").path
        for _ in 0..<3 {
            let run = try Support.run(
                ["convert", "Samples/hl7v2/adt-a01-basic.hl7", "--quiet"], environment: ["FHIRBRIDGE_AUDIT": audit])
            #expect(run.status == 0)
        }
        let ok = try Support.run(["audit", "verify", audit])
        #expect(ok.status == 0)
        #expect(String(decoding: ok.stdout, as: UTF8.self).contains("3 entries"))
        var lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = lines[1].replacingOccurrences(of: "\"units\":1", with: "\"units\":2")
        try (lines.joined(separator: "\n") + "\n").write(toFile: audit, atomically: true, encoding: .utf8)
        let edited = try Support.run(["audit", "verify", audit])
        #expect(edited.status == 65)
        #expect(edited.stderr.contains("hashMismatch at entry 2"))
        let missing = try Support.run(["audit", "verify", folder.appendingPathComponent("none").path])
        #expect(missing.status == 74)
    }

    /// Removing the last entry and the head file fails verification; the anchor written by
    /// `--audit-anchor` (or FHIRBRIDGE_AUDIT_ANCHOR) catches a cut with a rewritten head as well.
    @Test func auditVerifyDetectsTheLastEntryRemovedWithItsHead() throws {
        let folder = try Support.temporaryFolder("audit-anchor-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let audit = folder.appendingPathComponent("runs.audit").path
        let anchor = folder.appendingPathComponent("runs.anchor").path
        let first = try Support.run([
            "convert", "Samples/hl7v2/adt-a01-basic.hl7", "--quiet", "--audit", audit, "--audit-anchor", anchor,
        ])
        #expect(first.status == 0)
        let second = try Support.run(
            ["convert", "Samples/hl7v2/adt-a01-basic.hl7", "--quiet"],
            environment: ["FHIRBRIDGE_AUDIT": audit, "FHIRBRIDGE_AUDIT_ANCHOR": anchor])
        #expect(second.status == 0)
        #expect(try Support.run(["audit", "verify", audit, "--anchor", anchor]).status == 0)

        let lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").map(String.init)
        try (lines[0] + "\n").write(toFile: audit, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: audit + ".head")
        let cut = try Support.run(["audit", "verify", audit])
        #expect(cut.status == 65)
        #expect(cut.stderr.contains("headMissing at entry 1"))

        let head = try #require(lines[0].range(of: #""hash":"[0-9a-f]{64}""#, options: .regularExpression))
        try "1 \(lines[0][head].dropFirst(8).dropLast())\n".write(
            toFile: audit + ".head", atomically: true, encoding: .utf8)
        #expect(try Support.run(["audit", "verify", audit]).status == 0)
        let anchored = try Support.run(["audit", "verify", audit, "--anchor", anchor])
        #expect(anchored.status == 65)
        #expect(anchored.stderr.contains("anchorMismatch at entry 2"))
        let noAnchor = try Support.run(["audit", "verify", audit, "--anchor", folder.appendingPathComponent("x").path])
        #expect(noAnchor.status == 74)
    }
}
