import ClinicalModel
import Testing

@testable import HL7v2

@Suite struct ZSegmentTests {
    @Test func zSegmentsAreKeptLikeAnyOtherSegment() throws {
        let message = try parse([
            Sample.header(type: "ORU^R01", version: "2.3.z"), "PID|1||P1", #"ZLR|1|LAB^Lab Name\T\Co|x~y|"#, "ZLR|2",
        ])
        let zlr = message.segments(named: "ZLR")
        #expect(zlr.count == 2)
        #expect(zlr[0].id == "ZLR")
        #expect(zlr[0].fieldCount == 4)
        #expect(zlr[0][2][2].value == "Lab Name&Co")
        #expect(zlr[0][2].rawText == #"LAB^Lab Name\T\Co"#)
        #expect(zlr[0][3].repetitions.map(\.value) == ["x", "y"])
        #expect(zlr[0].rawText == #"ZLR|1|LAB^Lab Name\T\Co|x~y|"#)
        #expect(zlr[0].fields.map(\.rawText).joined(separator: "|") == #"1|LAB^Lab Name\T\Co|x~y|"#)
        #expect(zlr[1].occurrence == 2)
        #expect(message.version == "2.3.z")
    }

    @Test func segmentIDsMayContainDigits() throws {
        let message = try parse([Sample.header(), "Z01|a", "IN1|1"])
        #expect(message.segments.map(\.id) == ["MSH", "Z01", "IN1"])
    }
}
