import Foundation
import TestSupport
import Testing

@testable import Terminology

/// `fhirbridge terminology import` over tiny synthetic releases in `Fixtures/`: each format lands in
/// `imported/`, replaces the shipped subset for its system, and loads like any other table.
@Suite("Release import")
struct ImporterTests {
    static let fixtures = Repository.url("Tests/TerminologyTests/Fixtures")

    /// A scratch `Terminology/` copy with the import applied, loaded; removed afterwards.
    func imported(
        _ format: CodeSystemImporter.Format, _ path: String, version: String? = nil,
        check: (TerminologyStore, CodeSystemImporter.Summary) throws -> Void
    ) throws {
        let folder = try Fixtures.scratchCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try CodeSystemImporter.importRelease(
            format, from: Self.fixtures.appendingPathComponent(path), into: folder, version: version)
        let store = try TerminologyStore.load(from: folder)
        try store.codeSystems.loadAll()
        #expect(
            store.sources[summary.file] == (try store.codeSystems.table(summary.file)).source, "index and header agree")
        let info = try #require(store.codeSystems.info(for: summary.system))
        #expect(info.file == summary.file && info.content == .complete && info.displays == .authoritative)
        #expect(info.count == summary.count)
        try check(store, summary)
    }

    @Test func loincTableAndAnswers() throws {
        try imported(.loinc, "loinc/Loinc_2.78") { store, summary in
            #expect(summary.count == 6)
            #expect(summary.version == "2.78")
            let codes = store.codeSystems
            #expect(
                codes.lookup(system: CodeSyntax.loinc, code: "2345-7")?.display
                    == "Glucose [Mass/volume] in Serum or Plasma")
            #expect(
                codes.lookup(system: CodeSyntax.loinc, code: "2345-7")?.designations == [
                    "Glucose, SerPl", "Glucose SerPl-mCnc",
                ])
            #expect(
                codes.lookup(system: CodeSyntax.loinc, code: "99999-1")?.display
                    == "Made up, with \"quotes\" and a comma")
            #expect(codes.lookup(system: CodeSyntax.loinc, code: "LA6576-8")?.display == "Positive")
            // The import replaced the corpus subset: a corpus-only code is now unknown in a complete table.
            #expect(codes.validate(system: CodeSyntax.loinc, code: "8302-2").status == .unknown)
        }
    }

    @Test func loincTableFileAlone() throws {
        try imported(.loinc, "loinc/Loinc_2.78/LoincTable/Loinc.csv", version: "2.78") { store, summary in
            #expect(summary.count == 4)
            #expect(store.codeSystems.lookup(system: CodeSyntax.loinc, code: "LA6576-8") == nil)
        }
    }

    @Test func snomedRF2Snapshot() throws {
        try imported(.snomed, "snomed/SnomedCT_TestRF2_PRODUCTION_20250301T120000Z") { store, summary in
            #expect(summary.count == 4)
            #expect(summary.version == "20250301")
            let diabetes = try #require(store.codeSystems.lookup(system: CodeSyntax.snomedCT, code: "44054006"))
            #expect(diabetes.display == "Type 2 diabetes mellitus")  // US English preferred synonym
            #expect(diabetes.designations == ["Diabetes mellitus type 2 (disorder)", "Type II diabetes mellitus"])
            // No US preferred term: the FSN without its semantic tag.
            #expect(store.codeSystems.display(system: CodeSyntax.snomedCT, code: "73211009") == "Diabetes mellitus")
            #expect(store.codeSystems.display(system: CodeSyntax.snomedCT, code: "38341003") == "Hypertensive disorder")
            #expect(
                store.validate(system: "SCT", code: "44054006", display: "Type II diabetes mellitus").displayMatches
                    == true)
        }
    }

    @Test func rxnormRRF() throws {
        try imported(.rxnorm, "rxnorm/RxNorm_full_01062025") { store, summary in
            #expect(summary.count == 3)
            #expect(summary.version == "01062025")
            let codes = store.codeSystems
            #expect(codes.lookup(system: CodeSyntax.rxNorm, code: "197361")?.display == "amlodipine 5 MG Oral Tablet")
            #expect(codes.lookup(system: CodeSyntax.rxNorm, code: "29046")?.display == "lisinopril")
            #expect(
                codes.lookup(system: CodeSyntax.rxNorm, code: "29046")?.designations == ["Lisinopril (obsolete name)"])
            #expect(codes.lookup(system: CodeSyntax.rxNorm, code: "999") == nil, "other sources are skipped")
        }
    }

    @Test(arguments: ["icd10cm/icd10cm_order_2026.txt", "icd10cm/icd10cm_codes_2026.txt"])
    func icd10cmFiles(_ file: String) throws {
        try imported(.icd10cm, file) { store, summary in
            #expect(summary.version == "2026")
            #expect(summary.count == (file.contains("order") ? 6 : 4))
            #expect(
                store.lookup(system: "I10", code: "E119")?.display == "Type 2 diabetes mellitus without complications")
            #expect(
                store.lookup(system: "I10", code: "S52.521A")?.display
                    == "Torus fracture of lower end of right radius, initial encounter for closed fracture")
            #expect(
                store.validate(system: "I10", code: "I10").status == .unknown, "the import replaced the shipped table")
        }
    }

    @Test func reimportReplacesTheEntry() throws {
        let folder = try Fixtures.scratchCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        for _ in 0..<2 {
            _ = try CodeSystemImporter.importRelease(
                .rxnorm, from: Self.fixtures.appendingPathComponent("rxnorm"), into: folder)
        }
        let index = try JSONDecoder().decode(
            CodeSystemIndexFile.self,
            from: Data(contentsOf: folder.appendingPathComponent(CodeSystemStore.importedIndexFile)))
        #expect(index.files.map(\.file) == ["imported/rxnorm.tsv"])
    }

    @Test func wrongInputNamesTheFileNotItsContent() throws {
        let folder = try Fixtures.scratchCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: CodeSystemImporter.ImportError.self) {
            try CodeSystemImporter.importRelease(
                .snomed, from: Self.fixtures.appendingPathComponent("loinc"), into: folder)
        }
        do {
            _ = try CodeSystemImporter.importRelease(
                .icd10cm, from: Self.fixtures.appendingPathComponent("rxnorm/RxNorm_full_01062025/rrf/RXNCONSO.RRF"),
                into: folder)
            Issue.record("an RRF file imported as ICD-10-CM")
        } catch let error as CodeSystemImporter.ImportError {
            #expect(error.description == "RXNCONSO.RRF: line 1: not an ICD-10-CM code line")
        }
    }
}

