import Foundation

/// Runs the built `fhirbridge` binary for the test targets that test the command line: one way to
/// find the binary and to capture what it prints.
///
///     let result = try CLIRunner.run(["convert", "Samples/hl7v2/adt-a01-basic.hl7"])
///     result.status       // 0
///     result.stdoutText   // the bundle
public enum CLIRunner {
    /// Where the binary is looked for, in order: `FHIRBRIDGE_BINARY` (a binary to test, e.g. an
    /// installed one), then the folder of the running test products: `swift test` builds
    /// `fhirbridge` into the same folder as the tests, whatever the build folder, configuration or
    /// triple (`.build/debug`, `.build/x86_64-unknown-linux-gnu/release`, `--scratch-path`, …).
    public static let binaryVariable = "FHIRBRIDGE_BINARY"

    /// The `fhirbridge` binary the tests run, or `nil` when there is none (`locateBinary()` says why).
    public static var binary: URL? { try? locateBinary() }

    /// The binary, or `BinaryMissing` naming the places looked at.
    public static func locateBinary() throws(BinaryMissing) -> URL {
        if let path = ProcessInfo.processInfo.environment[binaryVariable], !path.isEmpty {
            let url = URL(fileURLWithPath: path, relativeTo: Repository.root).standardizedFileURL
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw BinaryMissing(looked: [url], fromVariable: true)
            }
            return url
        }
        let candidates = productFolders.map { $0.appendingPathComponent("fhirbridge") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw BinaryMissing(looked: candidates, fromVariable: false)
        }
        return found
    }

    /// Folders holding the running test products: the `.xctest` bundle's folder and the running
    /// executable's folder (on Linux the test runner is the `.xctest` executable itself).
    static var productFolders: [URL] {
        var folders: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            folders.append(bundle.bundleURL.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        if let executable = Bundle.main.executableURL {
            folders.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        var seen = Set<String>()
        return folders.filter { seen.insert($0.path).inserted }
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: String
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    public struct BinaryMissing: Error, CustomStringConvertible {
        var looked: [URL]
        var fromVariable: Bool

        public var description: String {
            let places = looked.map(\.path).joined(separator: ", ")
            if fromVariable { return "\(binaryVariable) names no executable: \(places)" }
            return "no fhirbridge binary beside the test products (looked at \(places)): `swift test` and "
                + "`bash Tools/test.sh` build it (so does `swift build` with the tests' configuration), "
                + "or set \(binaryVariable) to one"
        }
    }

    /// Runs the binary with `arguments` in `folder` (default: the checkout), feeding `stdin` (default:
    /// nothing). Standard output and error go through files, so a large output cannot block the child
    /// while the other stream is read. The environment is this process's without `FHIRBRIDGE_KEY` and
    /// `FHIRBRIDGE_AUDIT` (a developer's settings must not change a test), then `environment` on top;
    /// a `nil` value removes a variable.
    public static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:], in folder: URL? = nil
    ) throws -> Result {
        let binary = try locateBinary()
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
