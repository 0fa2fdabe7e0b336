import CSVSource
public import FHIRR4
public import Foundation

/// What became of one sample.
public struct ReplayResult: Sendable {
    public enum Status: String, Sendable, Hashable {
        /// Every expectation holds.
        case pass
        /// The output or the errors differ from the expectations.
        case fail
        /// The sample could not be replayed: no expectation, an expectation that does not parse, an
        /// input that cannot be read, an error no expectation lists.
        case error
    }

    /// What `--record` did with a sample's expectations.
    public enum Recording: Sendable, Hashable {
        case new
        /// Rewritten; the number of paths (and outcome lines) that changed.
        case changed(Int)
        case unchanged
    }

    public var sample: ReplaySample
    public var status: Status = .pass
    /// Output differences (paths and changes; the values are for `--diff` only).
    public var differences: [JSONDifference] = []
    /// Differences in the errors and warnings: kinds and positions.
    public var outcomeMismatches: [String] = []
    /// Why the sample is an error: kinds, positions and file names, never values.
    public var errorMessages: [String] = []
    /// An expectation could not be written or an output folder not created (exit 74).
    public var isIOError = false
    public var seconds: Double = 0
    /// The output as a Bundle, when the sample was compared against one.
    public var actualBundle: JSON?
    /// The output as NDJSON files (file name -> bytes), when compared against an NDJSON folder.
    public var actualNDJSON: [String: [UInt8]]?
    public var recording: Recording?

    public init(sample: ReplaySample) { self.sample = sample }

    /// Every line that says what differs: output paths, then outcome lines.
    public var findings: [String] { differences.map(\.description) + outcomeMismatches }
}

/// Replays samples through the same `ConversionPipeline` and sinks as `convert`, compares what
/// they give with their expectations (`FHIRComparison`, `ExpectedOutcome`) and records new ones.
///
///     let runner = ReplayRunner(base: EngineConfiguration(home: home))
///     for sample in try runner.discover(["Samples"]) {
///         let result = runner.replay(sample)      // .pass, .fail (result.findings), .error
///     }
///
/// An engine is loaded once per distinct set of engine settings (`replay.yaml` may set the zone,
/// bundle type, limits and CSV profiles of its folder). The runner may replay samples from several
/// threads at once: its caches are behind a lock.
public final class ReplayRunner: @unchecked Sendable {
    public let base: EngineConfiguration
    private let lock = NSLock()
    private var engines: [EngineKey: Engine] = [:]
    private var configurations: [String: ReplayConfiguration] = [:]
    private var profiles: [String: CSVProfile] = [:]

    public init(base: EngineConfiguration) { self.base = base }

    /// A runner whose samples without engine settings of their own use `engine` (loaded with the
    /// command line's options, as `convert` loads it).
    public init(engine: Engine) {
        base = engine.configuration
        engines[EngineKey(timezone: nil, bundleType: nil, limits: [:], csvProfiles: [], mappings: [])] = engine
    }

    struct EngineKey: Hashable {
        var timezone: String?
        var bundleType: String?
        var limits: [String: Int]
        var csvProfiles: [String]
        var mappings: [String]
    }

    /// The engine for a sample's settings.
    public func engine(for configuration: ReplayConfiguration) throws(ReplayError) -> Engine {
        let key = EngineKey(
            timezone: configuration.timezone, bundleType: configuration.bundleType?.rawValue,
            limits: configuration.limits, csvProfiles: configuration.csvProfiles, mappings: configuration.mappings)
        // held while an engine loads, so that samples replayed at once load each engine once
        lock.lock()
        defer { lock.unlock() }
        if let engine = engines[key] { return engine }
        var engineConfiguration = configuration.engineConfiguration(over: base)
        var loaded: [CSVProfile] = []
        for path in configuration.csvProfiles {
            if let profile = profiles[path] {
                loaded.append(profile)
                continue
            }
            do {
                let profile = try CSVProfile.load(URL(fileURLWithPath: path))
                profiles[path] = profile
                loaded.append(profile)
            } catch {
                throw ReplayError("\(error)", isUsage: true)
            }
        }
        engineConfiguration.csvProfiles = loaded + base.csvProfiles
        do {
            let engine = try Engine(configuration: engineConfiguration)
            engines[key] = engine
            return engine
        } catch {
            throw ReplayError("\(error)", isUsage: false)
        }
    }

    // MARK: - Finding samples

