import Foundation
import Testing

/// C-CDA documents and CSV exports go through the same engine and CLI: every corpus document and
/// the Synthea CSV export convert to bundles that pass FHIR R4 validation.
@Suite(.serialized)
struct OtherSourceFormatTests {
    static func convertAndValidate(_ inputs: [String], expectUnits: Int) throws {
        let folder = try Support.temporaryFolder("formats")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, _, err) = try CLITests.run(["convert"] + inputs + ["--out", folder.path])
        #expect(status == 0, "\(err)")
        #expect(err.contains("\(expectUnits) units, \(expectUnits) converted, 0 failed"), "\(err)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.count == expectUnits)
        let (valid, report) = try Support.validate(folder: folder)
        #expect(valid == 0, "\(report.suffix(3000))")
    }

    @Test func fhirConverterCCDADocumentsConvertAndValidate() throws {
        try Support.requireCorpus()
        try Self.convertAndValidate([Support.corpus.appendingPathComponent("fhir-converter/ccda").path], expectUnits: 22)
    }

    @Test func hl7CCDAExampleDocumentsConvertAndValidate() throws {
        try Support.requireCorpus()
        try Self.convertAndValidate([Support.corpus.appendingPathComponent("ccda-examples/Documents").path], expectUnits: 12)
    }

    @Test func syntheaCCDAAndCSVConvertAndValidate() throws {
        try Support.requireCorpus()
        try Self.convertAndValidate([Support.corpus.appendingPathComponent("synthea/ccda").path], expectUnits: 16)
        try Self.convertAndValidate([Support.corpus.appendingPathComponent("synthea/csv").path], expectUnits: 16)
    }

    @Test func theGenericLabLayoutConvertsWithItsProfile() throws {
        let folder = try Support.temporaryFolder("lab-csv")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, out, err) = try CLITests.run([
            "convert", "Samples/csv/lab-results.csv", "--csv-profile", "Samples/csv/lab-results.profile.yaml", "--quiet",
        ])
        #expect(status == 0, "\(err)")
        #expect(out.contains("\"Observation\""))
    }
}
