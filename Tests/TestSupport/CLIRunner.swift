import Foundation

/// Runs the built `fhirbridge` binary for the test targets that test the command line: one way to
/// find the binary and to capture what it prints.
///
///     let result = try CLIRunner.run(["convert", "Samples/hl7v2/adt-a01-basic.hl7"])
///     result.status       // 0
///     result.stdoutText   // the bundle
public enum CLIRunner {
    /// The debug binary `swift build` (and `swift test`) leaves, or `nil` when it is not built.
    public static var binary: URL? {
        [".build/debug/fhirbridge", ".build/x86_64-unknown-linux-gnu/debug/fhirbridge", ".build/aarch64-unknown-linux-gnu/debug/fhirbridge"]
            .map { Repository.url($0) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: String
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    public struct BinaryMissing: Error, CustomStringConvertible {
        public var description: String { "the fhirbridge binary is not built: run swift build first" }
    }

    /// Runs the binary with `arguments` in `folder` (default: the checkout), feeding `stdin` (default:
    /// nothing). Standard output and error go through files, so a large output cannot block the child
    /// while the other stream is read. The environment is this process's without `FHIRBRIDGE_KEY` and
    /// `FHIRBRIDGE_AUDIT` (a developer's settings must not change a test), then `environment` on top;
    /// a `nil` value removes a variable.
    public static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:], in folder: URL? = nil
    ) throws -> Result {
        guard let binary else { throw BinaryMissing() }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fhirbridge-cli-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let inURL = scratch.appendingPathComponent("stdin")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: stdin ?? Data())

        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder ?? Repository.root
        var variables = ProcessInfo.processInfo.environment
        variables["FHIRBRIDGE_KEY"] = nil
        variables["FHIRBRIDGE_AUDIT"] = nil
        for (key, value) in environment { variables[key] = value }
        process.environment = variables
        let output = try FileHandle(forWritingTo: outURL)
        let errors = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        defer {
            try? output.close()
            try? errors.close()
            try? input.close()
        }
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
