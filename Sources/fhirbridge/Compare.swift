import ArgumentParser
import Foundation
import MappingSpec
import Pipeline

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Compare fhirbridge's bundles with a peer converter's expected bundles, per resource type and element.",
        discussion: """
            Converts each INPUT that has an expected bundle (NAME-expected.json anywhere under --expected, as \
            in FHIR-Converter's test data), pairs the resources of the two bundles by type, business \
            identifiers, codes, names and dates, and counts for every element path (without indexes) where \
            both sides agree, differ, or only one side has it. --adjudications sorts the differences into \
            fhirbridge right, fhirbridge wrong and not comparable, each with its reviewed reason. Prints a \
            Markdown table per resource type: counts only, never values.
            """)

    @Argument(help: "Input files or folders (HL7 v2, C-CDA).", completion: .file())
    var inputs: [String]

    @Option(help: "Folder holding the peer's expected bundles (NAME-expected.json).", completion: .directory)
    var expected: String

    @Option(help: "Reviewed verdicts on differences (YAML).", completion: .file())
    var adjudications: String?

    @Option(help: "The peer's name in the table.")
    var peer = "FHIR-Converter"

    @Flag(help: "Add a table of elements per resource type.")
    var detail = false

    @Option(help: "How many open disagreements to list.")
    var top = 25

    @Option(help: "Write the Markdown to this file instead of standard output.", completion: .file())
    var output: String?

    @OptionGroup var source: SourceOptions
    @OptionGroup var home: HomeOptions

    func run() throws {
        var verdicts = Adjudications()
        if let adjudications {
            do {
                verdicts = try Adjudications.load(URL(fileURLWithPath: adjudications))
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw Exit.usage
            }
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: expected, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("--expected must be a folder.")
        }
        for path in inputs where !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("no such input: \(path)")
        }
        let engine = try source.loadEngine(home)
        let corpus = PeerCorpus(
            inputs: inputs.map { URL(fileURLWithPath: $0) }, expected: URL(fileURLWithPath: expected))
        let (comparison, failures) = PeerComparison.run(corpus, engine: engine)
        for failure in failures { FileHandle.standardError.write(Data("error: \(failure)\n".utf8)) }
        let markdown = comparison.markdown(adjudications: verdicts, peer: peer, detail: detail, top: top)
        if let output {
            do {
                try Data(markdown.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                FileHandle.standardError.write(Data("error: cannot write the report\n".utf8))
                throw Exit.ioError
            }
        } else {
            print(markdown, terminator: "")
        }
        FileHandle.standardError.write(
            Data(
                "compared \(comparison.inputs) inputs with their expected bundles; \(corpus.unmatched.count) inputs have none\n"
                    .utf8))
        if !failures.isEmpty { throw Exit.ioError }
    }
}
