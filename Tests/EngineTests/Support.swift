import ClinicalModel
import FHIRR4
import Foundation
import Pipeline
import TestSupport
import Testing

/// Paths and a shared engine for the end-to-end tests (the checkout and the corpus: `TestSupport`).
enum Support {
    static let samples = Repository.url("Samples/hl7v2")

    static let engine: Engine = {
        do {
            return try Engine(configuration: EngineConfiguration(home: Repository.root))
        } catch {
            fatalError("engine failed to load: \(error)")
        }
    }()

    static func files(under folder: URL, extensions: Set<String>? = nil) -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            return []
        }
        var result: [URL] = []
        for case let url as URL in enumerator {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
            else { continue }
            if url.lastPathComponent.hasSuffix(".md") { continue }
            if let extensions, !extensions.contains(url.pathExtension) { continue }
            result.append(url)
        }
        return result.sorted { $0.path < $1.path }
    }

    /// Converts one file as the CLI does (format detected from content); returns its units.
    static func convert(_ url: URL) throws -> [UnitResult] {
        engine.convert(Array(try Data(contentsOf: url)), inputName: url.lastPathComponent)
    }

    static func bundle(_ records: [ClinicalRecord]) throws -> JSON {
        let (bytes, _) = engine.bundleJSON(records)
        return try JSONReader.parse(bytes)
    }

    /// The Python with fhirkit-rs: FHIRBRIDGE_PYTHON, else the repo's .venv (Tools/setup.sh makes it).
    static func validatorPython() -> String? {
        if let python = ProcessInfo.processInfo.environment["FHIRBRIDGE_PYTHON"],
            FileManager.default.isExecutableFile(atPath: python)
        {
            return python
        }
        let local = Repository.url(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: local) ? local : nil
    }

    /// Runs Tools/validate_fhir.py over a folder; returns (exit status, output).
    static func validate(folder: URL) throws -> (Int32, String) { try validate(paths: [folder]) }

    /// Runs Tools/validate_fhir.py over files and folders; returns (exit status, output).
    static func validate(paths: [URL]) throws -> (Int32, String) {
        guard let python = validatorPython() else {
            Issue.record("no Python with fhirkit-rs: run Tools/setup.sh or set FHIRBRIDGE_PYTHON")
            return (-1, "")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Repository.url("Tools/validate_fhir.py").path] + paths.map(\.path)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fhirbridge-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
