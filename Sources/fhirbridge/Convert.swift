import ArgumentParser
import CSVSource
import MappingSpec
import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
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

    @Option(help: "Folder holding Terminology/ and Mappings/ (default: FHIRBRIDGE_HOME, or found from the current directory).")
    var home: String?

    @Option(help: """
        Checkpoint ledger (SQLite) for delta runs: emit only records that are new or changed since the \
        last checkpoint, report deletions, and resume a run that was killed half-way. Needs --out.
        """)
    var ledger: String?

    @Flag(help: "No progress bar and no summary on standard error.")
    var quiet = false

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
        let engine = try Self.loadEngine(
            home: home,
            configure: { configuration in
                configuration.defaultZone = timezone
                configuration.bundleType = BundleType(rawValue: bundleType) ?? .transaction
                configuration.conditionalReferences = conditional
                configuration.limits = limits.engineLimits
            })
        let inputs = try Self.collectSources(paths, engine: engine, profilePaths: csvProfile)
        var summary = RunSummary()
        let progress = ProgressBar(total: inputs.count, enabled: !quiet)
        let writer: OutputWriter
        do {
            writer = try OutputWriter(directory: out, ndjson: ndjson)
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
        for input in inputs {
            progress.advance(label: input.name)
            let units: [UnitResult]
            do {
                let converted = try engine.convert(input, format: format.flatMap(InputFormat.init(rawValue:)))
                units = converted.units
                summary.bytes += converted.bytesRead
            } catch {
                summary.ioErrors.append("cannot read \(input.name)")
                continue
            }
            for unit in units {
                summary.record(unit: unit)
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
                }
            }
        }
        progress.finish()
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
        if out == nil, !combined.isEmpty {
            let (bundle, diagnostics) = engine.bundle(combined)
            summary.record(resources: OutputWriter.resourceCounts(.object(bundle)), diagnostics: diagnostics)
            FileHandle.standardOutput.write(Data(JSONWriter(style: .pretty).bytes(.object(bundle))))
            FileHandle.standardOutput.write(Data("\n".utf8))
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
        if !summary.ioErrors.isEmpty { throw Exit.ioError }
        if summary.failed > 0 { throw Exit.dataError }
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
