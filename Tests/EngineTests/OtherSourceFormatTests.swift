import Foundation
import TestSupport
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

    @Test(.needsCorpus) func fhirConverterCCDADocumentsConvertAndValidate() throws {
        try Self.convertAndValidate([TestCorpus.url("fhir-converter/ccda").path], expectUnits: 22)
    }

    @Test(.needsCorpus) func hl7CCDAExampleDocumentsConvertAndValidate() throws {
        try Self.convertAndValidate([TestCorpus.url("ccda-examples/Documents").path], expectUnits: 12)
    }

    @Test(.needsCorpus) func syntheaCCDAAndCSVConvertAndValidate() throws {
        try Self.convertAndValidate([TestCorpus.url("synthea/ccda").path], expectUnits: 16)
        try Self.convertAndValidate([TestCorpus.url("synthea/csv").path], expectUnits: 16)
    }

    @Test func theGenericLabLayoutConvertsWithItsProfile() throws {
        let folder = try Support.temporaryFolder("lab-csv")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, out, err) = try CLITests.run([
            "convert", "Samples/csv/lab-results.csv", "--csv-profile", "Samples/csv/lab-results.profile.yaml",
            "--quiet",
        ])
        #expect(status == 0, "\(err)")
        #expect(out.contains("\"Observation\""))
    }
}
