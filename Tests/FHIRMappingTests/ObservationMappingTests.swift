import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

@Suite struct ObservationMappingTests {
    static func mapped(_ suffix: String) -> JSON {
        let observation = Fixtures.observations.first { $0.ref.key.hasSuffix("|" + suffix) }
        return .object(FHIRMapper().observation(observation ?? Fixtures.observation(suffix, nil)).0)
    }

    struct ValueCase: Sendable, CustomStringConvertible {
        var fixture: String
        var element: String
        var expected: String  // compact JSON of the value element
        var description: String { element }
    }

    static let valueCases: [ValueCase] = [
        ValueCase(
            fixture: "quantity", element: "valueQuantity",
            expected: #"{"value":72,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}"#),
        ValueCase(
            fixture: "concept", element: "valueCodeableConcept",
            expected: #"{"coding":[{"system":"http://snomed.info/sct","code":"260385009","display":"Negative"}]}"#),
        ValueCase(fixture: "string", element: "valueString", expected: #""Clear, yellow""#),
        ValueCase(fixture: "dateTime", element: "valueDateTime", expected: #""2024-03-01""#),
        ValueCase(
            fixture: "ratio", element: "valueRatio",
            expected:
                #"{"numerator":{"value":0.010,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"},"denominator":{"value":1,"unit":"mL","system":"http://unitsofmeasure.org","code":"mL"}}"#
        ),
        ValueCase(
            fixture: "range", element: "valueRange",
            expected: #"{"low":{"value":1.5,"unit":"g"},"high":{"value":2.5,"unit":"g"}}"#),
        ValueCase(fixture: "boolean", element: "valueBoolean", expected: "false"),
        ValueCase(fixture: "integer", element: "valueInteger", expected: "3"),
        ValueCase(
            fixture: "bigInteger", element: "valueQuantity",
            expected:
                #"{"extension":[{"url":"http://fhirbridge.dev/fhir/StructureDefinition/source-value-type","valueCode":"integer"}],"value":5000000000}"#
        ),
        ValueCase(
            fixture: "period", element: "valuePeriod",
            expected: #"{"start":"2024-03-01T08:00:00Z","end":"2024-03-02T08:00:00Z"}"#),
    ]

    @Test(arguments: valueCases)
    func valueTypeMapsToItsChoiceElement(_ valueCase: ValueCase) throws {
        let json = Self.mapped(valueCase.fixture)
        let value = try #require(json[valueCase.element])
        #expect(JSONWriter().string(value) == valueCase.expected)
        let valueKeys = json.objectValue?.keys.filter { $0.hasPrefix("value") } ?? []
        #expect(valueKeys == [valueCase.element])
        #expect(json["dataAbsentReason"] == nil)
    }

    @Test func elementsFollowR4Order() throws {
        let keys = try #require(Self.mapped("quantity").objectValue?.keys)
        #expect(
            keys == [
                "resourceType", "id", "basedOn", "status", "category", "code", "subject", "encounter",
                "effectiveDateTime", "issued", "performer", "valueQuantity", "interpretation", "note", "bodySite",
                "method", "specimen", "referenceRange",
            ])
    }

    @Test func categoryStatusAndTimes() {
        let json = Self.mapped("quantity")
        #expect(json["status"]?.stringValue == "final")
        #expect(
            json["category", 0, "coding", 0, "system"]?.stringValue
                == "http://terminology.hl7.org/CodeSystem/observation-category")
        #expect(json["category", 0, "coding", 0, "code"]?.stringValue == "vital-signs")
        #expect(json["effectiveDateTime"]?.stringValue == "2024-03-05T10:15:00+01:00")
        #expect(json["issued"]?.stringValue == "2024-03-05T11:00:00.123+01:00")
        #expect(json["referenceRange", 0, "low", "value"]?.numberLexical == "60")
        #expect(json["referenceRange", 0, "text"]?.stringValue == "60-100")
        #expect(json["note", 0, "authorReference", "reference"] != nil)
        #expect(json["note", 0, "time"]?.stringValue == "2024-03-05T10:16:00+01:00")
        #expect(json["specimen", "reference"]?.stringValue == "Specimen/" + ResourceID.derive(Fixtures.specimenRef))
        #expect(
            json["basedOn", 0, "reference"]?.stringValue == "ServiceRequest/" + ResourceID.derive(Fixtures.orderRef))
    }

    @Test func unknownCategoryIsKeptAsText() {
        var observation = Fixtures.observation("x", nil)
        observation.categories = ["LAB"]
        let (resource, diagnostics) = FHIRMapper().observation(observation)
        #expect(JSON.object(resource)["category", 0] == .object(JSONObject(["text": .string("LAB")])))
        #expect(diagnostics.contains { $0.kind == .unmappedCode && $0.code == nil })
    }

    @Test func panelHasMembersAndComponents() {
        let json = Self.mapped("panel")
        #expect(json["hasMember", 0, "reference"] != nil)
        #expect(json["component", 0, "code", "coding", 0, "code"]?.stringValue == "8480-6")
        #expect(json["component", 0, "valueQuantity", "code"]?.stringValue == "mm[Hg]")
        #expect(json["component", 0, "interpretation", 0, "text"]?.stringValue == "normal")
        #expect(json["component", 1, "dataAbsentReason", "coding", 0, "code"]?.stringValue == "not-performed")
        #expect(json["component", 1, "valueQuantity"] == nil)
    }

    @Test func dataAbsentReasonOnlyWithoutValue() {
        let absent = Self.mapped("absent")
        #expect(absent["dataAbsentReason", "coding", 0, "code"]?.stringValue == "asked-declined")
        var both = Fixtures.observation("both", .string("x"))
        both.dataAbsentReason = "unknown"
        let (resource, diagnostics) = FHIRMapper().observation(both)
        #expect(resource["dataAbsentReason"] == nil)
        #expect(resource["valueString"]?.stringValue == "x")
        #expect(diagnostics.contains { $0.kind == .conflictingElements })
    }

    @Test func issuedWithoutTimeIsKeptInAnExtension() {
        var observation = Fixtures.observation("x", nil)
        observation.issued = Fixtures.dt("2024-03-05")
        let json = JSON.object(FHIRMapper().observation(observation).0)
        #expect(json["issued"] == nil)
        #expect(
            json["_issued", "extension", 0, "url"]?.stringValue
                == "http://fhirbridge.dev/fhir/StructureDefinition/original-date-time")
        #expect(json["_issued", "extension", 0, "valueDateTime"]?.stringValue == "2024-03-05")
        observation.issued = Fixtures.dt("2024-03-05T11:00+01:00")
        #expect(FHIRMapper().observation(observation).0["issued"]?.stringValue == "2024-03-05T11:00:00+01:00")
    }

    /// qty-3: a unit code needs a system. Without one the code is not written as `code` but kept in
    /// the fhirbridge `source-unit-code` extension (the unit is not invented from it).
    @Test func quantityUnitCodeWithoutSystemIsKeptInAnExtension() {
        let observation = Fixtures.observation("x", .quantity(Quantity(value: DecimalValue(lexical: "5"), code: "mg")))
        let (resource, diagnostics) = FHIRMapper().observation(observation)
        #expect(
            JSONWriter().string(resource["valueQuantity"] ?? .null)
                == #"{"extension":[{"url":"http://fhirbridge.dev/fhir/StructureDefinition/source-unit-code","valueString":"mg"}],"value":5}"#
        )
        #expect(diagnostics.contains { $0.kind == .unitCodeWithoutSystem })
    }

    /// A value that is not a FHIR decimal is not written as `value`; its source form is kept in the
    /// fhirbridge `source-value` extension on `_value`.
    @Test func invalidDecimalIsKeptAsSourceValue() {
        let observation = Fixtures.observation("x", .quantity(Quantity(value: DecimalValue(lexical: "1,5"), unit: "g")))
        let (resource, diagnostics) = FHIRMapper().observation(observation)
        #expect(
            JSONWriter().string(resource["valueQuantity"] ?? .null)
                == #"{"_value":{"extension":[{"url":"http://fhirbridge.dev/fhir/StructureDefinition/source-value","valueString":"1,5"}]},"unit":"g"}"#
        )
        #expect(diagnostics.contains { $0.kind == .invalidDecimal })
    }
}
