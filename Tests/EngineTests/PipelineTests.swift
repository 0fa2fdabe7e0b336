import CSVSource
import ClinicalModel
import FHIRR4
import Foundation
import PHISafety
import Pipeline
import TestSupport
import Testing

/// The run loop and its readers and sinks, below the CLI.
struct PipelineTests {
    static let labProfile = Repository.root.appendingPathComponent("Samples/csv/lab-results.profile.yaml")
    static let labCSV = Repository.root.appendingPathComponent("Samples/csv/lab-results.csv")

    @Test func readersYieldOneUnitAtATimeInInputOrder() throws {
        let url = Support.samples.appendingPathComponent("batch-fhs-three-messages.hl7")
        var reader = Support.engine.reader(for: .file(InputFile(url: url)))
        #expect(reader.bytesRead == 0, "nothing is read before the first unit is pulled")
        var indexes: [Int] = []
        var controlIDs: [String] = []
        while let unit = try reader.next() {
            indexes.append(unit.index)
            controlIDs.append(unit.record?.document.controlID ?? "")
        }
        #expect(indexes == [1, 2, 3])
        #expect(Set(controlIDs).count == 3)
        #expect(reader.bytesRead == (try Data(contentsOf: url)).count)
        #expect(try reader.next() == nil)
        // the same units as the whole-input conversion
        let whole = Support.engine.convert(Array(try Data(contentsOf: url)), inputName: url.lastPathComponent)
        #expect(
            whole.map(\.record?.document.digest)
                == (try Support.engine.convert(.file(InputFile(url: url))).units).map(\.record?.document.digest))
    }

    @Test func anUnreadableInputThrowsWhenPulledNotBefore() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fhirbridge-missing-\(UUID().uuidString).hl7")
        var reader = Support.engine.reader(for: .file(InputFile(url: missing)))
        #expect(throws: InputError.self) { try reader.next() }
        // the run loop reports it as an I/O error and goes on with the next input
        let summary = ConversionPipeline(engine: Support.engine, sink: CollectingSink()).run([
            .file(InputFile(url: missing)),
            .file(InputFile(url: Support.samples.appendingPathComponent("adt-a01-basic.hl7"))),
        ])
        #expect(summary.ioErrors == ["cannot read \(missing.lastPathComponent)"])
        #expect(summary.converted == 1)
    }

    @Test func csvBytesConvertThroughAFittingProfile() throws {
        var configuration = EngineConfiguration(home: Repository.root)
        configuration.csvProfiles = [try CSVProfile.load(Self.labProfile)]
        let engine = try Engine(configuration: configuration)
        let bytes = Array(try Data(contentsOf: Self.labCSV))
        let units = engine.convert(bytes, inputName: "body")
        #expect(units.count == 3 && units.allSatisfy { $0.error == nil })
        // the same records as reading the file through the profile
        let fromFile = engine.convertCSV(Self.labCSV, profile: try CSVProfile.load(Self.labProfile))
        #expect(units.map { $0.record?.observations.count } == fromFile.map { $0.record?.observations.count })
        #expect(units.map(\.record?.document.digest) == fromFile.map(\.record?.document.digest))
        // without a fitting profile it is still refused, by kind
        #expect(Support.engine.convert(bytes, inputName: "body").first?.error?.kind == .unsupportedInputFormat)
    }

    /// `<stem>[.<n>].<first 16 hex digits of SHA-256 of the bundle>.json` (`n` for the units of an
    /// input of several): the same input twice gives one file with the same bytes.
    @Test func bundleFilesAreNamedByInputAndContent() throws {
        let folder = try Support.temporaryFolder("pipeline-names")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sink = try BundleFileSink(directory: folder, emitter: Support.engine.emitter)
        let inputs = ["adt-a01-basic.hl7", "batch-fhs-three-messages.hl7", "adt-a01-basic.hl7"].map {
            SourceInput.file(InputFile(url: Support.samples.appendingPathComponent($0)))
        }
        let summary = ConversionPipeline(engine: Support.engine, sink: sink).run(inputs)
        #expect(summary.converted == 5 && summary.ioErrors.isEmpty)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.count == 4)
        #expect(names.filter { $0.hasPrefix("batch-fhs-three-messages.") }.count == 3)
        #expect(
            names.allSatisfy {
                $0.range(of: #"^[a-z0-9-]+(\.[1-3])?\.[0-9a-f]{16}\.json$"#, options: .regularExpression) != nil
            })
        #expect(names.filter { $0.hasPrefix("batch-fhs-three-messages.2.") }.count == 1)
        #expect(sink.outputs.count == 5)
        // a bundle file holds what the engine's bundle of that unit holds, and is named by it
        let record = try #require(
            Support.convert(Support.samples.appendingPathComponent("adt-a01-basic.hl7")).first?.record)
        let bytes = Support.engine.bundleJSON([record]).0
        let name = "adt-a01-basic.\(sha256Hex(bytes).prefix(16)).json"
        #expect(names.contains(name))
        #expect(Array(try Data(contentsOf: folder.appendingPathComponent(name))) == bytes)
    }

    /// The issue's case: messages deleted from a source, then a rerun into the same folder. Every
    /// file of the first run keeps its bytes (none is replaced by another message's bundle); the
    /// messages before the cut are written again under their names with the same bytes; those
    /// after it moved, which their Provenance records (`index`), so their bundles are new files.
    @Test func aRerunIntoTheSameFolderNeverReplacesAnotherUnitsFile() throws {
        let folder = try Support.temporaryFolder("pipeline-rerun")
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SyntheticMessages(seed: 11)
        var messages = (0..<12).map { String(decoding: generator.next(index: $0), as: UTF8.self) }
        let input = folder.appendingPathComponent("export.hl7")
        let out = folder.appendingPathComponent("out")
        func run() throws -> [String: Data] {
            try messages.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
            let sink = try BundleFileSink(directory: out, emitter: Support.engine.emitter)
            let summary = ConversionPipeline(engine: Support.engine, sink: sink).run([.file(InputFile(url: input))])
            #expect(summary.failed == 0 && summary.ioErrors.isEmpty)
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: out.path) {
                files[name] = try Data(contentsOf: out.appendingPathComponent(name))
            }
            return files
        }
        let first = try run()
        #expect(first.count == 12)
        messages.removeSubrange(2..<5)
        let second = try run()
        #expect(second.count == 12 + 7)
        for (name, bytes) in first { #expect(second[name] == bytes, "\(name) kept its bytes") }
        #expect(try run() == second, "an unchanged rerun writes the same files")
        messages[0] = messages[0].replacingOccurrences(of: "|MSG0|", with: "|MSG0-UPDATED|")
        let fourth = try run()
        #expect(fourth.count == 20)
        for (name, bytes) in second { #expect(fourth[name] == bytes) }
    }

    @Test func theRecordPolicyIsAppliedBeforeEverySink() throws {
        let folder = try Support.temporaryFolder("pipeline-policy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try DataKey(base64: Data((1...32).map { UInt8($0) }).base64EncodedString())
        let policy = RecordPolicy(
            filter: try RecordFilter(types: ["Patient", "Observation"], since: nil, until: nil),
            deidentifier: Deidentifier(key: key))
        let input = SourceInput.file(InputFile(url: Support.samples.appendingPathComponent("oru-r01-lab.hl7")))
        let collected = CollectingSink()
        let ndjson = try NDJSONSink(directory: folder, emitter: Support.engine.emitter)
        for sink in [collected, ndjson] as [any RecordSink] {
            _ = ConversionPipeline(engine: Support.engine, sink: sink, policy: policy).run([input])
        }
        let record = try #require(collected.records.first)
        #expect(record.encounters.isEmpty && !record.observations.isEmpty)
        #expect(record.document.inputName.hasPrefix("deid-"))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files.contains("Patient.ndjson") && files.contains("Observation.ndjson"))
        #expect(!files.contains("Encounter.ndjson"))
        let original = try #require(
            Support.convert(Support.samples.appendingPathComponent("oru-r01-lab.hl7")).first?.record)
        let family = try #require(original.patients.first?.names.first?.family)
        let patients = String(
            decoding: try Data(contentsOf: folder.appendingPathComponent("Patient.ndjson")), as: UTF8.self)
        #expect(!patients.contains(family))
    }

    /// A sealed NDJSON run killed half-way (no final chunk, its last chunk cut short), then run again
    /// on the same input into the same folder: the file ends with each unit's lines once.
    @Test func aSealedNDJSONRerunAfterAKillAppendsNoDuplicates() throws {
        let folder = try Support.temporaryFolder("pipeline-ndjson-rerun")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try DataKey(base64: Data((1...32).map { UInt8($0) }).base64EncodedString())
        let inputs = ["adt-a01-basic.hl7", "oru-r01-lab.hl7", "batch-fhs-three-messages.hl7"].map {
            SourceInput.file(InputFile(url: Support.samples.appendingPathComponent($0)))
        }
        let out = folder.appendingPathComponent("out")
        func run() throws {
            let sink = try NDJSONSink(directory: out, emitter: Support.engine.emitter, sealingKey: key)
            let summary = ConversionPipeline(engine: Support.engine, sink: sink).run(inputs)
            #expect(summary.failed == 0 && summary.ioErrors.isEmpty)
        }
        func lines(_ url: URL) throws -> [Substring] {
            String(decoding: try SealedFile.open(Array(try Data(contentsOf: url)), key: key), as: UTF8.self)
                .split(separator: "\n")
        }
        try run()
        let patients = out.appendingPathComponent("Patient.ndjson.enc")
        let complete = try lines(patients)
        #expect(complete.count >= 4)
        // the kill: the final chunk never written, the last data chunk written half
        let sealed = try Data(contentsOf: patients)
        try sealed.prefix(sealed.count - SealedFile.finalChunkSize - 40).write(to: patients)
        try run()
        #expect(try lines(patients) == complete)
        // a second complete rerun adds nothing either
        try run()
        #expect(try lines(patients) == complete)
    }
}
