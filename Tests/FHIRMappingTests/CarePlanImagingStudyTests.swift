import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

@Suite struct CarePlanImagingStudyTests {
    let mapper = FHIRMapper()
    let patientReference = "Patient/" + ResourceID.derive(Fixtures.patientRef)

    @Test func carePlanElementsFollowR4Order() {
        let (resource, diagnostics) = mapper.carePlan(Fixtures.carePlan)
        #expect(
            resource.keys == [
                "resourceType", "id", "extension", "identifier", "status", "intent", "category", "title", "subject",
                "encounter", "period", "activity", "note",
            ])
        #expect(resource["id"]?.stringValue == ResourceID.derive(Fixtures.carePlan.ref))
        #expect(diagnostics.isEmpty)
    }

    @Test func carePlanActivitiesAndReasons() {
        let json = JSON.object(mapper.carePlan(Fixtures.carePlan).0)
        #expect(json["status"]?.stringValue == "active")
        #expect(json["intent"]?.stringValue == "plan")
        #expect(json["subject", "reference"]?.stringValue == patientReference)
        #expect(json["activity", 0, "detail", "code", "coding", 0, "code"]?.stringValue == "229065009")
        #expect(json["activity", 1, "detail", "code", "text"]?.stringValue == "Low-salt diet")
        // detail.status is required and the record has none
        #expect(json["activity", 0, "detail", "status"]?.stringValue == "unknown")
        #expect(
            json["extension", 0, "url"]?.stringValue == "http://fhirbridge.dev/fhir/StructureDefinition/careplan-reason"
        )
        #expect(json["extension", 0, "valueCodeableConcept", "coding", 0, "code"]?.stringValue == "I10")
        #expect(json["period", "end"]?.stringValue == "2024-09-05")
    }

    @Test func sparseCarePlanMarksRequiredElements() {
        var plan = CarePlan(ref: EntityRef(.carePlan, key: "1"))
        plan.intent = "PLAN"
        let (resource, diagnostics) = mapper.carePlan(plan)
        let json = JSON.object(resource)
        #expect(json["status"]?.stringValue == "unknown")
        #expect(json["intent"] == nil)
        #expect(AbsentDataTests.absent(json["_intent"]))
        #expect(json["_intent", "extension", 1, "valueString"]?.stringValue == "PLAN")
        #expect(AbsentDataTests.absent(json["subject"]))
        #expect(diagnostics.contains { $0.kind == .invalidCode && $0.system == "http://hl7.org/fhir/request-intent" })
        #expect(JSONChecks.emptyElements(json).isEmpty)
    }

    @Test func imagingStudyHasNoSeriesWithoutASeriesUID() {
        let (resource, diagnostics) = mapper.imagingStudy(Fixtures.imagingStudy)
        let json = JSON.object(resource)
        #expect(
            resource.keys == [
                "resourceType", "id", "extension", "identifier", "status", "modality", "subject", "encounter",
                "started", "procedureCode", "description",
            ])
        #expect(json["series"] == nil)
        #expect(json["status"]?.stringValue == "available")
        #expect(json["modality", 0, "code"]?.stringValue == "CT")
        #expect(json["procedureCode", 0, "coding", 0, "code"]?.stringValue == "24627-2")
        let urls = (json["extension"]?.arrayValue ?? []).compactMap { $0["url"]?.stringValue }
        #expect(
            urls == [
                "http://fhirbridge.dev/fhir/StructureDefinition/imagingstudy-body-site",
                "http://fhirbridge.dev/fhir/StructureDefinition/imagingstudy-sop-class",
            ])
        #expect(json["extension", 0, "valueCoding", "code"]?.stringValue == "51185008")
        #expect(diagnostics.isEmpty)
    }

    @Test func sparseImagingStudyFallsBackToUnknownStatus() {
        var study = ImagingStudy(ref: EntityRef(.imagingStudy, key: "1"))
        study.status = "AV"
        let json = JSON.object(mapper.imagingStudy(study).0)
        #expect(json["status"]?.stringValue == "unknown")
        #expect(json["_status", "extension", 0, "valueString"]?.stringValue == "AV")
        #expect(AbsentDataTests.absent(json["subject"]))
    }

    @Test func bothAreEmittedAndReadBack() {
        var record = ClinicalRecord(document: Fixtures.document)
        record.patients = [Fixtures.patient]
        record.encounters = [Fixtures.encounter]
        record.carePlans = [Fixtures.carePlan]
        record.imagingStudies = [Fixtures.imagingStudy]
        let (resources, _) = BundleBuilder().resources(record)
        let types = resources.compactMap { $0["resourceType"]?.stringValue }
        #expect(types.contains("CarePlan") && types.contains("ImagingStudy"))
        let read = FHIRReader().records(from: resources).0.first?.withoutSourceLocations()
        let expected = record.withoutSourceLocations()
        #expect(read?.carePlans == expected.carePlans)
        #expect(read?.imagingStudies == expected.imagingStudies)
    }
}
