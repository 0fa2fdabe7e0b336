import ChartRender
import ClinicalModel
import Foundation
import Testing

/// What a clinician must see: sections, codes with their systems, unmapped codes, abnormal flags,
/// allergy statements, vital-sign trends, grouping by patient.
struct ChartContentTests {
    @Test func everySectionIsPresentAndThePageNeedsNoScriptOrNetwork() throws {
        let page = try Support.page([Support.fullRecord()])
        for title in ChartRenderer.sectionTitles {
            #expect(page.contains(">\(title)</h2>"), "missing section \(title)")
        }
        #expect(page.contains("Content-Security-Policy"))
        #expect(!page.contains("<script"))
        #expect(!page.contains(" src=") && !page.contains("<link") && !page.contains("url("))
        #expect(page.contains("@media print"))
        #expect(page.contains("<main id=\"main\">") && page.contains("aria-label=\"Patient demographics\""))
    }

    @Test func theBannerShowsDemographics() throws {
        let page = try Support.page([Support.fullRecord()])
        #expect(page.contains("Testperson, Dr Alex Q Jr"))
        #expect(page.contains("1970-01-02"))
        #expect(page.contains("Female"))
        #expect(page.contains("12345 (Hospital)"))
    }

    @Test func codesShowTheirSystemAndUnmappedCodesAreMarked() throws {
        let page = try Support.page([Support.fullRecord()])
        #expect(page.contains("LOINC 2345-7"))
        #expect(page.contains("ICD-10-CM E11.9"))
        #expect(page.contains("RxNorm 860975"))
        #expect(page.contains("CVX 140"))
        #expect(page.contains("SNOMED CT 80146002"))
        // LOCALDX is a local system: the resolved problem's code is marked
        #expect(page.contains("LOCALDX FX-ARM"))
        #expect(page.contains("⚑ unmapped: local or unknown code system"))
        // a concept with only text is marked too
        #expect(page.contains("⚑ unmapped: text only"))
        // the mapped LOINC code is not marked: count marks = local code + text-only concepts
        let marks = page.components(separatedBy: "⚑ unmapped").count - 1
        #expect(marks == 3, "local dx, 'Lab comment' and 'Chest pain' text-only concepts")
    }

    @Test func abnormalResultsAreFlaggedWithColourAndText() throws {
        let page = try Support.page([Support.fullRecord()])
        // glucose 182 with range 70-99 and no interpretation: computed from the range
        #expect(page.contains("▲ High (outside reference range)"))
        #expect(page.contains("! Abnormal (A)"))
        #expect(page.contains("<tr class=\"abnormal\">"))
        #expect(page.contains("70–99 (70-99)"))
        #expect(page.contains("mg/dL"))
        #expect(page.contains("Comprehensive metabolic panel"))
        #expect(page.contains("Conclusion: "))
    }

    @Test func theLabSampleShowsItsInterpretationFlags() throws {
        let page = try Support.page(try Support.records("hl7v2/oru-r01-lab.hl7"))
        #expect(page.contains("▲ High (H)"))
        #expect(page.contains("▼▼ Critical low (LL)"))
        #expect(page.contains("class=\"flag critical\""))
        #expect(page.contains("<td>mg/dL</td>"))
        #expect(page.contains("&lt;2.5"))
    }

    @Test func noKnownAllergiesIsShownAsSuchAndDiffersFromNothingRecorded() throws {
        var record = Support.fullRecord()
        let patient = record.patients[0].ref
        var statement = Allergy(ref: EntityRef(.allergy, key: "NKA"))
        statement.patient = patient
        statement.noKnownAllergy = true
        record.allergies = [statement]
        let stated = try Support.page([record])
        #expect(stated.contains("<p class=\"nka\">No known allergies</p>"))
        // a statement next to real allergies is a contradiction worth seeing
        record.allergies = [statement, Support.fullRecord().allergies[0]]
        let both = try Support.page([record])
        #expect(both.contains("⚑ Also recorded: a no-known-allergy statement"))
        #expect(both.contains("Penicillin G"))
        record.allergies = []
        let nothing = try Support.page([record])
        #expect(!nothing.contains("No known allergies"))
        #expect(nothing.contains("No allergy information recorded"))
    }

    @Test func severalVitalReadingsDrawATrendAndOneDoesNot() throws {
        let record = Support.fullRecord()
        let page = try Support.page([record])
        #expect(page.contains("<svg class=\"sparkline\" role=\"img\""))
        #expect(page.contains("Heart rate: 3 readings, from 72.0 to 120.0 /min"))
        #expect(page.contains("<polyline"))
        var single = record
        single.observations.removeAll { $0.ref.key == "HR0" || $0.ref.key == "HR1" }
        let one = try Support.page([single])
        #expect(!one.contains("<svg"))
        #expect(one.contains("one reading"))
        // the latest reading (120, above 100) is flagged
        #expect(page.contains("120 /min <span class=\"flag\">▲ High (outside reference range)</span>"))
    }

