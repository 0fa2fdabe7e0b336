import ArgumentParser
import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import PHISafety
import Pipeline

struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove a conversion lost nothing: compare source records with FHIR read back, by digest.",
        discussion: """
            Converts the SOURCE inputs to canonical records, reads the FHIR files (bundles as .json, \
            bulk files as .ndjson: our output, or an export from the target server) back into canonical \
            records through the reverse mapping, hashes both sides in canonical form and compares them \
            record by record. The report names records by FHIR resource id and digest only, counts \
            records by kind on both sides, lists dangling references and source fields that reached no \
            output. Exit 0 when everything matches, 65 when anything differs.
            """)

    @Argument(help: "Source files or folders.", completion: .file())
    var sources: [String]

    @Option(
        name: .customLong("fhir"), parsing: .upToNextOption,
        help: "FHIR bundles (.json) or NDJSON files, or folders of them.")
    var fhir: [String]

    @Option(help: "Write the report to this file: YAML for .yaml/.yml, otherwise JSON.")
    var report: String?

    @OptionGroup var source: SourceOptions

    @OptionGroup var home: HomeOptions

    @Flag(help: "No summary on standard error.")
    var quiet = false

    @Flag(help: "Show inputs as input-<digest of the path> in positions, logs and reports (as for convert).")
    var redactInputNames = false

    @Option(help: "Key file for FHIR files written with --encrypt (default: FHIRBRIDGE_KEY).", completion: .file())
    var keyFile: String?

    @OptionGroup var audit: AuditOptions
    @OptionGroup var logging: LogOptions

    func validate() throws {
        if fhir.isEmpty { throw ValidationError("--fhir needs at least one file or folder.") }
    }

    func run() throws {
        let started = Date()
        let logger = logging.logger("fhirbridge.reconcile")
        let engine = try source.loadEngine(home)
        var sourceInputs = try Inputs.sources(sources, engine: engine)
        if redactInputNames { sourceInputs = sourceInputs.map { $0.redactingName() } }
        var fhirFiles: [AuditFile] = []
        let collected = CollectingSink()
        var diagnostics: [Diagnostic] = []
        let summary = ConversionPipeline(engine: engine, sink: collected, traceUnused: true).run(sourceInputs) {
            event in
            guard case .unit(let unit, _) = event else { return }
            diagnostics += unit.diagnostics
            if let error = unit.error { logger.notice("unit.failed", metadata: .error(error)) }
        }
        if let unreadable = summary.ioErrors.first {
            FileHandle.standardError.write(Data("error: \(unreadable)\n".utf8))
            throw Exit.ioError
        }
        let sourceRecords = collected.records
        let errors = summary.errors
        let reader = FHIRReader()
        // Each bundle is read on its own (its references resolve inside it, as a transaction's do), and
        // all NDJSON files together form one pool (a server export holds one version of each resource).
        var bundles: [[JSONObject]] = []
        var pooled: [JSONObject] = []
        for input in try Inputs.files(fhir, includeFHIR: true) {
            do {
                var bytes = try input.read()
                fhirFiles.append(AuditFile(digest: sha256Hex(bytes), size: bytes.count, role: "fhir"))
                if bytes.starts(with: SealedFile.magic) {
                    do {
                        bytes = try SealedFile.open(bytes, key: try SafetyOptions.loadKey(file: keyFile))
                    } catch let error as SealedFileError {
                        FileHandle.standardError.write(Data("error: \(input.name): \(error)\n".utf8))
                        throw Exit.dataError
                    }
                }
                if input.name.hasSuffix(".ndjson") || input.name.hasSuffix(".ndjson.enc") {
                    pooled += try reader.resources(fromNDJSON: bytes)
                } else {
                    bundles.append(reader.resources(fromBundle: try JSONReader.parse(bytes)))
                }
            } catch let error as JSONParseError {
                FileHandle.standardError.write(Data("error: \(input.name): \(error)\n".utf8))
                throw Exit.dataError
            } catch {
                FileHandle.standardError.write(Data("error: cannot read \(input.name)\n".utf8))
                throw Exit.ioError
            }
        }
        if !pooled.isEmpty { bundles.append(pooled) }
        let fhirRecords = bundles.flatMap { reader.records(from: $0).0 }
        let result = Reconciler.reconcile(
            source: sourceRecords, sourceDiagnostics: diagnostics, sourceErrors: errors, fhir: fhirRecords,
            account: summary.account, unitsNotAccounted: summary.unitsNotAccounted)
        if !quiet { FileHandle.standardError.write(Data(result.summaryText().utf8)) }
        if let report {
            do {
                let bytes =
                    report.hasSuffix(".yaml") || report.hasSuffix(".yml")
                    ? Array(try result.yaml().utf8) : result.json()
                try Data(bytes).write(to: URL(fileURLWithPath: report), options: .atomic)
            } catch {
                FileHandle.standardError.write(Data("error: cannot write the report\n".utf8))
                throw Exit.ioError
            }
        }
        logger.info(
            "reconcile.finished",
            metadata: ["count": "\(sourceRecords.count)", "failed": "\(result.missing.count + result.changed.count)"])
        if audit.path != nil {
            let counts = [
                "sourceRecords": sourceRecords.count, "fhirRecords": fhirRecords.count, "matched": result.matched,
                "missing": result.missing.count, "extra": result.extra.count, "changed": result.changed.count,
                "sourceErrors": errors.count,
            ]
            let outputs = report.flatMap { AuditFile.hashing(path: $0, role: "report") }.map { [$0] } ?? []
            let record = AuditRecord(
                command: "reconcile", options: ["timezone": source.timezone], started: started, finished: Date(),
                counts: counts,
                inputs: AuditOptions.files(of: sourceInputs, stdinBytes: 0) + fhirFiles, outputs: outputs,
                exitCode: result.isClean ? 0 : 65)
            if !audit.append(record, logger: logger) { throw Exit.ioError }
        }
        if !result.isClean { throw Exit.dataError }
    }
}
