import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import PHISafety
import Pipeline
import TestSupport
import Testing

/// Reading in chunks, writing one bundle a record at a time, NDJSON with one line per id,
/// `--jobs N` and truncation warnings.
@Suite(.serialized)
struct StreamingTests {
    /// A04 then A08 for one MRN (name and address changed), a lab result for that patient, an A40
    /// that merges a patient who is admitted later in the file, and other patients: 14 messages, so
    /// bundle file names (`.1` … `.14`) do not sort in message order.
    static func updatesFile() -> [UInt8] {
        var text = ""
        func msh(_ type: String, _ number: Int) -> String {
            "MSH|^~\\&|APP|FAC|RECV|RECV_FAC|2024040201\(10 + number)00+0000||\(type)|CTRL-\(number)|P|2.5.1\r"
        }
        func pid(_ mrn: String, _ family: String, _ street: String) -> String {
            "PID|1||\(mrn)^^^HOSP&2.16.840.1.113883.19.5&ISO^MR||\(family)^Pat||19600101|F|||\(street)^^Springfield^IL^62701\r"
        }
        text += msh("ADT^A04^ADT_A01", 1) + pid("MRN-1", "Before", "1 Old St") + "PV1|1|O\r"
        for number in 2...6 {
            text += msh("ADT^A01^ADT_A01", number) + pid("MRN-\(number + 10)", "Other", "\(number) Side St")
            text += "PV1|1|I|WARD^1^1^HOSP\r"
        }
        text += msh("ORU^R01^ORU_R01", 7) + pid("MRN-1", "Before", "1 Old St")
        text += "OBR|1|ORD7|FIL7|2339-0^Glucose^LN\rOBX|1|NM|2339-0^Glucose^LN||95|mg/dL^^UCUM|70-99|N|||F\r"
        text += msh("ADT^A40^ADT_A39", 8) + pid("MRN-20", "Survivor", "8 Merge St")
        text += "MRG|MRN-30^^^HOSP&2.16.840.1.113883.19.5&ISO^MR\r"
        for number in 9...12 {
            text += msh("ADT^A01^ADT_A01", number) + pid("MRN-\(number + 10)", "Other", "\(number) Side St")
            text += "PV1|1|I|WARD^1^1^HOSP\r"
        }
        text += msh("ADT^A04^ADT_A01", 13) + pid("MRN-30", "Merged", "13 Gone St") + "PV1|1|O\r"
        text += msh("ADT^A08^ADT_A01", 14) + pid("MRN-1", "After", "2 New St") + "PV1|1|O\r"
        return Array(text.utf8)
    }

    static func records(_ bytes: [UInt8]) -> [ClinicalRecord] {
        Support.engine.convert(bytes, inputName: "updates.hl7").compactMap(\.record)
    }

