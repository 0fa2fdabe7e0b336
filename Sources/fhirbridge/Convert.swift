import ArgumentParser
import CSVSource
import MappingSpec
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
            message or document becomes its own bundle file (<input>.json, or <input>.<n>.json for files of \
            several messages), or, with --ndjson, resources are appended to <ResourceType>.ndjson. A summary \
            (units, resources by type, diagnostics and errors by kind and position) goes to standard error.
            """)

    @Argument(help: "Files or folders to convert. Reads standard input when omitted.", completion: .file())
    var paths: [String] = []

    @Option(help: "Input format: hl7v2, ccda or csv. Detected from content when omitted.")
    var format: String?

    @Option(name: .shortAndLong, help: "Output folder (created if missing).")
    var out: String?

    @Option(help: "Bundle type: transaction, batch or collection.")
    var bundleType: String = "transaction"

    @Flag(help: "Transaction entries as conditional creates on business identifiers.")
    var conditional = false

    @Flag(help: "Write NDJSON files per resource type (bulk load) instead of bundles. Needs --out.")
    var ndjson = false

    @Option(help: "Zone for source times given without one, as +hh:mm or -hh:mm.")
    var timezone: String = "+00:00"

    @Option(help: "A CSV column profile (YAML) to try before the bundled ones in Mappings/csv. Repeatable.")
    var csvProfile: [String] = []

    @Option(help: "Write the run summary as JSON to this file.")
    var report: String?

    @Option(help: """
        Write every terminology finding (unknown, unmapped and local codes, units not in UCUM) with the \
        codes as they came, as JSON. Source codes can be free text: treat this file like the output.
        """)
    var terminologyReport: String?

    @Option(help: "Folder holding Terminology/ and Mappings/ (default: FHIRBRIDGE_HOME, or found from the current directory).")
    var home: String?

    @Option(help: """
        Checkpoint ledger (SQLite) for delta runs: emit only records that are new or changed since the \
        last checkpoint, report deletions, and resume a run that was killed half-way. Needs --out.
        """)
    var ledger: String?

    @Flag(help: "No progress bar and no summary on standard error.")
    var quiet = false

    @OptionGroup(title: "PHI safety") var safety: SafetyOptions
    @OptionGroup var audit: AuditOptions
    @OptionGroup var logging: LogOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions

    func validate() throws {
        if let format, InputFormat(rawValue: format) == nil {
            throw ValidationError("--format must be hl7v2, ccda or csv.")
        }
        if BundleType(rawValue: bundleType) == nil {
            throw ValidationError("--bundle-type must be transaction, batch or collection.")
        }
        if ndjson && out == nil { throw ValidationError("--ndjson needs --out.") }
        if ledger != nil && out == nil { throw ValidationError("--ledger needs --out.") }
        if ledger != nil && ndjson {
            throw ValidationError("--ledger writes one bundle per unit (restartable); it cannot be combined with --ndjson.")
        }
        if timezone.range(of: #"^[+-](0\d|1[0-4]):[0-5]\d$"#, options: .regularExpression) == nil {
            throw ValidationError("--timezone must look like +00:00 or -05:00.")
        }
    }

    func run() throws {
        let started = Date()
        let logger = logging.logger("fhirbridge.convert")
        let policy = try safety.policy()
        let sealingKey = try safety.sealingKey()
        let engine = try Self.loadEngine(
            home: home,
            configure: { configuration in
                configuration.defaultZone = timezone
                configuration.bundleType = BundleType(rawValue: bundleType) ?? .transaction
                configuration.conditionalReferences = conditional
                configuration.limits = limits.engineLimits
            })
        var inputs = try Self.collectSources(paths, engine: engine, profilePaths: csvProfile)
        if safety.redactInputNames { inputs = inputs.map { $0.redactingName() } }
        var summary = RunSummary()
        let progress = ProgressBar(total: inputs.count, enabled: !quiet)
        let writer: OutputWriter
        do {
            writer = try OutputWriter(directory: out, ndjson: ndjson, policy: policy, sealingKey: sealingKey)
        } catch {
            FileHandle.standardError.write(Data("error: cannot create the output folder\n".utf8))
            throw Exit.ioError
        }
        var combined: [ClinicalRecord] = []
        let checkpoints: CheckpointLedger?
        do {
            checkpoints = try ledger.map { try CheckpointLedger(path: $0) }
            try checkpoints?.begin()
        } catch {
            FileHandle.standardError.write(Data("error: cannot open the ledger\n".utf8))
            throw Exit.ioError
        }
        logger.info("run.started", metadata: ["command": "convert", "count": "\(inputs.count)"])
        for input in inputs {
            progress.advance(label: input.name)
            let units: [UnitResult]
            do {
                let converted = try engine.convert(input, format: format.flatMap(InputFormat.init(rawValue:)))
                units = converted.units
                summary.bytes += converted.bytesRead
            } catch {
                summary.ioErrors.append("cannot read \(input.name)")
                logger.error("input.unreadable", metadata: ["position": "\(input.name)"])
                continue
            }
            for unit in units {
                summary.record(unit: unit)
                if let error = unit.error { logger.notice("unit.failed", metadata: .error(error)) }
                guard var record = unit.record else { continue }
                if out == nil {
                    combined.append(record)
                    continue
                }
                do {
                    let full = record
                    if let checkpoints, let digest = record.document.digest {
                        if try checkpoints.isDone(inputDigest: digest) {
                            summary.ledger.resumedUnits += 1
                            continue
                        }
                        let delta = try checkpoints.delta(record)
                        summary.ledger.add(delta)
                        if delta.emitted.isEmpty {
                            try checkpoints.commit(full, inputDigest: digest)
                            continue
                        }
                        record = record.keeping(delta.emitted)
                    }
                    let produced = try writer.write(
                        record, engine: engine, stem: input.stem, unitCount: units.count, index: unit.index)
                    summary.record(resources: produced.resources, diagnostics: produced.diagnostics)
                    if let checkpoints, let digest = full.document.digest {
                        try checkpoints.commit(full, inputDigest: digest)
                    }
                } catch {
                    summary.ioErrors.append("cannot write output for \(input.name)")
                    logger.error("output.failed", metadata: ["position": "\(input.name)"])
                }
            }
        }
        progress.finish()
        do { try writer.finish() } catch { summary.ioErrors.append("cannot finish the output files") }
        if let checkpoints, summary.ioErrors.isEmpty {
            do {
                let completion = try checkpoints.complete()
                summary.ledger.checkpoint = completion.checkpoint
                summary.ledger.startedAt = completion.startedAt
                summary.ledger.deleted = completion.deleted
            } catch {
                summary.ioErrors.append("cannot complete the ledger checkpoint")
            }
        }
        var stdoutDigest: AuditFile?
        if out == nil, !combined.isEmpty {
            let output = writer.combinedOutput(combined, engine: engine)
            summary.record(resources: output.resources, diagnostics: output.diagnostics)
            FileHandle.standardOutput.write(Data(output.bytes))
            stdoutDigest = AuditFile(digest: sha256Hex(output.bytes), size: output.bytes.count, role: "stdout")
        }
        if !quiet { FileHandle.standardError.write(Data(summary.text().utf8)) }
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
            if let format { options["format"] = format }
            options["bundleType"] = bundleType
            if ndjson { options["ndjson"] = "true" }
            if conditional { options["conditional"] = "true" }
            if ledger != nil { options["ledger"] = "true" }
            let outputs = Set(writer.writtenPaths).sorted().compactMap { AuditFile.hashing(path: $0, role: "output") }
                + (stdoutDigest.map { [$0] } ?? []) + (report.flatMap { AuditFile.hashing(path: $0, role: "report") }.map { [$0] } ?? [])
            let record = AuditRecord(
                command: "convert", options: options, started: started, finished: Date(), counts: counts,
                inputs: AuditOptions.files(of: inputs, stdinBytes: summary.bytes), outputs: outputs, exitCode: Int(exitCode))
            if !audit.append(record, logger: logger) { throw Exit.ioError }
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    static func collectInputs(_ paths: [String], includeFHIR: Bool = false) throws -> [InputFile] {
        let result = Result { () throws(InputError) -> [InputFile] in try InputFile.collect(paths, fhir: includeFHIR) }
        switch result {
        case let .success(inputs): return inputs
        case let .failure(error):
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw error.isUsage ? Exit.usage : Exit.ioError
        }
    }

    /// Expands paths into inputs, with extra CSV profiles loaded first.
    static func collectSources(_ paths: [String], engine: Engine, profilePaths: [String]) throws -> [SourceInput] {
        var profiles: [CSVProfile] = []
        for path in profilePaths {
            switch Result(catching: { () throws(MappingLoadError) -> CSVProfile in try CSVProfile.load(URL(fileURLWithPath: path)) }) {
            case let .success(profile): profiles.append(profile)
            case let .failure(error):
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw Exit.usage
            }
        }
        switch Result(catching: { () throws(InputError) -> [SourceInput] in try engine.sources(paths, extraProfiles: profiles) }) {
        case let .success(sources): return sources
        case let .failure(error):
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw error.isUsage ? Exit.usage : Exit.ioError
        }
    }

    static func loadEngine(home: String?, configure: (inout EngineConfiguration) -> Void) throws -> Engine {
        guard let homeURL = home.map({ URL(fileURLWithPath: $0) }) ?? Engine.locateHome() else {
            FileHandle.standardError.write(
                Data("error: cannot find Terminology/ and Mappings/; set FHIRBRIDGE_HOME or pass --home\n".utf8))
            throw Exit.ioError
        }
        var configuration = EngineConfiguration(home: homeURL)
        configure(&configuration)
        do {
            return try Engine(configuration: configuration)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw Exit.software
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
