import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

@Suite struct ProvenanceTests {
    static let targets = [
        ResourceKey(Fixtures.encounterRef), ResourceKey(Fixtures.patientRef),
    ]

    static func provenance(_ document: SourceDocument) -> (JSON, [JSONObject], [Diagnostic]) {
        let (resources, diagnostics) = FHIRMapper().provenance(document, targets: targets)
        return (.object(resources.first ?? JSONObject()), Array(resources.dropFirst()), diagnostics)
    }

    @Test func provenanceNamesTargetsSourceAndAgents() {
        let (json, agents, diagnostics) = Self.provenance(Fixtures.document)
        #expect(diagnostics.isEmpty)
        #expect(
            json.objectValue?.keys == ["resourceType", "id", "target", "recorded", "activity", "agent", "entity"])
        // targets in output order: Patient before Encounter
        #expect(json["target", 0, "reference"]?.stringValue == "Patient/" + ResourceID.derive(Fixtures.patientRef))
        #expect(json["target", 1, "reference"]?.stringValue == "Encounter/" + ResourceID.derive(Fixtures.encounterRef))
        #expect(json["recorded"]?.stringValue == "2024-03-05T10:30:00+01:00")
        #expect(json["activity", "coding", 0, "code"]?.stringValue == "CREATE")
        #expect(
            json["activity", "coding", 0, "system"]?.stringValue
                == "http://terminology.hl7.org/CodeSystem/v3-DataOperation")
        #expect(json["agent", 0, "type", "coding", 0, "code"]?.stringValue == "author")
        #expect(json["agent", 1, "type", "coding", 0, "code"]?.stringValue == "assembler")
        #expect(json["entity", 0, "role"]?.stringValue == "source")
        #expect(json["entity", 0, "what", "identifier", "value"]?.stringValue == Fixtures.document.digest)
        #expect(json["entity", 0, "what", "display"]?.stringValue == "hl7v2 message 1 of adt-a01-basic.hl7")
        // an HL7 v2 message's MessageHeader comes with its Provenance, its sender the facility
        #expect(
            agents.map { $0["resourceType"]?.stringValue } == ["Device", "Organization", "Device", "MessageHeader"])
        #expect(
            JSON.object(agents[3])["sender", "reference"]?.stringValue == "Organization/"
                + (agents[1]["id"]?.stringValue ?? ""))
        #expect(JSON.object(agents[0])["deviceName", 0, "name"]?.stringValue == "LABSYS")
        #expect(agents[1]["name"]?.stringValue == "GOOD HEALTH HOSPITAL")
        let whoID = json["agent", 0, "who", "reference"]?.stringValue
        #expect(whoID == "Device/" + (agents[0]["id"]?.stringValue ?? ""))
    }

    @Test(arguments: [
        ("2024", "2024-01-01T00:00:00Z", "year"), ("2024-03", "2024-03-01T00:00:00Z", "month"),
        ("2024-03-05", "2024-03-05T00:00:00Z", "day"),
    ])
    func recordedDateIsPaddedAndItsPrecisionStated(_ recorded: String, _ expected: String, _ precision: String) {
        var document = Fixtures.document
        document.recorded = Fixtures.dt(recorded)
        let (json, _, _) = Self.provenance(document)
        #expect(json["recorded"]?.stringValue == expected)
        #expect(
            json["_recorded", "extension", 0, "url"]?.stringValue
                == "http://fhirbridge.dev/fhir/StructureDefinition/recorded-precision")
        #expect(json["_recorded", "extension", 0, "valueCode"]?.stringValue == precision)
    }

    @Test func minutePrecisionIsPaddedWithoutAnExtension() {
        var document = Fixtures.document
        document.recorded = Fixtures.dt("2024-03-05T10:30Z")
        let (json, _, _) = Self.provenance(document)
        #expect(json["recorded"]?.stringValue == "2024-03-05T10:30:00Z")
        #expect(json["_recorded"] == nil)
    }

    @Test func missingRecordedIsMarkedAbsentNeverTheClock() {
        var document = SourceDocument(format: .ccda, inputName: "ccd.xml", index: 1)
        document.recorded = nil
        let (json, agents, diagnostics) = Self.provenance(document)
        #expect(json["recorded"] == nil)
        #expect(AbsentDataTests.absent(json["_recorded"]))
        #expect(diagnostics.contains { $0.kind == .missingRequiredElement && $0.code == "Provenance.recorded" })
        // No sending application or facility: fhirbridge itself is the only agent.
        #expect(json["agent"]?.arrayValue?.count == 1)
        #expect(agents.count == 1)
        #expect(json["entity", 0, "what", "identifier"] == nil)
        #expect(json["entity", 0, "what", "display"]?.stringValue == "ccda document 1 of ccd.xml")
    }

    @Test func noTargetsNoProvenance() {
        let (resources, diagnostics) = FHIRMapper().provenance(Fixtures.document, targets: [])
        #expect(resources.isEmpty)
        #expect(diagnostics.isEmpty)
    }

    @Test func provenanceIDDependsOnTheSourceUnitOnly() {
        var other = Fixtures.document
        other.recorded = nil
        #expect(FHIRMapper.provenanceID(other) == FHIRMapper.provenanceID(Fixtures.document))
        other.index = 2
        #expect(FHIRMapper.provenanceID(other) != FHIRMapper.provenanceID(Fixtures.document))
    }
}