    /// The merged `replay.yaml` files for a folder: its own and those above it.
    public func configuration(for folder: URL) throws(ReplayError) -> ReplayConfiguration {
        let path = folder.standardizedFileURL.path
        if let known = lock.withLock({ configurations[path] }) { return known }
        let file = URL(fileURLWithPath: path).appendingPathComponent(ReplayConfiguration.fileName)
        var own: ReplayConfiguration?
        if FileManager.default.fileExists(atPath: file.path) {
            do {
                own = try ReplayConfiguration.load(file)
            } catch {
                throw ReplayError("\(error)", isUsage: true)
            }
        }
        var merged = ReplayConfiguration()
        if own?.isRoot != true, path != "/" {
            merged = try configuration(for: URL(fileURLWithPath: path).deletingLastPathComponent())
        }
        if let own { merged = merged.overlaid(by: own) }
        lock.withLock { configurations[path] = merged }
        return merged
    }

    /// Every sample under the paths, in path order then file name order.
    ///
    /// A file is a sample when it has an expectation, or when its content is in a format fhirbridge
    /// reads (it is then reported as having none, or recorded); expectation files, documentation,
    /// settings, FHIR files, scripts and names the `ignore` globs match are not. A folder is one CSV
    /// sample when it has an expectation beside it, or when it has no subfolders and a CSV profile
    /// fits it; otherwise its entries are looked at in turn. A path named on the command line is
    /// always a sample.
    public func discover(_ paths: [String]) throws(ReplayError) -> [ReplaySample] {
        var samples: [ReplaySample] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ReplayError("no such file or folder: \(path)", isUsage: true)
            }
            let url = URL(fileURLWithPath: path).standardizedFileURL
            let display = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            let parentDisplay = DisplayPath.parent(display)
            let configuration = try self.configuration(for: url.deletingLastPathComponent())
            if !isDirectory.boolValue {
                samples.append(
                    ReplaySample(
                        input: url, name: display, suite: parentDisplay.isEmpty ? "." : parentDisplay,
                        isFolder: false, configuration: configuration))
            } else if try isCSVSample(url, configuration: configuration) {
                samples.append(
                    ReplaySample(
                        input: url, name: display, suite: parentDisplay.isEmpty ? "." : parentDisplay,
                        isFolder: true, configuration: configuration))
            } else {
                try collect(url, display: display, into: &samples)
            }
        }
        return samples
    }

    private func collect(_ folder: URL, display: String, into samples: inout [ReplaySample]) throws(ReplayError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        } catch {
            throw ReplayError("cannot list folder: \(display)", isUsage: false)
        }
        let configuration = try self.configuration(for: folder)
        for name in names where !name.hasPrefix(".") && !configuration.ignores(name) {
            let url = folder.appendingPathComponent(name)
            let shown = display == "." ? name : display + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if name.hasSuffix(".expected.ndjson") { continue }
                if try isCSVSample(url, configuration: configuration) {
                    samples.append(
                        ReplaySample(
                            input: url, name: shown, suite: display, isFolder: true, configuration: configuration))
                } else {
                    try collect(url, display: shown, into: &samples)
                }
                continue
            }
            if SampleFiles.isSkipped(name) { continue }
            let sample = ReplaySample(
                input: url, name: shown, suite: display, isFolder: false, configuration: configuration)
            if sample.hasExpectation || Self.isSourceFile(url) { samples.append(sample) }
        }
    }

    private func isCSVSample(_ folder: URL, configuration: ReplayConfiguration) throws(ReplayError) -> Bool {
        let probe = ReplaySample(input: folder, name: "", suite: "", isFolder: true, configuration: configuration)
        if probe.hasExpectation { return true }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return false }
        var hasCSV = false
        for name in names where !name.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(
                atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
            if isDirectory.boolValue, !name.hasSuffix(".expected.ndjson") { return false }
            if name.lowercased().hasSuffix(".csv") { hasCSV = true }
        }
        guard hasCSV else { return false }
        let engine = try engine(for: configuration)
        return CSVSourceReader.detectProfile(folder: folder, candidates: engine.csvProfiles) != nil
    }

    /// Whether a file's first bytes are in a format the engine reads.
    static func isSourceFile(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? nil
        return InputFormat.detect(Array(head ?? Data())) != nil
    }

    // MARK: - Replaying

    /// What a sample's conversion gave.
    struct Run {
        var units: [UnitResult] = []
        var bundle: JSON?
        var ndjson: [String: [UInt8]]?
        var problems: [String] = []
        var isIOError = false
        var isCSV = false
    }

    /// Converts a sample as `convert` does: its input through the engine's reader and the pipeline,
    /// into one Bundle in memory, or NDJSON files in a scratch folder.
    func convert(_ sample: ReplaySample, engine: Engine, ndjson: Bool) -> Run {
        var run = Run()
        let inputs: [SourceInput]
        do {
            inputs = try engine.sources([sample.input.path])
        } catch {
            run.problems.append("cannot read the input")
            run.isIOError = !error.isUsage
            return run
        }
        if sample.isFolder {
            guard inputs.count == 1, case .csv = inputs[0] else {
                run.problems.append("no CSV profile fits the folder")
                return run
            }
        }
        if case .csv = inputs.first { run.isCSV = true }
        if case .file = inputs.first, Self.isCSVContent(sample.input) { run.isCSV = true }
        var scratch: URL?
        let sink: any RecordSink
        if ndjson {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "fhirbridge-replay-\(UUID().uuidString)")
            do {
                sink = try NDJSONSink(directory: folder, emitter: engine.emitter)
            } catch {
                run.problems.append("cannot create a scratch folder")
                run.isIOError = true
                return run
            }
            scratch = folder
        } else {
            sink = SingleBundleSink(emitter: engine.emitter, destination: .memory)
        }
        defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
        var units: [UnitResult] = []
        let summary = ConversionPipeline(engine: engine, sink: sink).run(inputs) { event in
            if case .unit(let unit, _) = event { units.append(unit) }
        }
        run.units = units
        if !summary.ioErrors.isEmpty {
            run.problems.append("cannot read the input or write its output")
            run.isIOError = true
            return run
        }
        if let scratch {
            var files: [String: [UInt8]] = [:]
            for name in (try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []
            where name.hasSuffix(".ndjson") {
                files[name] = Array((try? Data(contentsOf: scratch.appendingPathComponent(name))) ?? Data())
            }
            run.ndjson = files
        } else if let bundleSink = sink as? SingleBundleSink, let bytes = bundleSink.bytes {
            run.bundle = try? JSONReader.parse(bytes)
        }
        return run
    }

    /// Converts a sample with the engine its configuration needs and puts the output in `result`;
    /// nil, with `result` an error, when the engine does not load or the conversion had problems.
    func run(_ sample: ReplaySample, ndjson: Bool, into result: inout ReplayResult) -> Run? {
        let engine: Engine
        do {
            engine = try self.engine(for: sample.configuration)
        } catch {
            result.status = .error
            result.errorMessages = ["\(error)"]
            return nil
        }
        let run = convert(sample, engine: engine, ndjson: ndjson)
        result.actualBundle = run.bundle
        result.actualNDJSON = run.ndjson
        guard run.problems.isEmpty else {
            result.status = .error
            result.errorMessages = run.problems
            result.isIOError = run.isIOError
            return nil
        }
        return run
    }

    static func isCSVContent(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        return InputFormat.detect(Array(((try? handle.read(upToCount: 4096)) ?? nil) ?? Data())) == .csv
    }

    /// Replays one sample against its expectations.
    public func replay(_ sample: ReplaySample) -> ReplayResult {
        let clock = ContinuousClock.now
        var result = ReplayResult(sample: sample)
        defer { result.seconds = Self.seconds(since: clock) }
        let manager = FileManager.default
        let hasJSON = manager.fileExists(atPath: sample.expectedJSON.path)
        let hasNDJSON = manager.fileExists(atPath: sample.expectedNDJSON.path)
        let hasOutcome = manager.fileExists(atPath: sample.expectedOutcome.path)
        guard hasJSON || hasNDJSON || hasOutcome else {
            result.status = .error
            result.errorMessages = [
                "no expectation (\(sample.stem).expected.json, \(sample.stem).expected.ndjson/ or \(sample.stem).expected): run replay --record"
            ]
            return result
        }
        guard let run = run(sample, ndjson: hasNDJSON, into: &result) else { return result }
        let comparison = sample.configuration.comparison
        let hasOutput = run.bundle != nil || !(run.ndjson ?? [:]).isEmpty
        // errors and warnings
        var outcome: ExpectedOutcome?
        if hasOutcome {
            switch Self.readOutcome(sample.expectedOutcome) {
            case .success(let read): outcome = read
            case .failure(let failure):
                result.status = .error
                result.errorMessages = [failure.message]
                return result
            }
        }
        if let outcome {
            result.outcomeMismatches = outcome.mismatches(run.units, hasOutput: hasOutput)
        } else {
            for unit in run.units {
                guard let error = unit.error else { continue }
                let at = error.location.map { " at \($0)" } ?? ""
                result.errorMessages.append(
                    "unit \(unit.index) failed: \(error.kind.rawValue)\(at) (no \(sample.stem).expected lists it)")
            }
        }
        // output
        if hasNDJSON {
            switch Self.readNDJSON(sample.expectedNDJSON) {
            case .success(let expected):
                result.differences = Self.compareNDJSON(expected, run.ndjson ?? [:], comparison)
            case .failure(let failure): result.errorMessages.append(failure.message)
            }
        } else if hasJSON {
            switch Self.readJSON(sample.expectedJSON) {
            case .success(let expected):
                if let actual = run.bundle {
                    result.differences = comparison.differences(expected: expected, actual: actual)
                } else {
                    let root = expected["resourceType"]?.stringValue ?? "$"
                    result.differences = [JSONDifference(path: root, change: .missing, expected: expected, actual: nil)]
                }
            case .failure(let failure): result.errorMessages.append(failure.message)
            }
        } else if hasOutput {
            result.outcomeMismatches.append("unexpected output (no \(sample.stem).expected.json)")
        }
        if !result.errorMessages.isEmpty {
            result.status = .error
        } else if !result.differences.isEmpty || !result.outcomeMismatches.isEmpty {
            result.status = .fail
        }
        return result
    }

    /// Replays a sample and writes what it gave as its expectations: the Bundle (or the NDJSON
    /// files, when the sample has an NDJSON folder or `ndjson` is set for a new one) and the
    /// outcome file (errors; `output: none`). Expectations whose meaning did not change are not
    /// rewritten, so their bytes (and volatile values) stay.
    public func record(_ sample: ReplaySample, ndjson: Bool = false) -> ReplayResult {
        let clock = ContinuousClock.now
        var result = ReplayResult(sample: sample)
        defer { result.seconds = Self.seconds(since: clock) }
        let manager = FileManager.default
        let hadJSON = manager.fileExists(atPath: sample.expectedJSON.path)
        let hadNDJSON = manager.fileExists(atPath: sample.expectedNDJSON.path)
        let hadOutcome = manager.fileExists(atPath: sample.expectedOutcome.path)
        let useNDJSON = hadNDJSON || (ndjson && !hadJSON)
        guard let run = run(sample, ndjson: useNDJSON, into: &result) else { return result }
        let comparison = sample.configuration.comparison
        var changes = 0
        do {
            if useNDJSON {
                let actual = run.ndjson ?? [:]
                var differing = true
                if hadNDJSON, case .success(let expected) = Self.readNDJSON(sample.expectedNDJSON) {
                    let found = Self.compareNDJSON(expected, actual, comparison)
                    differing = !found.isEmpty
                    changes += found.count
                }
                if differing {
                    if hadNDJSON { try manager.removeItem(at: sample.expectedNDJSON) }
                    if !actual.isEmpty {
                        try manager.createDirectory(at: sample.expectedNDJSON, withIntermediateDirectories: true)
                        for (name, bytes) in actual {
                            try Data(bytes).write(
                                to: sample.expectedNDJSON.appendingPathComponent(name), options: .atomic)
                        }
                    }
                    if !hadNDJSON && actual.isEmpty { differing = false }
                }
                if differing && !hadNDJSON { changes += 1 }
            } else if let actual = run.bundle {
                var differing = true
                if hadJSON, case .success(let expected) = Self.readJSON(sample.expectedJSON) {
                    let found = comparison.differences(expected: expected, actual: actual)
                    differing = !found.isEmpty
                    changes += found.count
                }
                if differing {
                    try Data(Self.expectationBytes(actual)).write(to: sample.expectedJSON, options: .atomic)
                    if !hadJSON { changes += 1 }
                }
            } else if hadJSON {
                try manager.removeItem(at: sample.expectedJSON)
                changes += 1
            }
            var old = ExpectedOutcome()
            var oldText: String?
            if hadOutcome {
                oldText = try? String(contentsOf: sample.expectedOutcome, encoding: .utf8)
                if case .success(let read) = Self.readOutcome(sample.expectedOutcome) { old = read }
            }
            let hasOutput = run.bundle != nil || !(run.ndjson ?? [:]).isEmpty
            let next = old.recorded(from: run.units, rowUnits: run.isCSV, hasOutput: hasOutput)
            if next.isEmpty {
                if hadOutcome {
                    try manager.removeItem(at: sample.expectedOutcome)
                    changes += max(1, old.issues.count)
                }
            } else if hadOutcome && next == old {
                // unchanged: keep the file as it is (comments, layout)
            } else if oldText != next.text {
                try Data(next.text.utf8).write(to: sample.expectedOutcome, options: .atomic)
                changes += hadOutcome ? max(1, Self.changedLines(old, next)) : 1
            }
        } catch {
            result.status = .error
            result.isIOError = true
            result.errorMessages = ["cannot write the expectation of \(sample.name)"]
            return result
        }
        let isNew = !hadJSON && !hadNDJSON && !hadOutcome
        result.recording = isNew ? .new : changes > 0 ? .changed(changes) : .unchanged
        return result
    }

    /// How many issue blocks differ between two outcomes.
    static func changedLines(_ old: ExpectedOutcome, _ new: ExpectedOutcome) -> Int {
        let before = Set(old.issues.map(\.summary))
        let after = Set(new.issues.map(\.summary))
        return before.symmetricDifference(after).count + (old.expectsNoOutput != new.expectsNoOutput ? 1 : 0)
    }

    /// An expectation as written: members sorted, pretty, a final newline (stable under re-recording
    /// and readable in a diff).
    public static func expectationBytes(_ json: JSON) -> [UInt8] {
        JSONWriter(style: .pretty).bytes(json.sortedKeys()) + [0x0A]
    }

    static func readJSON(_ url: URL) -> Result<JSON, ReadFailure> {
        guard let data = try? Data(contentsOf: url) else {
            return .failure(ReadFailure("cannot read \(url.lastPathComponent)"))
        }
        do {
            return .success(try JSONReader.parse(Array(data)))
        } catch {
            return .failure(ReadFailure("\(url.lastPathComponent) is not JSON: \(error)"))
        }
    }

    static func readNDJSON(_ folder: URL) -> Result<[String: [JSON]], ReadFailure> {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            return .failure(ReadFailure("cannot list \(folder.lastPathComponent)"))
        }
        var files: [String: [JSON]] = [:]
        for name in names where name.hasSuffix(".ndjson") {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else {
                return .failure(ReadFailure("cannot read \(folder.lastPathComponent)/\(name)"))
            }
            switch parseLines(Array(data)) {
            case .success(let lines): files[name] = lines
            case .failure(let failure):
                return .failure(ReadFailure("\(folder.lastPathComponent)/\(name)\(failure.message)"))
            }
        }
        return .success(files)
    }

    /// The non-blank lines of an NDJSON file, each a JSON value.
    static func parseLines(_ bytes: [UInt8]) -> Result<[JSON], ReadFailure> {
        var lines: [JSON] = []
        for (number, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.filter { $0 != 0x0D && $0 != 0x20 && $0 != 0x09 }
            if trimmed.isEmpty { continue }
            do {
                lines.append(try JSONReader.parse(Array(line)))
            } catch {
                return .failure(ReadFailure(":\(number + 1) is not JSON: \(error)"))
            }
        }
        return .success(lines)
    }

    static func compareNDJSON(
        _ expected: [String: [JSON]], _ actual: [String: [UInt8]], _ comparison: FHIRComparison
    ) -> [JSONDifference] {
        var found: [JSONDifference] = []
        for name in Set(expected.keys).union(actual.keys).sorted() {
            let actualLines: [JSON]
            switch actual[name].map(parseLines) {
            case .success(let lines)?: actualLines = lines
            case .failure?, nil: actualLines = []
            }
            if expected[name] == nil {
                found.append(
                    JSONDifference(path: name, change: .unexpected, expected: nil, actual: .array(actualLines)))
            } else if actual[name] == nil {
                found.append(
                    JSONDifference(path: name, change: .missing, expected: .array(expected[name] ?? []), actual: nil))
            } else {
                found += comparison.differences(expectedItems: expected[name] ?? [], actualItems: actualLines, at: name)
            }
        }
        return found
    }

    static func readOutcome(_ url: URL) -> Result<ExpectedOutcome, ReadFailure> {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            return .failure(ReadFailure("cannot read \(url.lastPathComponent)"))
        }
        switch ExpectedOutcome.parse(text) {
        case .success(let outcome): return .success(outcome)
        case .failure(let error):
            return .failure(ReadFailure("\(url.lastPathComponent):\(error.line): \(error.message)"))
        }
    }

    struct ReadFailure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Seconds since `start` (for the times in reports).
    public static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
