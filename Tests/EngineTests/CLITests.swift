import FHIRR4
import Foundation
import TestSupport
import Testing

/// The command line: exit codes 0/64/65/74, help text, outputs.
@Suite(.serialized)
struct CLITests {
    static func run(_ arguments: [String], stdin: Data? = nil) throws -> (Int32, String, String) {
        let result = try CLIRunner.run(arguments, stdin: stdin)
        return (result.status, result.stdoutText, result.stderr)
    }

    @Test func convertingASampleExitsZeroAndPrintsABundle() throws {
        let (status, out, err) = try Self.run(["convert", "Samples/hl7v2/adt-a01-basic.hl7"])
        #expect(status == 0, "\(err)")
        #expect(out.contains("\"resourceType\": \"Bundle\""))
        #expect(err.contains("1 converted"))
    }

    @Test func standardInputIsRead() throws {
        let data = try Data(contentsOf: Support.samples.appendingPathComponent("oru-r01-lab.hl7"))
        let (status, out, _) = try Self.run(["convert", "--quiet"], stdin: data)
        #expect(status == 0)
        #expect(out.contains("\"Observation\""))
    }

    @Test func unknownOptionIsAUsageError() throws {
        let (status, _, _) = try Self.run(["convert", "--no-such-option"])
        #expect(status == 64)
    }

    /// `--log-level` takes swift-log's levels, checked by the parser, the same on every command.
    @Test func anUnknownLogLevelIsAUsageError() throws {
        for command in ["convert", "reconcile", "serve"] {
            let (status, _, error) = try Self.run([command, "--log-level", "loud"])
            #expect(status == 64, "\(command)")
            #expect(error.contains("trace") && error.contains("critical"), "\(command): \(error)")
        }
    }

    @Test func missingInputIsAUsageError() throws {
        let (status, _, _) = try Self.run(["convert", "no/such/file.hl7"])
        #expect(status == 64)
    }

    @Test func badDataExits65AndTheRestStillConverts() throws {
        let folder = try Support.temporaryFolder("cli-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try String(contentsOf: Support.samples.appendingPathComponent("adt-a01-basic.hl7"), encoding: .utf8)
        let batch =
            good + "MSH|^~\\&|X\rPID|1\r" + good.replacingOccurrences(of: "SAMPLE-ADT-0001", with: "SAMPLE-ADT-0002")
        let input = folder.appendingPathComponent("batch.hl7")
        try batch.write(to: input, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out")
        let (status, _, err) = try Self.run(["convert", input.path, "--out", out.path])
        #expect(status == 65)
        #expect(err.contains("2 converted, 1 failed"))
        #expect(err.contains("message 2"))
        let written = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(written.count == 2 && written.allSatisfy { $0.hasPrefix("batch.") && $0.hasSuffix(".json") })
    }

    @Test func unwritableOutputIsAnIOError() throws {
        let (status, _, _) = try Self.run([
            "convert", "Samples/hl7v2/adt-a01-basic.hl7", "--out", "/proc/fhirbridge-cannot-write",
        ])
        #expect(status == 74)
    }

    @Test func ndjsonWritesOneFilePerResourceType() throws {
        let folder = try Support.temporaryFolder("cli-ndjson")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, _, err) = try Self.run(["convert", "Samples/hl7v2", "--ndjson", "--out", folder.path, "--quiet"])
        #expect(status == 0, "\(err)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.contains("Patient.ndjson"))
        #expect(files.contains("Observation.ndjson"))
        let (valid, report) = try Support.validate(folder: folder)
        #expect(valid == 0, "\(report.suffix(2000))")
    }

    @Test func validateMappingsLoadsEveryMap() throws {
        let (status, out, err) = try Self.run(["validate-mappings"])
        #expect(status == 0, "\(err)")
        #expect(out.hasPrefix("ok:"))
    }

    /// A user's own CSV profile is checked with `file:line` errors (65 when it does not load).
    @Test func validateMappingsChecksAUserCSVProfile() throws {
        let (status, out, err) = try Self.run(
            ["validate-mappings", "--csv-profile", "Samples/csv/lab-results.profile.yaml"])
        #expect(status == 0, "\(err)")
        #expect(out.contains("ok: CSV profile generic-lab-results"))
        let folder = try Support.temporaryFolder("cli-csv-profile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("broken.yaml")
        try Data(
            "profile: broken\nfiles:\n  a:\n    match: a.csv\n    entity: patient\n    key: ID\n    columns:\n      ID: { to: gender, type: code }\n"
                .utf8
        ).write(to: broken)
        let (brokenStatus, _, brokenErr) = try Self.run(["validate-mappings", "--csv-profile", broken.path])
        #expect(brokenStatus == 65)
        #expect(brokenErr.contains("broken.yaml:8:"), "\(brokenErr)")
    }

    /// A CSV export no profile fits: the note names the closest profile and the columns it misses
    /// (a mistyped key column marked as such); a CSV run counts the bytes it read.
    @Test func aCSVFileNoProfileFitsSaysWhichCameClosest() throws {
        let folder = try Support.temporaryFolder("cli-csv-miss")
        defer { try? FileManager.default.removeItem(at: folder) }
        let profile = try String(
            contentsOf: Repository.url("Samples/csv/lab-results.profile.yaml"), encoding: .utf8)
        let typo = folder.appendingPathComponent("typo.yaml")
        try Data(profile.replacingOccurrences(of: "key: [Accession, LOINC]", with: "key: [Acession, LOINC]").utf8)
            .write(to: typo)
        let (status, _, err) = try Self.run(
            ["convert", "--quiet", "--csv-profile", typo.path, "Samples/csv/lab-results.csv"])
        #expect(status == 65, "\(err)")
        #expect(
            err.contains(
                "no CSV profile fits these headers; closest: generic-lab-results (missing columns: lab-results.csv: Acession (key)); pass --csv-profile"
            ), "\(err)")
        let (fits, _, fitsErr) = try Self.run(
            [
                "convert", "--csv-profile", "Samples/csv/lab-results.profile.yaml",
                "Samples/csv/lab-results.csv",
            ])
        #expect(fits == 0, "\(fitsErr)")
        let size =
            try FileManager.default.attributesOfItem(
                atPath: Repository.url("Samples/csv/lab-results.csv").path)[.size] as? Int
        #expect(fitsErr.contains("\(size ?? -1) bytes read"), "\(fitsErr)")
        // CSV warnings are listed with their file, line and column header
        let (i2b2, _, i2b2Err) = try Self.run(["convert", "Samples/csv/i2b2"])
        #expect(i2b2 == 0, "\(i2b2Err)")
        #expect(
            i2b2Err.contains("warning: unresolvedForeignKey at observation_fact.csv:25 column ENCOUNTER_NUM"),
            "\(i2b2Err)")
    }

