import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

@Suite struct AdministrativeResourceTests {
    let mapper = FHIRMapper()

    @Test func relatedPerson() {
        let json = JSON.object(mapper.relatedPerson(Fixtures.relatedPerson).0)
        #expect(
            json.objectValue?.keys == ["resourceType", "id", "patient", "relationship", "name", "telecom", "gender"])
        #expect(json["relationship", 0, "coding", 0, "code"]?.stringValue == "SPO")
        #expect(json["gender"]?.stringValue == "female")
    }

    @Test func practitionerOrganizationLocation() {
        let practitioner = JSON.object(mapper.practitioner(Fixtures.practitioner).0)
        #expect(practitioner["qualification", 0, "code", "text"]?.stringValue == "MD")
        #expect(practitioner["name", 0, "prefix", 0]?.stringValue == "Dr.")
        let organization = JSON.object(mapper.organization(Fixtures.organization).0)
        #expect(organization.objectValue?.keys == ["resourceType", "id", "identifier", "type", "name"])
        #expect(organization["type", 0, "coding", 0, "code"]?.stringValue == "prov")
        let location = JSON.object(mapper.location(Fixtures.location).0)
        #expect(location["physicalType", "coding", 0, "code"]?.stringValue == "bd")
        #expect(location["managingOrganization", "reference"] != nil)
    }

    @Test func appointmentParticipantsAndInstants() {
        let json = JSON.object(mapper.appointment(Fixtures.appointment).0)
        #expect(
            json.objectValue?.keys == [
                "resourceType", "id", "status", "serviceType", "reasonCode", "description", "start", "_start", "end",
                "minutesDuration", "participant",
            ])
        // minute precision padded; the canonical form is kept in `source-value` for the reverse mapping
        #expect(json["start"]?.stringValue == "2024-04-01T09:00:00+01:00")
        #expect(json["_start", "extension", 0, "valueString"]?.stringValue == "2024-04-01T09:00+01:00")
        #expect(json["end"]?.stringValue == "2024-04-01T09:30:00+01:00")
        let participants = json["participant"]?.arrayValue ?? []
        #expect(participants.count == 3)
        #expect(participants.allSatisfy { $0["status"]?.stringValue == "accepted" })
        #expect(
            participants[0]["actor", "reference"]?.stringValue == "Patient/" + ResourceID.derive(Fixtures.patientRef))
        var proposed = Fixtures.appointment
        proposed.status = "proposed"
        #expect(JSON.object(mapper.appointment(proposed).0)["participant", 0, "status"]?.stringValue == "needs-action")
    }

    @Test func coverage() throws {
        let (resource, diagnostics) = mapper.coverage(Fixtures.coverage)
        let json = JSON.object(try #require(resource))
        #expect(
            json.objectValue?.keys == [
                "resourceType", "id", "identifier", "status", "subscriberId", "beneficiary", "relationship", "period",
                "payor", "class",
            ])
        #expect(json["beneficiary", "reference"]?.stringValue == "Patient/" + ResourceID.derive(Fixtures.patientRef))
        #expect(json["payor", 0, "reference"]?.stringValue == "Organization/" + ResourceID.derive(Fixtures.payorRef))
        #expect(json["class", 0, "value"]?.stringValue == "G-100")
        #expect(json["class", 1, "name"]?.stringValue == "Gold")
        #expect(AbsentDataTests.absent(json["class", 1, "_value"]))
        #expect(diagnostics.isEmpty)
    }

    @Test func patientLinkBecomesLinkage() {
        let link = Fixtures.patientLink
        let linkage = JSON.object(mapper.linkage(link).0)
        #expect(linkage["item", 0, "type"]?.stringValue == "source")
        #expect(
            linkage["item", 0, "resource", "reference"]?.stringValue == "Patient/" + ResourceID.derive(link.survivor))
        #expect(linkage["item", 1, "type"]?.stringValue == "alternate")
        #expect(linkage["item", 1, "resource", "reference"]?.stringValue == "Patient/" + ResourceID.derive(link.merged))
    }

    @Test func mergedPatientInTheRecordIsMarkedInactive() {
        var record = ClinicalRecord(document: Fixtures.document)
        var merged = Patient(ref: Fixtures.mergedRef)
        merged.names = [HumanName(family: "Everyman")]
        record.patients = [Fixtures.patient, merged]
        record.patientLinks = [Fixtures.patientLink]
        let (resources, _) = BundleBuilder().resources(record)
        let patient = resources.first { $0["id"]?.stringValue == ResourceID.derive(Fixtures.mergedRef) }
        #expect(patient?["name"] != nil)
        #expect(patient?["active"]?.boolValue == false)
        #expect(JSON.object(patient ?? JSONObject())["link", 0, "type"]?.stringValue == "replaced-by")
    }
}