    static func lines(_ url: URL) throws -> [String] {
        String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func id(_ line: String) throws -> String {
        try #require(try JSONReader.parse(Array(line.utf8))["id"]?.stringValue)
    }

    // MARK: - Reading

    @Test func aFileIsReadInChunksAsTheSameUnits() throws {
        let folder = try Support.temporaryFolder("streaming-read")
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes: [UInt8] = []
        var generator = RealisticMessages(seed: 7)
        for index in 0..<300 {
            bytes += generator.next(index: index)
            bytes += [0x0D, 0x0A]  // a blank line between messages, as exports have
        }
        let url = folder.appendingPathComponent("export.hl7")
        try Data(bytes).write(to: url)
        var reader = Support.engine.reader(for: .file(InputFile(url: url)))
        var fromFile: [String?] = []
        while let unit = try reader.next() { fromFile.append(unit.record?.document.digest) }
        #expect(reader.bytesRead == bytes.count)
        let inMemory = Support.engine.convert(bytes, inputName: "export.hl7").map(\.record?.document.digest)
        #expect(fromFile.count == 300 && fromFile == inMemory)
        #expect(fromFile.allSatisfy { $0 != nil })
    }

    @Test func realisticMessagesHaveTheExportsShape() throws {
        var generator = RealisticMessages(seed: 42)
        var sizes: [Int] = []
        var types: [String: Int] = [:]
        var (escaped, international, zSegments) = (0, 0, 0)
        var bytes: [UInt8] = []
        let count = 2_000
        for index in 0..<count {
            let message = generator.next(index: index)
            sizes.append(message.count)
            let text = String(decoding: message, as: UTF8.self)
            let type = text.split(separator: "|", omittingEmptySubsequences: false)[8]
            types[String(type.prefix(7)), default: 0] += 1
            if ["\\F\\", "\\S\\", "\\T\\", "\\R\\", "\\E\\"].contains(where: { text.contains($0) }) {
                escaped += 1
            }
            if message.contains(where: { $0 >= 0x80 }) { international += 1 }
            if text.contains("\rZ") { zSegments += 1 }
            if index < 300 { bytes += message + [0x0D, 0x0A] }
        }
        func share(_ part: Int) -> Double { Double(part) / Double(count) }
        let average = Double(sizes.reduce(0, +)) / Double(count)
        #expect((2_200...3_000).contains(average), "average \(average) bytes")
        #expect(sizes.min()! >= 800 && sizes.max()! <= 6_000)
        #expect(abs(share(types["ADT^A01"] ?? 0) - 0.20) < 0.04)
        #expect(abs(share(types["ADT^A04"] ?? 0) - 0.15) < 0.04)
        #expect(abs(share(types["ADT^A08"] ?? 0) - 0.15) < 0.04)
        #expect(abs(share(types["ORU^R01"] ?? 0) - 0.50) < 0.04)
        #expect(abs(share(escaped) - 0.80) < 0.05, "escapes in \(escaped)")
        #expect(abs(share(international) - 0.20) < 0.04, "non-ASCII in \(international)")
        #expect(abs(share(zSegments) - 0.25) < 0.04, "Z-segments in \(zSegments)")
        // and they convert: no failure, no input warning
        let units = Support.engine.convert(bytes, inputName: "realistic.hl7")
        #expect(units.count == 300 && units.allSatisfy { $0.error == nil })
        #expect(units.allSatisfy { $0.diagnostics.allSatisfy { !RunSummary.inputWarningKinds.contains($0.kind) } })
    }

    // MARK: - One bundle, a record at a time

    @Test(arguments: [1 << 30, 2_048])
    func theStreamedBundleIsTheOneShotBundle(memoryBudget: Int) throws {
        let folder = try Support.temporaryFolder("streaming-bundle")
        defer { try? FileManager.default.removeItem(at: folder) }
        var inputs = [Self.updatesFile()]
        inputs.append(
            Array(try Data(contentsOf: Support.samples.appendingPathComponent("batch-fhs-three-messages.hl7"))))
        inputs.append(Array(try Data(contentsOf: Support.samples.appendingPathComponent("oru-r01-lab.hl7"))))
        for type in [BundleType.transaction, .batch, .collection] {
            var configuration = EngineConfiguration(home: Repository.root)
            configuration.bundleType = type
            let engine = type == .transaction ? Support.engine : try Engine(configuration: configuration)
            let records = inputs.flatMap { engine.convert($0, inputName: "input.hl7").compactMap(\.record) }
            let sink = SingleBundleSink(
                emitter: engine.emitter, destination: .memory, memoryBudget: memoryBudget, spillDirectory: folder)
            for record in records {
                _ = try sink.write(record, origin: UnitOrigin(stem: "input", index: 1, isOnlyUnit: false))
            }
            let emitted = try sink.finish()
            let expected = engine.bundleJSON(records, pretty: false).0
            #expect(sink.bytes == expected, "bundle type \(type)")
            let bundle = try JSONReader.parse(expected)
            #expect(emitted.resources == FHIREmitter.resourceCounts(bundle))
        }
        // nothing is left behind in the spill folder
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func standardOutputGetsThePrettyBundleEntryByEntry() throws {
        let folder = try Support.temporaryFolder("streaming-stdout")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("updates.hl7")
        try Data(Self.updatesFile()).write(to: url)
        let result = try CLIRunner.run(["convert", "--quiet", url.path])
        #expect(result.status == 0, "\(result.stderr)")
        var expected = Support.engine.bundleJSON(Self.records(Self.updatesFile()), pretty: true).0
        expected.append(0x0A)
        #expect(Array(result.stdout) == expected)
    }

    // MARK: - NDJSON

    @Test(arguments: [1 << 19, 4])
    func ndjsonHoldsOneLinePerIdTheLastVersion(indexRunCapacity: Int) throws {
        let folder = try Support.temporaryFolder("streaming-ndjson")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sink = try NDJSONSink(
            directory: folder, emitter: Support.engine.emitter, indexRunCapacity: indexRunCapacity)
        let summary = ConversionPipeline(engine: Support.engine, sink: sink).run([
            .memory(name: "updates.hl7", bytes: Self.updatesFile())
        ])
        #expect(summary.converted == 14)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.allSatisfy { !$0.hasPrefix(".") }, "no partial or index file is left: \(names)")
        var total = 0
        for name in names {
            let lines = try Self.lines(folder.appendingPathComponent(name))
            let ids = try lines.map(Self.id)
            #expect(Set(ids).count == ids.count, "\(name) holds one line per id")
            total += lines.count
            let type = String(name.dropLast(".ndjson".count))
            #expect(summary.resources[type] == lines.count, "the summary counts the lines in \(name)")
        }
        #expect(summary.resources.values.reduce(0, +) == total)
        // the patient of MRN-1: the A08's version (message 14), not the A04's
        let patients = try Self.lines(folder.appendingPathComponent("Patient.ndjson"))
        #expect(patients.contains { $0.contains("After") } && !patients.contains { $0.contains("Before") })
        // the same resources as the one-shot bundle of all units, which keeps the last version too
        let bundle = try JSONReader.parse(Support.engine.bundleJSON(Self.records(Self.updatesFile())).0)
        let bundlePatients = (bundle["entry"]?.arrayValue ?? []).compactMap { $0["resource"] }
            .filter { $0["resourceType"]?.stringValue == "Patient" }
        #expect(Set(try patients.map(Self.id)) == Set(bundlePatients.compactMap { $0["id"]?.stringValue }))
    }

    @Test func aRunOwnsItsNDJSONFiles() throws {
        let folder = try Support.temporaryFolder("streaming-rerun")
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try DataKey(base64: Data((1...32).map { UInt8($0) }).base64EncodedString())
        let updates = SourceInput.memory(name: "updates.hl7", bytes: Self.updatesFile())
        func run(_ inputs: [SourceInput], key: DataKey?) throws -> [String: [UInt8]] {
            let sink = try NDJSONSink(directory: folder, emitter: Support.engine.emitter, sealingKey: key)
            _ = ConversionPipeline(engine: Support.engine, sink: sink).run(inputs)
            var files: [String: [UInt8]] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                var bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
                if let key, name.hasSuffix(".enc") { bytes = try SealedFile.open(bytes, key: key) }
                files[name] = bytes
            }
            return files
        }
        let first = try run([updates], key: key)
        #expect(first.keys.allSatisfy { $0.hasSuffix(".ndjson.enc") })
        // a killed run left partial files; the rerun replaces them and appends nothing
        try Data("{\"partial\":true}\n".utf8).write(to: folder.appendingPathComponent(".Patient.ndjson.enc.partial"))
        let again = try run([updates], key: key)
        #expect(again == first, "a rerun gives the same lines, not a second copy")
        // a run of other input replaces the files, and drops the types it did not write
        let lab = SourceInput.file(InputFile(url: Support.samples.appendingPathComponent("oru-r01-lab.hl7")))
        let other = try run([lab], key: nil)
        #expect(other.keys.allSatisfy { $0.hasSuffix(".ndjson") })
        #expect(other["Linkage.ndjson"] == nil && other["Linkage.ndjson.enc"] == nil)
        let labRecord = try #require(
            Support.convert(Support.samples.appendingPathComponent("oru-r01-lab.hl7")).first?.record)
        let expected = Support.engine.emitter.builder.ndjsonLines(labRecord).count
        #expect(other.values.map { $0.filter { $0 == 0x0A }.count }.reduce(0, +) == expected)
    }

