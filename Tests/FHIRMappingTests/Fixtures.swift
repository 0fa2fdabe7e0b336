import ClinicalModel
import FHIRR4

/// Hand-built canonical records: synthetic data that exercises every field the mapper reads.
enum Fixtures {
    static let mrnSystem = "urn:oid:2.16.840.1.113883.19.5"
    static let patientRef = EntityRef(.patient, key: "MR|urn:oid:2.16.840.1.113883.19.5|12345")
    static let mergedRef = EntityRef(.patient, key: "MR|urn:oid:2.16.840.1.113883.19.5|99999")
    static let practitionerRef = EntityRef(.practitioner, key: "NPI|1234567893")
    static let organizationRef = EntityRef(.organization, key: "ORG|GOODHEALTH")
    static let payorRef = EntityRef(.organization, key: "ORG|ACME-INSURANCE")
    static let locationRef = EntityRef(.location, key: "LOC|4E|401|B")
    static let encounterRef = EntityRef(.encounter, key: "VN|V0001")
    static let specimenRef = EntityRef(.specimen, key: "SPM|S-1")
    static let orderRef = EntityRef(.serviceRequest, key: "FILLER|LAB|F-1")

    static func dt(_ text: String) -> ClinicalDateTime { ClinicalDateTime(fhir: text) }
    static func decimal(_ text: String) -> DecimalValue { DecimalValue(lexical: text) }
    static func loinc(_ code: String, _ display: String) -> Concept {
        Concept(Coding(system: "http://loinc.org", code: code, display: display))
    }
    static func location(_ segment: String, _ occurrence: Int = 1) -> SourceLocation {
        .hl7(message: 1, segment: segment, occurrence: occurrence)
    }

    static var document: SourceDocument {
        var document = SourceDocument(format: .hl7v2, inputName: "adt-a01-basic.hl7", index: 1)
        document.controlID = "MSG00001"
        document.type = "ADT^A01^ADT_A01"
        document.version = "2.5.1"
        document.recorded = dt("2024-03-05T10:30:00+01:00")
        document.sendingApplication = "LABSYS"
        document.sendingFacility = "GOOD HEALTH HOSPITAL"
        document.digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        return document
    }

