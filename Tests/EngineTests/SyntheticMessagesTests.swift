import ClinicalModel
import Pipeline
import Testing

/// The benchmark's synthetic ADT^A01 and ORU^R01 messages (`SyntheticMessages`): deterministic, and
/// coded with codes the shipped tables hold, so that `bench` measures the path real, well-coded
/// messages take rather than the unknown-code path.
struct SyntheticMessagesTests {
    @Test func sameSeedSameBytes() {
        var first = SyntheticMessages(seed: 7)
        var second = SyntheticMessages(seed: 7)
        for index in 0..<4 { #expect(first.next(index: index) == second.next(index: index)) }
    }

    @Test func messagesConvertWithKnownCodes() throws {
        var generator = SyntheticMessages(seed: 42)
        for index in 0..<4 {  // two ADT^A01, two ORU^R01
            let units = Support.engine.convert(generator.next(index: index), inputName: "synthetic")
            let unit = try #require(units.first)
            #expect(unit.error == nil)
            #expect(unit.record?.observations.isEmpty == false)
            // Systems without a shipped table (BCP 47 languages, ICD-10-PCS) are reported as not
            // loaded, as they are for real messages; a code missing from a loaded table is not expected.
            let unknown = unit.diagnostics.filter { $0.kind == .unknownCode }
            #expect(unknown.isEmpty, "\(unknown.map { "\($0.system ?? "-") \($0.code ?? "-")" })")
        }
    }
}