    @Test func reconcileGivesOneVerdictForNDJSONBundleFilesAndOneBundle() throws {
        let folder = try Support.temporaryFolder("streaming-reconcile")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try Data(Self.updatesFile()).write(to: source.appendingPathComponent("updates.hl7"))
        try FileManager.default.copyItem(
            at: Support.samples.appendingPathComponent("oru-r01-lab.hl7"),
            to: source.appendingPathComponent("lab.hl7"))
        var verdicts: [String: Int32] = [:]
        for (mode, extra) in [("ndjson", ["--ndjson"]), ("bundles", []), ("stdout", nil)] as [(String, [String]?)] {
            let out = folder.appendingPathComponent(mode)
            if let extra {
                let converted = try CLIRunner.run(["convert", "--quiet", source.path, "--out", out.path] + extra)
                #expect(converted.status == 0, "\(converted.stderr)")
            } else {
                let converted = try CLIRunner.run(["convert", "--quiet", source.path])
                #expect(converted.status == 0, "\(converted.stderr)")
                try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                try converted.stdout.write(to: out.appendingPathComponent("bundle.json"))
            }
            let reconciled = try CLIRunner.run(["reconcile", source.path, "--fhir", out.path])
            verdicts[mode] = reconciled.status
            #expect(reconciled.status == 0, "\(mode): \(reconciled.stdoutText) \(reconciled.stderr)")
        }
        #expect(Set(verdicts.values).count == 1, "\(verdicts)")
    }

    // MARK: - --jobs

