import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

@Suite struct PatientMappingTests {
    let patient: JSONObject
    let diagnostics: [Diagnostic]
    var json: JSON { .object(patient) }

    init() { (patient, diagnostics) = FHIRMapper().patient(Fixtures.patient) }

    @Test func elementsFollowR4Order() {
        #expect(patient.keys.prefix(2) == ["resourceType", "id"])
        #expect(patient["id"]?.stringValue == ResourceID.derive(Fixtures.patientRef))
        let order = [
            "meta", "extension", "identifier", "name", "telecom", "gender", "birthDate", "deceasedBoolean",
            "address", "maritalStatus", "multipleBirthInteger", "communication", "generalPractitioner",
            "managingOrganization",
        ]
        #expect(patient.keys.filter { order.contains($0) } == order)
    }

    @Test func identifiersKeepTypeSystemAndAssigner() {
        #expect(json["identifier", 0, "use"]?.stringValue == "usual")
        #expect(json["identifier", 0, "type", "coding", 0, "code"]?.stringValue == "MR")
        #expect(json["identifier", 0, "system"]?.stringValue == Fixtures.mrnSystem)
        #expect(json["identifier", 0, "value"]?.stringValue == "12345")
        #expect(json["identifier", 1, "system"] == nil)
        #expect(json["identifier", 1, "assigner", "display"]?.stringValue == "State DMV")
    }

    @Test func namesTelecomAndAddress() {
        #expect(json["name", 0, "given"] == .array([.string("Adam"), .string("A.")]))
        #expect(json["name", 1, "use"]?.stringValue == "maiden")
        #expect(json["name", 1, "period", "end"]?.stringValue == "2001-06-01")
        #expect(json["telecom", 0, "rank"]?.numberLexical == "1")
        // cpt-2: a value needs a system; the source gave none, so it is marked absent, not guessed.
        #expect(json["telecom", 1, "system"] == nil)
        #expect(json["telecom", 1, "_system", "extension", 0, "valueCode"]?.stringValue == "unknown")
        #expect(json["address", 0, "line", 1]?.stringValue == "Apt 4")
        #expect(json["address", 0, "type"]?.stringValue == "physical")
    }

    @Test func birthDateIsADateWithTheTimeInAnExtension() {
        #expect(json["birthDate"]?.stringValue == "1961-06-15")
        #expect(
            json["_birthDate", "extension", 0, "url"]?.stringValue
                == "http://hl7.org/fhir/StructureDefinition/patient-birthTime")
        #expect(json["_birthDate", "extension", 0, "valueDateTime"]?.stringValue == "1961-06-15T08:45:00-05:00")
    }

    @Test func choiceElements() {
        #expect(json["deceasedBoolean"]?.boolValue == false)
        #expect(json["multipleBirthInteger"]?.numberLexical == "2")
        #expect(json["multipleBirthBoolean"] == nil)
        var deceased = Fixtures.patient
        deceased.deceasedAt = Fixtures.dt("2024-03-07T01:02:03Z")
        deceased.birthOrder = nil
        let other = JSON.object(FHIRMapper().patient(deceased).0)
        #expect(other["deceasedDateTime"]?.stringValue == "2024-03-07T01:02:03Z")
        #expect(other["deceasedBoolean"] == nil)
        #expect(other["multipleBirthBoolean"]?.boolValue == true)
    }

    @Test func raceUsesUSCoreWhenAllCodesAreCDC() {
        let race = json["extension", 0]
        #expect(race?["url"]?.stringValue == "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race")
        #expect(race?["extension", 0, "url"]?.stringValue == "ombCategory")
        #expect(race?["extension", 0, "valueCoding", "code"]?.stringValue == "2106-3")
        #expect(race?["extension", 1, "url"]?.stringValue == "detailed")
        #expect(race?["extension", 1, "valueCoding", "code"]?.stringValue == "2108-9")
        #expect(race?["extension", 2, "url"]?.stringValue == "text")
        #expect(race?["extension", 2, "valueString"]?.stringValue == "White, European")
    }

    @Test func ethnicityWithOtherCodesUsesTheFHIRBridgeExtension() {
        let ethnicity = json["extension", 1]
        #expect(ethnicity?["url"]?.stringValue == "http://fhirbridge.dev/fhir/StructureDefinition/patient-ethnicity")
        #expect(ethnicity?["valueCodeableConcept", "coding", 0, "code"]?.stringValue == "N")
    }

    @Test func coreExtensions() {
        let urls = (json["extension"]?.arrayValue ?? []).compactMap { $0["url"]?.stringValue }
        #expect(urls.contains("http://hl7.org/fhir/StructureDefinition/patient-birthPlace"))
        let extensions = json["extension"]?.arrayValue ?? []
        let place = extensions.first { $0["url"]?.stringValue?.hasSuffix("patient-birthPlace") == true }
        #expect(place?["valueAddress", "text"]?.stringValue == "Ann Arbor, MI")
        let maiden = extensions.first { $0["url"]?.stringValue?.hasSuffix("patient-mothersMaidenName") == true }
        #expect(maiden?["valueString"]?.stringValue == "Jones")
        let religion = extensions.first { $0["url"]?.stringValue?.hasSuffix("patient-religion") == true }
        #expect(religion?["valueCodeableConcept", "coding", 0, "code"]?.stringValue == "1013")
    }

    @Test func referencesAndCommunication() {
        #expect(json["communication", 0, "language", "coding", 0, "code"]?.stringValue == "en")
        #expect(
            json["generalPractitioner", 0, "reference"]?.stringValue
                == "Practitioner/" + ResourceID.derive(Fixtures.practitionerRef))
        #expect(
            json["managingOrganization", "reference"]?.stringValue
                == "Organization/" + ResourceID.derive(Fixtures.organizationRef))
        #expect(json["meta", "lastUpdated"]?.stringValue == "2024-03-05T10:30:00Z")
    }

    @Test func unnormalizedGenderIsReportedNotWritten() {
        var patient = Fixtures.patient
        patient.gender = Coding(system: "HL70001", code: "F")
        let (resource, diagnostics) = FHIRMapper().patient(patient)
        #expect(resource["gender"] == nil)
        #expect(
            diagnostics == [
                Diagnostic(
                    .warning, .invalidCode, at: Fixtures.location("PID"),
                    system: "http://hl7.org/fhir/administrative-gender")
            ])
        patient.gender = Coding(code: "female")
        #expect(FHIRMapper().patient(patient).0["gender"]?.stringValue == "female")
    }

    @Test func noEmptyElementsAndNoDiagnostics() {
        #expect(JSONChecks.emptyElements(json).isEmpty)
        #expect(diagnostics.isEmpty)
    }
}
