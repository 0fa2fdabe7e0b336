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
        let (status, output) = try PythonPeers.runProcess(
            "/usr/bin/env",
            arguments: ["python3", Repository.url("Tools/check_bindings.py").path] + bundles.map(\.path),
            timeout: timeout)
        return Outcome(status: status, output: output)
    }
}
