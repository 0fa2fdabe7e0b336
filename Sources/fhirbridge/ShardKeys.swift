import ArgumentParser
import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import Pipeline

/// `fhirbridge shard-keys`: per unit, its position and the hashed patient keys to shard by.
struct ShardKeys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shard-keys",
        abstract: "List, per unit, its position and the hashed patient keys to shard a run by (NDJSON).",
        discussion: """
            One line per unit on standard output: {"input":NAME,"unit":N,"keys":[ID,…]}. A key is the \\
            FHIR Patient id fhirbridge derives for the unit's patient (a one-way hash of the business \\
            key, the same id the Patient resource gets), so a cluster can partition by patient without \\
            ever holding an MRN. A merge (ADT^A40 and the like) lists both identities, survivor first: \\
            put units whose keys share an id on one shard (the Spark driver groups them, smallest id \\
            of the group as its key). A unit without a patient lists no key; a unit that fails lists \\
            none and exits 65 at the end, as convert does.
            """)

    @Argument(help: "Files or folders. Reads standard input when omitted.", completion: .file())
    var paths: [String] = []

    @Option(help: "Input format: hl7v2, ccda or csv. Detected from content when omitted.")
    var format: InputFormat?

    @Flag(help: "Name inputs by a digest of their path (input-<digest>), for file names that carry patient data.")
    var redactInputNames = false

    @OptionGroup var source: SourceOptions
    @OptionGroup var home: HomeOptions

    func run() throws {
        let engine = try source.loadEngine(home)
        var inputs = try Inputs.sources(paths, engine: engine)
        if redactInputNames { inputs = inputs.map { $0.redactingName() } }
        let pipeline = ConversionPipeline(engine: engine, sink: nil, format: format)
        var output: [UInt8] = []
        let writer = JSONWriter()
        let summary = pipeline.run(inputs) { event in
            guard case .unit(let unit, let input) = event else { return }
            var line = JSONObject()
            line.append("input", .string(input.name))
            line.append("unit", .int(unit.index))
            line.append("keys", .array((unit.record.map(Self.keys) ?? []).map { .string($0) }))
            output += writer.bytes(.object(line))
            output.append(0x0A)
            if output.count >= 256 * 1024 {
                FileHandle.standardOutput.write(Data(output))
                output.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(Data(output))
        for error in summary.ioErrors { FileHandle.standardError.write(Data("error: \(error)\n".utf8)) }
        if !summary.ioErrors.isEmpty { throw Exit.ioError }
        if summary.failed > 0 {
            FileHandle.standardError.write(Data("fhirbridge: \(summary.failed) units failed\n".utf8))
            throw Exit.dataError
        }
    }

    /// The Patient ids of a unit: its patients, then both sides of each merge, each once.
    static func keys(_ record: ClinicalRecord) -> [String] {
        var keys: [String] = []
        for ref in record.patients.map(\.ref) + record.patientLinks.flatMap({ [$0.survivor, $0.merged] })
        where ref.kind == .patient {
            let id = ResourceID.derive(ref)
            if !keys.contains(id) { keys.append(id) }
        }
        return keys
    }
}
