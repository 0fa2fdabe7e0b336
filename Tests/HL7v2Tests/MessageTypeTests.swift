import ClinicalModel
import Testing

@testable import HL7v2

@Suite struct MessageTypeTests {
    @Test func messageTypeIsReadFromMSH9() throws {
        let message = try parse(Sample.adtA01)
        #expect(message.messageType == HL7MessageType(code: "ADT", event: "A01", structure: "ADT_A01"))
        #expect(message.messageType.description == "ADT^A01^ADT_A01")
        #expect(message.controlID == "MSG0001")
        #expect(message.version == "2.5.1")
    }

    @Test(arguments: [
        ("ADT^A01", "ADT_A01"), ("ADT^A04", "ADT_A01"), ("ADT^A08", "ADT_A01"), ("ADT^A13", "ADT_A01"),
        ("ADT^A02", "ADT_A02"), ("ADT^A03", "ADT_A03"),
        ("ADT^A05", "ADT_A05"), ("ADT^A14", "ADT_A05"), ("ADT^A28", "ADT_A05"), ("ADT^A31", "ADT_A05"),
        ("ADT^A06", "ADT_A06"), ("ADT^A07", "ADT_A06"),
        ("ADT^A09", "ADT_A09"), ("ADT^A10", "ADT_A09"), ("ADT^A11", "ADT_A09"), ("ADT^A15", "ADT_A09"),
        ("ADT^A25", "ADT_A09"), ("ADT^A26", "ADT_A09"), ("ADT^A27", "ADT_A09"), ("ADT^A29", "ADT_A09"),
        ("ADT^A32", "ADT_A09"), ("ADT^A33", "ADT_A09"),
        ("ADT^A40", "ADT_A39"), ("ADT^A41", "ADT_A39"), ("ADT^A42", "ADT_A39"),
        ("ADT^A45", "ADT_A45"), ("ADT^A47", "ADT_A30"), ("ADT^A60", "ADT_A60"),
        ("ORU^R01", "ORU_R01"), ("ORM^O01", "ORM_O01"), ("OML^O21", "OML_O21"), ("VXU^V04", "VXU_V04"),
        ("MDM^T01", "MDM_T01"), ("MDM^T02", "MDM_T02"), ("MDM^T03", "MDM_T01"), ("MDM^T04", "MDM_T02"),
        ("MDM^T05", "MDM_T01"), ("MDM^T06", "MDM_T02"), ("MDM^T07", "MDM_T01"), ("MDM^T08", "MDM_T02"),
        ("MDM^T09", "MDM_T01"), ("MDM^T10", "MDM_T02"), ("MDM^T11", "MDM_T01"),
        ("SIU^S12", "SIU_S12"), ("SIU^S14", "SIU_S12"), ("SIU^S26", "SIU_S12"),
        ("ACK", "ACK"), ("ACK^A01", "ACK"), ("BAR^P01", "BAR_P01"), ("DFT^P03", "DFT_P03"),
        ("REF^I12", "REF_I12"), ("RDE^O11", "RDE_O11"), ("OUL^R22", "OUL_R22"), ("PPR^PC1", "PPR_PC1"),
    ])
    func structureIsDerivedWhenMSH9HasNone(msh9: String, structure: String) throws {
        let message = try parse([Sample.header(type: msh9)])
        #expect(message.messageType.structure == structure)
    }

    @Test func aWrittenStructureWinsOverTheTable() throws {
        let message = try parse([Sample.header(type: "ADT^A04^ADT_A04")])
        #expect(message.messageType.structure == "ADT_A04")
    }

    @Test func anUnknownPairHasNoStructure() throws {
        let message = try parse([Sample.header(type: "ZZZ^Z99")])
        #expect(message.messageType == HL7MessageType(code: "ZZZ", event: "Z99", structure: nil))
        #expect(message.messageType.description == "ZZZ^Z99")
    }

    @Test func msh9WrittenAsAStructureOnlyIsAccepted() throws {
        let message = try parse([Sample.header(type: "ADT_A01")])
        #expect(message.messageType == HL7MessageType(code: "ADT", event: nil, structure: "ADT_A01"))
        #expect(message.messageType.description == "ADT^^ADT_A01")
    }

    @Test(arguments: ["2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.2"])
    func versionsFrom23To28ParseTheSame(version: String) throws {
        let message = try parse(
            Sample.adtA01.enumerated().map { $0.offset == 0 ? Sample.header(version: version) : $0.element })
        #expect(message.version == version)
        #expect(message.firstSegment(named: "PID")?[5][2].value == "JOHN")
    }

    @Test func versionIsTheFirstComponentOfMSH12() throws {
        let message = try parse([Sample.header(version: "2.5.1^USA")])
        #expect(message.version == "2.5.1")
    }
}