    /// The synthetic corpus written for peers is what `bench` measures: reading it back gives the
    /// same messages, all converted, and the same output size as generating them.
    @Test(arguments: ["short", "realistic"])
    func benchSavesItsCorpusAndReadsItBack(profile: String) throws {
        let folder = try Support.temporaryFolder("cli-bench-\(profile)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("synthetic.hl7")
        let (saved, _, saveError) = try Self.run([
            "bench", "--profile", profile, "--messages", "12", "--save-corpus", corpus.path,
        ])
        #expect(saved == 0, "\(saveError)")
        // split the bytes: as Characters, a message's closing CR and the newline are one "\r\n"
        let lines = try Data(contentsOf: corpus).split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        #expect(lines.count == 12)
        if profile == "short" {
            #expect(lines.allSatisfy { $0.hasPrefix("MSH|^~\\&|SYNTH_APP|") && $0.contains("\rPID|1||MRN") })
        } else {
            #expect(lines.allSatisfy { $0.hasPrefix("MSH|^~\\&|") && $0.contains("\rPID|1||") })
            // 0.9 to 5.6 KB a message
            #expect(lines.allSatisfy { (800...6_000).contains($0.utf8.count) }, "\(lines.map(\.utf8.count))")
        }

        func measure(_ extra: [String]) throws -> JSON {
            let (status, out, err) = try Self.run(
                ["bench", "--profile", profile, "--messages", "12", "--json"] + extra)
            #expect(status == 0, "\(err)")
            return try JSONReader.parse(Array(out.utf8))
        }
        let generated = try measure([])
        let read = try measure(["--input", corpus.path])
        for report in [generated, read] {
            #expect(report["units"]?.numberLexical == "12")
            #expect(report["failures"]?.numberLexical == "0")
        }
        #expect(read["inputMegabytes"] == generated["inputMegabytes"])
        #expect(read["outputMegabytes"] == generated["outputMegabytes"])
        #expect(Double(read["outputMegabytes"]?.numberLexical ?? "") ?? 0 > 0.1)
    }

    @Test func benchCorpusLinesEndSegmentsWithCR() throws {
        let folder = try Support.temporaryFolder("cli-bench-lf")
        defer { try? FileManager.default.removeItem(at: folder) }
        // a message whose segments end with LF, one with CR LF
        let sample = try String(
            contentsOf: Support.samples.appendingPathComponent("adt-a01-basic.hl7"), encoding: .utf8)
        let segments = sample.split(whereSeparator: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
        let input = folder.appendingPathComponent("mixed.hl7")
        let text =
            segments.joined(separator: "\n") + "\n"
            + segments.joined(separator: "\r\n").replacingOccurrences(of: "SAMPLE-ADT-0001", with: "SAMPLE-ADT-0002")
            + "\r\n"
        try text.write(to: input, atomically: true, encoding: .utf8)
        let corpus = folder.appendingPathComponent("corpus.hl7")
        let (status, _, err) = try Self.run(
            ["bench", "--input", input.path, "--messages", "2", "--save-corpus", corpus.path])
        #expect(status == 0, "\(err)")
        let lines = try Data(contentsOf: corpus).split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty)
        for line in lines.prefix(2) {
            #expect(line.split(separator: 0x0D).count == segments.count)
        }
    }

    @Test func benchWritesNoCorpusForCCDA() throws {
        let (status, _, _) = try Self.run([
            "bench", "--format", "ccda", "--input", "Samples", "--save-corpus", "/tmp/x",
        ])
        #expect(status == 64)
    }

    @Test func helpListsTheCommands() throws {
        let (status, out, _) = try Self.run(["--help"])
        #expect(status == 0)
        for command in ["convert", "render", "validate-mappings", "bench"] { #expect(out.contains(command)) }
    }
}
