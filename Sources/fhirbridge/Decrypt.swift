import ArgumentParser
import Foundation
import PHISafety

struct Decrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decrypt files written with --encrypt (AES-256-GCM sealed files).",
        discussion: """
            The key comes from --key-file or the FHIRBRIDGE_KEY environment variable (base64 of 32 bytes), \
            never from the command line. With one input and no --out the plaintext goes to standard output; \
            with --out each input is written there without its .enc suffix. A wrong key, an edited, \
            reordered or truncated file exits with 65 and writes nothing for that file.
            """)

    @Argument(help: "Sealed files (.enc).", completion: .file())
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output folder (created if missing). Required for several inputs.")
    var out: String?

    @Option(help: "File holding the key: base64 of 32 bytes (default: FHIRBRIDGE_KEY).", completion: .file())
    var keyFile: String?

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("Give at least one file to decrypt.") }
        if inputs.count > 1 && out == nil { throw ValidationError("Several inputs need --out.") }
    }

    func run() throws {
        let key = try SafetyOptions.loadKey(file: keyFile)
        if let out {
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                FileHandle.standardError.write(Data("error: cannot create the output folder\n".utf8))
                throw Exit.ioError
            }
        }
        var failed = false
        for path in inputs {
            let name = URL(fileURLWithPath: path).lastPathComponent
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("error: cannot read \(name)\n".utf8))
                throw Exit.ioError
            }
            let plaintext: [UInt8]
            do {
                plaintext = try SealedFile.open(Array(data), key: key)
            } catch {
                FileHandle.standardError.write(Data("error: \(name): \(error)\n".utf8))
                failed = true
                continue
            }
            guard let out else {
                FileHandle.standardOutput.write(Data(plaintext))
                continue
            }
            let outputName = name.hasSuffix(".enc") ? String(name.dropLast(4)) : name + ".dec"
            do {
                try Data(plaintext).write(
                    to: URL(fileURLWithPath: out).appendingPathComponent(outputName), options: .atomic)
            } catch {
                FileHandle.standardError.write(Data("error: cannot write \(outputName)\n".utf8))
                throw Exit.ioError
            }
        }
        if failed { throw Exit.dataError }
    }
}
