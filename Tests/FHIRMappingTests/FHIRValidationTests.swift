import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import TestSupport
import Testing

/// Independent validation of everything the emitter writes, with fhirkit-rs (shared ORACLES.md) run
/// through Tools/validate_fhir.py. The Python comes from `FHIRBRIDGE_PYTHON`, else the repository's
/// `.venv`; without either the test fails (CI installs it: `Tools/setup.sh`).
@Suite(.serialized) struct FHIRValidationTests {
    static var python: String? {
        if let path = ProcessInfo.processInfo.environment["FHIRBRIDGE_PYTHON"], !path.isEmpty,
            FileManager.default.isExecutableFile(atPath: path)
        {
            return path
        }
        let venv = Repository.url(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    /// Every output shape: each bundle type, conditional, NDJSON, the minimal and the full record.
    static func outputs() -> [(name: String, bytes: [UInt8])] {
        let builder = BundleBuilder()
        let pretty = JSONWriter(style: .pretty)
        let records = [Fixtures.fullRecord, Fixtures.secondRecord]
        var outputs: [(String, [UInt8])] = []
        for type in BundleType.allCases {
            for conditional in [false, true] {
                let bundle = builder.bundle(records, type: type, conditional: conditional).0
                outputs.append(("bundle-\(type.rawValue)-\(conditional).json", pretty.bytes(.object(bundle))))
            }
        }
        outputs.append(
            ("sparse.json", pretty.bytes(.object(builder.bundle([AbsentDataTests.sparseRecord], type: .transaction).0)))
        )
        var ndjson: [UInt8] = []
        for line in builder.ndjsonLines(Fixtures.fullRecord) + builder.ndjsonLines(AbsentDataTests.sparseRecord) {
            ndjson += line + [0x0A]
        }
        outputs.append(("resources.ndjson", ndjson))
        // Random records with every value FHIR cannot hold as it is (RoundTripTests' generator).
        var generator = RandomRecords(seed: RoundTripTests.baseSeed)
        let random = (1...40).map { generator.record(index: $0) }
        for type in [BundleType.transaction, .batch] {
            let bundle = builder.bundle(random, type: type, conditional: type == .batch).0
            outputs.append(("random-\(type.rawValue).json", pretty.bytes(.object(bundle))))
        }
        var randomLines: [UInt8] = []
        for record in random.prefix(10) {
            for line in builder.ndjsonLines(record) { randomLines += line + [0x0A] }
        }
        outputs.append(("random.ndjson", randomLines))
        return outputs
    }

    @Test func everyOutputPassesFHIRKit() throws {
        guard let python = Self.python else {
            Issue.record(
                "No Python with fhirkit-rs: set FHIRBRIDGE_PYTHON or run `python3 -m venv .venv && .venv/bin/pip install fhirkit-rs==0.1.0` (Tools/setup.sh)"
            )
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fhirbridge-fhir-validation-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputs = Self.outputs()
        for output in outputs {
            try Data(output.bytes).write(to: directory.appendingPathComponent(output.name))
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Repository.url("Tools/validate_fhir.py").path, directory.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationStatus == 0, "fhirkit found errors:\n\(output)")
        // One unit per JSON file and per NDJSON line: all of them were read and passed.
        let units = outputs.reduce(0) { count, output in
            count + (output.name.hasSuffix(".ndjson") ? output.bytes.filter { $0 == 0x0A }.count : 1)
        }
        #expect(output.hasSuffix("\(units) passed, 0 failed\n"), "\(output)")
    }
}
