import ArgumentParser
import CanonicalHash
import ClinicalModel
import Crypto
import Dispatch
import FHIRR4
import Foundation
import HL7v2
import Pipeline

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput per stage (parse, canonical, normalize, emit, hash) and peak memory.",
        discussion: """
            HL7 v2: generates deterministic synthetic messages, or reads an HL7 v2 folder (--input), \
            repeated to --messages. --profile realistic (the default) is a hospital export's mix: ADT^A01, \
            A04, A08 and ORU^R01 with 5 to 25 results, escapes, names in several scripts, Z-segments, about \
            2.6 KB each; --profile short is ADT^A01/ORU^R01 of about 1.7 KB from two templates. \
            --whole-process also times `fhirbridge convert FILE --out DIR --ndjson` as a separate process on \
            the same messages (wall clock, its peak resident memory). C-CDA: --format ccda --input FOLDER reads the \
            documents once and converts them repeatedly to --messages documents (parse+canonical is one \
            stage there: the reader walks the libxml2 tree as it builds the records). Reports units/s and MB/s \
            per stage, the end-to-end rate with --jobs workers, and the process's peak resident memory (one \
            unit is in memory per worker at a time, so memory stays flat as --messages grows). Build with \
            -c release for meaningful figures: swift run -c release fhirbridge bench.
            """)

    @Option(help: "Number of messages (or documents) to convert.")
    var messages: Int = 10_000

    @Option(help: "hl7v2 (default) or ccda.")
    var format: InputFormat = .hl7v2

    /// Which synthetic HL7 v2 messages to generate.
    enum Profile: String, ExpressibleByArgument, Sendable {
        case realistic, short
    }

    @Option(help: "Synthetic HL7 v2 messages: realistic (about 2.6 KB, a hospital export's mix) or short (1.7 KB).")
    var profile: Profile = .realistic

    @Flag(
        help: """
            Also run `fhirbridge convert FILE --out DIR --ndjson --jobs N` as its own process on the same \
            messages and report its rate and peak resident memory.
            """)
    var wholeProcess = false

    @Option(help: "Benchmark the files under this path instead of synthetic messages (required for ccda).")
    var input: String?

    @Option(help: "Also run the whole pipeline on this many parallel workers and report the end-to-end rate.")
    var jobs: Int = 1

    @OptionGroup var home: HomeOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(
        help: """
            Write the HL7 v2 messages this run would measure to this file (one message per line, segments \
            ended by CR) and stop: the same input for other converters (Tools/bench-peers.sh).
            """)
    var saveCorpus: String?

    @Flag(
        help: """
            Time the stages by the thread's CPU clock instead of the wall clock: the time on one core, \
            unaffected by other processes sharing the machine (the --jobs rate stays wall-clock).
            """)
    var cpuTime = false

    func validate() throws {
        guard format == .hl7v2 || format == .ccda else { throw ValidationError("--format must be hl7v2 or ccda.") }
        if format == .ccda && input == nil { throw ValidationError("--format ccda needs --input FOLDER.") }
        if saveCorpus != nil && format != .hl7v2 { throw ValidationError("--save-corpus writes HL7 v2 messages only.") }
        if wholeProcess && format != .hl7v2 { throw ValidationError("--whole-process converts HL7 v2 messages only.") }
        guard messages > 0, jobs > 0 else { throw ValidationError("--messages and --jobs must be positive.") }
    }

    /// Seconds spent per stage and what went through.
    struct Stages {
        var parse = 0.0
        var canonical = 0.0
        var normalize = 0.0
        var emit = 0.0
        var hash = 0.0
        var units = 0
        var bytes = 0
        var outputBytes = 0
        var failures = 0

        mutating func add(_ other: Stages) {
            parse += other.parse
            canonical += other.canonical
            normalize += other.normalize
            emit += other.emit
            hash += other.hash
            units += other.units
            bytes += other.bytes
            outputBytes += other.outputBytes
            failures += other.failures
        }
    }

    func run() throws {
        let engine = try home.loadEngine()
        let corpus = try loadCorpus()
        let source = Source(format: format, profile: profile, corpus: corpus)
        if let saveCorpus {
            try save(source, to: saveCorpus)
            return
        }
        // stage by stage, one core
        var stages = Stages()
        for index in 0..<messages { measure(source.unit(index, worker: 0), engine: engine, into: &stages) }
        // end to end on --jobs workers: each worker converts its share of the units
        var parallelSeconds: Double?
        if jobs > 1 {
            let clock = ContinuousClock()
            let start = clock.now
            DispatchQueue.concurrentPerform(iterations: jobs) { worker in
                // the run loop `convert` uses, over this worker's share of the units
                let units = stride(from: worker, to: messages, by: jobs).lazy.map { index in
                    SourceInput.memory(name: "bench", bytes: source.unit(index, worker: worker))
                }
                let pipeline = ConversionPipeline(
                    engine: engine, sink: HashingSink(emitter: engine.emitter), format: format)
                _ = pipeline.run(units)
            }
            parallelSeconds = (clock.now - start).seconds
        }
        var whole: WholeProcess?
        if wholeProcess { whole = try runWholeProcess(source) }
        report(stages, parallelSeconds: parallelSeconds, whole: whole)
    }

    /// `convert` as a separate process: seconds and peak resident memory.
    struct WholeProcess {
        var seconds: Double
        var peakMegabytes: Double
        var exitCode: Int32
    }

    /// Writes the messages to a file in a fresh temporary folder, converts it to NDJSON with this
    /// binary, and removes both.
    func runWholeProcess(_ source: Source) throws -> WholeProcess {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fhirbridge-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("messages.hl7")
        try save(source, to: file.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if let executable = Bundle.main.executableURL { process.executableURL = executable }
        var arguments = [
            "convert", file.path, "--out", folder.appendingPathComponent("out").path, "--ndjson", "--quiet", "--jobs",
            "\(jobs)",
        ]
        arguments += home.arguments
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = Self.wallSeconds()
        try process.run()
        process.waitUntilExit()
        let seconds = Self.wallSeconds() - start
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return WholeProcess(
            seconds: seconds, peakMegabytes: Double(usage.ru_maxrss) / 1024, exitCode: process.terminationStatus)
    }

    /// The units to benchmark: synthetic HL7 v2, or the files under --input split into messages.
    func loadCorpus() throws -> [[UInt8]] {
        guard let input else { return [] }
        var units: [[UInt8]] = []
        for file in try InputFile.collect([input]) {
            let bytes = try file.read()
            if format == .ccda {
                if InputFormat.detect(bytes) == .ccda { units.append(bytes) }
            } else {
                for case .success(let message) in HL7Parser.parseAll(bytes).messages { units.append(message.bytes) }
            }
        }
        guard !units.isEmpty else { throw ValidationError("no \(format.rawValue) units under the --input path") }
        return units
    }

    /// Writes the `--messages` units one per line, streaming (one unit in memory). Segments end with
    /// CR: a message read with LF or CR LF segment endings is written with CR.
    func save(_ source: Source, to path: String) throws {
        func failed() -> ExitCode {
            FileHandle.standardError.write(Data("error: cannot write the --save-corpus file\n".utf8))
            return Exit.ioError
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw failed() }
        defer { try? handle.close() }
        do {
            for index in 0..<messages {
                var line: [UInt8] = []
                var previous: UInt8 = 0
                for byte in source.unit(index, worker: 0) {
                    defer { previous = byte }
                    if byte != 0x0A {
                        line.append(byte)
                    } else if previous != 0x0D {
                        line.append(0x0D)
                    }
                }
                line.append(0x0A)
                try handle.write(contentsOf: line)
            }
        } catch {
            throw failed()
        }
    }

    struct Source: Sendable {
        var format: InputFormat
        var profile: Profile
        var corpus: [[UInt8]]

        /// Unit `index`; synthetic messages are generated on the fly (nothing is kept), each from
        /// its own seed, so any worker makes the same message for an index.
        func unit(_ index: Int, worker: Int) -> [UInt8] {
            if !corpus.isEmpty { return corpus[index % corpus.count] }
            switch profile {
            case .short:
                var generator = SyntheticMessages(seed: 42 &+ UInt64(index))
                return generator.next(index: index)
            case .realistic:
                var generator = RealisticMessages(seed: 42 &+ UInt64(index))
                return generator.next(index: index)
            }
        }
    }

    func measure(_ bytes: [UInt8], engine: Engine, into stages: inout Stages) {
        let now = cpuTime ? Self.threadCPUSeconds : Self.wallSeconds
        stages.bytes += bytes.count
        var start = now()
        let mapped: ClinicalRecord
        if format == .ccda {
            let digest = lowercaseHex(SHA256.hash(data: bytes))
            guard let (record, _) = try? engine.ccdaReader.read(bytes, inputName: "bench", digest: digest) else {
                stages.failures += 1
                return
            }
            stages.canonical += (now() - start)
            mapped = record
        } else {
            guard let parsed = try? HL7Parser.parse(bytes, index: 1) else {
                stages.failures += 1
                return
            }
            stages.parse += (now() - start)
            start = now()
            let digest = lowercaseHex(SHA256.hash(data: parsed.bytes))
            guard let (record, _) = try? engine.hl7Mapper.map(parsed, inputName: "bench", digest: digest) else {
                stages.failures += 1
                return
            }
            stages.canonical += (now() - start)
            mapped = record
        }
        start = now()
        let (record, _) = engine.normalized(mapped)
        stages.normalize += (now() - start)
        start = now()
        let (output, _) = engine.bundleJSON([record], pretty: false)
        stages.emit += (now() - start)
        start = now()
        let digests = CanonicalHasher.digests(record)
        _ = CanonicalHasher.rollup(digests.map(\.digest))
        stages.hash += (now() - start)
        stages.units += 1
        stages.outputBytes += output.count
    }

    func report(_ stages: Stages, parallelSeconds: Double?, whole: WholeProcess?) {
        let megabytes = Double(stages.bytes) / 1_048_576
        let unitName = format == .ccda ? "docs" : "msgs"
        var rows: [(String, Double)] = []
        if format == .hl7v2 { rows.append(("parse", stages.parse)) }
        rows += [
            (format == .ccda ? "parse + canonical" : "canonical", stages.canonical), ("normalize", stages.normalize),
            ("emit FHIR JSON", stages.emit), ("hash", stages.hash),
        ]
        // what `convert` does per unit (hashing runs only for --ledger and reconcile)
        let total = stages.parse + stages.canonical + stages.normalize + stages.emit
        rows.append(("convert (1 core)", total))
        rows.append(("convert + hash", total + stages.hash))
        if let parallelSeconds { rows.append(("convert + hash, \(jobs) jobs", parallelSeconds)) }
        let peak = peakResidentMegabytes()
        func rate(_ seconds: Double) -> Double { Double(stages.units) / max(seconds, 1e-9) }
        func throughput(_ seconds: Double) -> Double { megabytes / max(seconds, 1e-9) }
        if json {
            var object = JSONObject()
            object.append("format", .string(format.rawValue))
            object.append("units", .int(stages.units))
            object.append("inputMegabytes", .number(String(format: "%.3f", megabytes)))
            object.append("outputMegabytes", .number(String(format: "%.3f", Double(stages.outputBytes) / 1_048_576)))
            for (name, seconds) in rows {
                object.append(
                    name,
                    .object(
                        JSONObject([
                            "seconds": .number(String(format: "%.4f", seconds)),
                            "unitsPerSecond": .number(String(format: "%.0f", rate(seconds))),
                            "megabytesPerSecond": .number(String(format: "%.2f", throughput(seconds))),
                        ])))
            }
            object.append("jobs", .int(jobs))
            object.append("stageClock", .string(cpuTime ? "thread-cpu" : "wall"))
            object.append("peakResidentMegabytes", .number(String(format: "%.1f", peak)))
            object.append("failures", .int(stages.failures))
            if format == .hl7v2, input == nil { object.append("profile", .string(profile.rawValue)) }
            if let whole {
                object.append(
                    "wholeProcessConvertNDJSON",
                    .object(
                        JSONObject([
                            "seconds": .number(String(format: "%.3f", whole.seconds)),
                            "unitsPerSecond": .number(
                                String(format: "%.0f", Double(messages) / max(whole.seconds, 1e-9))),
                            "peakResidentMegabytes": .number(String(format: "%.1f", whole.peakMegabytes)),
                            "exitCode": .int(Int(whole.exitCode)),
                        ])))
            }
            print(JSONWriter(style: .pretty).string(.object(object)))
            return
        }
        let profileText = format == .hl7v2 && input == nil ? " [\(profile.rawValue)]" : ""
        print(
            "\(format.rawValue)\(profileText): \(stages.units) \(unitName) (\(String(format: "%.2f", megabytes)) MB in, "
                + "\(String(format: "%.2f", Double(stages.outputBytes) / 1_048_576)) MB FHIR JSON out), failures: \(stages.failures)"
        )
        print("stage                      \(unitName)/s        MB/s" + (cpuTime ? "   (thread CPU time)" : ""))
        for (name, seconds) in rows {
            print(
                name.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + String(format: "%12.0f %11.2f", rate(seconds), throughput(seconds)))
        }
        print(String(format: "peak resident memory: %.1f MB", peak))
        if let whole {
            print(
                "whole process, convert --ndjson --jobs \(jobs): "
                    + String(format: "%.0f", Double(messages) / max(whole.seconds, 1e-9)) + " \(unitName)/s, "
                    + String(format: "%.1f s, peak resident memory %.1f MB", whole.seconds, whole.peakMegabytes)
                    + " (exit \(whole.exitCode))")
        }
    }

    /// Seconds of CPU time this thread has used.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Seconds on the monotonic wall clock.
    static func wallSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    func peakResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports kilobytes
    }
}

/// What `--jobs` workers emit into: each unit's bundle as compact FHIR JSON (as a bundle file holds
/// it, without the write) and its records' digests and roll-up (as `--ledger` and `reconcile` hash).
final class HashingSink: RecordSink {
    let emitter: FHIREmitter
    var outputs: [SinkOutput] { [] }

    init(emitter: FHIREmitter) { self.emitter = emitter }

    func write(_ record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        _ = emitter.bundleJSON([record], pretty: false)
        _ = CanonicalHasher.rollup(CanonicalHasher.digests(record).map(\.digest))
        return .none
    }

    func finish() throws -> Emission { .none }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
