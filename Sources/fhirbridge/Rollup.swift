import ArgumentParser
import FHIRR4
import Foundation
import Pipeline

/// `fhirbridge rollup`: the roll-up of one run from the `--digests` files of its shards.
struct Rollup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Combine the --digests files of a run's shards into the roll-up of the whole run (JSON).",
        discussion: """
            Per resource the version of the last unit in source order (input name, then unit number) \\
            counts, as in one process; then per FHIR resource type and over all records, SHA-256 of the \\
            sorted digests. Shards that split a source any way give the roll-up of one run over it.
            """)

    @Argument(help: "Digest files written by convert --digests ('-' reads standard input).", completion: .file())
    var files: [String]

    func run() throws {
        var rollup = DigestRollup()
        for file in files {
            let data: Data
            do {
                data =
                    file == "-"
                    ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                FileHandle.standardError.write(Data("error: cannot read a digests file\n".utf8))
                throw Exit.ioError
            }
            do {
                try rollup.add(lines: Substring(decoding: data, as: UTF8.self))
            } catch {
                FileHandle.standardError.write(
                    Data("error: digests file \(files.firstIndex(of: file)! + 1): \(error)\n".utf8))
                throw Exit.dataError
            }
        }
        var object = JSONObject()
        object.append("records", .int(rollup.count))
        object.append("rollup", .string(rollup.rollup))
        var types = JSONObject()
        for (type, value) in rollup.byType.sorted(by: { $0.key < $1.key }) {
            var item = JSONObject()
            item.append("records", .int(value.count))
            item.append("rollup", .string(value.rollup))
            types.append(type, .object(item))
        }
        object.append("byType", .object(types))
        FileHandle.standardOutput.write(Data(JSONWriter(style: .pretty).bytes(.object(object)) + [0x0A]))
    }
}
