import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

/// Required elements the source does not give are marked absent, never invented.
@Suite struct AbsentDataTests {
    /// One of each kind with only what its initializer needs.
    static var sparseRecord: ClinicalRecord {
        var record = ClinicalRecord(document: SourceDocument(format: .csv, inputName: "patients.csv", index: 7))
        let patient = EntityRef(.patient, key: "CSV|7")
        record.patients = [Patient(ref: patient)]
        record.encounters = [Encounter(ref: EntityRef(.encounter, key: "E|7"))]
        record.conditions = [Condition(ref: EntityRef(.condition, key: "C|7"))]
        record.allergies = [Allergy(ref: EntityRef(.allergy, key: "A|7"))]
        record.procedures = [Procedure(ref: EntityRef(.procedure, key: "P|7"))]
        record.immunizations = [Immunization(ref: EntityRef(.immunization, key: "I|7"))]
        record.medications = [Medication(ref: EntityRef(.medication, key: "M|7"))]
        record.serviceRequests = [ServiceRequest(ref: EntityRef(.serviceRequest, key: "S|7"))]
        record.specimens = [Specimen(ref: EntityRef(.specimen, key: "SP|7"))]
        record.observations = [Observation(ref: EntityRef(.observation, key: "O|7"), code: Concept())]
        record.diagnosticReports = [DiagnosticReport(ref: EntityRef(.diagnosticReport, key: "R|7"), code: Concept())]
        record.documents = [DocumentNote(ref: EntityRef(.document, key: "D|7"))]
        record.appointments = [Appointment(ref: EntityRef(.appointment, key: "AP|7"))]
        record.coverages = [Coverage(ref: EntityRef(.coverage, key: "CV|7"))]
        record.relatedPersons = [RelatedPerson(ref: EntityRef(.relatedPerson, key: "RP|7"), patient: patient)]
        record.practitioners = [Practitioner(ref: EntityRef(.practitioner, key: "PR|7"))]
        record.organizations = [Organization(ref: EntityRef(.organization, key: "OR|7"))]
        record.locations = [Location(ref: EntityRef(.location, key: "L|7"))]
        return record
    }

    static func absent(_ value: JSON?) -> Bool {
        value?["extension"]?.arrayValue?.first?["url"]?.stringValue
            == "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
    }

    @Test func immunizationWithoutOccurrenceMarksItAbsent() {
        let (resource, diagnostics) = FHIRMapper().immunization(Immunization(ref: EntityRef(.immunization, key: "1")))
        let json = JSON.object(resource)
        #expect(json["occurrenceDateTime"] == nil)
        #expect(json["occurrenceString"] == nil)
        #expect(Self.absent(json["_occurrenceDateTime"]))
        #expect(Self.absent(json["vaccineCode"]))
        #expect(Self.absent(json["patient"]))
        #expect(json["status"]?.stringValue == "completed")
        #expect(diagnostics.contains { $0.kind == .missingRequiredElement && $0.code == "Immunization.occurrence[x]" })
    }

    @Test func coverageWithoutPayorHoldsAnAbsentPayorAndReadsBack() throws {
        var coverage = Fixtures.coverage
        coverage.payor = nil
        let (resource, diagnostics) = FHIRMapper().coverage(coverage)
        let json = JSON.object(try #require(resource))
        #expect(json["payor"]?.arrayValue?.count == 1)
        #expect(Self.absent(json["payor"]?.arrayValue?.first))
        #expect(diagnostics.map(\.kind) == [.missingRequiredElement])
        #expect(diagnostics.first?.code == "Coverage.payor")
        #expect(diagnostics.first?.location == Fixtures.location("IN1"))
        var record = ClinicalRecord(document: Fixtures.document)
        record.coverages = [coverage]
        let (bundle, _) = BundleBuilder().bundle([record], type: .collection)
        #expect(JSONChecks.resource(bundle, type: "Coverage") != nil)
    }

    @Test func encounterWithoutActCodeClassUsesNullFlavorAndKeepsTheSource() {
        var encounter = Encounter(ref: EntityRef(.encounter, key: "1"))
        encounter.patientClass = Coding(system: "HL70004", code: "I")
        let (resource, diagnostics) = FHIRMapper().encounter(encounter)
        let json = JSON.object(resource)
        #expect(json["status"]?.stringValue == "unknown")
        #expect(json["class", "system"]?.stringValue == "http://terminology.hl7.org/CodeSystem/v3-NullFlavor")
        #expect(json["class", "code"]?.stringValue == "UNK")
        #expect(json["class", "display"]?.stringValue == "unknown")
        #expect(json["extension", 0, "valueCoding", "code"]?.stringValue == "I")
        #expect(diagnostics.contains { $0.kind == .unmappedEncounterClass && $0.code == nil })
    }

    @Test func appointmentWithoutActorsStillHasAParticipant() {
        let (resource, _) = FHIRMapper().appointment(Appointment(ref: EntityRef(.appointment, key: "1")))
        let json = JSON.object(resource)
        #expect(json["participant", 0, "status"]?.stringValue == "accepted")
        #expect(Self.absent(json["participant", 0, "actor"]))
    }

    @Test func allergyWithoutClinicalStatusMarksItAbsentUnlessEnteredInError() {
        var allergy = Allergy(ref: EntityRef(.allergy, key: "1"))
        #expect(Self.absent(JSON.object(FHIRMapper().allergyIntolerance(allergy).0)["clinicalStatus"]))
        allergy.verificationStatus = "entered-in-error"
        allergy.clinicalStatus = "active"
        let (resource, diagnostics) = FHIRMapper().allergyIntolerance(allergy)
        #expect(resource["clinicalStatus"] == nil)
        #expect(diagnostics.contains { $0.kind == .conflictingElements })
    }

    @Test func reactionWithoutManifestationKeepsItsDetails() {
        let json = JSON.object(FHIRMapper().allergyIntolerance(Fixtures.allergy).0)
        #expect(json["reaction", 0, "manifestation", 0, "text"]?.stringValue == "Hives")
        #expect(Self.absent(json["reaction", 1, "manifestation", 0]))
        #expect(json["reaction", 1, "severity"]?.stringValue == "severe")
        #expect(json["reaction", 1, "description"]?.stringValue == "Reaction not described further")
    }

    @Test func invalidStatusFallsBackToUnknownOrAbsent() {
        var observation = Fixtures.observation("x", nil)
        observation.status = "F"
        let (resource, diagnostics) = FHIRMapper().observation(observation)
        #expect(resource["status"]?.stringValue == "unknown")
        #expect(
            diagnostics.contains { $0.kind == .invalidCode && $0.system == "http://hl7.org/fhir/observation-status" })
        var appointment = Fixtures.appointment
        appointment.status = "BOOKED"
        let json = JSON.object(FHIRMapper().appointment(appointment).0)
        #expect(json["status"] == nil)
        #expect(Self.absent(json["_status"]))
    }

    @Test func sparseRecordHasNoEmptyElements() {
        let (resources, _) = BundleBuilder().resources(Self.sparseRecord)
        #expect(resources.count == 20)  // 18 entities + a payor-less Coverage + Provenance + fhirbridge Device
        for resource in resources {
            #expect(JSONChecks.emptyElements(.object(resource)).isEmpty, "\(resource["resourceType"] ?? .null)")
        }
    }
}