    static var patient: Patient {
        var patient = Patient(ref: patientRef, source: location("PID"))
        patient.identifiers = [
            Identifier(
                system: mrnSystem, value: "12345",
                type: Concept(Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0203", code: "MR")),
                use: "usual"),
            Identifier(value: "AB-77", assigner: "State DMV"),
        ]
        patient.names = [
            HumanName(use: "official", family: "Everyman", given: ["Adam", "A."], prefix: ["Mr."], suffix: ["III"]),
            HumanName(use: "maiden", family: "Smith", period: Period(end: dt("2001-06-01"))),
        ]
        patient.telecom = [
            ContactPoint(system: "phone", value: "+1 555 555 2004", use: "home", rank: 1),
            ContactPoint(value: "555-0000"),
        ]
        patient.gender = Coding(system: "http://hl7.org/fhir/administrative-gender", code: "male")
        patient.birthDate = dt("1961-06-15T08:45:00-05:00")
        patient.deceased = false
        patient.addresses = [
            Address(
                use: "home", type: "physical", lines: ["2222 Home Street", "Apt 4"], city: "Ann Arbor",
                district: "Washtenaw", state: "MI", postalCode: "99999", country: "USA")
        ]
        patient.maritalStatus = Concept(
            Coding(system: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", code: "M", display: "Married"))
        patient.races = [
            Concept(codings: [Coding(system: "urn:oid:2.16.840.1.113883.6.238", code: "2106-3", display: "White")]),
            Concept(
                codings: [Coding(system: "urn:oid:2.16.840.1.113883.6.238", code: "2108-9", display: "European")],
                text: "European"),
        ]
        patient.ethnicities = [
            Concept(codings: [Coding(system: "HL70189", code: "N", display: "Not Hispanic or Latino")])
        ]
        patient.languages = [Concept(Coding(system: "urn:ietf:bcp:47", code: "en", display: "English"))]
        patient.religion = Concept(
            Coding(system: "http://terminology.hl7.org/CodeSystem/v3-ReligiousAffiliation", code: "1013"))
        patient.multipleBirth = true
        patient.birthOrder = 2
        patient.mothersMaidenName = HumanName(family: "Jones")
        patient.birthPlace = "Ann Arbor, MI"
        patient.generalPractitioners = [practitionerRef]
        patient.managingOrganization = organizationRef
        patient.lastUpdated = dt("2024-03-05T10:30:00Z")
        return patient
    }

    static var practitioner: Practitioner {
        var practitioner = Practitioner(ref: practitionerRef, source: location("PV1"))
        practitioner.identifiers = [Identifier(system: "http://hl7.org/fhir/sid/us-npi", value: "1234567893")]
        practitioner.names = [HumanName(family: "Careful", given: ["Carl"], prefix: ["Dr."])]
        practitioner.qualifications = [Concept(text: "MD")]
        return practitioner
    }

    static var organization: Organization {
        var organization = Organization(ref: organizationRef)
        organization.identifiers = [Identifier(system: "urn:oid:2.16.840.1.113883.19", value: "GOODHEALTH")]
        organization.name = "Good Health Hospital"
        organization.type = Concept(
            Coding(system: "http://terminology.hl7.org/CodeSystem/organization-type", code: "prov"))
        return organization
    }

    static var payor: Organization {
        var organization = Organization(ref: payorRef, source: location("IN1"))
        organization.name = "Acme Insurance"
        return organization
    }

    static var location: Location {
        var location = Location(ref: locationRef, source: location("PV1"))
        location.name = "4E 401 B"
        location.physicalType = Coding(
            system: "http://terminology.hl7.org/CodeSystem/location-physical-type", code: "bd", display: "Bed")
        location.managingOrganization = organizationRef
        return location
    }

    static var relatedPerson: RelatedPerson {
        var person = RelatedPerson(
            ref: EntityRef(.relatedPerson, key: "NK1|1|12345"), patient: patientRef, source: location("NK1"))
        person.relationship = [
            Concept(Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0063", code: "SPO", display: "Spouse"))
        ]
        person.names = [HumanName(family: "Everyman", given: ["Eve"])]
        person.telecom = [ContactPoint(system: "phone", value: "+1 555 555 2005", use: "mobile")]
        person.gender = Coding(system: "http://hl7.org/fhir/administrative-gender", code: "female", display: "Female")
        return person
    }

    static var encounter: Encounter {
        var encounter = Encounter(ref: encounterRef, source: location("PV1"))
        encounter.patient = patientRef
        encounter.identifiers = [Identifier(system: "urn:oid:2.16.840.1.113883.19.6", value: "V0001")]
        encounter.status = "in-progress"
        encounter.patientClass = Coding(
            system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "IMP", display: "inpatient encounter")
        encounter.type = [Concept(text: "Emergency admission")]
        encounter.serviceType = Concept(text: "Cardiology")
        encounter.hospitalService = Concept(Coding(system: "HL70069", code: "MED"))
        encounter.period = Period(start: dt("2024-03-05T10:00:00+01:00"))
        encounter.reasons = [Concept(text: "Chest pain")]
        encounter.participants = [
            Participant(
                role: Concept(
                    Coding(
                        system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code: "ATND")),
                who: practitionerRef)
        ]
        encounter.locations = [locationRef]
        encounter.priorLocation = EntityRef(.location, key: "LOC|ER|1")
        encounter.admitSource = Concept(text: "Emergency room")
        encounter.diet = [Concept(text: "Vegetarian")]
        encounter.length = Quantity(value: decimal("3"), unit: "days", system: "http://unitsofmeasure.org", code: "d")
        encounter.serviceProvider = organizationRef
        return encounter
    }

    static func observation(_ suffix: String, _ value: ObservationValue?) -> Observation {
        var observation = Observation(
            ref: EntityRef(.observation, key: "OBS|F-1|" + suffix), code: loinc("8867-4", "Heart rate"),
            source: location("OBX"))
        observation.patient = patientRef
        observation.encounter = encounterRef
        observation.status = "final"
        observation.categories = ["vital-signs"]
        observation.value = value
        observation.effective = dt("2024-03-05T10:15:00+01:00")
        observation.issued = dt("2024-03-05T11:00:00.123+01:00")
        return observation
    }

    /// One observation per `ObservationValue` case.
    static var observations: [Observation] {
        let mg = Quantity(value: decimal("0.010"), unit: "mg", system: "http://unitsofmeasure.org", code: "mg")
        let ml = Quantity(value: decimal("1"), unit: "mL", system: "http://unitsofmeasure.org", code: "mL")
        var quantity = observation(
            "quantity",
            .quantity(
                Quantity(value: decimal("72"), unit: "/min", system: "http://unitsofmeasure.org", code: "/min")))
        quantity.referenceRange = [
            ReferenceRange(
                low: Quantity(value: decimal("60"), unit: "/min"), high: Quantity(value: decimal("100"), unit: "/min"),
                text: "60-100")
        ]
        quantity.interpretation = [
            Concept(
                Coding(
                    system: "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", code: "N"))
        ]
        quantity.performers = [practitionerRef]
        quantity.basedOn = [orderRef]
        quantity.specimen = specimenRef
        quantity.method = Concept(text: "Auscultation")
        quantity.bodySite = Concept(text: "Chest")
        quantity.note = [
            Annotation(text: "Patient at rest", time: dt("2024-03-05T10:16:00+01:00"), author: practitionerRef)
        ]
        var panel = observation("panel", nil)
        panel.code = loinc("85354-9", "Blood pressure panel")
        panel.members = [EntityRef(.observation, key: "OBS|F-1|quantity")]
        var systolic = ObservationComponent(
            code: loinc("8480-6", "Systolic blood pressure"),
            value: .quantity(
                Quantity(value: decimal("120"), unit: "mmHg", system: "http://unitsofmeasure.org", code: "mm[Hg]")))
        systolic.interpretation = [Concept(text: "normal")]
        var diastolic = ObservationComponent(code: loinc("8462-4", "Diastolic blood pressure"), value: nil)
        diastolic.dataAbsentReason = "not-performed"
        panel.components = [systolic, diastolic]
        var absent = observation("absent", nil)
        absent.dataAbsentReason = "asked-declined"
        return [
            quantity,
            observation(
                "concept",
                .concept(Concept(Coding(system: "http://snomed.info/sct", code: "260385009", display: "Negative")))),
            observation("string", .string("Clear, yellow")),
            observation("dateTime", .dateTime(dt("2024-03-01"))),
            observation("ratio", .ratio(numerator: mg, denominator: ml)),
            observation(
                "range",
                .range(
                    low: Quantity(value: decimal("1.5"), unit: "g"), high: Quantity(value: decimal("2.5"), unit: "g"))),
            observation("boolean", .boolean(false)),
            observation("integer", .integer(3)),
            observation("bigInteger", .integer(5_000_000_000)),
            observation(
                "period", .period(Period(start: dt("2024-03-01T08:00:00Z"), end: dt("2024-03-02T08:00:00Z")))),
            panel,
            absent,
        ]
    }

    static var condition: Condition {
        var condition = Condition(ref: EntityRef(.condition, key: "DG1|1|V0001"), source: location("DG1"))
        condition.patient = patientRef
        condition.encounter = encounterRef
        condition.code = Concept(Coding(system: "http://hl7.org/fhir/sid/icd-10-cm", code: "I10"))
        condition.category = "encounter-diagnosis"
        condition.clinicalStatus = "active"
        condition.verificationStatus = "confirmed"
        condition.onset = dt("2020")
        condition.recordedDate = dt("2024-03-05T10:20:00+01:00")
        condition.recorder = practitionerRef
        condition.diagnosisType = Concept(Coding(system: "HL70052", code: "A", display: "Admitting"))
        condition.rank = 1
        return condition
    }

    static var allergy: Allergy {
        var allergy = Allergy(ref: EntityRef(.allergy, key: "AL1|PCN|12345"), source: location("AL1"))
        allergy.patient = patientRef
        allergy.code = Concept(Coding(system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "7980"))
        allergy.type = "allergy"
        allergy.categories = ["medication"]
        allergy.criticality = "high"
        allergy.clinicalStatus = "active"
        allergy.verificationStatus = "confirmed"
        allergy.reactions = [
            AllergyReaction(manifestations: [Concept(text: "Hives")], severity: "moderate"),
            AllergyReaction(manifestations: [], severity: "severe", description: "Reaction not described further"),
        ]
        return allergy
    }

    static var procedure: Procedure {
        var procedure = Procedure(ref: EntityRef(.procedure, key: "PR1|1|V0001"), source: location("PR1"))
        procedure.patient = patientRef
        procedure.encounter = encounterRef
        procedure.code = Concept(Coding(system: "http://snomed.info/sct", code: "80146002"))
        procedure.performed = Period(start: dt("2024-03-05T12:00:00+01:00"))
        procedure.performers = [Participant(who: practitionerRef)]
        return procedure
    }

    static var immunization: Immunization {
        var immunization = Immunization(ref: EntityRef(.immunization, key: "RXA|1|12345"), source: location("RXA"))
        immunization.patient = patientRef
        immunization.vaccine = Concept(Coding(system: "http://hl7.org/fhir/sid/cvx", code: "08"))
        immunization.occurrence = dt("2024-01-10")
        immunization.primarySource = true
        immunization.lotNumber = "LOT123"
        immunization.programEligibility = [
            Concept(Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0064", code: "V02"))
        ]
        immunization.fundingSource = Concept(text: "Public")
        immunization.expirationDate = dt("2025-12-31")
        immunization.dose = Quantity(value: decimal("0.5"), unit: "mL", system: "http://unitsofmeasure.org", code: "mL")
        return immunization
    }

    static var medication: Medication {
        var medication = Medication(ref: EntityRef(.medication, key: "ORC|P-1"), source: location("RXE"))
        medication.patient = patientRef
        medication.code = Concept(Coding(system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "197361"))
        medication.authoredOn = dt("2024-03-05T10:40:00+01:00")
        medication.requester = practitionerRef
        medication.dosageText = "1 tablet by mouth twice daily"
        medication.doseQuantity = Quantity(value: decimal("1"), unit: "tablet")
        medication.timing = "BID"
        medication.period = Period(start: dt("2024-03-05"), end: dt("2024-03-12"))
        medication.dispenseQuantity = Quantity(value: decimal("14"), unit: "tablet")
        medication.refills = 0
        return medication
    }

    static var serviceRequest: ServiceRequest {
        var request = ServiceRequest(ref: orderRef, source: location("OBR"))
        request.patient = patientRef
        request.encounter = encounterRef
        request.identifiers = [Identifier(system: "urn:oid:2.16.840.1.113883.19.7", value: "F-1")]
        request.code = loinc("24331-1", "Lipid panel")
        request.status = "completed"
        request.priority = "routine"
        request.authoredOn = dt("2024-03-05T09:00:00+01:00")
        request.requester = practitionerRef
        request.specimens = [specimenRef]
        return request
    }

    static var specimen: Specimen {
        var specimen = Specimen(ref: specimenRef, source: location("SPM"))
        specimen.patient = patientRef
        specimen.identifiers = [Identifier(system: "urn:oid:2.16.840.1.113883.19.8", value: "S-1")]
        specimen.type = Concept(text: "Blood")
        specimen.collected = Period(start: dt("2024-03-05T09:30:00+01:00"))
        specimen.quantity = Quantity(value: decimal("5"), unit: "mL", system: "http://unitsofmeasure.org", code: "mL")
        return specimen
    }

    static var diagnosticReport: DiagnosticReport {
        var report = DiagnosticReport(
            ref: EntityRef(.diagnosticReport, key: "OBR|F-1"), code: loinc("24331-1", "Lipid panel"),
            source: location("OBR"))
        report.patient = patientRef
        report.status = "final"
        report.categories = [Concept(Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0074", code: "LAB"))]
        report.effective = Period(start: dt("2024-03-05T09:30:00+01:00"), end: dt("2024-03-05T10:00:00+01:00"))
        report.issued = dt("2024-03-05")
        report.results = [EntityRef(.observation, key: "OBS|F-1|quantity")]
        report.basedOn = [orderRef]
        report.specimens = [specimenRef]
        report.performers = [organizationRef]
        report.conclusion = "Within normal limits"
        return report
    }

    static var note: DocumentNote {
        var note = DocumentNote(ref: EntityRef(.document, key: "TXA|D-1"), source: location("TXA"))
        note.patient = patientRef
        note.encounter = encounterRef
        note.docStatus = "final"
        note.type = Concept(text: "Discharge summary")
        note.date = dt("2024-03-06T08:00+01:00")
        note.authors = [practitionerRef]
        note.text = "Patient discharged in good condition. ✓"
        note.title = "Discharge summary"
        return note
    }

    static var appointment: Appointment {
        var appointment = Appointment(ref: EntityRef(.appointment, key: "SCH|A-1"), source: location("SCH"))
        appointment.patient = patientRef
        appointment.serviceType = [Concept(text: "Follow-up")]
        appointment.reason = [Concept(text: "Blood pressure check")]
        appointment.start = dt("2024-04-01T09:00+01:00")
        appointment.end = dt("2024-04-01T09:30:00+01:00")
        appointment.minutesDuration = 30
        appointment.description = "Follow-up visit"
        appointment.practitioners = [practitionerRef]
        appointment.locations = [locationRef]
        return appointment
    }

    static var coverage: Coverage {
        var coverage = Coverage(ref: EntityRef(.coverage, key: "IN1|1|12345"), source: location("IN1"))
        coverage.patient = patientRef
        coverage.payor = payorRef
        coverage.identifiers = [Identifier(system: "urn:oid:2.16.840.1.113883.19.9", value: "POL-1")]
        coverage.subscriberId = "SUB-1"
        coverage.relationship = Concept(
            Coding(system: "http://terminology.hl7.org/CodeSystem/subscriber-relationship", code: "self"))
        coverage.period = Period(start: dt("2024-01-01"), end: dt("2024-12-31"))
        coverage.planName = "Gold"
        coverage.groupNumber = "G-100"
        return coverage
    }

    static var patientLink: PatientLink {
        var link = PatientLink(
            ref: EntityRef(.patientLink, key: "MRG|99999"), survivor: patientRef, merged: mergedRef,
            source: location("MRG"))
        link.mergedIdentifiers = [Identifier(system: mrnSystem, value: "99999")]
        return link
    }

    static var carePlan: CarePlan {
        var plan = CarePlan(ref: EntityRef(.carePlan, key: "CP|1|12345"), source: location("PTH"))
        plan.patient = patientRef
        plan.encounter = encounterRef
        plan.identifiers = [Identifier(system: "urn:oid:2.16.840.1.113883.19.10", value: "CP-1")]
        plan.status = "active"
        plan.intent = "plan"
        plan.categories = [Concept(Coding(system: "http://snomed.info/sct", code: "734163000", display: "Care plan"))]
        plan.title = "Hypertension care"
        plan.period = Period(start: dt("2024-03-05"), end: dt("2024-09-05"))
        plan.reasons = [Concept(Coding(system: "http://hl7.org/fhir/sid/icd-10-cm", code: "I10"))]
        plan.activities = [
            Concept(Coding(system: "http://snomed.info/sct", code: "229065009", display: "Exercise therapy")),
            Concept(text: "Low-salt diet"),
        ]
        plan.note = [Annotation(text: "Review in six months")]
        return plan
    }

    static var imagingStudy: ImagingStudy {
        var study = ImagingStudy(ref: EntityRef(.imagingStudy, key: "IS|1.2.840.99|12345"), source: location("OBR"))
        study.patient = patientRef
        study.encounter = encounterRef
        study.identifiers = [Identifier(system: "urn:dicom:uid", value: "urn:oid:1.2.840.99")]
        study.status = "available"
        study.started = dt("2024-03-05T11:30:00+01:00")
        study.modalities = [Coding(system: "http://dicom.nema.org/resources/ontology/DCM", code: "CT")]
        study.bodySite = Coding(system: "http://snomed.info/sct", code: "51185008", display: "Thorax")
        study.sopClass = Coding(system: "urn:ietf:rfc:3986", code: "urn:oid:1.2.840.10008.5.1.4.1.1.2")
        study.procedureCode = Concept(Coding(system: "http://loinc.org", code: "24627-2", display: "Chest CT"))
        study.description = "CT chest without contrast"
        return study
    }

    /// A record holding one of everything.
    static var fullRecord: ClinicalRecord {
        var record = ClinicalRecord(document: document)
        record.patients = [patient]
        record.relatedPersons = [relatedPerson]
        record.practitioners = [practitioner]
        record.organizations = [organization, payor]
        record.locations = [location]
        record.encounters = [encounter]
        record.conditions = [condition]
        record.allergies = [allergy]
        record.procedures = [procedure]
        record.immunizations = [immunization]
        record.medications = [medication]
        record.serviceRequests = [serviceRequest]
        record.specimens = [specimen]
        record.observations = observations
        record.diagnosticReports = [diagnosticReport]
        record.documents = [note]
        record.appointments = [appointment]
        record.coverages = [coverage]
        record.carePlans = [carePlan]
        record.imagingStudies = [imagingStudy]
        record.patientLinks = [patientLink]
        return record
    }

    /// A second message about the same patient: an update with a new observation.
    static var secondRecord: ClinicalRecord {
        var document = SourceDocument(format: .hl7v2, inputName: "adt-a01-basic.hl7", index: 2)
        document.recorded = dt("2024-03-06")
        document.digest = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
        var record = ClinicalRecord(document: document)
        var patient = patient
        patient.names = [HumanName(use: "official", family: "Everyman", given: ["Adam"])]
        record.patients = [patient]
        record.observations = [observation("second", .quantity(Quantity(value: decimal("80"), unit: "/min")))]
        return record
    }
}

extension JSON {
    /// Follows a path of object keys and array indexes.
    subscript(path: Any...) -> JSON? {
        var current: JSON? = self
        for step in path {
            if let key = step as? String {
                current = current?[key]
            } else if let index = step as? Int, let items = current?.arrayValue, index < items.count {
                current = items[index]
            } else {
                return nil
            }
        }
        return current
    }
}
