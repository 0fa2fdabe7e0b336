import Foundation
import Testing

@testable import Terminology

@Suite("UCUM units")
struct UCUMTests {
    static func units() throws -> UCUMUnits { try Fixtures.store().codeSystems.loadUnits() }

    @Test(arguments: [
        "mg/dL", "mmol/L", "mm[Hg]", "kg/m2", "10*3/uL", "10*9/L", "/min", "{beats}/min", "%", "[degF]", "Cel",
        "mL/min/{1.73_m2}", "ug/mL", "m[IU]/L", "[in_i]", "[lb_av]", "g.m-2", "kg.m/s2", "(8.h)", "10*-6", "{score}",
        "mo", "a", "wk", "[pH]", "umol/L/h", "dam", "cm[H2O]",
    ])
    func validExpressions(_ unit: String) throws {
        #expect(try Self.units().isValid(unit), "\(unit)")
    }

    @Test(arguments: ["beats/min", "mcg", "µmol/L", "mg/", "{a{b}}", "mg dL", "", "xyz", "(mg", "kg]", "Mm[Hg]x"])
    func invalidExpressions(_ unit: String) throws {
        #expect(try !Self.units().isValid(unit), "\(unit)")
    }

    @Test(arguments: [
        ("mg/dl", "mg/dL"), ("MG/DL", "mg/dL"), ("beats/min", "/min"), ("bpm", "/min"), ("µmol/L", "umol/L"),
        ("mcg", "ug"), ("mmHg", "mm[Hg]"), ("10+3/ul", "10*3/uL"), ("hour(s)", "h"), ("g/dl", "g/dL"),
        ("mg/dL", "mg/dL"), ("{beats}/min", "{beats}/min"), ("kg.m/s2", "kg.m/s2"),
    ])
    func aliasesAndCaseMapToUCUM(_ unit: String, _ code: String) throws {
        #expect(try Self.units().ucumCode(for: unit) == code, "\(unit)")
    }

    @Test func unknownUnitsStayText() throws {
        let units = try Self.units()
        for unit in ["furlongs", "UNITS", "enzyme units", "ERU", "null"] {
            #expect(units.ucumCode(for: unit) == nil, "\(unit)")
        }
    }

    /// The syntax check against the FHIR common units list: every common code parses.
    @Test func everyCommonUnitIsValid() throws {
        let units = try Self.units()
        let invalid = units.common.keys.filter { !units.isValid($0) }.sorted()
        #expect(invalid.isEmpty, "not parsed: \(invalid.prefix(20))")
        #expect(units.common.count > 1300)
    }

    @Test func everyAliasTargetIsValid() throws {
        let units = try Self.units()
        #expect(units.aliases.count > 50)
        for (alias, code) in units.aliases { #expect(units.isValid(code), "\(alias) -> \(code)") }
    }
}
