import FHIRR4
import Foundation
import TestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `fhirbridge replay` as a user runs it: record, pass, fail with paths (never values) on standard
/// error and values only in `--diff`, errors, `replay.yaml`, NDJSON expectations, JUnit reports and
/// exit codes.
@Suite(.serialized) struct ReplayCommandTests {
    static let sentinel = "ZZSENTINEL"

    /// A suite folder with copies of samples (under their own names when a test compares against
    /// their golden expectations, which name the source file in the Provenance).
    func suite(_ files: [String: String]) throws -> URL {
        let folder = try Support.temporaryFolder("replay")
        for (name, sample) in files {
            try FileManager.default.copyItem(
                at: Repository.url(sample), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    func replay(_ arguments: [String], in folder: URL) throws -> CLIRunner.Result {
        try CLIRunner.run(["replay"] + arguments + ["--home", Repository.root.path], in: folder)
    }

    @Test func recordThenReplayPasses() throws {
        let folder = try suite([
            "adt-a01-basic.hl7": "Samples/hl7v2/adt-a01-basic.hl7", "ccd.xml": "Samples/ccda/ccd-all-sections.xml",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try replay([".", "--record"], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("new        adt-a01-basic.hl7"), "\(first.stderr)")
        #expect(first.stderr.contains("record: 2 samples: 2 new, 0 changed, 0 unchanged, 0 errors"), "\(first.stderr)")
        #expect(
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("adt-a01-basic.expected.json").path))
        let again = try replay(["."], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("pass   ccd.xml"))
        #expect(again.stderr.contains("replay: 2 samples: 2 passed, 0 failed, 0 errors"), "\(again.stderr)")
        // the recorded bytes are the golden file's bytes: members sorted, pretty, a final newline
        let recorded = try Data(contentsOf: folder.appendingPathComponent("adt-a01-basic.expected.json"))
        let golden = try Data(contentsOf: Repository.url("Samples/hl7v2/adt-a01-basic.expected.json"))
        #expect(recorded == golden)
        let unchanged = try replay([".", "--record"], in: folder)
        #expect(unchanged.stderr.contains("0 new, 0 changed, 2 unchanged"), "\(unchanged.stderr)")
    }

    /// A site replays its own maps: `--mappings DIR` lays a folder over `Mappings/` (a file at the
    /// same relative path replaces the bundled one). An overlay that maps PID-8 nowhere makes the
    /// golden sample fail at `Patient.gender`; a missing overlay folder is refused at load (exit 70).
    @Test func aMappingsOverlayIsReplayedLikeTheBundledMaps() throws {
        let folder = try suite(["adt-a01-basic.hl7": "Samples/hl7v2/adt-a01-basic.hl7"])
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: Repository.url("Samples/hl7v2/adt-a01-basic.expected.json"),
            to: folder.appendingPathComponent("adt-a01-basic.expected.json"))
        let overlay = folder.appendingPathComponent("site/hl7v2/segments")
        try FileManager.default.createDirectory(at: overlay, withIntermediateDirectories: true)
        let pid = try String(contentsOf: Repository.url("Mappings/hl7v2/segments/PID.yaml"), encoding: .utf8)
        let rule = #"      PID-8: { to: gender, type: IS, table: "0001", map: v2-0001--administrative-gender }"#
        #expect(pid.contains(rule))
        try pid.replacingOccurrences(of: rule + "\n", with: "").write(
            to: overlay.appendingPathComponent("PID.yaml"), atomically: true, encoding: .utf8)
        let bundled = try replay(["adt-a01-basic.hl7"], in: folder)
        #expect(bundled.status == 0, "\(bundled.stderr)")
        let site = try replay(["adt-a01-basic.hl7", "--mappings", "site"], in: folder)
        #expect(site.status != 0)
        #expect(site.stderr.contains("Patient).gender"), "\(site.stderr)")
        let missing = try replay(["adt-a01-basic.hl7", "--mappings", "nowhere"], in: folder)
        #expect(missing.status == 70, "\(missing.stderr)")
        #expect(missing.stderr.contains("Mappings overlay 1: not a folder"), "\(missing.stderr)")
    }

    /// The whole library as a site would replay its folder (ReplayLibraryTests runs it case by case).
    @Test func theSamplesLibraryReplaysThroughTheCommand() throws {
        let result = try CLIRunner.run(
            ["replay", "Samples", "--quiet", "--home", Repository.root.path], in: Repository.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains(" passed, 0 failed, 0 errors"), "\(result.stderr)")
        #expect(!result.stderr.contains("pass   "), "--quiet names only the samples that fail")
    }

    @Test func aFailureNamesPathsOnStandardErrorAndValuesOnlyInTheDiff() throws {
        let folder = try suite(["adt-a01-basic.hl7": "Samples/hl7v2/adt-a01-basic.hl7"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let expected = folder.appendingPathComponent("adt-a01-basic.expected.json")
        try FileManager.default.copyItem(at: Repository.url("Samples/hl7v2/adt-a01-basic.expected.json"), to: expected)
        let text = try String(contentsOf: expected, encoding: .utf8)
        try text.replacingOccurrences(of: "\"family\": \"Synthetic\"", with: "\"family\": \"\(Self.sentinel)\"")
            .write(to: expected, atomically: true, encoding: .utf8)
        let diff = folder.appendingPathComponent("diffs")
        let junit = folder.appendingPathComponent("report.xml")
        let result = try replay([".", "--diff", diff.path, "--junit", junit.path], in: folder)
        #expect(result.status == 65)
        #expect(result.stderr.contains("FAIL   adt-a01-basic.hl7"), "\(result.stderr)")
        #expect(result.stderr.contains("changed Bundle.entry["), "\(result.stderr)")
        #expect(result.stderr.contains(".resource.ofType(Patient).name["), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.sentinel))
        #expect(!result.stderr.contains("Synthetic"))
        let report = try String(contentsOf: diff.appendingPathComponent("adt-a01-basic.hl7.diff.json"), encoding: .utf8)
        #expect(report.contains(Self.sentinel))
        #expect(
            FileManager.default.fileExists(atPath: diff.appendingPathComponent("adt-a01-basic.hl7.actual.json").path))
        let xml = try String(contentsOf: junit, encoding: .utf8)
        #expect(!xml.contains(Self.sentinel))
        #expect(xml.contains("<failure message="))
        // recording again takes the new value and names the sample as changed
        let recorded = try replay([".", "--record"], in: folder)
        #expect(recorded.status == 0)
        #expect(recorded.stderr.contains("changed    adt-a01-basic.hl7 ("), "\(recorded.stderr)")
        #expect(try replay(["."], in: folder).status == 0)
    }

    @Test func samplesWithoutExpectationsOrWithUnlistedErrorsAreErrors() throws {
        let folder = try suite([
            "new.hl7": "Samples/hl7v2/oru-r01-lab.hl7", "bad.hl7": "Samples/malformed/hl7-bad-msh2-short.hl7",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = try replay(["."], in: folder)
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("ERROR  new.hl7: no expectation"), "\(missing.stderr)")
        // record: the failing message goes into bad.expected with its kind and position
        #expect(try replay([".", "--record"], in: folder).status == 0)
        let outcome = try String(contentsOf: folder.appendingPathComponent("bad.expected"), encoding: .utf8)
        #expect(outcome.contains("kind: invalidEncodingCharacters"), "\(outcome)")
        #expect(outcome.contains("position: message 2 MSH[1]-2"), "\(outcome)")
        #expect(try replay(["."], in: folder).status == 0)
        // without the outcome file the same error is an error of the sample
        try FileManager.default.removeItem(at: folder.appendingPathComponent("bad.expected"))
        let unlisted = try replay(["bad.hl7"], in: folder)
        #expect(unlisted.status == 65)
        #expect(
            unlisted.stderr.contains("unit 2 failed: invalidEncodingCharacters at message 2 MSH[1]-2"),
            "\(unlisted.stderr)")
    }

    @Test func volatileElementsFromReplayYAMLAreIgnored() throws {
        let folder = try suite(["vxu-v04-immunization.hl7": "Samples/hl7v2/vxu-v04-immunization.hl7"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let expected = folder.appendingPathComponent("vxu-v04-immunization.expected.json")
        let golden = try String(
            contentsOf: Repository.url("Samples/hl7v2/vxu-v04-immunization.expected.json"), encoding: .utf8)
        try golden.replacingOccurrences(
            of: "\"recorded\": \"2024-03-20T10:15:00+00:00\"", with: "\"recorded\": \"2030-01-01T00:00:00+00:00\""
        )
        .write(to: expected, atomically: true, encoding: .utf8)
        #expect(try replay(["."], in: folder).status == 65)
        try "root: true\nvolatile: [Provenance.recorded]\n".write(
            to: folder.appendingPathComponent("replay.yaml"), atomically: true, encoding: .utf8)
        let result = try replay(["."], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func aReplayYAMLThatDoesNotLoadIsAUsageError() throws {
        let folder = try suite(["vxu-v04-immunization.hl7": "Samples/hl7v2/vxu-v04-immunization.hl7"])
        defer { try? FileManager.default.removeItem(at: folder) }
        try "root: true\nvolatile: [timestamp]\n".write(
            to: folder.appendingPathComponent("replay.yaml"), atomically: true, encoding: .utf8)
        let result = try replay(["."], in: folder)
        #expect(result.status == 64)
        #expect(result.stderr.contains("replay.yaml:2:"), "\(result.stderr)")
        #expect(try replay(["no-such-folder"], in: folder).status == 64)
        #expect(try CLIRunner.run(["replay"]).status == 64)
    }

    @Test func ndjsonExpectationsAreRecordedAndCompared() throws {
        let folder = try suite(["oru.hl7": "Samples/hl7v2/oru-r01-lab.hl7"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try replay([".", "--record", "--ndjson"], in: folder).status == 0)
        let ndjson = folder.appendingPathComponent("oru.expected.ndjson")
        let files = try FileManager.default.contentsOfDirectory(atPath: ndjson.path)
        #expect(files.contains("Observation.ndjson"))
        #expect(try replay(["."], in: folder).status == 0)
        // reorder the lines: still the same resources
        let observations = ndjson.appendingPathComponent("Observation.ndjson")
        let lines = try String(contentsOf: observations, encoding: .utf8).split(separator: "\n")
        try (lines.reversed().joined(separator: "\n") + "\n").write(to: observations, atomically: true, encoding: .utf8)
        #expect(try replay(["."], in: folder).status == 0)
        try (lines.dropFirst().joined(separator: "\n") + "\n").write(
            to: observations, atomically: true, encoding: .utf8)
        let failed = try replay(["."], in: folder)
        #expect(failed.status == 65)
        #expect(failed.stderr.contains("unexpected Observation.ndjson["), "\(failed.stderr)")
    }

    @Test func theJUnitReportHasSuitesCasesFailuresAndErrors() throws {
        let folder = try suite([
            "a.hl7": "Samples/hl7v2/adt-a01-basic.hl7", "b.hl7": "Samples/hl7v2/vxu-v04-immunization.hl7",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Repository.url("Samples/hl7v2/oru-r01-lab.hl7"), to: folder.appendingPathComponent("sub/c.hl7"))
        #expect(try replay([".", "--record"], in: folder).status == 0)
        try "{}".write(to: folder.appendingPathComponent("b.expected.json"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("sub/c.expected.json"))
        let junit = folder.appendingPathComponent("junit.xml")
        #expect(try replay([".", "--junit", junit.path], in: folder).status == 65)
        #if canImport(FoundationXML)
            let document = try XMLDocument(contentsOf: junit)
            let root = try #require(document.rootElement())
            #expect(root.name == "testsuites")
            #expect(root.attribute(forName: "tests")?.stringValue == "3")
            #expect(root.attribute(forName: "failures")?.stringValue == "1")
            #expect(root.attribute(forName: "errors")?.stringValue == "1")
            let suites = root.elements(forName: "testsuite")
            #expect(suites.map { $0.attribute(forName: "name")?.stringValue ?? "" } == [".", "sub"])
            let cases = suites.flatMap { $0.elements(forName: "testcase") }
            #expect(cases.count == 3)
            #expect(cases.allSatisfy { Double($0.attribute(forName: "time")?.stringValue ?? "") != nil })
            #expect(cases.filter { !$0.elements(forName: "failure").isEmpty }.count == 1)
            #expect(cases.filter { !$0.elements(forName: "error").isEmpty }.count == 1)
        #endif
        // an independent reader of the format
        guard let python = PythonPeers.python(with: "junitparser") else { return }
        let check = """
            from sys import argv
            from junitparser import JUnitXml, Failure, Error
            xml = JUnitXml.fromfile(argv[1])
            cases = [case for suite in xml for case in suite]
            kinds = sorted(type(result).__name__ for case in cases for result in case.result)
            print(len(cases), xml.tests, xml.failures, xml.errors, ",".join(kinds))
            """
        let output = try PythonPeers.run(python, script: check, arguments: [junit.path])
        #expect(output.status == 0, "\(output.output)")
        #expect(
            output.output.trimmingCharacters(in: .whitespacesAndNewlines) == "3 3 1 1 Error,Failure", "\(output.output)"
        )
    }
}
