import ClinicalModel

extension RandomRecords {
    /// A record with 0–3 entities of every kind (at least one entity), keys unique per kind.
    mutating func record(index: Int) -> ClinicalRecord {
        var record = ClinicalRecord(document: document(index: index))
        var refs = Refs()
        var used = Set<EntityRef>()
        func make(_ kind: EntityKind, _ count: ClosedRange<Int>, _ generator: inout RandomRecords) -> [EntityRef] {
            var made: [EntityRef] = []
            for _ in 0..<generator.int(count) {
                let ref = EntityRef(kind, key: generator.key())
                if used.insert(ref).inserted { made.append(ref) }
            }
            refs.byKind[kind] = made
            return made
        }
        // Keys first, so references can point at entities of any kind in the record.
        let patients = make(.patient, 1...2, &self)
        let related = make(.relatedPerson, 0...2, &self)
        let practitioners = make(.practitioner, 0...3, &self)
        let organizations = make(.organization, 1...2, &self)
        let locations = make(.location, 0...2, &self)
        let encounters = make(.encounter, 0...2, &self)
        let conditions = make(.condition, 0...2, &self)
        let allergies = make(.allergy, 0...2, &self)
        let procedures = make(.procedure, 0...2, &self)
        let immunizations = make(.immunization, 0...2, &self)
        let medications = make(.medication, 0...2, &self)
        let requests = make(.serviceRequest, 0...2, &self)
        let specimens = make(.specimen, 0...2, &self)
        let observations = make(.observation, 0...3, &self)
        let reports = make(.diagnosticReport, 0...2, &self)
        let documents = make(.document, 0...2, &self)
        let appointments = make(.appointment, 0...2, &self)
        let coverages = make(.coverage, 0...2, &self)
        let carePlans = make(.carePlan, 0...2, &self)
        let studies = make(.imagingStudy, 0...2, &self)
        let links = make(.patientLink, 0...1, &self)

        record.patients = patients.map { patient($0, refs) }
        record.relatedPersons = related.map { relatedPerson($0, refs) }
        record.practitioners = practitioners.map { practitioner($0) }
        record.organizations = organizations.map { organization($0) }
        record.locations = locations.map { location($0, refs) }
        record.encounters = encounters.map { encounter($0, refs) }
        record.conditions = conditions.map { condition($0, refs) }
        record.allergies = allergies.map { allergy($0, refs) }
        record.procedures = procedures.map { procedure($0, refs) }
        record.immunizations = immunizations.map { immunization($0, refs) }
        record.medications = medications.map { medication($0, refs) }
        record.serviceRequests = requests.map { serviceRequest($0, refs) }
        record.specimens = specimens.map { specimen($0, refs) }
        record.observations = observations.map { observation($0, refs) }
        record.diagnosticReports = reports.map { diagnosticReport($0, refs) }
        record.documents = documents.map { document($0, refs) }
        record.appointments = appointments.map { appointment($0, refs) }
        record.coverages = coverages.map { coverage($0, refs) }
        record.carePlans = carePlans.map { carePlan($0, refs) }
        record.imagingStudies = studies.map { imagingStudy($0, refs) }
        record.patientLinks = links.map { patientLink($0, refs) }
        // last, so the entities above are drawn as they were before compositions existed
        let compositions = make(.composition, 0...1, &self)
        record.compositions = compositions.map { composition($0, refs) }
        return record
    }

    static let locationHere = SourceLocation.hl7(message: 1, segment: "ZZZ", occurrence: 1)

