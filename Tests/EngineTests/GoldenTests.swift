import FHIRR4
import Foundation
import Testing

/// Byte stability of the output. The samples against their expected bundles (what this suite did
/// before) are `ReplayLibraryTests`: every sample of `Samples/`, through the `replay` runner.
struct GoldenTests {
    @Test func sameInputGivesSameBytes() throws {
        let input = Support.samples.appendingPathComponent("adt-a01-basic.hl7")
        let first = Support.engine.bundleJSON(try Support.convert(input).compactMap(\.record)).0
        let second = Support.engine.bundleJSON(try Support.convert(input).compactMap(\.record)).0
        #expect(first == second)
    }
}