    @Test func jobsGiveByteIdenticalOutputInEveryMode() throws {
        let folder = try Support.temporaryFolder("streaming-jobs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        var bytes: [UInt8] = []
        var generator = RealisticMessages(seed: 11, patientPool: 40)
        for index in 0..<120 { bytes += generator.next(index: index) + [0x0A] }
        try Data(bytes).write(to: source.appendingPathComponent("export.hl7"))
        try Data(Self.updatesFile()).write(to: source.appendingPathComponent("updates.hl7"))
        for name in ["batch-fhs-three-messages.hl7", "adt-a01-basic.hl7"] {
            try FileManager.default.copyItem(
                at: Support.samples.appendingPathComponent(name), to: source.appendingPathComponent(name))
        }
        for document in Support.files(under: Repository.url("Samples/ccda"), extensions: ["xml"]).prefix(3) {
            try FileManager.default.copyItem(
                at: document, to: source.appendingPathComponent(document.lastPathComponent))
        }
        func tree(_ url: URL) throws -> [String: Data] {
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path) {
                files[name] = try Data(contentsOf: url.appendingPathComponent(name))
            }
            return files
        }
        var outputs: [String: [Int: [String: Data]]] = [:]
        for jobs in [1, 3] {
            for (mode, extra) in [("bundles", [String]()), ("ndjson", ["--ndjson"])] {
                let out = folder.appendingPathComponent("\(mode)-\(jobs)")
                let result = try CLIRunner.run(
                    ["convert", "--quiet", "--jobs", "\(jobs)", source.path, "--out", out.path] + extra)
                #expect(result.status == 0, "\(result.stderr)")
                outputs[mode, default: [:]][jobs] = try tree(out)
            }
            let result = try CLIRunner.run(["convert", "--quiet", "--jobs", "\(jobs)", source.path])
            #expect(result.status == 0, "\(result.stderr)")
            outputs["stdout", default: [:]][jobs] = ["bundle": result.stdout]
        }
        for (mode, byJobs) in outputs {
            let one = try #require(byJobs[1])
            #expect(!one.isEmpty && one.values.allSatisfy { !$0.isEmpty }, "\(mode)")
            #expect(byJobs[3] == one, "\(mode): --jobs 3 writes the bytes --jobs 1 writes")
        }
        #expect((outputs["bundles"]?[1]?.count ?? 0) > 120)
    }

    // MARK: - Truncation

    @Test func aCutShortInputIsAPositionedWarning() throws {
        let whole =
            "MSH|^~\\&|APP|FAC|RECV|RECV_FAC|20240402011000+0000||ADT^A01^ADT_A01|CTRL-1|P|2.5.1\r"
            + "PID|1||MRN-1^^^HOSP^MR||Family^Given||19600101|F\rPV1|1|I\r"
            + "MSH|^~\\&|APP|FAC|RECV|RECV_FAC|20240402011000+0000||ADT^A01^ADT_A01||P|2.5.1\r"
            + "PID|1||^^^HOSP^MR||Family^Given||19600101|F\rPV1|1|I\r"
            + "MSH|^~\\&|APP|FAC|RECV|RECV_FAC|20240402011000+0000||ADT^A01^ADT_A01|CTRL-3|P|2.5.1\r"
            + "PID|1||MRN-3^^^HOSP^MR||Fam"
        let units = Support.engine.convert(Array(whole.utf8), inputName: "cut.hl7")
        #expect(units.count == 3 && units.allSatisfy { $0.error == nil }, "cut units are still converted")
        func found(_ unit: UnitResult) -> [String] {
            unit.diagnostics.filter { RunSummary.inputWarningKinds.contains($0.kind) }.map(\.description)
        }
        #expect(found(units[0]).isEmpty)
        #expect(
            found(units[1]) == [
                "warning: missingRequiredField at message 2 MSH[1]-10",
                "warning: missingRequiredField at message 2 PID[1]-3",
            ])
        #expect(found(units[2]) == ["warning: truncatedSegment at message 3 PID[1]-5"])
        // the summary counts them and lists them with their positions, no values
        var summary = RunSummary()
        for unit in units { summary.record(unit: unit, input: "cut.hl7") }
        #expect(summary.diagnosticsByKind["truncatedSegment"] == 1)
        #expect(summary.diagnosticsByKind["missingRequiredField"] == 2)
        let text = summary.text()
        #expect(text.contains("warning: truncatedSegment at message 3 PID[1]-5 (cut.hl7)"))
        #expect(!text.contains("Fam"))
        // a file that ends with its terminator has no such warning
        let ended = Support.engine.convert(Array((whole + "ily\r").utf8), inputName: "whole.hl7")
        #expect(ended[2].diagnostics.allSatisfy { $0.kind != .truncatedSegment })
        // and a message without PID in an ADT is missing a required segment
        let noPID = "MSH|^~\\&|APP|FAC|||20240402011000+0000||ADT^A01^ADT_A01|CTRL-9|P|2.5.1\rPV1|1|I\r"
        let unit = try #require(Support.engine.convert(Array(noPID.utf8), inputName: "nopid.hl7").first)
        #expect(found(unit) == ["warning: missingRequiredSegment at message 1 PID[1]"])
    }
}
