import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import Pipeline
import TestSupport
import Testing

/// Lossless reconciliation: every sample reconciles with zero differences against its own output,
/// and an altered value in the output is found and named by resource.
@Suite(.serialized)
struct ReconciliationTests {
    static func reconcile(_ records: [ClinicalRecord], bundle: JSON) -> ReconciliationReport {
        let reader = FHIRReader()
        let (fhirRecords, _) = reader.records(from: reader.resources(fromBundle: bundle))
        return Reconciler.reconcile(source: records, sourceDiagnostics: [], sourceErrors: [], fhir: fhirRecords)
    }

    static func check(folder: URL) throws -> [String] {
        try Support.files(under: folder).flatMap { url in
            try check(units: Support.convert(url), name: url.lastPathComponent)
        }
    }

    @Test func everySampleReconcilesWithItsOwnOutput() throws {
        #expect(try Self.check(folder: Support.samples) == [])
    }

    @Test(.needsCorpus) func everyHL7v2CorpusMessageReconcilesWithItsOwnOutput() throws {
        let problems =
            try Self.check(folder: TestCorpus.url("fhir-converter/hl7v2"))
            + Self.check(folder: TestCorpus.url("hl7v2-public"))
        // ADT04-23 (a Coverage with IN1-4 empty) was lost until a payor-less Coverage got an absent payor.
        #expect(problems == [], "\(problems.prefix(20).joined(separator: "\n"))")
    }

    /// Problems of units given directly (CSV patients have no file of their own).
    static func check(units: [UnitResult], name: String) throws -> [String] {
        var problems: [String] = []
        for unit in units {
            guard let record = unit.record else { continue }
            let report = reconcile([record], bundle: try Support.bundle([record]))
            if !report.isClean {
                problems.append(
                    "\(name) #\(unit.index): \(report.changed.count) changed, \(report.missing.count) missing, \(report.extra.count) extra, \(report.danglingInFHIR.count) dangling"
                )
            }
        }
        return problems
    }

    @Test(.needsCorpus) func everyCCDACorpusDocumentReconcilesWithItsOwnOutput() throws {
        var problems: [String] = []
        var documents = 0
        for folder in ["fhir-converter/ccda", "ccda-examples", "synthea/ccda"] {
            for url in Support.files(under: TestCorpus.url(folder), extensions: ["xml", "XML", "ccda"]) {
                let units = try Support.convert(url)
                documents += units.filter { $0.record != nil }.count
                problems += try Self.check(units: units, name: url.lastPathComponent)
            }
        }
        #expect(documents >= 22 + 14 + 16)
        #expect(problems == [], "\(problems.prefix(20).joined(separator: "\n"))")
    }

    @Test(.needsCorpus) func everySyntheaCSVPatientReconcilesWithItsOwnOutput() throws {
        let folder = TestCorpus.url("synthea/csv")
        var problems: [String] = []
        var patients = 0
        for source in try Support.engine.sources([folder.path]) {
            let units = try Support.engine.convert(source).units
            patients += units.filter { $0.record != nil }.count
            problems += try Self.check(units: units, name: source.name)
        }
        #expect(patients == 16)
        #expect(problems == [], "\(problems.prefix(20).joined(separator: "\n"))")
    }

