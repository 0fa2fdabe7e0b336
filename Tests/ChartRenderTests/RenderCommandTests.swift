import Foundation
import TestSupport
import Testing

/// `fhirbridge render`: pages written to --out, names without identifiers, counts only on stderr.
@Suite(.serialized)
struct RenderCommandTests {
    static func run(_ arguments: [String]) throws -> (Int32, String, String) {
        let result = try CLIRunner.run(arguments)
        return (result.status, result.stdoutText, result.stderr)
    }

    /// Values from Samples/hl7v2/oru-r01-lab.hl7 that must stay out of file names and terminal output.
    static let patientData = ["SYN-1002", "Example", "Jordan", "19750212", "1975-02-12"]

    @Test func renderWithFHIRWritesChartsComparisonsAndAnIndex() throws {
        let folder = try Support.temporaryFolder("render")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fhir = folder.appendingPathComponent("fhir").path
        let charts = folder.appendingPathComponent("charts").path
        let sample = "Samples/hl7v2/oru-r01-lab.hl7"
        let (convertStatus, _, convertErr) = try Self.run(["convert", "--quiet", "--out", fhir, sample])
        #expect(convertStatus == 0, "\(convertErr)")
        let (status, out, err) = try Self.run(["render", sample, "--fhir", fhir, "--out", charts])
        #expect(status == 0, "\(err)")
        #expect(err.contains("rendered 1 chart"))
        #expect(err.contains("1 comparisons, 0 with differences"))
        let names = try FileManager.default.contentsOfDirectory(atPath: charts).sorted()
        #expect(names.contains("index.html"))
        #expect(names.filter { $0.hasSuffix(".compare.html") }.count == 1)
        #expect(names.filter { $0.hasSuffix(".fhir.html") }.count == 1)
        #expect(names.count == 4)
        for value in Self.patientData {
            #expect(!out.contains(value) && !err.contains(value), "patient data on the terminal")
            #expect(!names.contains { $0.contains(value) }, "patient data in a file name")
        }
        let index = try String(contentsOfFile: charts + "/index.html", encoding: .utf8)
        #expect(index.contains("Example, Jordan"))
        #expect(index.contains("✓ all"))
    }

    @Test func aFHIRBundleAloneIsChartedLikeItsSource() throws {
        let folder = try Support.temporaryFolder("render-fhir")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fhir = folder.appendingPathComponent("fhir").path
        let sample = "Samples/hl7v2/oru-r01-lab.hl7"
        _ = try Self.run(["convert", "--quiet", "--out", fhir, sample])
        let bundle = try #require(
            try FileManager.default.contentsOfDirectory(atPath: fhir).first { $0.hasSuffix(".json") })
        let fromFHIR = folder.appendingPathComponent("a").path
        let fromSource = folder.appendingPathComponent("b").path
        let (status, _, err) = try Self.run(["render", "--quiet", fhir + "/" + bundle, "--out", fromFHIR])
        #expect(status == 0, "\(err)")
        _ = try Self.run(["render", "--quiet", sample, "--out", fromSource])
        let pages = try FileManager.default.contentsOfDirectory(atPath: fromFHIR).filter { $0 != "index.html" }
        #expect(pages.count == 1)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: fromSource).sorted()
                == FileManager.default.contentsOfDirectory(atPath: fromFHIR).sorted())
        let page = try String(contentsOfFile: fromFHIR + "/" + pages[0], encoding: .utf8)
        #expect(page.contains("▲ High (H)") && page.contains("LOINC 2345-7"))
    }

    @Test func anNDJSONFolderIsReadBack() throws {
        let folder = try Support.temporaryFolder("render-ndjson")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ndjson = folder.appendingPathComponent("ndjson").path
        let charts = folder.appendingPathComponent("charts").path
        let samples = ["Samples/hl7v2/oru-r01-lab.hl7", "Samples/hl7v2/vxu-v04-immunization.hl7"]
        let (convertStatus, _, convertErr) = try Self.run(
            ["convert", "--quiet", "--ndjson", "--out", ndjson] + samples)
        #expect(convertStatus == 0, "\(convertErr)")
        let (status, _, err) = try Self.run(["render", ndjson, "--out", charts])
        #expect(status == 0, "\(err)")
        #expect(err.contains("rendered 2 charts"))
        let (compareStatus, _, compareErr) = try Self.run(["render", "--fhir", ndjson, "--out", charts] + samples)
        #expect(compareStatus == 0, "\(compareErr)")
        #expect(compareErr.contains("2 comparisons, 0 with differences"))
    }

    @Test func usageAndBadDataExitCodes() throws {
        let folder = try Support.temporaryFolder("render-codes")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try Self.run(["render", "--out", folder.path]).0 == 64)
        #expect(try Self.run(["render", "no/such/file.hl7", "--out", folder.path]).0 == 64)
        // a batch with one broken message: the others are charted, the exit code says 65
        let good = try String(
            contentsOf: Support.samples.appendingPathComponent("hl7v2/adt-a01-basic.hl7"), encoding: .utf8)
        let batch = folder.appendingPathComponent("batch.hl7")
        try (good + "MSH|^~\\&|X\rPID|1\r").write(to: batch, atomically: true, encoding: .utf8)
        let charts = folder.appendingPathComponent("charts")
        let (batchStatus, _, batchErr) = try Self.run(["render", batch.path, "--out", charts.path])
        #expect(batchStatus == 65, "\(batchErr)")
        #expect(batchErr.contains("message 2"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: charts.path).count == 2)
        let broken = folder.appendingPathComponent("broken.json")
        try Data("{\"resourceType\": \"Bundle\", ".utf8).write(to: broken)
        let (status, _, err) = try Self.run(["render", broken.path, "--out", folder.appendingPathComponent("o").path])
        #expect(status == 65, "\(err)")
        #expect(err.contains("broken.json"))
    }
}
