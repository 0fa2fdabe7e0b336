import Foundation
import Testing

/// The core-package binding check (shared ORACLES.md item 2): `Tools/check_bindings.py` runs
/// pyfhircheck with the official hl7.fhir.r4.core 4.0.1 package over bundles, in one run, and fails on
/// any error its reviewed rules do not explain (required bindings, invariants, core profiles such as
/// the vital signs). `Tools/setup.sh` installs both into `.venv/fhircheck`. Without them a test records
/// why and returns early, except under `CI` (or `FHIRBRIDGE_CORPUS`), where that is a failure.
public enum CoreBindingCheck {
    /// The outcome of one run: its exit status (0 clean, 1 errors) and the script's lines.
    public struct Outcome: Sendable {
        public let status: Int32
        public let output: String
        /// The unexplained errors (`ERROR resourceType path code: message`).
        public var errors: [String] { output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("ERROR ") } }
    }

    /// Whether pyfhircheck and the core package are installed (else a skip note, or a failure under CI).
    public static func isAvailable(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let home = Repository.url(".venv/fhircheck")
        let ready =
            FileManager.default.isExecutableFile(atPath: home.appendingPathComponent("bin/pyfhircheck").path)
            && FileManager.default.fileExists(atPath: home.appendingPathComponent("hl7.fhir.r4.core.tgz").path)
        if ready { return true }
        let note = "no pyfhircheck with the R4 core package in .venv/fhircheck (run Tools/setup.sh)"
        if TestCorpus.isRequired {
            Issue.record(Comment(rawValue: note + ": the binding check is required"), sourceLocation: sourceLocation)
        } else {
            print("note: \(note): the binding check is skipped")
        }
        return false
    }

    /// Checks bundle files in one pyfhircheck run (it needs several seconds to start).
    public static func check(_ bundles: [URL], timeout: Double = 600) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Repository.url("Tools/check_bindings.py").path] + bundles.map(\.path)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fhirbridge-bindings-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return Outcome(status: -1, output: "timed out after \(timeout) s")
        }
        return Outcome(
            status: process.terminationStatus, output: String(decoding: try Data(contentsOf: output), as: UTF8.self))
    }
}
