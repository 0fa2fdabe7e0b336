import ArgumentParser
import ChartRender
import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import Pipeline

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render clinician charts: one static HTML page per patient, and an index.",
        discussion: """
            INPUT is any mix of source files or folders (HL7 v2, C-CDA, CSV) and FHIR output (bundles as \
            .json, bulk files as .ndjson, read back through the reverse mapping), so the chart of what \
            landed can be compared with the chart of the source. Pages are written to --out as \
            <id>.html (id: the FHIR Patient id, a one-way hash of the record key) plus index.html. \
            With --fhir, INPUT is the source side: the FHIR files are charted too (<id>.fhir.html) and \
            each patient gets a side-by-side page (<id>.compare.html) pairing records by record key and \
            marking those whose digests differ or that one side lacks. Pages are self-contained (no \
            script, no network). Only counts go to standard error; exit 65 when some source units failed \
            (the rest are still charted).
            """)

    @Argument(help: "Source files or folders, FHIR bundles (.json) or NDJSON files.", completion: .file())
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output folder for the pages (created if missing).")
    var out: String

    @Option(
        name: .customLong("fhir"), parsing: .upToNextOption,
        help: "FHIR output (.json bundles, .ndjson, or folders) to compare the INPUT charts with.")
    var fhir: [String] = []

    @OptionGroup var source: SourceOptions

    @OptionGroup var home: HomeOptions

    @Flag(help: "No summary on standard error.")
    var quiet = false

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("render needs at least one input file or folder.") }
    }

    func run() throws {
        let engine = try source.loadEngine(home)
        var errors: [SourceError] = []
        let sourceRecords = try Self.records(inputs, engine: engine, errors: &errors)
        let fhirRecords = try fhir.isEmpty ? nil : Self.fhirRecords(Inputs.files(fhir, includeFHIR: true))
        let pageID: (EntityRef) -> String = { ResourceID.derive($0) }
        let book = ChartBook(sourceRecords, pageID: pageID)
        let fhirBook = fhirRecords.map { ChartBook($0, pageID: pageID) }
        let comparisons = fhirBook.map { ChartComparison.compare(source: book, fhir: $0) } ?? []
        let byID = Dictionary(comparisons.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let fhirIDs = Set(fhirBook?.charts.map(\.id) ?? [])
        let sourceIDs = Set(book.charts.map(\.id))
        let renderer = ChartRenderer(terminology: engine.terminology)
        let folder = URL(fileURLWithPath: out)
        func write(_ bytes: [UInt8], _ name: String) throws {
            do {
                try Data(bytes).write(to: folder.appendingPathComponent(name), options: .atomic)
            } catch {
                FileHandle.standardError.write(Data("error: cannot write \(name) in the output folder\n".utf8))
                throw Exit.ioError
            }
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            FileHandle.standardError.write(Data("error: cannot create the output folder\n".utf8))
            throw Exit.ioError
        }
        let comparing = fhirBook != nil
        for chart in book.charts {
            let links = ChartRenderer.Links(
                comparison: comparing ? ChartComparison.pageName(chart.id) : nil,
                otherSide: fhirIDs.contains(chart.id) ? "\(chart.id).fhir.html" : nil, side: comparing ? "Source" : nil)
            try write(renderer.chartPage(chart, directory: book.directory, links: links), "\(chart.id).html")
        }
        if let fhirBook {
            for chart in fhirBook.charts {
                let links = ChartRenderer.Links(
                    comparison: ChartComparison.pageName(chart.id),
                    otherSide: sourceIDs.contains(chart.id) ? "\(chart.id).html" : nil, side: "FHIR")
                try write(
                    renderer.chartPage(chart, directory: fhirBook.directory, links: links), "\(chart.id).fhir.html")
            }
            for comparison in comparisons {
                let page = renderer.comparisonPage(
                    comparison, sourceDirectory: book.directory, fhirDirectory: fhirBook.directory,
                    sourcePage: comparison.source == nil ? nil : "\(comparison.id).html",
                    fhirPage: comparison.fhir == nil ? nil : "\(comparison.id).fhir.html")
                try write(page, ChartComparison.pageName(comparison.id))
            }
        }
        try write(renderer.indexPage(book, comparisons: byID), "index.html")
        if !quiet {
            var lines = ["rendered \(book.charts.count) chart\(book.charts.count == 1 ? "" : "s") and index.html"]
            if let fhirBook {
                let differing = comparisons.filter { $0.differingCount > 0 }.count
                lines.append(
                    "FHIR side: \(fhirBook.charts.count) charts; \(comparisons.count) comparisons, \(differing) with differences"
                )
            }
            if book.unattributed > 0 { lines.append("\(book.unattributed) records without a patient (not charted)") }
            for error in errors.prefix(50) { lines.append("error: \(error)") }
            if errors.count > 50 { lines.append("… and \(errors.count - 50) more errors") }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        if !errors.isEmpty { throw Exit.dataError }
    }

    static func isFHIRFile(_ path: String) -> Bool { path.hasSuffix(".json") || path.hasSuffix(".ndjson") }

    /// Source units through the pipeline and FHIR files through the reverse mapping, in argument order.
    static func records(_ paths: [String], engine: Engine, errors: inout [SourceError]) throws -> [ClinicalRecord] {
        var records: [ClinicalRecord] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if exists, !isDirectory.boolValue, isFHIRFile(path) {
                records += try fhirRecords(Inputs.files([path], includeFHIR: true))
                continue
            }
            let collected = CollectingSink()
            let summary = ConversionPipeline(engine: engine, sink: collected).run(
                try Inputs.sources([path], engine: engine))
            if let unreadable = summary.ioErrors.first {
                FileHandle.standardError.write(Data("error: \(unreadable)\n".utf8))
                throw Exit.ioError
            }
            errors += summary.errors
            records += collected.records
            if exists, isDirectory.boolValue {
                let fhirFiles = try Inputs.files([path], includeFHIR: true)
                if !fhirFiles.isEmpty { records += try fhirRecords(fhirFiles) }
            }
        }
        return records
    }

    /// Reads bundles and NDJSON back into canonical records (as `reconcile` does).
    static func fhirRecords(_ inputs: [InputFile]) throws -> [ClinicalRecord] {
        let reader = FHIRReader()
        var resources: [JSONObject] = []
        for input in inputs {
            do {
                let bytes = try input.read()
                if input.name.hasSuffix(".ndjson") {
                    resources += try reader.resources(fromNDJSON: bytes)
                } else {
                    resources += reader.resources(fromBundle: try JSONReader.parse(bytes))
                }
            } catch let error as JSONParseError {
                FileHandle.standardError.write(Data("error: \(input.name): \(error)\n".utf8))
                throw Exit.dataError
            } catch {
                FileHandle.standardError.write(Data("error: cannot read \(input.name)\n".utf8))
                throw Exit.ioError
            }
        }
        return reader.records(from: resources).0
    }
}
