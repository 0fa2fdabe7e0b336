import FHIRR4
import Foundation
import Testing

/// Our synthetic samples against their reviewed expected bundles, compared as JSON (member order
/// ignored). `RECORD_GOLDEN=1` rewrites the expected files.
struct GoldenTests {
    static var samples: [String] {
        Support.files(under: Support.samples, extensions: ["hl7"]).map { $0.deletingPathExtension().lastPathComponent }
    }

    @Test(arguments: samples)
    func sampleMatchesGolden(_ name: String) throws {
        let input = Support.samples.appendingPathComponent("\(name).hl7")
        let expectedURL = Support.samples.appendingPathComponent("\(name).expected.json")
        let units = try Support.convert(input)
        #expect(!units.isEmpty)
        for unit in units { #expect(unit.error == nil, "unit \(unit.index): \(String(describing: unit.error))") }
        let bundle = try Support.bundle(units.compactMap(\.record))
        let sorted = JSONWriter(style: .pretty).bytes(bundle.sortedKeys()) + [0x0A]
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try Data(sorted).write(to: expectedURL)
            return
        }
        guard let expectedData = try? Data(contentsOf: expectedURL) else {
            Issue.record(
                "missing \(expectedURL.lastPathComponent): run RECORD_GOLDEN=1 swift test --filter GoldenTests")
            return
        }
        let expected = try JSONReader.parse(Array(expectedData))
        #expect(JSON.semanticallyEqual(bundle, expected), "\(name) differs from its golden bundle")
    }

    @Test func sameInputGivesSameBytes() throws {
        let input = Support.samples.appendingPathComponent("adt-a01-basic.hl7")
        let first = Support.engine.bundleJSON(try Support.convert(input).compactMap(\.record)).0
        let second = Support.engine.bundleJSON(try Support.convert(input).compactMap(\.record)).0
        #expect(first == second)
    }

    @Test func goldenBundlesPassFHIRValidation() throws {
        let (status, report) = try Support.validate(folder: Support.samples)
        #expect(status == 0, "\(report.suffix(3000))")
    }
}