@Suite("Terminology report")
struct TerminologyReportTests {
    @Test func countsBySystemAndCodeWithoutText() {
        var report = TerminologyReport()
        report.add([
            .init(.warning, .unknownCode, system: "http://loinc.org", code: "1-8"),
            .init(.warning, .unknownCode, system: "http://loinc.org", code: "1-8"),
            .init(.information, .localCode, system: nil, code: "X"),
            .init(.warning, .invalidTimestamp),
        ])
        var other = TerminologyReport()
        other.add(kind: "unknownCode", system: "http://loinc.org", code: "2-6")
        report.merge(other)
        #expect(report.counts["unknownCode"]?["http://loinc.org"] == ["1-8": 2, "2-6": 1])
        #expect(report.counts["localCode"]?[TerminologyReport.noSystem] == ["X": 1])
        #expect(report.counts["invalidTimestamp"] == nil)
        #expect(report.total("unknownCode") == 3)
        #expect(report.rows.map(\.code) == ["X", "1-8", "2-6"])
        #expect(
            report.summaryLines() == [
                "localCode: 1", "  (none): 1 (1 codes) X ×1", "unknownCode: 3",
                "  http://loinc.org: 3 (2 codes) 1-8 ×2, 2-6 ×1",
            ])
    }

    @Test func redactedReportShowsOnlyWellFormedStandardCodes() {
        var report = TerminologyReport()
        report.add([
            .init(.warning, .unknownCode, system: "http://loinc.org", code: "1-8"),
            .init(.warning, .malformedCode, system: "http://loinc.org", code: "ZZSECRET"),
            .init(.information, .localCode, system: "PATIENT NAME AS SYSTEM", code: "ZZSECRET"),
            .init(.information, .unitNotUCUM, system: nil, code: "ZZSECRET"),
            .init(.information, .codeSystemNotLoaded, system: "http://www.ama-assn.org/go/cpt", code: "99213"),
        ])
        let redacted = report.redacted()
        let text = redacted.summaryLines().joined(separator: "\n")
        #expect(!text.contains("ZZSECRET"))
        #expect(!text.contains("PATIENT NAME"))
        #expect(redacted.counts["unknownCode"]?["http://loinc.org"] == ["1-8": 1])
        let fingerprint = TerminologyReport.fingerprint("ZZSECRET")
        #expect(fingerprint.count == 17 && fingerprint.hasPrefix("#"))
        #expect(redacted.counts["malformedCode"]?["http://loinc.org"] == [fingerprint: 1])
        #expect(
            redacted.counts["codeSystemNotLoaded"]?["http://www.ama-assn.org/go/cpt"]?.keys.first?.hasPrefix("#")
                == true)
        #expect(redacted.total("localCode") == 1 && redacted.total("unitNotUCUM") == 1)
    }
}
