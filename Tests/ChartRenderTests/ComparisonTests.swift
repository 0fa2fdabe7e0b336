import ChartRender
import ClinicalModel
import Foundation
import Testing

/// The side-by-side view pairs records by key and marks digests that differ or records one side lacks.
struct ComparisonTests {
    @Test func aSampleComparesEqualWithItsOwnFHIROutput() throws {
        let records = try Support.records("hl7v2/oru-r01-lab.hl7")
        let fhir = try Support.roundTrip(records)
        let comparisons = ChartComparison.compare(source: ChartBook(records), fhir: ChartBook(fhir))
        #expect(comparisons.count == 1)
        let comparison = try #require(comparisons.first)
        #expect(comparison.pairs.count > 5)
        #expect(comparison.differingCount == 0, "\(comparison.pairs.filter { $0.status != .same }.map(\.ref.kind))")
        let book = ChartBook(records)
        let page = String(
            decoding: Support.renderer.comparisonPage(
                comparison, sourceDirectory: book.directory, fhirDirectory: book.directory, sourcePage: nil,
                fhirPage: nil),
            as: UTF8.self)
        #expect(page.contains("✓ All \(comparison.pairs.count) records have the same digest on both sides."))
        #expect(!page.contains("<tr class=\"differs\">"))
    }

    @Test func aChangedValueAndADroppedRecordAreMarked() throws {
        let records = try Support.records("hl7v2/oru-r01-lab.hl7")
        var fhir = try Support.roundTrip(records)
        // change the glucose value, drop the specimen-less comment observation
        let glucose = try #require(
            fhir.indices.first { fhir[$0].observations.contains { $0.code.codings.first?.code == "2345-7" } })
        let position = try #require(fhir[glucose].observations.firstIndex { $0.code.codings.first?.code == "2345-7" })
        fhir[glucose].observations[position].value = .quantity(
            Quantity(value: DecimalValue(lexical: "999"), unit: "mg/dL"))
        let dropped = try #require(fhir[glucose].observations.firstIndex { $0.code.codings.first?.code == "8251-1" })
        let droppedRef = fhir[glucose].observations[dropped].ref
        fhir[glucose].observations.remove(at: dropped)
        let comparison = try #require(ChartComparison.compare(source: ChartBook(records), fhir: ChartBook(fhir)).first)
        #expect(comparison.differingCount == 2)
        let changed = comparison.pairs.filter { $0.status == .changed }
        #expect(changed.count == 1)
        #expect(changed.first?.differingFields == ["value"])
        #expect(comparison.pairs.first { $0.ref == droppedRef }?.status == .missingInFHIR)
        let book = ChartBook(records)
        let page = String(
            decoding: Support.renderer.comparisonPage(
                comparison, sourceDirectory: book.directory, fhirDirectory: book.directory, sourcePage: nil,
                fhirPage: nil),
            as: UTF8.self)
        #expect(page.contains("✗ 2 of \(comparison.pairs.count) records differ or are missing on one side."))
        #expect(page.contains("✗ differs") && page.contains("fields: value"))
        #expect(page.contains("✗ missing in FHIR") && page.contains("not in the FHIR output"))
        #expect(page.components(separatedBy: "<tr class=\"differs\">").count - 1 == 2)
    }
}