    mutating func document(index: Int) -> SourceDocument {
        var document = SourceDocument(
            format: pick(SourceFormat.allCases), inputName: pick(["adt.hl7", "in put.csv", "ccd.xml", "stdin"]),
            index: index)
        document.controlID = maybe(70) { $0.text() }
        document.type = maybe(60) { $0.pick(["ADT^A01^ADT_A01", "ORU^R01", "34133-9"]) }
        document.version = maybe(60) { $0.pick(["2.5.1", "2.8"]) }
        document.recorded = maybe(85) { $0.dateTime() }
        document.sendingApplication = maybe(60) { $0.text() }
        document.sendingFacility = maybe(60) { $0.text() }
        document.digest = maybe(80) { _ in "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }
        return document
    }

    mutating func patient(_ ref: EntityRef, _ refs: Refs) -> Patient {
        var patient = Patient(ref: ref, source: Self.locationHere)
        patient.identifiers = identifiers()
        patient.names = some(0...2) { $0.humanName() }
        patient.telecom = some(0...2) { $0.contactPoint() }
        patient.gender = maybe(80) { $0.gender() }
        patient.birthDate = maybe(80) { $0.dateTime() }
        patient.deceased = maybe(40) { $0.chance(50) }
        patient.deceasedAt = maybe(20) { $0.dateTime() }
        patient.addresses = some(0...2) { $0.address() }
        patient.maritalStatus = maybe(40) { $0.concept() }
        patient.races = some(0...2) { $0.raceConcept(race: true) }
        patient.ethnicities = some(0...1) { $0.raceConcept(race: false) }
        patient.languages = concepts(0...1)
        patient.religion = maybe(20) { $0.concept() }
        patient.multipleBirth = maybe(40) { $0.chance(50) }
        patient.birthOrder = maybe(20) { $0.int(-1...3) }
        patient.mothersMaidenName = maybe(40) { generator in
            generator.chance(50) ? HumanName(family: generator.text()) : generator.humanName()
        }
        patient.birthPlace = maybe(30) { $0.text() }
        patient.generalPractitioners = self.refs(refs, .practitioner)
        patient.managingOrganization = maybe(50) { $0.ref(refs, .organization) }
        patient.lastUpdated = maybe(40) { $0.dateTime() }
        return patient
    }

    /// CDC Race & Ethnicity codings (US Core form), sometimes with text or other systems.
    mutating func raceConcept(race: Bool) -> Concept {
        let cdc = "urn:oid:2.16.840.1.113883.6.238"
        let codes = race ? ["2106-3", "2054-5", "2108-9", "1002-5", "2131-1"] : ["2135-2", "2186-5", "2148-5"]
        switch int(0...5) {
        case 0: return concept()
        case 1: return Concept(codings: [Coding(system: cdc, code: pick(codes))], text: text())
        case 2:
            return Concept(codings: [Coding(system: cdc, code: pick(codes)), Coding(system: cdc, code: pick(codes))])
        default: return Concept(Coding(system: cdc, code: pick(codes), display: maybe { $0.text() }))
        }
    }

    mutating func relatedPerson(_ ref: EntityRef, _ refs: Refs) -> RelatedPerson {
        var person = RelatedPerson(ref: ref, patient: self.ref(refs, .patient), source: Self.locationHere)
        person.relationship = concepts()
        person.names = some(0...2) { $0.humanName() }
        person.telecom = some(0...1) { $0.contactPoint() }
        person.addresses = some(0...1) { $0.address() }
        person.gender = maybe(50) { $0.gender() }
        person.birthDate = maybe(50) { $0.dateTime() }
        person.period = maybe(30) { $0.period() }
        person.identifiers = identifiers()
        return person
    }

    mutating func practitioner(_ ref: EntityRef) -> Practitioner {
        var practitioner = Practitioner(ref: ref, source: Self.locationHere)
        practitioner.identifiers = identifiers()
        practitioner.names = some(0...2) { $0.humanName() }
        practitioner.telecom = some(0...1) { $0.contactPoint() }
        practitioner.addresses = some(0...1) { $0.address() }
        practitioner.qualifications = concepts()
        return practitioner
    }

    mutating func organization(_ ref: EntityRef) -> Organization {
        var organization = Organization(ref: ref, source: Self.locationHere)
        organization.identifiers = identifiers()
        organization.name = maybe(80) { $0.text() }
        organization.type = maybe(40) { $0.concept() }
        organization.telecom = some(0...1) { $0.contactPoint() }
        organization.addresses = some(0...1) { $0.address() }
        return organization
    }

    mutating func location(_ ref: EntityRef, _ refs: Refs) -> Location {
        var location = Location(ref: ref, source: Self.locationHere)
        location.name = maybe(70) { $0.text() }
        location.identifiers = identifiers()
        location.physicalType = maybe(50) { $0.coding() }
        location.partOf = maybe(30) { $0.ref(refs, .location) }
        location.address = maybe(40) { $0.address() }
        location.managingOrganization = maybe(40) { $0.ref(refs, .organization) }
        location.description = maybe(30) { $0.text() }
        return location
    }

    mutating func encounter(_ ref: EntityRef, _ refs: Refs) -> Encounter {
        var encounter = Encounter(ref: ref, source: Self.locationHere)
        encounter.patient = maybe(90) { $0.ref(refs, .patient) }
        encounter.identifiers = identifiers()
        encounter.status = maybe(80) { $0.pick(["in-progress", "finished", "unknown", "A", "planned"]) }
        encounter.patientClass = maybe(80) { generator in
            switch generator.int(0...3) {
            case 0:
                Coding(system: "http://terminology.hl7.org/CodeSystem/v3-NullFlavor", code: "UNK", display: "unknown")
            case 1: generator.coding()
            default:
                Coding(
                    system: "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    code: generator.pick(["IMP", "AMB", "bad code "]), display: generator.maybe { $0.text() })
            }
        }
        encounter.type = concepts()
        encounter.serviceType = maybe(30) { $0.concept() }
        encounter.priority = maybe(30) { $0.concept() }
        encounter.period = maybe(70) { $0.period() }
        encounter.reasons = concepts()
        encounter.participants = some(0...2) { $0.participant(refs) }
        encounter.locations = self.refs(refs, .location)
        encounter.priorLocation = maybe(30) { $0.ref(refs, .location) }
        encounter.admitSource = maybe(30) { $0.concept() }
        encounter.dischargeDisposition = maybe(30) { $0.concept() }
        encounter.readmission = maybe(20) { $0.concept() }
        encounter.serviceProvider = maybe(40) { $0.ref(refs, .organization) }
        encounter.diet = concepts(0...1)
        encounter.specialCourtesy = concepts(0...1)
        encounter.hospitalService = maybe(40) { $0.concept() }
        encounter.length = maybe(20) { $0.quantity() }
        return encounter
    }

    mutating func condition(_ ref: EntityRef, _ refs: Refs) -> Condition {
        var condition = Condition(ref: ref, source: Self.locationHere)
        condition.patient = maybe(90) { $0.ref(refs, .patient) }
        condition.encounter = maybe(50) { $0.ref(refs, .encounter) }
        condition.identifiers = identifiers()
        condition.code = maybe(90) { $0.concept() }
        condition.category = maybe(60) { $0.pick(["problem-list-item", "encounter-diagnosis", "W", "health concern"]) }
        condition.clinicalStatus = maybe(60) { $0.pick(["active", "resolved", "remission", "A"]) }
        condition.verificationStatus = maybe(50) { $0.pick(["confirmed", "provisional", "entered-in-error", "C"]) }
        condition.severity = maybe(30) { $0.concept() }
        condition.onset = maybe(50) { $0.dateTime() }
        condition.abatement = maybe(30) { $0.dateTime() }
        condition.recordedDate = maybe(50) { $0.dateTime() }
        condition.recorder = maybe(40) { $0.ref(refs, .practitioner) }
        condition.note = some(0...1) { $0.annotation(refs) }
        condition.diagnosisType = maybe(30) { $0.concept() }
        condition.rank = maybe(30) { $0.int(-1...3) }
        return condition
    }

    mutating func allergy(_ ref: EntityRef, _ refs: Refs) -> Allergy {
        var allergy = Allergy(ref: ref, source: Self.locationHere)
        allergy.patient = maybe(90) { $0.ref(refs, .patient) }
        allergy.identifiers = identifiers()
        allergy.code = maybe(80) { $0.concept() }
        allergy.type = maybe(50) { $0.pick(["allergy", "intolerance", "DA"]) }
        allergy.categories = some(0...2) { $0.pick(["food", "medication", "environment", "biologic", "MA"]) }
        allergy.criticality = maybe(40) { $0.pick(["low", "high", "unable-to-assess", "SV"]) }
        allergy.clinicalStatus = maybe(70) { $0.pick(["active", "inactive", "resolved", "X"]) }
        allergy.verificationStatus = maybe(50) { $0.pick(["confirmed", "unconfirmed", "entered-in-error", "Q"]) }
        allergy.onset = maybe(40) { $0.dateTime() }
        allergy.recordedDate = maybe(40) { $0.dateTime() }
        allergy.reactions = some(0...2) { generator in
            AllergyReaction(
                manifestations: generator.concepts(), severity: generator.maybe { $0.pick(["mild", "severe", "MO"]) },
                onset: generator.maybe(30) { $0.dateTime() }, description: generator.maybe(30) { $0.text() })
        }
        allergy.noKnownAllergy = chance(20)
        return allergy
    }

    mutating func procedure(_ ref: EntityRef, _ refs: Refs) -> Procedure {
        var procedure = Procedure(ref: ref, source: Self.locationHere)
        procedure.patient = maybe(90) { $0.ref(refs, .patient) }
        procedure.encounter = maybe(50) { $0.ref(refs, .encounter) }
        procedure.identifiers = identifiers()
        procedure.code = maybe(90) { $0.concept() }
        procedure.status = pick(["completed", "in-progress", "unknown", "C"])
        procedure.performed = maybe(70) { $0.period() }
        procedure.performers = some(0...2) { $0.participant(refs) }
        procedure.category = maybe(30) { $0.concept() }
        procedure.bodySites = concepts(0...1)
        procedure.reasons = concepts(0...1)
        procedure.note = some(0...1) { $0.annotation(refs) }
        return procedure
    }

    mutating func immunization(_ ref: EntityRef, _ refs: Refs) -> Immunization {
        var immunization = Immunization(ref: ref, source: Self.locationHere)
        immunization.patient = maybe(90) { $0.ref(refs, .patient) }
        immunization.encounter = maybe(40) { $0.ref(refs, .encounter) }
        immunization.identifiers = identifiers()
        immunization.vaccine = maybe(90) { $0.concept() }
        immunization.status = pick(["completed", "not-done", "entered-in-error", "CP"])
        immunization.statusReason = maybe(20) { $0.concept() }
        immunization.occurrence = maybe(85) { $0.dateTime() }
        immunization.recorded = maybe(40) { $0.dateTime() }
        immunization.primarySource = maybe(50) { $0.chance(50) }
        immunization.reportOrigin = maybe(20) { $0.concept() }
        immunization.dose = maybe(50) { $0.quantity() }
        immunization.lotNumber = maybe(50) { $0.text() }
        immunization.expirationDate = maybe(40) { $0.dateTime() }
        immunization.manufacturer = maybe(40) { $0.ref(refs, .organization) }
        immunization.route = maybe(40) { $0.concept() }
        immunization.site = maybe(40) { $0.concept() }
        immunization.performers = some(0...2) { $0.participant(refs) }
        immunization.fundingSource = maybe(30) { $0.concept() }
        immunization.programEligibility = concepts(0...1)
        immunization.note = some(0...1) { $0.annotation(refs) }
        return immunization
    }

    mutating func medication(_ ref: EntityRef, _ refs: Refs) -> Medication {
        var medication = Medication(ref: ref, source: Self.locationHere)
        medication.patient = maybe(90) { $0.ref(refs, .patient) }
        medication.encounter = maybe(40) { $0.ref(refs, .encounter) }
        medication.identifiers = identifiers()
        medication.code = maybe(90) { $0.concept() }
        medication.status = pick(["active", "completed", "stopped", "XX"])
        medication.intent = pick(["order", "plan", "proposal", "NW"])
        medication.authoredOn = maybe(60) { $0.dateTime() }
        medication.requester = maybe(50) { $0.ref(refs, .practitioner) }
        medication.dosageText = maybe(50) { $0.text() }
        medication.doseQuantity = maybe(50) { $0.quantity() }
        medication.route = maybe(40) { $0.concept() }
        medication.timing = maybe(40) { $0.pick(["BID", "Q4H", "once daily"]) }
        medication.period = maybe(40) { $0.period() }
        medication.dispenseQuantity = maybe(40) { $0.quantity() }
        medication.refills = maybe(40) { $0.int(-1...5) }
        medication.reasons = concepts(0...1)
        medication.note = some(0...1) { $0.annotation(refs) }
        return medication
    }

    mutating func serviceRequest(_ ref: EntityRef, _ refs: Refs) -> ServiceRequest {
        var request = ServiceRequest(ref: ref, source: Self.locationHere)
        request.patient = maybe(90) { $0.ref(refs, .patient) }
        request.encounter = maybe(40) { $0.ref(refs, .encounter) }
        request.identifiers = identifiers()
        request.code = maybe(90) { $0.concept() }
        request.status = pick(["active", "completed", "unknown", "IP"])
        request.intent = pick(["order", "original-order", "filler-order", "O"])
        request.priority = maybe(40) { $0.pick(["routine", "stat", "S"]) }
        request.authoredOn = maybe(50) { $0.dateTime() }
        request.occurrence = maybe(40) { $0.dateTime() }
        request.requester = maybe(50) { $0.ref(refs, .practitioner) }
        request.reasons = concepts(0...1)
        request.specimens = self.refs(refs, .specimen)
        request.note = some(0...1) { $0.annotation(refs) }
        return request
    }

    mutating func specimen(_ ref: EntityRef, _ refs: Refs) -> Specimen {
        var specimen = Specimen(ref: ref, source: Self.locationHere)
        specimen.patient = maybe(80) { $0.ref(refs, .patient) }
        specimen.identifiers = identifiers()
        specimen.type = maybe(70) { $0.concept() }
        specimen.collected = maybe(60) { $0.period() }
        specimen.received = maybe(40) { $0.dateTime() }
        specimen.bodySite = maybe(30) { $0.concept() }
        specimen.collectionMethod = maybe(30) { $0.concept() }
        specimen.quantity = maybe(40) { $0.quantity() }
        return specimen
    }

    mutating func observationValue() -> ObservationValue {
        switch int(0...9) {
        case 0: .quantity(quantity())
        case 1: .concept(concept())
        case 2: .string(text())
        case 3: .dateTime(dateTime())
        case 4: .ratio(numerator: quantity(), denominator: quantity())
        case 5: .range(low: quantity(), high: maybe { $0.quantity() })
        case 6: .boolean(chance(50))
        case 7: .integer(pick([0, -7, 42, Int(Int32.max), Int(Int32.min), 5_000_000_000, -9_000_000_000]))
        case 8: .period(period())
        default: .range(low: nil, high: quantity())
        }
    }

    mutating func observation(_ ref: EntityRef, _ refs: Refs) -> Observation {
        var observation = Observation(
            ref: ref, code: chance(95) ? concept() : Concept(), source: Self.locationHere)
        observation.patient = maybe(90) { $0.ref(refs, .patient) }
        observation.encounter = maybe(50) { $0.ref(refs, .encounter) }
        observation.identifiers = identifiers()
        observation.status = pick(["final", "preliminary", "unknown", "F"])
        observation.categories = some(0...2) { $0.pick(["laboratory", "vital-signs", "LAB", "social history"]) }
        observation.value = maybe(80) { $0.observationValue() }
        observation.dataAbsentReason = maybe(20) { $0.pick(["unknown", "not-performed", "asked-declined", "X"]) }
        observation.interpretation = concepts(0...1)
        observation.referenceRange = some(0...1) { generator in
            ReferenceRange(
                low: generator.maybe { $0.quantity() }, high: generator.maybe { $0.quantity() },
                text: generator.maybe { $0.text() })
        }.filter { $0 != ReferenceRange() }
        observation.effective = maybe(70) { $0.dateTime() }
        observation.issued = maybe(50) { $0.dateTime() }
        observation.performers = self.refs(refs, .practitioner)
        observation.method = maybe(30) { $0.concept() }
        observation.bodySite = maybe(30) { $0.concept() }
        observation.specimen = maybe(30) { $0.ref(refs, .specimen) }
        observation.basedOn = self.refs(refs, .serviceRequest, 0...1)
        observation.components = some(0...2) { generator in
            var component = ObservationComponent(
                code: generator.concept(), value: generator.maybe(70) { $0.observationValue() })
            component.interpretation = generator.concepts(0...1)
            component.dataAbsentReason = generator.maybe(20) { $0.pick(["unknown", "error", "Y"]) }
            return component
        }
        observation.note = some(0...1) { $0.annotation(refs) }
        observation.members = self.refs(refs, .observation, 0...2).filter { $0 != ref }
        return observation
    }

    mutating func diagnosticReport(_ ref: EntityRef, _ refs: Refs) -> DiagnosticReport {
        var report = DiagnosticReport(ref: ref, code: chance(95) ? concept() : Concept(), source: Self.locationHere)
        report.patient = maybe(90) { $0.ref(refs, .patient) }
        report.encounter = maybe(40) { $0.ref(refs, .encounter) }
        report.identifiers = identifiers()
        report.status = pick(["final", "partial", "unknown", "F"])
        report.categories = concepts(0...1)
        report.effective = maybe(60) { $0.period() }
        report.issued = maybe(50) { $0.dateTime() }
        report.performers = self.refs(refs, .organization, 0...1)
        report.results = self.refs(refs, .observation)
        report.basedOn = self.refs(refs, .serviceRequest, 0...1)
        report.specimens = self.refs(refs, .specimen, 0...1)
        report.conclusion = maybe(40) { $0.text() }
        return report
    }

    mutating func document(_ ref: EntityRef, _ refs: Refs) -> DocumentNote {
        var note = DocumentNote(ref: ref, source: Self.locationHere)
        note.patient = maybe(90) { $0.ref(refs, .patient) }
        note.encounter = maybe(40) { $0.ref(refs, .encounter) }
        note.identifiers = identifiers()
        note.status = pick(["current", "superseded", "AU"])
        note.docStatus = maybe(50) { $0.pick(["final", "preliminary", "LA"]) }
        note.type = maybe(60) { $0.concept() }
        note.date = maybe(60) { $0.dateTime() }
        note.authors = self.refs(refs, .practitioner)
        note.contentType = pick(["text/plain", "text/html", "text/plain; charset=utf-8", "bad  type"])
        note.text = maybe(70) { generator in generator.chance(10) ? "   " : generator.text() }
        note.title = maybe(50) { $0.text() }
        return note
    }

    mutating func appointment(_ ref: EntityRef, _ refs: Refs) -> Appointment {
        var appointment = Appointment(ref: ref, source: Self.locationHere)
        appointment.patient = maybe(80) { $0.ref(refs, .patient) }
        appointment.identifiers = identifiers()
        appointment.status = pick(["booked", "proposed", "cancelled", "BOOKED"])
        appointment.serviceType = concepts(0...1)
        appointment.appointmentType = maybe(30) { $0.concept() }
        appointment.reason = concepts(0...1)
        appointment.start = maybe(60) { $0.dateTime() }
        appointment.end = maybe(50) { $0.dateTime() }
        appointment.minutesDuration = maybe(40) { $0.int(-5...90) }
        appointment.description = maybe(40) { $0.text() }
        appointment.practitioners = self.refs(refs, .practitioner)
        appointment.locations = self.refs(refs, .location, 0...1)
        return appointment
    }

    mutating func coverage(_ ref: EntityRef, _ refs: Refs) -> Coverage {
        var coverage = Coverage(ref: ref, source: Self.locationHere)
        coverage.patient = maybe(90) { $0.ref(refs, .patient) }
        coverage.identifiers = identifiers()
        coverage.status = pick(["active", "cancelled", "A"])
        coverage.type = maybe(40) { $0.concept() }
        coverage.payor = self.ref(refs, .organization)
        coverage.subscriberId = maybe(50) { $0.text() }
        coverage.relationship = maybe(40) { $0.concept() }
        coverage.period = maybe(40) { $0.period() }
        coverage.planName = maybe(40) { $0.text() }
        coverage.groupNumber = maybe(40) { $0.text() }
        return coverage
    }

    mutating func carePlan(_ ref: EntityRef, _ refs: Refs) -> CarePlan {
        var plan = CarePlan(ref: ref, source: Self.locationHere)
        plan.patient = maybe(90) { $0.ref(refs, .patient) }
        plan.encounter = maybe(40) { $0.ref(refs, .encounter) }
        plan.identifiers = identifiers()
        plan.status = pick(["active", "completed", "unknown", "ACT"])
        plan.intent = pick(["plan", "order", "proposal", "P"])
        plan.categories = concepts(0...1)
        plan.title = maybe(50) { $0.text() }
        plan.period = maybe(50) { $0.period() }
        plan.reasons = concepts()
        plan.activities = some(0...3) { generator in generator.chance(10) ? Concept() : generator.concept() }
        plan.note = some(0...1) { $0.annotation(refs) }
        return plan
    }

    mutating func imagingStudy(_ ref: EntityRef, _ refs: Refs) -> ImagingStudy {
        var study = ImagingStudy(ref: ref, source: Self.locationHere)
        study.patient = maybe(90) { $0.ref(refs, .patient) }
        study.encounter = maybe(40) { $0.ref(refs, .encounter) }
        study.identifiers = identifiers()
        study.status = pick(["available", "registered", "unknown", "AV"])
        study.started = maybe(60) { $0.dateTime() }
        let dicom = "http://dicom.nema.org/resources/ontology/DCM"
        study.modalities = some(0...2) { generator in Coding(system: dicom, code: generator.pick(["CT", "MR", "DX"])) }
        study.bodySite = maybe(50) { $0.coding() }
        study.sopClass = maybe(50) { _ in Coding(system: "urn:ietf:rfc:3986", code: "urn:oid:1.2.840.10008.5.1.4.1.1.2")
        }
        study.procedureCode = maybe(50) { $0.concept() }
        study.description = maybe(50) { $0.text() }
        return study
    }

    mutating func patientLink(_ ref: EntityRef, _ refs: Refs) -> PatientLink {
        var link = PatientLink(
            ref: ref, survivor: self.ref(refs, .patient),
            merged: EntityRef(.patient, key: "merged|" + String(int(1...9))),
            source: Self.locationHere)
        link.mergedIdentifiers = identifiers()
        return link
    }

    mutating func composition(_ ref: EntityRef, _ refs: Refs) -> Composition {
        var composition = Composition(ref: ref, source: Self.locationHere)
        composition.patient = maybe(90) { $0.ref(refs, .patient) }
        composition.encounter = maybe(40) { $0.ref(refs, .encounter) }
        composition.identifiers = Array(identifiers().prefix(1))
        composition.status = pick(["final", "preliminary", "amended", "F"])
        composition.type = maybe(80) { $0.concept() }
        composition.date = maybe(80) { $0.dateTime() }
        composition.authors = self.refs(refs, .practitioner)
        composition.title = maybe(80) { $0.text() }
        composition.confidentiality = maybe(50) { $0.pick(["N", "R", "V", "X"]) }
        composition.custodian = maybe(50) { $0.ref(refs, .organization) }
        composition.legalAuthenticator = maybe(40) { $0.ref(refs, .practitioner) }
        if composition.legalAuthenticator != nil { composition.legalAuthenticationTime = maybe(60) { $0.dateTime() } }
        composition.sections = some(0...3) { $0.documentSection(refs, depth: 0) }
        return composition
    }

    mutating func documentSection(_ refs: Refs, depth: Int) -> DocumentSection {
        var section = DocumentSection(title: maybe(70) { $0.text() }, code: maybe(70) { $0.concept() })
        section.text = maybe(40) { generator in
            generator.some(1...3) { $0.pick(["a < b & c > d", "line", "<br/> as text", "Ünï 5 mg"]) + $0.text() }
                .joined(separator: "\n")
        }
        section.entries = some(0...3) { generator in
            generator.ref(refs, generator.pick([.condition, .observation, .document, .medication, .allergy]))
        }
        if depth == 0 { section.sections = some(0...2) { $0.documentSection(refs, depth: 1) } }
        return section
    }
}
