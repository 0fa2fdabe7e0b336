import ClinicalModel
import Testing

@testable import HL7v2

@Suite struct RepetitionTests {
    @Test func repetitionsComponentsAndSubcomponentsAreSplitLazily() throws {
        let message = try parse(Sample.adtA01)
        let pid = try #require(message.firstSegment(named: "PID"))
        #expect(pid[3].repetitionCount == 2)
        #expect(pid[3].repetitions.map { $0.value } == ["123456", "654321"])
        #expect(pid[3][4].value == "HOSP")
        #expect(pid[3].repetition(2)[5].value == "PI")
        #expect(pid[3].first.componentCount == 5)
        #expect(pid[5][1].value == "DOE")
        #expect(pid[5][2].value == "JOHN")
        #expect(pid[11][3].value == "TOWN")
        #expect(pid[11][2].value == nil)
        #expect(pid[11][2].isEmpty)
    }

    @Test func subcomponentsAreNumberedFromOne() throws {
        let message = try parse([Sample.header(), "OBR|1|ORD1^LAB^2.16.840.1^ISO|||||||||||||SPEC&Blood spot&SCT^x"])
        let component = try #require(message.firstSegment(named: "OBR"))[15][1]
        #expect(component.subcomponentCount == 3)
        #expect(component[1] == "SPEC")
        #expect(component[2] == "Blood spot")
        #expect(component[3] == "SCT")
        #expect(component[4] == nil)
        #expect(component.subcomponents == ["SPEC", "Blood spot", "SCT"])
        #expect(component.rawText == "SPEC&Blood spot&SCT")
        #expect(
            component.location(subcomponent: 2)
                == .hl7(
                    message: 1, segment: "OBR", occurrence: 1, field: 15, repetition: 1, component: 1, subcomponent: 2))
    }

    @Test func emptyRepetitionsInTheMiddleKeepTheirPlaces() throws {
        let message = try parse([Sample.header(), "PID|1||A~~C~"])
        let field = try #require(message.firstSegment(named: "PID"))[3]
        #expect(field.repetitions.count == 4)
        #expect(field.repetitions.map { $0.isEmpty } == [false, true, false, true])
        #expect(field.repetitions.map { $0.value } == ["A", nil, "C", nil])
        #expect(field.repetitions.map(\.number) == [1, 2, 3, 4])
    }

    @Test func anEmptyFieldDiffersFromAnExplicitNull() throws {
        let message = try parse([Sample.header(), #"PID|1||""||x^""^y"#])
        let pid = try #require(message.firstSegment(named: "PID"))
        #expect(pid[3].isExplicitNull)
        #expect(!pid[3].isEmpty)
        #expect(pid[3].value == nil)
        #expect(pid[3].rawText == #""""#)
        #expect(pid[4].isEmpty)
        #expect(!pid[4].isExplicitNull)
        #expect(pid[4].repetitions.isEmpty)
        #expect(pid[4].value == nil)
        #expect(pid[5][2].isExplicitNull)
        #expect(pid[5][2].value == nil)
        #expect(pid[5][3].value == "y")
    }

    @Test func absentFieldsAndComponentsAreEmpty() throws {
        let message = try parse(Sample.adtA01)
        let pv1 = try #require(message.firstSegment(named: "PV1"))
        #expect(pv1.fieldCount == 3)
        #expect(pv1[40].isEmpty)
        #expect(pv1[40].value == nil)
        #expect(pv1[40].first.isEmpty)
        #expect(pv1[0].isEmpty)
        #expect(pv1[3][9].isEmpty)
        #expect(pv1[3][9][1] == nil)
        #expect(pv1[40].location == .hl7(message: 1, segment: "PV1", occurrence: 1, field: 40))
    }

    @Test func trailingEmptyFieldsCountAsPresent() throws {
        let message = try parse([Sample.header(), "NTE|1||text|||"])
        let nte = try #require(message.firstSegment(named: "NTE"))
        #expect(nte.fieldCount == 6)
        #expect(nte.fields.map(\.isEmpty) == [false, true, false, true, true, true])
        let bare = try parse([Sample.header(), "NTE"])
        #expect(bare.firstSegment(named: "NTE")?.fieldCount == 0)
    }

    @Test func segmentsKnowTheirIndexOccurrenceAndLocation() throws {
        let message = try parse([Sample.header(), "OBX|1|ST|A||x", "NTE|1||n", "OBX|2|ST|B||y"])
        #expect(message.segments.map(\.id) == ["MSH", "OBX", "NTE", "OBX"])
        #expect(message.segments.map(\.index) == [0, 1, 2, 3])
        #expect(message.segments.map(\.occurrence) == [1, 1, 1, 2])
        let second = message.segments(named: "OBX")[1]
        #expect(second[5].value == "y")
        #expect(
            second.location(field: 5, repetition: 1, component: 2)
                == .hl7(message: 1, segment: "OBX", occurrence: 2, field: 5, repetition: 1, component: 2))
        #expect(second[5].first[1].location.description == "message 1 OBX[2]-5.1")
        #expect(message.segments(named: "PID").isEmpty)
        #expect(message.segments(named: "TOOLONG").isEmpty)
        #expect(message.firstSegment(named: "ZZZ") == nil)
        #expect(message.header.rawText == Sample.header())
    }
}
