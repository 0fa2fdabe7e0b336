import ClinicalModel
import Foundation
import Testing

struct SourceAccountTests {
    @Test func countsEachFateByPath() {
        var account = SourceAccount()
        account.carry("PID-5.1")
        account.carry("PID-5.1", count: 2)
        account.declare("MSH-2", reason: "encoding characters")
        account.leave("ZPI-3.1")
        #expect(account.carried == ["PID-5.1": 3])
        #expect(account.declared == ["MSH-2": 1])
        #expect(account.unaccounted == ["ZPI-3.1": 1])
        #expect(account.reasons == ["MSH-2": "encoding characters"])
        #expect(account.totals == .init(carried: 3, declared: 1, unaccounted: 1))
        #expect(account.totals.all == 5)
        #expect(!account.isComplete)
        #expect(!account.isEmpty)
    }

    @Test func addingAccountsSumsCountsAndKeepsTheFirstReason() {
        var first = SourceAccount()
        first.carry("OBX-5.1")
        first.declare("EVN-2", reason: "recorded time duplicates MSH-7")
        var second = SourceAccount()
        second.carry("OBX-5.1", count: 4)
        second.declare("EVN-2", reason: "another wording")
        first.add(second)
        #expect(first.carried == ["OBX-5.1": 5])
        #expect(first.declared == ["EVN-2": 2])
        #expect(first.reasons["EVN-2"] == "recorded time duplicates MSH-7")
        #expect(first.isComplete)
    }

    @Test func roundTripsThroughJSON() throws {
        var account = SourceAccount()
        account.carry("/ClinicalDocument/recordTarget/patientRole/patient/name/given")
        account.declare("/ClinicalDocument/templateId/@root", reason: "template identifiers: structure")
        let data = try JSONEncoder().encode(account)
        #expect(try JSONDecoder().decode(SourceAccount.self, from: data) == account)
        #expect(SourceAccount().isEmpty && SourceAccount().isComplete)
    }
}
