import ClinicalModel
import FHIRR4
import Foundation
import Pipeline
import TestSupport
import Testing

/// Every public HL7 v2 sample converts, or fails with a positioned error when it is malformed; and
/// every emitted bundle passes an independent FHIR R4 validator (fhirkit-rs).
@Suite(.serialized, .needsCorpus)
struct CorpusConversionTests {
    /// Inputs that are malformed on purpose (see the corpus MANIFEST): they must fail with a
    /// positioned error, and nothing else may fail.
    static let malformed: Set<String> = [
        "empty.hl7", "msh_present_but_missing_all_fields.hl7", "msh_present_but_missing_msh-2.hl7",
        "msh_present_but_missing_msh-9.hl7", "resources__Lyme_WithBadDelimiters.txt",
        // JSON event wrappers around HL7 text, not HL7 v2 files (MANIFEST: no-MSH)
        "resources__BatchMessage.txt", "resources__CovidELRWithBlanks.txt",
        // OBR-4 broken across two lines: the continuation line is not a segment
        "001_TX_OML_O21.hl7",
    ]

    func convertFolder(_ folder: URL, writeTo output: URL?) throws -> (units: Int, failures: [String]) {
        var units = 0
        var failures: [String] = []
        for url in Support.files(under: folder) {
            let results = try Support.convert(url)
            if results.isEmpty { failures.append(url.lastPathComponent) }
            for unit in results {
                units += 1
                if let error = unit.error {
                    #expect(error.location != nil, "error without position in \(url.lastPathComponent)")
                    failures.append(url.lastPathComponent)
                    continue
                }
                if let output, let record = unit.record {
                    let (bytes, _) = Support.engine.bundleJSON([record])
                    let name = "\(url.deletingPathExtension().lastPathComponent).\(unit.index).json"
                    try Data(bytes).write(to: output.appendingPathComponent(name))
                }
            }
        }
        return (units, failures)
    }

    @Test func allFHIRConverterSamplesConvertAndValidate() throws {
        let output = try Support.temporaryFolder("fhir-converter")
        defer { try? FileManager.default.removeItem(at: output) }
        let (units, failures) = try convertFolder(TestCorpus.url("fhir-converter/hl7v2"), writeTo: output)
        #expect(units == 139)
        #expect(failures.isEmpty, "failed: \(failures)")
        let (status, report) = try Support.validate(folder: output)
        #expect(status == 0, "FHIR validation failed:\n\(report.suffix(4000))")
    }

    @Test func allPublicSamplesConvertOrFailWithPositions() throws {
        let output = try Support.temporaryFolder("hl7v2-public")
        defer { try? FileManager.default.removeItem(at: output) }
        let (units, failures) = try convertFolder(TestCorpus.url("hl7v2-public"), writeTo: output)
        #expect(units >= 176)
        #expect(
            Set(failures).isSubset(of: Self.malformed),
            "unexpected failures: \(Set(failures).subtracting(Self.malformed))")
        let (status, report) = try Support.validate(folder: output)
        #expect(status == 0, "FHIR validation failed:\n\(report.suffix(4000))")
    }
}
