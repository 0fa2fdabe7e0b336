import CSVSource
import FHIRR4
import Foundation
import HL7v2
import Pipeline
import TestSupport
import Testing
import Yams

/// The whole `Samples/` library replayed through the same runner as `fhirbridge replay` (one test
/// case per sample), and the library's coverage: every routed HL7 v2 structure, every C-CDA
/// document type and every bundled CSV profile has a sample. `swift run fhirbridge replay Samples
/// --record` re-records the expectations after a reviewed change.
struct ReplayLibraryTests {
    static let runner = ReplayRunner(base: EngineConfiguration(home: Repository.root))

    static let samples: [ReplaySample] = {
        do {
            return try runner.discover([Repository.url("Samples").path])
        } catch {
            Issue.record("cannot find the samples: \(error)")
            return []
        }
    }()

    static var sampleNames: [String] { samples.map(\.name) }

    @Test(arguments: sampleNames)
    func sampleMatchesItsExpectations(_ name: String) throws {
        let sample = try #require(Self.samples.first { $0.name == name })
        let result = Self.runner.replay(sample)
        #expect(
            result.status == .pass,
            "\(name): \(result.status.rawValue): \((result.errorMessages + result.findings).joined(separator: "; "))")
    }

    @Test func everyRoutedMessageStructureHasASample() throws {
        let manifests = try FileManager.default.contentsOfDirectory(
            atPath: Repository.url("Mappings/hl7v2/messages").path
        ).filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }
        var covered = Set<String>()
        for sample in Self.samples where sample.input.pathExtension == "hl7" && !sample.name.contains("malformed") {
            var splitter = HL7InputSplitter(bytes: Array(try Data(contentsOf: sample.input)))
            while let (index, bytes) = splitter.next() {
                guard let message = try? HL7Parser.parse(bytes, index: index) else { continue }
                if let manifest = Support.engine.hl7Mapper.manifest(for: message.messageType) {
                    covered.insert(manifest.structure)
                }
            }
        }
        #expect(manifests.count >= 28)
        #expect(
            Set(manifests).subtracting(covered).isEmpty, "no sample for \(Set(manifests).subtracting(covered).sorted())"
        )
    }

    @Test func everyCCDADocumentTypeHasASample() throws {
        let text = try String(contentsOf: Repository.url("Mappings/ccda/templates.yaml"), encoding: .utf8)
        let yaml = try #require(try Yams.load(yaml: text) as? [String: Any])
        let types = Set(try #require(yaml["documents"] as? [String: String]).values)
        var covered = Set<String>()
        for sample in Self.samples where sample.input.pathExtension == "xml" && !sample.name.contains("malformed") {
            let units = try Support.convert(sample.input)
            for unit in units { if let type = unit.record?.document.type { covered.insert(type) } }
        }
        #expect(types.count >= 13)
        #expect(types.subtracting(covered).isEmpty, "no sample for \(types.subtracting(covered).sorted())")
    }

    @Test func everyBundledCSVProfileHasASample() throws {
        let bundled = try CSVProfiles.loadAll(from: Repository.url("Mappings"))
        var covered = Set<String>()
        for sample in Self.samples where sample.isFolder {
            let engine = try Self.runner.engine(for: sample.configuration)
            if let profile = CSVSourceReader.detectProfile(folder: sample.input, candidates: engine.csvProfiles) {
                covered.insert(profile.name)
            }
        }
        let names = Set(bundled.map(\.name))
        #expect(names.count >= 2)
        #expect(names.subtracting(covered).isEmpty, "no sample folder for \(names.subtracting(covered).sorted())")
    }

    /// Every recorded expectation (bundles and NDJSON) is valid FHIR R4 for the independent validator.
    @Test func expectationsPassFHIRValidation() throws {
        let files = Self.samples.flatMap { sample in
            [sample.expectedJSON, sample.expectedNDJSON].filter { FileManager.default.fileExists(atPath: $0.path) }
        }
        #expect(files.count >= 40)
        let (status, report) = try Support.validate(paths: files)
        #expect(status == 0, "\(report.suffix(3000))")
    }
}
