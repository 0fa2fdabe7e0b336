import Foundation
import Terminology
import Testing

/// HL7 table 0354 is data (`Terminology/v2-tables/`): loaded with the store, checked when loaded.
@Suite("Table 0354")
struct MessageStructureTableTests {
    static let file = "v2-tables/v2-0354-message-structure.json"

    @Test(arguments: [
        ("ADT", "A01", "ADT_A01"), ("ADT", "A04", "ADT_A01"), ("ADT", "A08", "ADT_A01"), ("ADT", "A13", "ADT_A01"),
        ("ADT", "A02", "ADT_A02"), ("ADT", "A03", "ADT_A03"),
        ("ADT", "A05", "ADT_A05"), ("ADT", "A14", "ADT_A05"), ("ADT", "A28", "ADT_A05"), ("ADT", "A31", "ADT_A05"),
        ("ADT", "A06", "ADT_A06"), ("ADT", "A07", "ADT_A06"),
        ("ADT", "A09", "ADT_A09"), ("ADT", "A10", "ADT_A09"), ("ADT", "A11", "ADT_A09"), ("ADT", "A15", "ADT_A09"),
        ("ADT", "A25", "ADT_A09"), ("ADT", "A26", "ADT_A09"), ("ADT", "A27", "ADT_A09"), ("ADT", "A29", "ADT_A09"),
        ("ADT", "A32", "ADT_A09"), ("ADT", "A33", "ADT_A09"),
        ("ADT", "A40", "ADT_A39"), ("ADT", "A41", "ADT_A39"), ("ADT", "A42", "ADT_A39"),
        ("ADT", "A45", "ADT_A45"), ("ADT", "A47", "ADT_A30"), ("ADT", "A60", "ADT_A60"),
        ("ORU", "R01", "ORU_R01"), ("ORM", "O01", "ORM_O01"), ("OML", "O21", "OML_O21"), ("VXU", "V04", "VXU_V04"),
        ("MDM", "T01", "MDM_T01"), ("MDM", "T02", "MDM_T02"), ("MDM", "T03", "MDM_T01"), ("MDM", "T04", "MDM_T02"),
        ("MDM", "T05", "MDM_T01"), ("MDM", "T06", "MDM_T02"), ("MDM", "T07", "MDM_T01"), ("MDM", "T08", "MDM_T02"),
        ("MDM", "T09", "MDM_T01"), ("MDM", "T10", "MDM_T02"), ("MDM", "T11", "MDM_T01"),
        ("SIU", "S12", "SIU_S12"), ("SIU", "S14", "SIU_S12"), ("SIU", "S26", "SIU_S12"),
        ("BAR", "P01", "BAR_P01"), ("DFT", "P03", "DFT_P03"), ("MFK", "M17", "MFK_M01"),
        ("REF", "I12", "REF_I12"), ("RDE", "O11", "RDE_O11"), ("OUL", "R22", "OUL_R22"), ("PPR", "PC1", "PPR_PC1"),
        ("adt", "a04", "ADT_A01"),
    ])
    func structureOfACodeAndEvent(_ code: String, _ event: String, _ structure: String) throws {
        #expect(try Fixtures.store().messageStructures.structure(code: code, event: event) == structure)
    }

    @Test func acknowledgementsAreACKForEveryEvent() throws {
        let table = try Fixtures.store().messageStructures
        #expect(table.structure(code: "ACK", event: nil) == "ACK")
        #expect(table.structure(code: "ACK", event: "A01") == "ACK")
    }

    @Test func unknownPairsAndMissingEventsHaveNone() throws {
        let table = try Fixtures.store().messageStructures
        #expect(table.structure(code: "ZZZ", event: "Z99") == nil)
        #expect(table.structure(code: "ADT", event: nil) == nil)
        #expect(table.structure(code: "ADT", event: "") == nil)
        #expect(table.count == 323)
    }

    func loadError(_ edit: (String) -> String) throws -> TerminologyLoadError {
        let folder = try Fixtures.scratchCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(Self.file)
        try edit(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try TerminologyStore.load(from: folder)
        } catch let error as TerminologyLoadError {
            return error
        }
        throw CancellationError()  // loading unexpectedly succeeded
    }

    @Test func aPairGivenTwoStructuresIsAnError() throws {
        let error = try loadError { $0.replacingOccurrences(of: #"["ADT^A02"]"#, with: #"["ADT^A01"]"#) }
        #expect(error.file == Self.file)
        #expect(error.description.contains("ADT^A01"))
    }

    @Test func aPairOfAnotherCodeIsAnError() throws {
        let error = try loadError { $0.replacingOccurrences(of: #"["ADT^A02"]"#, with: #"["ORU^A02"]"#) }
        #expect(error.jsonPath == "$.structures.ADT_A02[0]")
    }

    @Test func aMalformedPairIsAnError() throws {
        let error = try loadError { $0.replacingOccurrences(of: #"["ADT^A02"]"#, with: #"["ADT A02"]"#) }
        #expect(error.jsonPath == "$.structures.ADT_A02[0]")
    }

    @Test func aMissingFileIsAnError() throws {
        let folder = try Fixtures.scratchCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent(Self.file))
        #expect(throws: TerminologyLoadError.self) { try TerminologyStore.load(from: folder) }
    }
}
