import ArgumentParser
import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import PHISafety
import Pipeline

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert source files, folders or standard input to FHIR R4 bundles or NDJSON.",
        discussion: """
            Without --out, one bundle with every converted unit goes to standard output. With --out, each \
            message or document becomes its own bundle file, <input>.<digest>.json, named by the input and \
            a digest of the bundle: a rerun into the same folder writes unchanged bundles under the same \
            names and never replaces another unit's file. With --ndjson, resources are appended to \
            <ResourceType>.ndjson. A summary (units, resources by type, diagnostics and errors by kind and \
            position) goes to standard error.
            """)

    @Argument(help: "Files or folders to convert. Reads standard input when omitted.", completion: .file())
    var paths: [String] = []

    @Option(help: "Input format: hl7v2, ccda or csv. Detected from content when omitted.")
    var format: InputFormat?

    @Option(name: .shortAndLong, help: "Output folder (created if missing).")
    var out: String?

    @Option(
        help: """
            Bundle type: transaction, batch, collection, or document (one FHIR document per C-CDA document, \
            Composition first; needs --out).
            """)
    var bundleType: BundleType = .transaction

    @Flag(help: "Transaction entries as conditional creates on business identifiers.")
    var conditional = false

    @Flag(
        help: """
            Write NDJSON files per resource type (bulk load) instead of bundles; without --out, NDJSON \
            lines on standard output as units arrive (a line per resource of each unit).
            """)
    var ndjson = false

    @Option(
        help: """
            Write one line per record of each converted unit to this file (a path such as /dev/fd/3 \
            works too): input name, unit number, resource name, canonical digest, tab-separated. \
            'fhirbridge rollup' combines the files of shards into the roll-up of one run.
            """)
    var digests: String?

    @OptionGroup var source: SourceOptions

    @Option(help: "Write the run summary as JSON to this file.")
    var report: String?

    @Option(
        help: """
            Write every terminology finding (unknown, unmapped and local codes, units not in UCUM) with the \
            codes as they came, as JSON. Source codes can be free text: treat this file like the output.
            """)
    var terminologyReport: String?

    @OptionGroup var home: HomeOptions

    @Option(
        help: """
            Checkpoint ledger for delta runs: a SQLite file, or postgresql://USER@HOST:PORT/DB \
            (?schema=NAME&sslmode=verify-full; password in PGPASSWORD). Emit only records that are new or \
            changed since the last checkpoint, report deletions, and resume a run that was killed half-way. \
            Needs --out. One run per ledger at a time (a second run exits 74), except shards \
            (--ledger-shard). An empty or damaged ledger is refused (exit 74) unless --new-ledger is given.
            """)
    var ledger: String?

    @Flag(
        help: """
            Run as one shard of a sharded run on a PostgreSQL ledger: join the checkpoint that \
            'fhirbridge ledger begin' opened, beside other shards, and leave completing it (deletions, \
            counts) to 'fhirbridge ledger complete'.
            """)
    var ledgerShard = false

    @Flag(
        help: """
            Start a new ledger at --ledger's path: an existing file there (damaged or not) is renamed to \
            <path>.replaced-<UTC time>, and every record counts as new.
            """)
    var newLedger = false

    @Flag(help: "No progress bar and no summary on standard error.")
    var quiet = false

    @Option(
        help: """
            Convert on this many worker threads. The output is byte-identical to --jobs 1: units are \
            framed and written in input order.
            """)
    var jobs: Int = 1

    @OptionGroup(title: "PHI safety") var safety: SafetyOptions
    @OptionGroup var audit: AuditOptions
    @OptionGroup var logging: LogOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if ndjson && out == nil && safety.encryption.encrypt {
            throw ValidationError("--encrypt seals files: NDJSON on standard output needs --out to be sealed.")
        }
        if ledger != nil && out == nil { throw ValidationError("--ledger needs --out.") }
        if newLedger && ledger == nil { throw ValidationError("--new-ledger needs --ledger.") }
        if bundleType == .document && (out == nil || ndjson || ledger != nil) {
            throw ValidationError(
                "--bundle-type document writes one document bundle per C-CDA document: it needs --out and "
                    + "cannot be combined with --ndjson or --ledger.")
        }
        if ledgerShard {
            guard let ledger, case .postgres? = try? LedgerLocation.parse(ledger) else {
                throw ValidationError("--ledger-shard needs a postgresql:// --ledger.")
            }
            if newLedger { throw ValidationError("--ledger-shard cannot start a new ledger (--new-ledger).") }
        }
        if let ledger {
            do {
                _ = try LedgerLocation.parse(ledger)
            } catch {
                throw ValidationError("--ledger: \(error).")
            }
        }
        if ledger != nil && ndjson {
            throw ValidationError(
                "--ledger writes one bundle per unit (restartable); it cannot be combined with --ndjson.")
        }
    }

    func run() throws {
        let started = Date()
        let logger = logging.logger("fhirbridge.convert")
        let policy = try safety.policy()
        let sealingKey = try safety.sealingKey()
        let engine = try source.loadEngine(home) { configuration in
            configuration.bundleType = bundleType
            configuration.conditionalReferences = conditional
            configuration.limits = limits.engineLimits
        }
        var inputs = try Inputs.sources(paths, engine: engine)
        if safety.redactInputNames { inputs = inputs.map { $0.redactingName() } }
        let progress = ProgressBar(total: inputs.count, enabled: !quiet)
        let sink = try makeSink(engine.emitter, sealingKey: sealingKey)
        let checkpoints: (any CheckpointLedger)?
        do {
            checkpoints = try ledger.map { text throws(LedgerError) in
                try LedgerOptions.open(text, startAfresh: newLedger, shard: ledgerShard)
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw Exit.ioError
        }
        defer { try? checkpoints?.close() }
        let digestStream: DigestStream?
        do {
            digestStream = try digests.map { try DigestStream(path: $0) }
        } catch {
            FileHandle.standardError.write(Data("error: cannot write the digests file\n".utf8))
            throw Exit.ioError
        }
        logger.info("run.started", metadata: ["command": "convert", "count": "\(inputs.count)"])
        let pipeline = ConversionPipeline(
            engine: engine, sink: sink, policy: policy, ledger: checkpoints, format: format, jobs: jobs)
        let summary = pipeline.run(inputs) { event in
            switch event {
            case .inputStarted(let input): progress.advance(label: input.name)
            case .unit(let unit, let input):
                if let error = unit.error { logger.notice("unit.failed", metadata: .error(error)) }
                if let digestStream, let record = unit.record {
                    digestStream.write(DigestRollup.lines(input: input.name, unit: unit.index, record: record))
                }
            case .inputUnreadable(let input): logger.error("input.unreadable", metadata: ["position": "\(input.name)"])
            case .outputFailed(_, let input): logger.error("output.failed", metadata: ["position": "\(input.name)"])
            }
        }
        progress.finish()
        if let digestStream, !digestStream.close() {
            FileHandle.standardError.write(Data("error: cannot write the digests file\n".utf8))
            throw Exit.ioError
        }
        if !quiet { FileHandle.standardError.write(Data(summary.text().utf8)) }
        try writeReports(summary, sealingKey: sealingKey)
        let exitCode: Int32 = !summary.ioErrors.isEmpty ? 74 : summary.failed > 0 ? 65 : 0
        logger.info(
            "run.finished",
            metadata: [
                "units": "\(summary.units)", "converted": "\(summary.converted)", "failed": "\(summary.failed)",
                "resources": "\(summary.resources.values.reduce(0, +))",
            ])
        if audit.path != nil {
            var counts = ["units": summary.units, "converted": summary.converted, "failed": summary.failed]
            for (type, count) in summary.resources { counts["resources." + type] = count }
            var options = safety.auditOptions()
            if let format { options["format"] = format.rawValue }
            options["bundleType"] = bundleType.rawValue
            if ndjson { options["ndjson"] = "true" }
            if conditional { options["conditional"] = "true" }
            if ledger != nil { options["ledger"] = "true" }
            // files once each, sorted, then what went to standard output
            let files = Set(sink.outputs.compactMap(\.filePath)).sorted().map { SinkOutput.file(path: $0) }
            let outputs =
                (files + sink.outputs.filter { $0.filePath == nil }).compactMap { $0.auditFile() }
                + (report.flatMap { AuditFile.hashing(path: $0, role: "report") }.map { [$0] } ?? [])
            let record = AuditRecord(
                command: "convert", options: options, started: started, finished: Date(), counts: counts,
                inputs: AuditOptions.files(of: inputs, stdinBytes: summary.bytes), outputs: outputs,
                exitCode: Int(exitCode))
            if !audit.append(record, logger: logger) { throw Exit.ioError }
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// Bundle files or NDJSON under --out, else one bundle on standard output.
    func makeSink(_ emitter: FHIREmitter, sealingKey: DataKey?) throws -> any RecordSink {
        guard let out else {
            if ndjson { return NDJSONStreamSink(emitter: emitter) }
            return SingleBundleSink(emitter: emitter, destination: .standardOutput, sealingKey: sealingKey)
        }
        let directory = URL(fileURLWithPath: out)
        do {
            if ndjson { return try NDJSONSink(directory: directory, emitter: emitter, sealingKey: sealingKey) }
            let sink = try BundleFileSink(directory: directory, emitter: emitter, sealingKey: sealingKey)
            // a million bundle files need their paths only for the audit trail
            sink.keepsOutputs = audit.path != nil
            return sink
        } catch {
            FileHandle.standardError.write(Data("error: cannot create the output folder\n".utf8))
            throw Exit.ioError
        }
    }

    /// `--report` (the summary as JSON) and `--terminology-report` (sealed like the outputs).
    func writeReports(_ summary: RunSummary, sealingKey: DataKey?) throws {
        if let report {
            do {
                try Data(summary.json()).write(to: URL(fileURLWithPath: report))
            } catch {
                FileHandle.standardError.write(Data("error: cannot write the report\n".utf8))
                throw Exit.ioError
            }
        }
        if let terminologyReport {
            do {
                // source codes can be free text: sealed like the outputs when --encrypt is on
                var bytes = Array(try JSONEncoder.sortedPretty.encode(summary.terminology))
                if let sealingKey { bytes = SealedFile.seal(bytes, key: sealingKey) }
                try Data(bytes).write(to: URL(fileURLWithPath: terminologyReport), options: .atomic)
            } catch {
                FileHandle.standardError.write(Data("error: cannot write the terminology report\n".utf8))
                throw Exit.ioError
            }
        }
    }
}

extension JSONEncoder {
    static var sortedPretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}

/// `--digests FILE`: lines buffered and written in 256 KiB pieces; a write error is kept for the end.
final class DigestStream {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var failed = false

    init(path: String) throws {
        guard
            FileManager.default.createFile(atPath: path, contents: nil) || FileManager.default.fileExists(atPath: path),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CocoaError(.fileWriteUnknown) }
        try? handle.truncate(atOffset: 0)
        self.handle = handle
    }

    func write(_ text: String) {
        buffer += Array(text.utf8)
        if buffer.count >= 256 * 1024 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty, !failed else { return }
        do { try handle.write(contentsOf: buffer) } catch { failed = true }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left and closes; whether every write succeeded.
    func close() -> Bool {
        flush()
        try? handle.close()
        return !failed
    }
}
