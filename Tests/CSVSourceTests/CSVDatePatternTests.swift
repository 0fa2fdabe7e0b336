import ClinicalModel
import Testing

@testable import CSVSource

@Suite("Date formats and zones")
struct CSVDatePatternTests {
    static func read(_ format: String, _ value: String, zone: String = "Z", dateOnly: Bool = false) throws -> String? {
        let pattern = try CSVDatePattern(format)
        return pattern.parse(value)?.fhir(dateOnly: dateOnly, defaultZone: try CSVZone(zone)).fhir
    }

    @Test func syntheaDatesAndTimes() throws {
        #expect(try Self.read("yyyy-MM-dd", "2015-07-12") == "2015-07-12")
        #expect(try Self.read("yyyy-MM-dd'T'HH:mm:ssXXX", "2015-07-12T04:30:58Z") == "2015-07-12T04:30:58Z")
        #expect(try Self.read("yyyy-MM-dd'T'HH:mm:ssXXX", "2015-07-12T04:30:58-0400") == "2015-07-12T04:30:58-04:00")
    }

    @Test func localTimesTakeTheZoneOfTheirDate() throws {
        #expect(
            try Self.read("yyyy-MM-dd HH:mm", "2024-02-01 08:15", zone: "America/New_York") == "2024-02-01T08:15-05:00")
        #expect(
            try Self.read("yyyy-MM-dd HH:mm", "2024-07-10 14:05", zone: "America/New_York") == "2024-07-10T14:05-04:00")
        #expect(try Self.read("MM/dd/yyyy h:mm a", "07/10/2024 2:05 PM", zone: "+01:00") == "2024-07-10T14:05+01:00")
        #expect(try Self.read("MM/dd/yyyy h:mm a", "07/10/2024 12:05 am", zone: "UTC") == "2024-07-10T00:05Z")
    }

    @Test func precisionIsKept() throws {
        #expect(
            try Self.read("yyyyMMddHHmmss.SSS", "20240305103000.25", zone: "+00:00") == "2024-03-05T10:30:00.25+00:00")
        #expect(try Self.read("yyyy-MM", "2024-03") == "2024-03")
        #expect(try Self.read("yyyy-MM-dd'T'HH:mm:ssXXX", "2015-07-12T04:30:58Z", dateOnly: true) == "2015-07-12")
    }

    @Test func impossibleDatesAndMisfitsAreRejected() throws {
        #expect(try Self.read("yyyy-MM-dd", "2023-02-29") == nil)
        #expect(try Self.read("yyyy-MM-dd", "2024-13-01") == nil)
        #expect(try Self.read("yyyy-MM-dd", "2024-01-01T00:00:00Z") == nil)
        #expect(try Self.read("MM/dd/yyyy", "1/5/2001") == nil)
        #expect(try Self.read("M/d/yyyy", "1/5/2001") == "2001-01-05")
        #expect(try Self.read("HH:mm yyyy-MM-dd", "24:00 2024-01-01") == nil)
    }

    @Test func badPatternsAndZonesThrow() {
        #expect(throws: CSVPatternError.self) { try CSVDatePattern("yy-MM-dd") }
        #expect(throws: CSVPatternError.self) { try CSVDatePattern("yyyy-MM-dd Q") }
        #expect(throws: CSVPatternError.self) { try CSVDatePattern("yyyy 'open") }
        #expect(throws: CSVPatternError.self) { try CSVDatePattern("yyyy-MM-dd hh:mm") }
        #expect(throws: CSVPatternError.self) { try CSVZone("Mars/Olympus_Mons") }
        #expect(throws: CSVPatternError.self) { try CSVZone("+25:00") }
    }
}
