import ChartRender
import ClinicalModel
import Foundation
import Testing

/// Every interpolated value is escaped: a script payload seeded into every field never reaches a
/// page as markup, and shows up escaped instead.
struct EscapingTests {
    static let escapedPayload = "&lt;script&gt;alert(1)&lt;/script&gt;"

    static func assertEscaped(_ html: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(!html.lowercased().contains("<script"), "raw <script in the page", sourceLocation: sourceLocation)
        #expect(html.contains(escapedPayload), "escaped payload not shown", sourceLocation: sourceLocation)
        #expect(!html.contains("\"'&"), "raw quote or ampersand from data", sourceLocation: sourceLocation)
    }

    @Test func escapingCoversTheFiveSpecialCharacters() {
        #expect(HTMLEscaping.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTMLEscaping.escape("plain ä 🙂") == "plain ä 🙂")
    }

    @Test func aPayloadInEveryFieldOfASyntheticRecordIsEscapedOnEveryPage() throws {
        let record = try Support.seeded(Support.fullRecord())
        // the seeding reached the fields the chart shows
        #expect(record.patients.first?.names.first?.family?.hasPrefix("<script>") == true)
        #expect(record.observations.first?.code.codings.first?.display?.hasPrefix("<script>") == true)
        let book = ChartBook([record])
        let chart = try #require(book.charts.first)
        #expect(chart.allergies.count == 1 && chart.conditions.count == 2 && chart.observations.count == 5)
        let page = String(decoding: Support.renderer.chartPage(chart, directory: book.directory), as: UTF8.self)
        Self.assertEscaped(page)
        let index = String(decoding: Support.renderer.indexPage(book), as: UTF8.self)
        Self.assertEscaped(index)
        let fhir = try Support.seeded(Support.fullRecord())
        let comparison = ChartComparison(id: chart.id, source: chart, fhir: ChartBook([fhir]).charts.first)
        let compare = String(
            decoding: Support.renderer.comparisonPage(
                comparison, sourceDirectory: book.directory, fhirDirectory: book.directory, sourcePage: "a.html",
                fhirPage: "b.html"), as: UTF8.self)
        Self.assertEscaped(compare)
    }

    @Test func aSeededHL7MessageThroughTheEngineIsEscaped() throws {
        let payload = "<script>alert(1)</script>"
        let message = [
            "MSH|^~\\&|LAB|FAC|EHR|FAC|20240316090000||ORU^R01^ORU_R01|SEEDED-1|P|2.5.1",
            "PID|1||\(payload)^^^SAMPLE_HOSP&2.16.840.1.113883.19.5&ISO^MR||\(payload)^\(payload)||19750212|F|||\(payload)^^\(payload)^^12345",
            "OBR|1|ORD-1|FIL-1|24323-8^\(payload)^LN|||20240316070000",
            "OBX|1|NM|2345-7^\(payload)^LN||182|\(payload)|70-99|H|||F|||20240316070000",
            "OBX|2|ST|8251-1^Service comment^LN||\(payload)||||||F",
            "OBX|3|CWE|600-7^Bacteria^LN||X1^\(payload)^LOCAL||||||F",
            "NTE|1|L|\(payload)",
        ].joined(separator: "\r")
        let units = Support.records(hl7: message)
        let record = try #require(units.first?.record, "\(units.first?.error?.description ?? "")")
        #expect(record.patients.first?.names.first?.family == payload)
        let page = try Support.page([record])
        Self.assertEscaped(page)
    }
}
