import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

@Suite struct EncounterMappingTests {
    let json = JSON.object(FHIRMapper().encounter(Fixtures.encounter).0)

    @Test func elementsFollowR4Order() {
        #expect(
            json.objectValue?.keys == [
                "resourceType", "id", "extension", "identifier", "status", "class", "type", "serviceType", "subject",
                "participant", "period", "length", "reasonCode", "hospitalization", "location", "serviceProvider",
            ])
    }

    @Test func classStatusAndParticipants() {
        #expect(json["status"]?.stringValue == "in-progress")
        #expect(json["class", "code"]?.stringValue == "IMP")
        #expect(json["class", "system"]?.stringValue == "http://terminology.hl7.org/CodeSystem/v3-ActCode")
        #expect(json["participant", 0, "type", 0, "coding", 0, "code"]?.stringValue == "ATND")
        #expect(
            json["participant", 0, "individual", "reference"]?.stringValue
                == "Practitioner/" + ResourceID.derive(Fixtures.practitionerRef))
        #expect(json["length", "value"]?.numberLexical == "3")
    }

    @Test func hospitalizationAndLocations() {
        #expect(json["hospitalization", "admitSource", "text"]?.stringValue == "Emergency room")
        #expect(json["hospitalization", "dietPreference", 0, "text"]?.stringValue == "Vegetarian")
        #expect(json["location", 0, "status"] == nil)
        #expect(json["location", 1, "status"]?.stringValue == "completed")
        #expect(
            json["extension", 0, "url"]?.stringValue
                == "http://fhirbridge.dev/fhir/StructureDefinition/encounter-hospital-service")
        #expect(json["serviceType", "text"]?.stringValue == "Cardiology")
    }

    @Test func noEmptyElements() {
        #expect(JSONChecks.emptyElements(json).isEmpty)
    }
}
