import FHIRR4
import Foundation
import Pipeline
import TestSupport
import Testing

/// Patient, Encounter and Observation counts equal Microsoft FHIR-Converter's expected bundles for
/// the first set of message types.
@Suite(.needsCorpus)
struct ExpectedCountTests {
    static let templates = [
        "ADT_A01", "ADT_A02", "ADT_A03", "ADT_A04", "ADT_A05", "ADT_A08", "ADT_A11", "ADT_A13", "ADT_A28",
        "ADT_A31", "ADT_A40", "ORU_R01", "ORM_O01", "OML_O21", "VXU_V04", "MDM_T02", "SIU_S12",
    ]

    /// Where we differ from Microsoft's templates on purpose, with our count and the reason.
    static let deviations: [String: [String: Int]] = [
        // ORC glued onto the GT1 line (missing segment terminator): Microsoft loses the order and
        // its OBX; we keep the OBX as an observation.
        "MDHHS-OML-O21-1.hl7": ["Observation": 1],
        // Microsoft's VXU template also emits the funding-eligibility / funding-source OBX as
        // Observations when no patient-level OBX precedes them (and not otherwise). We always attach
        // them to the Immunization (programEligibility, fundingSource) per the CDC IIS guide.
        "IZ_1_1.1_Admin_Child_Max_Message.hl7": ["Observation": 3],
        "VXU.hl7": ["Observation": 2],
        // A merge (ADT^A40): Microsoft emits no Patient. We emit the surviving Patient from PID, whose
        // demographics would otherwise be lost (issue 17); the merged record stays on the receiver.
        "ADT-A40-01.hl7": ["Patient": 1],
        "ADT-A40-02.hl7": ["Patient": 2],
    ]

    static var cases: [String] {
        let base = TestCorpus.url("fhir-converter/expected/hl7v2")
        return templates.flatMap { template in
            Support.files(under: base.appendingPathComponent(template), extensions: ["json"]).map {
                "\(template)/\($0.lastPathComponent)"
            }
        }
    }

    /// The cases come from the corpus: all of them, so none is dropped without notice.
    @Test func everyTemplateHasItsExpectedBundles() {
        #expect(Self.cases.count == 48)
        for template in Self.templates { #expect(Self.cases.contains { $0.hasPrefix(template + "/") }, "\(template)") }
    }

    @Test(arguments: cases)
    func countsMatchExpectedBundle(_ path: String) throws {
        let expectedURL = TestCorpus.url("fhir-converter/expected/hl7v2/\(path)")
        let inputName = expectedURL.lastPathComponent.replacingOccurrences(of: "-expected.json", with: ".hl7")
        let inputURL = TestCorpus.url("fhir-converter/hl7v2/\(inputName)")
        let expected = FHIREmitter.resourceCounts(try JSONReader.parse(Array(try Data(contentsOf: expectedURL))))
        let units = try Support.convert(inputURL)
        let records = units.compactMap(\.record)
        #expect(records.count == units.count)
        let actual = FHIREmitter.resourceCounts(try Support.bundle(records))
        for type in ["Patient", "Encounter", "Observation"] {
            let want = Self.deviations[inputName]?[type] ?? expected[type, default: 0]
            #expect(actual[type, default: 0] == want, "\(type) in \(inputName)")
        }
    }
}
