import CSVSource
import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import Pipeline
import TestSupport
import Testing

/// CSV cells in the source account: every CSV unit has an account, and `reconcile` is clean only
/// when no cell was lost.
@Suite("CSV source account")
struct CSVSourceAccountTests {
    static let folder = Repository.url("Samples/csv/i2b2")

    static func convert(_ profile: CSVProfile) throws -> (units: [UnitResult], summary: RunSummary) {
        var reader = CSVUnitReader(.folder(folder), profile: profile, engine: Support.engine)
        let units = try reader.readAll()
        var summary = RunSummary()
        for unit in units { summary.record(unit: unit) }
        return (units, summary)
    }

    static func reconcile(_ units: [UnitResult], _ summary: RunSummary) throws -> ReconciliationReport {
        let records = units.compactMap(\.record)
        let reader = FHIRReader()
        let (fhir, _) = reader.records(from: reader.resources(fromBundle: try Support.bundle(records)))
        return Reconciler.reconcile(
            source: records, sourceDiagnostics: [], sourceErrors: [], fhir: fhir, account: summary.account,
            unitsNotAccounted: summary.unitsNotAccounted)
    }

    @Test func theI2B2SampleReconcilesCleanWithEveryCellAccounted() throws {
        let profile = try #require(Support.engine.csvProfiles.first { $0.name == "i2b2" })
        let (units, summary) = try Self.convert(profile)
        #expect(units.count == 4)
        #expect(units.allSatisfy { $0.account != nil })
        #expect(summary.unitsNotAccounted == 0)
        #expect(summary.account.totals.unaccounted == 0)
        #expect(summary.account.totals.carried > 0)
        let report = try Self.reconcile(units, summary)
        #expect(report.isClean)
    }

    @Test func aColumnNoRuleReadsMakesReconcileNotClean() throws {
        let text = try String(contentsOf: Repository.url("Mappings/csv/i2b2.yaml"), encoding: .utf8)
        // the results table no longer reads VALUEFLAG_CD (its rule now names a column the file lacks)
        let changed = text.replacingOccurrences(
            of: "      VALUEFLAG_CD:\n        to: interpretation", with: "      FLAG:\n        to: interpretation")
        #expect(changed != text)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("i2b2-\(UUID().uuidString).yaml")
        try Data(changed.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let (units, summary) = try Self.convert(try CSVProfile.load(url))
        #expect(summary.account.unaccounted == ["results:VALUEFLAG_CD": 6])
        let report = try Self.reconcile(units, summary)
        #expect(report.missing.isEmpty && report.extra.isEmpty)
        #expect(!report.isClean)
    }
}