    @Test func anAlteredValueIsFoundAndNamedByResource() throws {
        let record = try #require(
            try Support.convert(Support.samples.appendingPathComponent("oru-r01-lab.hl7")).first?.record)
        let bundle = try Support.bundle([record])
        // change the first Observation's quantity value in the output
        var tampered = bundle
        var changedResource = ""
        if case .object(var object) = tampered, var entries = object["entry"]?.arrayValue {
            for (index, entry) in entries.enumerated() {
                guard case .object(var entryObject) = entry, case .object(var resource)? = entryObject["resource"],
                    resource["resourceType"]?.stringValue == "Observation",
                    case .object(var quantity)? = resource["valueQuantity"]
                else { continue }
                quantity["value"] = .number("999")
                resource["valueQuantity"] = .object(quantity)
                changedResource = "Observation/\(resource["id"]?.stringValue ?? "")"
                entryObject["resource"] = .object(resource)
                entries[index] = .object(entryObject)
                break
            }
            object["entry"] = .array(entries)
            tampered = .object(object)
        }
        #expect(!changedResource.isEmpty)
        let report = Self.reconcile([record], bundle: tampered)
        #expect(!report.isClean)
        #expect(report.changed.map(\.resource) == [changedResource])
        #expect(report.missing.isEmpty && report.extra.isEmpty)
    }

    @Test func aDroppedResourceIsReportedMissing() throws {
        let record = try #require(
            try Support.convert(Support.samples.appendingPathComponent("adt-a01-basic.hl7")).first?.record)
        let bundle = try Support.bundle([record])
        guard case .object(var object) = bundle, var entries = object["entry"]?.arrayValue else {
            Issue.record("no entries")
            return
        }
        let dropped = try #require(
            entries.firstIndex { $0["resource"]?["resourceType"]?.stringValue == "AllergyIntolerance" })
        let id = entries[dropped]["resource"]?["id"]?.stringValue ?? ""
        entries.remove(at: dropped)
        object["entry"] = .array(entries)
        let report = Self.reconcile([record], bundle: .object(object))
        #expect(report.missing.map(\.resource) == ["AllergyIntolerance/\(id)"])
    }

    @Test func theCLIExitsZeroWhenCleanAnd65WhenAltered() throws {
        let folder = try Support.temporaryFolder("reconcile-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let sample = "Samples/hl7v2/oru-r01-lab.hl7"
        let convert = try CLITests.run(["convert", sample, "--out", out.path, "--quiet"])
        #expect(convert.0 == 0)
        let report = folder.appendingPathComponent("report.yaml")
        let clean = try CLITests.run(["reconcile", sample, "--fhir", out.path, "--report", report.path])
        #expect(clean.0 == 0, "\(clean.2)")
        let yaml = try String(contentsOf: report, encoding: .utf8)
        #expect(yaml.contains("\"clean\": true"))
        // alter one value in one output bundle
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: out.path).first)
        #expect(name.hasPrefix("oru-r01-lab."))
        let file = out.appendingPathComponent(name)
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
            of: "\"value\": 182", with: "\"value\": 183")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let altered = try CLITests.run(["reconcile", sample, "--fhir", out.path, "--report", report.path])
        #expect(altered.0 == 65)
        #expect(altered.2.contains("1 changed"))
    }

    /// Several bundles that share resources (the sending facility's Organization, the fhirbridge
    /// Device) reconcile together, from bundle files and from NDJSON alike: over the whole sample
    /// library every record matches (its structures the mapping does not cover in full leave source
    /// elements unaccounted, so the verdict is not clean and says so), and over the fully mapped
    /// messages the verdict is clean.
    @Test func aFolderOfBundlesReconcilesCleanAgainstAllItsSources() throws {
        let folder = try Support.temporaryFolder("reconcile-folder")
        defer { try? FileManager.default.removeItem(at: folder) }
        let mapped = folder.appendingPathComponent("mapped")
        try FileManager.default.createDirectory(at: mapped, withIntermediateDirectories: true)
        for name in [
            "adt-a01-basic", "batch-fhs-three-messages", "custom-delimiters-escapes", "latin1-charset", "oru-r01-lab",
            "vxu-v04-immunization",
        ] {
            try FileManager.default.copyItem(
                at: Support.samples.appendingPathComponent("\(name).hl7"),
                to: mapped.appendingPathComponent("\(name).hl7"))
        }
        for (source, clean) in [("Samples/hl7v2", false), (mapped.path, true)] {
            let out = folder.appendingPathComponent("out-\(clean)")
            let convert = try CLITests.run(["convert", source, "--out", out.path, "--quiet"])
            #expect(convert.0 == 0, "\(convert.2)")
            let ndjson = folder.appendingPathComponent("ndjson-\(clean)")
            let bulk = try CLITests.run(["convert", source, "--out", ndjson.path, "--ndjson", "--quiet"])
            #expect(bulk.0 == 0, "\(bulk.2)")
            for fhir in [out, ndjson] {
                let result = try CLITests.run(["reconcile", source, "--fhir", fhir.path])
                #expect(result.0 == (clean ? 0 : 65), "\(fhir.lastPathComponent): \(result.2)")
                #expect(
                    result.2.contains("0 missing, 0 extra, 0 changed, 0 dangling references"),
                    "\(fhir.lastPathComponent): \(result.2)")
                #expect(result.2.contains(clean ? " 0 unaccounted" : "unaccounted"), "\(result.2)")
                if !clean { #expect(!result.2.contains(" 0 unaccounted"), "\(result.2)") }
            }
        }
    }

    /// A source element neither carried nor declared (here a Z-segment no map declares) makes the
    /// reconciliation not clean even when every record arrived, and the report counts it by path.
    @Test func anUnaccountedSourceElementIsNotClean() throws {
        let folder = try Support.temporaryFolder("reconcile-unaccounted")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("z.hl7")
        let segments = [
            #"MSH|^~\&|LAB|NORTH|EHR|SOUTH|20240105083000||ADT^A01^ADT_A01|MSGZ1|P|2.5.1"#,
            "PID|1||MRN77^^^NORTH^MR||Doe^Jane||19800101|F", "ZXY|1|site data",
        ]
        try segments.joined(separator: "\r").write(to: source, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("out")
        #expect(try CLITests.run(["convert", source.path, "--out", out.path, "--quiet"]).0 == 0)
        let report = folder.appendingPathComponent("report.json")
        let result = try CLITests.run(["reconcile", source.path, "--fhir", out.path, "--report", report.path])
        #expect(result.0 == 65)
        #expect(result.2.contains("0 missing") && result.2.contains("0 changed"), "\(result.2)")
        #expect(result.2.contains("2 unaccounted"), "\(result.2)")
        let json = try String(contentsOf: report, encoding: .utf8)
        #expect(json.contains("\"clean\": false"))
        #expect(json.contains("\"ZXY-2\": 1"))
        #expect(!json.contains("site data") && !json.contains("MRN77"))
    }
}