    @Test func labResultsAndCodedObservationsFiledUnderVitalSignsAreChartedAsResults() throws {
        var record = Support.fullRecord()
        let patient = record.patients[0].ref
        var hdl = Observation(
            ref: EntityRef(.observation, key: "HDL"),
            code: Concept(
                codings: [Coding(system: "http://loinc.org", code: "2085-9", display: "HDL cholesterol")],
                text: "Lipid Panel"))
        hdl.patient = patient
        hdl.categories = ["laboratory", "vital-signs"]
        hdl.value = .quantity(Quantity(value: DecimalValue(lexical: "44.7"), unit: "mg/dL"))
        var smoking = Observation(
            ref: EntityRef(.observation, key: "SMK"),
            code: Concept(Coding(system: "http://loinc.org", code: "72166-2", display: "Tobacco smoking status")))
        smoking.patient = patient
        smoking.categories = ["vital-signs"]
        smoking.value = .concept(
            Concept(Coding(system: "http://snomed.info/sct", code: "266919005", display: "Never smoker")))
        record.observations += [hdl, smoking]
        let page = try Support.page([record])
        let results = try #require(page.range(of: "id=\"results\""))
        let vitals = try #require(page.range(of: "id=\"vital-signs\""))
        let resultsSection = page[results.lowerBound..<vitals.lowerBound]
        let vitalsSection = page[vitals.lowerBound...]
        // the mapped display names the test; the source text is kept beside the codes
        #expect(resultsSection.contains("HDL cholesterol") && resultsSection.contains("text “Lipid Panel”"))
        #expect(resultsSection.contains("Never smoker"))
        #expect(!vitalsSection.contains("HDL cholesterol") && !vitalsSection.contains("Never smoker"))
        #expect(vitalsSection.contains("Heart rate"))
    }

    @Test func recordsAreGroupedByPatientAndPageIdsCarryNoIdentifiers() throws {
        let first = Support.fullRecord()
        var second = Support.fullRecord()
        let other = EntityRef(.patient, key: "MRN|99999")
        second.patients[0].ref = other
        second.patients[0].names = [HumanName(family: "Second")]
        for index in second.observations.indices {
            second.observations[index].patient = other
            second.observations[index].ref.key += "-2"
        }
        second.allergies = []
        second.conditions = []
        second.medications = []
        second.diagnosticReports = []
        second.immunizations = []
        second.procedures = []
        second.encounters = []
        let book = ChartBook([first, second])
        #expect(book.charts.count == 2)
        let secondChart = try #require(book.charts.first { $0.patient.ref == other })
        #expect(secondChart.observations.count == 5)
        #expect(secondChart.allergies.isEmpty)
        for chart in book.charts {
            #expect(!chart.id.contains("12345") && !chart.id.contains("99999"))
            #expect(chart.id.allSatisfy { $0.isHexDigit })
        }
        let index = String(decoding: Support.renderer.indexPage(book), as: UTF8.self)
        #expect(index.contains("Second") && index.contains("Testperson"))
        #expect(index.contains("href=\"\(secondChart.id).html\""))
    }

    @Test func aLaterVersionOfARecordReplacesTheEarlierOne() throws {
        let first = Support.fullRecord()
        var update = Support.fullRecord()
        update.patients[0].names = [HumanName(family: "Renamed")]
        let book = ChartBook([first, update])
        #expect(book.charts.count == 1)
        #expect(book.charts[0].patient.names.first?.family == "Renamed")
        #expect(book.charts[0].conditions.count == 2)
    }

    @Test func everySampleRenders() throws {
        for sample in [
            "hl7v2/adt-a01-basic.hl7", "hl7v2/oru-r01-lab.hl7", "hl7v2/vxu-v04-immunization.hl7",
            "hl7v2/batch-fhs-three-messages.hl7", "ccda/ccd-all-sections.xml",
        ] {
            let records = try Support.records(sample)
            #expect(!records.isEmpty, "\(sample) did not convert")
            let book = ChartBook(records)
            #expect(!book.charts.isEmpty, "\(sample) has no patient")
            for chart in book.charts {
                let page = String(decoding: Support.renderer.chartPage(chart, directory: book.directory), as: UTF8.self)
                for title in ChartRenderer.sectionTitles {
                    #expect(page.contains(">\(title)</h2>"), "\(sample): \(title)")
                }
            }
        }
    }
}
