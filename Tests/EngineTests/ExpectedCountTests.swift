import FHIRR4
import Foundation
import Testing

/// Patient, Encounter and Observation counts equal Microsoft FHIR-Converter's expected bundles for
/// the first set of message types.
struct ExpectedCountTests {
    static let templates = [
        "ADT_A01", "ADT_A02", "ADT_A03", "ADT_A04", "ADT_A05", "ADT_A08", "ADT_A11", "ADT_A13", "ADT_A28",
        "ADT_A31", "ADT_A40", "ORU_R01", "ORM_O01", "OML_O21", "VXU_V04", "MDM_T02", "SIU_S12",
    ]

    static var cases: [String] {
        let base = Support.corpus.appendingPathComponent("fhir-converter/expected/hl7v2")
        return templates.flatMap { template in
            Support.files(under: base.appendingPathComponent(template), extensions: ["json"]).map {
                "\(template)/\($0.lastPathComponent)"
            }
        }
    }

    @Test(arguments: cases)
    func countsMatchExpectedBundle(_ path: String) throws {
        let expectedURL = Support.corpus.appendingPathComponent("fhir-converter/expected/hl7v2/\(path)")
        let inputName = expectedURL.lastPathComponent.replacingOccurrences(of: "-expected.json", with: ".hl7")
        let inputURL = Support.corpus.appendingPathComponent("fhir-converter/hl7v2/\(inputName)")
        let expected = Support.resourceCounts(try JSONReader.parse(Array(try Data(contentsOf: expectedURL))))
        let units = try Support.convert(inputURL)
        let records = units.compactMap(\.record)
        #expect(records.count == units.count)
        let actual = Support.resourceCounts(try Support.bundle(records))
        for type in ["Patient", "Encounter", "Observation"] {
            #expect(actual[type, default: 0] == expected[type, default: 0], "\(type) in \(inputName)")
        }
    }
}
