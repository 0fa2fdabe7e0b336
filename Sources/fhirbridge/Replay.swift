import ArgumentParser
import FHIRR4
import Foundation
import Pipeline

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a folder of sample messages and documents against the FHIR they should give.",
        discussion: """
            Each sample (a source file, or a folder of CSV files) is converted as convert converts it and \
            compared with the expectations beside it: NAME.expected.json (the Bundle), or NAME.expected.ndjson/ \
            (NDJSON files), and NAME.expected (the errors and warnings it gives). JSON is compared for \
            meaning: member order, and the order of arrays whose order FHIR gives no meaning, are ignored, and \
            so are the volatile elements a replay.yaml beside the samples lists. Standard error names each \
            sample with pass, FAIL or ERROR and the differing paths, never values: --diff writes the values \
            to files. --record writes or refreshes the expectations. Exit codes: 0 every sample passed (or \
            was recorded), 65 a sample failed or could not be replayed, 64 usage error (no sample, a bad \
            replay.yaml), 74 I/O error (a report, diff or expectation that cannot be written).
            """)

    @Argument(help: "Sample files or folders (searched recursively).", completion: .file())
    var paths: [String] = []

    @Flag(help: "Write the expectations from what the samples give now, and say which changed.")
    var record = false

    @Flag(help: "With --record: write new expectations as NDJSON folders (NAME.expected.ndjson/).")
    var ndjson = false

    @Option(
        help: """
            Write the expected and actual values of each sample that fails to this folder \
            (NAME.diff.json, NAME.actual.json). They hold sample data: treat them like the samples.
            """,
        completion: .directory)
    var diff: String?

    @Option(help: "Write a JUnit XML report (for Jenkins, GitLab, GitHub Actions) to this file.", completion: .file())
    var junit: String?

    @Flag(help: "Name only the samples that fail (and the summary).")
    var quiet = false

    @OptionGroup var source: SourceOptions
    @OptionGroup var home: HomeOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give the sample files or folders to replay.") }
        if ndjson && !record { throw ValidationError("--ndjson needs --record.") }
    }

    func run() throws {
        let started = ContinuousClock.now
        let engine = try source.loadEngine(home) { $0.limits = limits.engineLimits }
        let runner = ReplayRunner(engine: engine)
        let samples: [ReplaySample]
        do {
            samples = try runner.discover(paths)
        } catch {
            Self.write("error: \(error)\n")
            throw error.isUsage ? Exit.usage : Exit.ioError
        }
        guard !samples.isEmpty else {
            Self.write("error: no samples under \(paths.joined(separator: ", "))\n")
            throw Exit.usage
        }
        var results: [ReplayResult] = []
        var ioFailure = false
        for sample in samples {
            let result = record ? runner.record(sample, ndjson: ndjson) : runner.replay(sample)
            results.append(result)
            if result.isIOError { ioFailure = true }
            Self.write(line(for: result))
        }
        if let diff, !writeDiffs(results, to: URL(fileURLWithPath: diff)) { ioFailure = true }
        if let junit {
            do {
                try Data(JUnitReport(results: results).xml().utf8).write(
                    to: URL(fileURLWithPath: junit), options: .atomic)
            } catch {
                Self.write("error: cannot write the JUnit report\n")
                ioFailure = true
            }
        }
        Self.write(summary(results, seconds: ReplayRunner.seconds(since: started)))
        if ioFailure { throw Exit.ioError }
        if results.contains(where: { $0.status != .pass }) { throw Exit.dataError }
    }

    /// One sample's lines: its status and name, then each difference (path or kind and position).
    func line(for result: ReplayResult) -> String {
        let name = result.sample.name
        if record, result.status != .error {
            switch result.recording {
            case .new?: return "new        \(name)\n"
            case .changed(let count)?: return "changed    \(name) (\(count) difference\(count == 1 ? "" : "s"))\n"
            case .unchanged?, nil: return quiet ? "" : "unchanged  \(name)\n"
            }
        }
        switch result.status {
        case .pass:
            return quiet ? "" : "pass   \(name)\n"
        case .fail:
            let findings = result.findings
            let shown = findings.prefix(50).map { "         \($0)\n" }.joined()
            let more = findings.count > 50 ? "         … and \(findings.count - 50) more (see --diff)\n" : ""
            return "FAIL   \(name): \(findings.count) difference\(findings.count == 1 ? "" : "s")\n" + shown + more
        case .error:
            return "ERROR  \(name): " + result.errorMessages.joined(separator: "; ") + "\n"
        }
    }

    func summary(_ results: [ReplayResult], seconds: Double) -> String {
        let failed = results.filter { $0.status == .fail }.count
        let errors = results.filter { $0.status == .error }.count
        let time = String(format: "%.1f s", seconds)
        if record {
            var new = 0
            var changed = 0
            var unchanged = 0
            for result in results where result.status != .error {
                switch result.recording {
                case .new?: new += 1
                case .changed?: changed += 1
                case .unchanged?, nil: unchanged += 1
                }
            }
            return "record: \(results.count) samples: \(new) new, \(changed) changed, \(unchanged) unchanged, "
                + "\(errors) error\(errors == 1 ? "" : "s") (\(time))\n"
        }
        let passed = results.count - failed - errors
        return "replay: \(results.count) samples: \(passed) passed, \(failed) failed, "
            + "\(errors) error\(errors == 1 ? "" : "s") (\(time))\n"
    }

    /// `NAME.diff.json` (each difference with its expected and actual value) and the actual output
    /// (`NAME.actual.json`, or `NAME.actual.ndjson/`) for each sample that did not pass.
    func writeDiffs(_ results: [ReplayResult], to folder: URL) -> Bool {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            for result in results where result.status != .pass {
                let base = folder.appendingPathComponent(Self.safeRelativePath(result.sample.name))
                try manager.createDirectory(at: base.deletingLastPathComponent(), withIntermediateDirectories: true)
                var report = JSONObject()
                report["sample"] = .string(result.sample.name)
                report["status"] = .string(result.status.rawValue)
                report["differences"] = .array(
                    result.differences.map { difference in
                        var item = JSONObject()
                        item["path"] = .string(difference.path)
                        item["change"] = .string(difference.change.rawValue)
                        if let expected = difference.expected { item["expected"] = expected }
                        if let actual = difference.actual { item["actual"] = actual }
                        return .object(item)
                    })
                if !result.outcomeMismatches.isEmpty {
                    report["outcome"] = .array(result.outcomeMismatches.map(JSON.string))
                }
                if !result.errorMessages.isEmpty { report["errors"] = .array(result.errorMessages.map(JSON.string)) }
                let name = base.lastPathComponent
                let parent = base.deletingLastPathComponent()
                try Data(JSONWriter(style: .pretty).bytes(.object(report)) + [0x0A]).write(
                    to: parent.appendingPathComponent(name + ".diff.json"), options: .atomic)
                if let bundle = result.actualBundle {
                    try Data(ReplayRunner.expectationBytes(bundle)).write(
                        to: parent.appendingPathComponent(name + ".actual.json"), options: .atomic)
                }
                if let files = result.actualNDJSON, !files.isEmpty {
                    let out = parent.appendingPathComponent(name + ".actual.ndjson")
                    try manager.createDirectory(at: out, withIntermediateDirectories: true)
                    for (file, bytes) in files {
                        try Data(bytes).write(to: out.appendingPathComponent(file), options: .atomic)
                    }
                }
            }
            return true
        } catch {
            Self.write("error: cannot write the diff files\n")
            return false
        }
    }

    /// A sample's shown path as a path inside the diff folder: no leading `/`, `..` as `__`.
    static func safeRelativePath(_ name: String) -> String {
        let parts = name.split(separator: "/").filter { $0 != "." }.map { $0 == ".." ? "__" : String($0) }
        return parts.isEmpty ? "sample" : parts.joined(separator: "/")
    }

    static func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
