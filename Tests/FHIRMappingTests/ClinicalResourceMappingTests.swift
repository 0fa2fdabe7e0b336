import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

@Suite struct ClinicalResourceMappingTests {
    let mapper = FHIRMapper()
    let patientReference = "Patient/" + ResourceID.derive(Fixtures.patientRef)

    @Test func condition() {
        let json = JSON.object(mapper.condition(Fixtures.condition).0)
        #expect(
            json.objectValue?.keys == [
                "resourceType", "id", "extension", "clinicalStatus", "verificationStatus", "category", "code",
                "subject",
                "encounter", "onsetDateTime", "recordedDate", "recorder",
            ])
        #expect(
            json["clinicalStatus", "coding", 0, "system"]?.stringValue
                == "http://terminology.hl7.org/CodeSystem/condition-clinical")
        #expect(json["clinicalStatus", "coding", 0, "code"]?.stringValue == "active")
        #expect(
            json["verificationStatus", "coding", 0, "system"]?.stringValue
                == "http://terminology.hl7.org/CodeSystem/condition-ver-status")
        #expect(
            json["category", 0, "coding", 0, "system"]?.stringValue
                == "http://terminology.hl7.org/CodeSystem/condition-category")
        #expect(json["category", 0, "coding", 0, "code"]?.stringValue == "encounter-diagnosis")
        #expect(json["subject", "reference"]?.stringValue == patientReference)
        #expect(json["onsetDateTime"]?.stringValue == "2020")
        #expect(json["extension", 0, "valueCodeableConcept", "coding", 0, "code"]?.stringValue == "A")
        #expect(json["extension", 1, "valuePositiveInt"]?.numberLexical == "1")
    }

    @Test func allergyIntolerance() {
        let json = JSON.object(mapper.allergyIntolerance(Fixtures.allergy).0)
        #expect(
            json.objectValue?.keys == [
                "resourceType", "id", "clinicalStatus", "verificationStatus", "type", "category", "criticality", "code",
                "patient", "reaction",
            ])
        #expect(
            json["clinicalStatus", "coding", 0, "system"]?.stringValue
                == "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical")
        #expect(json["type"]?.stringValue == "allergy")
        #expect(json["category"] == .array([.string("medication")]))
        #expect(json["criticality"]?.stringValue == "high")
        #expect(json["patient", "reference"]?.stringValue == patientReference)
        #expect(json["reaction", 0, "severity"]?.stringValue == "moderate")
    }

    @Test func noKnownAllergyIsASNOMEDStatement() {
        var allergy = Allergy(ref: EntityRef(.allergy, key: "NKA"))
        allergy.patient = Fixtures.patientRef
        allergy.noKnownAllergy = true
        allergy.clinicalStatus = "active"
        let json = JSON.object(mapper.allergyIntolerance(allergy).0)
        #expect(json["code", "coding", 0, "system"]?.stringValue == "http://snomed.info/sct")
        #expect(json["code", "coding", 0, "code"]?.stringValue == "716186003")
    }

    @Test func procedure() {
        let json = JSON.object(mapper.procedure(Fixtures.procedure).0)
        #expect(json["status"]?.stringValue == "completed")
        #expect(json["performedDateTime"]?.stringValue == "2024-03-05T12:00:00+01:00")
        #expect(json["performer", 0, "actor", "reference"] != nil)
        #expect(json["subject", "reference"]?.stringValue == patientReference)
        var period = Fixtures.procedure
        period.performed?.end = Fixtures.dt("2024-03-05T13:00:00+01:00")
        #expect(JSON.object(mapper.procedure(period).0)["performedPeriod", "end"] != nil)
    }

    @Test func immunization() {
        let json = JSON.object(mapper.immunization(Fixtures.immunization).0)
        #expect(
            json.objectValue?.keys == [
                "resourceType", "id", "status", "vaccineCode", "patient", "occurrenceDateTime", "primarySource",
                "lotNumber", "expirationDate", "doseQuantity", "programEligibility", "fundingSource",
            ])
        #expect(json["occurrenceDateTime"]?.stringValue == "2024-01-10")
        #expect(json["vaccineCode", "coding", 0, "code"]?.stringValue == "08")
        #expect(json["expirationDate"]?.stringValue == "2025-12-31")
        #expect(json["programEligibility", 0, "coding", 0, "code"]?.stringValue == "V02")
    }

    @Test func medicationRequest() {
        let json = JSON.object(mapper.medicationRequest(Fixtures.medication).0)
        #expect(json["status"]?.stringValue == "active")
        #expect(json["intent"]?.stringValue == "order")
        #expect(json["medicationCodeableConcept", "coding", 0, "code"]?.stringValue == "197361")
        #expect(json["subject", "reference"]?.stringValue == patientReference)
        #expect(json["dosageInstruction", 0, "text"]?.stringValue == "1 tablet by mouth twice daily")
        #expect(json["dosageInstruction", 0, "timing", "code", "text"]?.stringValue == "BID")
        #expect(json["dosageInstruction", 0, "timing", "repeat", "boundsPeriod", "end"]?.stringValue == "2024-03-12")
        #expect(json["dosageInstruction", 0, "doseAndRate", 0, "doseQuantity", "value"]?.numberLexical == "1")
        #expect(json["dispenseRequest", "numberOfRepeatsAllowed"]?.numberLexical == "0")
        #expect(json["dispenseRequest", "quantity", "value"]?.numberLexical == "14")
    }

    @Test func serviceRequestAndSpecimen() {
        let request = JSON.object(mapper.serviceRequest(Fixtures.serviceRequest).0)
        #expect(request["status"]?.stringValue == "completed")
        #expect(request["intent"]?.stringValue == "order")
        #expect(request["priority"]?.stringValue == "routine")
        #expect(request["code", "coding", 0, "code"]?.stringValue == "24331-1")
        #expect(request["specimen", 0, "reference"] != nil)
        let specimen = JSON.object(mapper.specimen(Fixtures.specimen).0)
        #expect(specimen["collection", "collectedDateTime"]?.stringValue == "2024-03-05T09:30:00+01:00")
        #expect(specimen["collection", "quantity", "value"]?.numberLexical == "5")
        #expect(specimen["type", "text"]?.stringValue == "Blood")
    }

    @Test func diagnosticReport() {
        let (resource, diagnostics) = mapper.diagnosticReport(Fixtures.diagnosticReport)
        let json = JSON.object(resource)
        #expect(
            json.objectValue?.keys == [
                "resourceType", "id", "basedOn", "status", "category", "code", "subject", "effectivePeriod", "_issued",
                "performer", "specimen", "result", "conclusion",
            ])
        #expect(json["effectivePeriod", "start"]?.stringValue == "2024-03-05T09:30:00+01:00")
        #expect(json["_issued", "extension", 0, "valueDateTime"]?.stringValue == "2024-03-05")
        #expect(json["result", 0, "reference"] != nil)
        #expect(json["conclusion"]?.stringValue == "Within normal limits")
        #expect(diagnostics.contains { $0.kind == .impreciseInstant })
    }

    @Test func documentReferenceCarriesTheTextAsBase64() {
        let json = JSON.object(mapper.documentReference(Fixtures.note).0)
        #expect(json["status"]?.stringValue == "current")
        #expect(json["docStatus"]?.stringValue == "final")
        #expect(json["date"]?.stringValue == "2024-03-06T08:00:00+01:00")
        #expect(json["content", 0, "attachment", "contentType"]?.stringValue == "text/plain")
        // "Patient discharged in good condition. ✓" as UTF-8, base64 (RFC 4648)
        #expect(
            json["content", 0, "attachment", "data"]?.stringValue
                == "UGF0aWVudCBkaXNjaGFyZ2VkIGluIGdvb2QgY29uZGl0aW9uLiDinJM=")
        #expect(json["content", 0, "attachment", "title"]?.stringValue == "Discharge summary")
        #expect(json["context", "encounter", 0, "reference"] != nil)
    }

    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
    ])
    func base64FollowsRFC4648TestVectors(_ text: String, _ expected: String) {
        var note = DocumentNote(ref: EntityRef(.document, key: "1"))
        note.text = text
        let data = JSON.object(mapper.documentReference(note).0)["content", 0, "attachment", "data"]?.stringValue
        #expect(data == (expected.isEmpty ? nil : expected))
    }
}
