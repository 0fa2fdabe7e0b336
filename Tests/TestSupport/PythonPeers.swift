import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Independent peers written in Python (hl7apy's MLLP server, python-hl7's `mllp_send`,
/// junitparser), installed into `.venv` by `Tools/setup.sh`. The Python is `FHIRBRIDGE_PYTHON`, else
/// the checkout's `.venv/bin/python`. Without it (or without the package) a test that needs a peer
/// records why and returns early, except under `CI` (or `FHIRBRIDGE_CORPUS`), where a missing peer
/// is a failure, as a missing corpus is.
public enum PythonPeers {
    /// The Python that can import `module`, or `nil` (with a skip note, or a failure under CI).
    public static func python(with module: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["FHIRBRIDGE_PYTHON"], Repository.url(".venv/bin/python").path,
        ]
        for case let python? in candidates where FileManager.default.isExecutableFile(atPath: python) {
            if let result = try? run(python, script: "import \(module)", arguments: []), result.status == 0 {
                return python
            }
        }
        let note = "no Python with \(module) (run Tools/setup.sh or set FHIRBRIDGE_PYTHON): the peer test is skipped"
        if TestCorpus.isRequired {
            Issue.record(
                Comment(rawValue: note.replacingOccurrences(of: "is skipped", with: "is required")),
                sourceLocation: sourceLocation)
        } else {
            print("note: \(note)")
        }
        return nil
    }

    /// Runs a Python script (`-c`) with arguments; returns its status and combined output.
    public static func run(_ python: String, script: String, arguments: [String], timeout: Double = 60) throws
        -> (status: Int32, output: String)
    {
        try runProcess(python, arguments: ["-c", script] + arguments, timeout: timeout)
    }

    /// Runs a program with arguments and no input, within `timeout` seconds (then it is terminated and
    /// the status is -1); returns its status and combined output.
    public static func runProcess(_ executable: String, arguments: [String], timeout: Double) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fhirbridge-py-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return (-1, "timed out after \(timeout) s")
        }
        return (process.terminationStatus, String(decoding: try Data(contentsOf: output), as: UTF8.self))
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (for a peer that needs a fixed port).
    public static func freePort() -> Int? {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { return nil }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
