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

    /// Table 0354 is data in `Terminology/` (tested in TerminologyTests); the parser keeps what
    /// MSH-9 says and `deriving` fills in the structure where MSH-9.3 is empty.
    @Test func structureIsDerivedOnlyWhenMSH9HasNone() throws {
        let table = ["ADT^A04": "ADT_A01"]
        let derive = { (code: String, event: String?) in table[code + "^" + (event ?? "")] }
        let message = try parse([Sample.header(type: "ADT^A04")])
        #expect(message.messageType.structure == nil)
        #expect(message.messageType.deriving(derive).structure == "ADT_A01")
        #expect(message.messageType.deriving(derive).description == "ADT^A04^ADT_A01")
        let written = try parse([Sample.header(type: "ADT^A04^ADT_A04")])
        #expect(written.messageType.deriving(derive).structure == "ADT_A04")
        let unknown = try parse([Sample.header(type: "ZZZ^Z99")])
        #expect(unknown.messageType.deriving(derive) == HL7MessageType(code: "ZZZ", event: "Z99", structure: nil))
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
