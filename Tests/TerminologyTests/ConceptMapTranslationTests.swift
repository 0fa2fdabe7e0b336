import Terminology
import Testing

struct KnownTranslation: Sendable, CustomTestStringConvertible {
    var table: String
    var code: String
    var target: String?
    var system: String
    var expected: String
    var testDescription: String { "\(table) \(code) -> \(expected)" }
}

@Suite("Concept map translation")
struct ConceptMapTranslationTests {
    static let gender = "http://hl7.org/fhir/administrative-gender"
    static let cases: [KnownTranslation] = [
        .init(table: "0001", code: "F", system: gender, expected: "female"),
        .init(table: "0001", code: "M", system: gender, expected: "male"),
        .init(table: "0001", code: "U", system: gender, expected: "unknown"),
        .init(table: "HL70001", code: " O ", system: gender, expected: "other"),
        .init(
            table: "0002", code: "M", system: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", expected: "M"),
        .init(table: "0002", code: "U", system: "http://terminology.hl7.org/CodeSystem/v3-NullFlavor", expected: "UNK"),
        .init(table: "0004", code: "I", system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", expected: "IMP"),
        .init(table: "0004", code: "E", system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", expected: "EMER"),
        .init(
            table: "0004", code: "I", target: "http://hl7.org/fhir/encounter-status",
            system: "http://hl7.org/fhir/encounter-status", expected: "in-progress"),
        .init(
            table: "0004", code: "R", target: "v2-0004--encounter-class",
            system: "http://terminology.hl7.org/CodeSystem/v2-0004", expected: "R"),
        .init(
            table: "0078", code: "H", system: "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
            expected: "H"),
        .init(
            table: "0078", code: "<", system: "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
            expected: "<"),
        .init(table: "0085", code: "F", system: "http://hl7.org/fhir/observation-status", expected: "final"),
        .init(table: "0085", code: "C", system: "http://hl7.org/fhir/observation-status", expected: "corrected"),
        .init(table: "0123", code: "F", system: "http://hl7.org/fhir/diagnostic-report-status", expected: "final"),
        .init(table: "0203", code: "MR", system: "http://terminology.hl7.org/CodeSystem/v2-0203", expected: "MR"),
        .init(table: "0399", code: "USA", system: "urn:iso:std:iso:3166", expected: "USA"),
    ]

    @Test(arguments: cases)
    func translatesKnownCodes(_ c: KnownTranslation) throws {
        let store = try Fixtures.store()
        let mapped = try #require(store.translate(table: c.table, code: c.code, target: c.target))
        #expect(mapped.system == c.system)
        #expect(mapped.code == c.expected)
    }

    @Test func administrativeGenderMapByID() throws {
        let map = try #require(try Fixtures.store().conceptMap(id: "v2-0001--administrative-gender"))
        #expect(map.sourceTable == "0001")
        #expect(map.targetSystem == "http://hl7.org/fhir/administrative-gender")
        #expect(map.translate("F") == MappedCoding(system: map.targetSystem, code: "female", display: "Female"))
        #expect(map.translate("Z") == nil)
        #expect(map.unmappedReason("F") == nil)
    }

    @Test func patientClassHasTwoMapsDistinguishedByElement() throws {
        let maps = try Fixtures.store().conceptMaps(forTable: "HL70004")
        #expect(maps.map(\.id) == ["v2-0004--encounter-class", "v2-0004--encounter-status"])
        #expect(maps.map(\.targetElement) == ["EncounterClass", "EncounterStatus"])
    }

    @Test func tableSpellingsFindTheSameMaps() throws {
        let store = try Fixtures.store()
        for spelling in [
            "0001", "1", "HL70001", "HL7-0001", "v2-0001", "http://terminology.hl7.org/CodeSystem/v2-0001",
        ] {
            #expect(
                store.conceptMaps(forTable: spelling).map(\.id) == ["v2-0001--administrative-gender"], "\(spelling)")
        }
        #expect(store.conceptMaps(forTable: "9999").isEmpty)
        #expect(store.conceptMaps(forTable: "LN").isEmpty)
    }

    @Test func unmappedCodesKeepTheIGReason() throws {
        let store = try Fixtures.store()
        #expect(store.translate(table: "0078", code: "TOX") == nil)
        let reason = try #require(store.unmappedReason(table: "0078", code: "TOX"))
        #expect(reason.contains("inactive"))
        #expect(store.unmappedReason(table: "0085", code: "I") == "no FHIR code in IG map")
    }

    @Test func conditionalRowsAreKeptButNotTranslated() throws {
        let map = try #require(try Fixtures.store().conceptMap(id: "v2-0206--http-verb"))
        #expect(map.translate("U") == nil)
        let rows = map.conditionalMappings(for: "U")
        #expect(rows.compactMap(\.target?.code).sorted() == ["PATCH", "PUT"])
        #expect(rows.allSatisfy { $0.condition["narrative"] == "local assessment" })
        #expect(map.unmappedReason("U") != nil)
    }

    @Test func defaultMapIsTheUnbracketedOne() throws {
        let store = try Fixtures.store()
        #expect(store.conceptMaps(forTable: "0136").first?.id == "v2-0136--special-values")
        #expect(store.translate(table: "0136", code: "Y")?.code == "true")
        #expect(
            store.translate(table: "0136", code: "Y", target: "http://hl7.org/fhir/specimen-status")?.code
                == "available")
    }
}
