import ClinicalModel
import FHIRR4

extension ResourceReader {
    /// Patient (see `FHIRMapper.patient`): `active` and `link` come from the record's patient links
    /// and are not read back; `lastUpdated` is read from the `patient-last-updated` extension only.
    mutating func patient(_ o: JSONObject, _ ref: EntityRef) -> Patient {
        var patient = Patient(ref: ref, source: location)
        let root = JSON.object(o)
        patient.identifiers = identifiers(o)
        patient.names = humanNames(o)
        patient.telecom = contactPoints(o)
        patient.gender = gender(o, "gender")
        patient.birthDate = birthDate(o)
        if let deceasedAt = dateTime(o, "deceasedDateTime", "") {
            patient.deceasedAt = deceasedAt
            patient.deceased = Self.extensions(root, FHIRURL.patientDeceased).first?["valueBoolean"]?.boolValue
        } else {
            patient.deceased = bool(o, "deceasedBoolean", "")
        }
        patient.addresses = addresses(o)
        patient.maritalStatus = concept(o["maritalStatus"], "maritalStatus")
        if let order = int(o, "multipleBirthInteger", "") {
            patient.birthOrder = order
            patient.multipleBirth =
                Self.extensions(root, FHIRURL.patientMultipleBirth).first?["valueBoolean"]?
                .boolValue
        } else {
            patient.multipleBirth = bool(o, "multipleBirthBoolean", "")
        }
        patient.races = races(root, race: true)
        patient.ethnicities = races(root, race: false)
        patient.languages = (o["communication"]?.arrayValue ?? []).enumerated().compactMap {
            concept($1["language"], "communication[\($0)].language")
        }
        patient.religion = extensionConcepts(root, FHIRURL.religion, "extension").first
        if let name = Self.extensions(root, FHIRURL.patientMothersMaidenName).first {
            patient.mothersMaidenName = humanName(name["valueHumanName"], "extension")
        } else if let family = Self.extensions(root, FHIRURL.mothersMaidenName).first?["valueString"]?.stringValue {
            patient.mothersMaidenName = HumanName(family: family)
        }
        patient.birthPlace = Self.extensions(root, FHIRURL.birthPlace).first?["valueAddress"]?["text"]?.stringValue
        patient.generalPractitioners = references(o["generalPractitioner"], "generalPractitioner")
        patient.managingOrganization = reference(o["managingOrganization"], "managingOrganization")
        // Only the extension: `meta.lastUpdated` belongs to whichever server stores the resource.
        let updated = Self.extensions(root, FHIRURL.patientLastUpdated).first
        patient.lastUpdated = (updated?["valueDateTime"] ?? updated?["valueString"])?.stringValue.map(
            ClinicalDateTime.init(fhir:))
        return patient
    }

    /// `gender`: the `source-coding` extension when present, else the administrative-gender coding
    /// with the code system's display.
    mutating func gender(_ o: JSONObject, _ key: String) -> Coding? {
        if let source = Self.extensions(o["_" + key], FHIRURL.sourceCoding).first {
            return coding(source["valueCoding"], "_" + key)
        }
        guard let code = text(o, key, "") else { return nil }
        let set = FHIRCodeSet.administrativeGender
        return Coding(system: set.system, code: code, display: set.display(code))
    }

    /// `birthDate`: its `source-value`, else the `patient-birthTime` extension, else the date.
    mutating func birthDate(_ o: JSONObject) -> ClinicalDateTime? {
        if let source = Self.sourceValue(o["_birthDate"]) { return ClinicalDateTime(fhir: source) }
        if let time = Self.extensions(o["_birthDate"], FHIRURL.birthTime).first?["valueDateTime"]?.stringValue {
            return ClinicalDateTime(fhir: time)
        }
        return dateTime(o, "birthDate", "")
    }

    /// Races or ethnicities: the fhirbridge per-concept extensions when present, else one concept per
    /// coding of the US Core extension.
    mutating func races(_ root: JSON, race: Bool) -> [Concept] {
        let own = extensionConcepts(root, race ? FHIRURL.race : FHIRURL.ethnicity, "extension")
        if !own.isEmpty { return own }
        guard let usCore = Self.extensions(root, race ? FHIRURL.usCoreRace : FHIRURL.usCoreEthnicity).first else {
            return []
        }
        return (usCore["extension"]?.arrayValue ?? []).compactMap { part in
            guard let url = part["url"]?.stringValue, url == "ombCategory" || url == "detailed",
                let coding = coding(part["valueCoding"], "extension")
            else { return nil }
            return Concept(coding)
        }
    }

    mutating func relatedPerson(_ o: JSONObject, _ ref: EntityRef) -> RelatedPerson? {
        guard let patient = reference(o["patient"], "patient") else {
            report(.missingRequiredElement, "patient", code: "RelatedPerson.patient")
            return nil
        }
        var person = RelatedPerson(ref: ref, patient: patient, source: location)
        person.identifiers = identifiers(o)
        person.relationship = concepts(o["relationship"], "relationship")
        person.names = humanNames(o)
        person.telecom = contactPoints(o)
        person.gender = gender(o, "gender")
        person.birthDate = dateTime(o, "birthDate", "")
        person.addresses = addresses(o)
        person.period = period(o["period"], "period")
        return person
    }

    mutating func practitioner(_ o: JSONObject, _ ref: EntityRef) -> Practitioner {
        var practitioner = Practitioner(ref: ref, source: location)
        practitioner.identifiers = identifiers(o)
        practitioner.names = humanNames(o)
        practitioner.telecom = contactPoints(o)
        practitioner.addresses = addresses(o)
        practitioner.qualifications = (o["qualification"]?.arrayValue ?? []).enumerated().compactMap {
            concept($1["code"], "qualification[\($0)].code")
        }
        return practitioner
    }

    mutating func organization(_ o: JSONObject, _ ref: EntityRef) -> Organization {
        var organization = Organization(ref: ref, source: location)
        organization.identifiers = identifiers(o)
        organization.type = concepts(o["type"], "type").first
        organization.name = text(o, "name", "")
        organization.telecom = contactPoints(o)
        organization.addresses = addresses(o)
        return organization
    }

    mutating func location(_ o: JSONObject, _ ref: EntityRef) -> Location {
        var location = Location(ref: ref, source: self.location)
        location.identifiers = identifiers(o)
        location.name = text(o, "name", "")
        location.description = text(o, "description", "")
        location.address = address(o["address"], "address")
        location.physicalType = concept(o["physicalType"], "physicalType")?.codings.first
        location.managingOrganization = reference(o["managingOrganization"], "managingOrganization")
        location.partOf = reference(o["partOf"], "partOf")
        return location
    }

    /// Appointment: participants are sorted back by the kind of their actor (the patient, then
    /// practitioners, then locations); their `status` follows from the appointment's and is not read.
    mutating func appointment(_ o: JSONObject, _ ref: EntityRef) -> Appointment {
        var appointment = Appointment(ref: ref, source: location)
        appointment.identifiers = identifiers(o)
        appointment.status = text(o, "status", "") ?? ""
        appointment.serviceType = concepts(o["serviceType"], "serviceType")
        appointment.appointmentType = concept(o["appointmentType"], "appointmentType")
        appointment.reason = concepts(o["reasonCode"], "reasonCode")
        appointment.description = text(o, "description", "")
        appointment.start = dateTime(o, "start", "")
        appointment.end = dateTime(o, "end", "")
        appointment.minutesDuration = int(o, "minutesDuration", "")
        appointment.comment = text(o, "comment", "")
        for (offset, participant) in (o["participant"]?.arrayValue ?? []).enumerated() {
            guard let actor = reference(participant["actor"], "participant[\(offset)].actor") else { continue }
            switch actor.kind {
            case .patient where appointment.patient == nil: appointment.patient = actor
            case .location: appointment.locations.append(actor)
            default: appointment.practitioners.append(actor)
            }
        }
        return appointment
    }

    mutating func coverage(_ o: JSONObject, _ ref: EntityRef) -> Coverage {
        var coverage = Coverage(ref: ref, source: location)
        coverage.identifiers = identifiers(o)
        coverage.status = text(o, "status", "") ?? ""
        coverage.type = concept(o["type"], "type")
        coverage.subscriberId = text(o, "subscriberId", "")
        coverage.patient = reference(o["beneficiary"], "beneficiary")
        coverage.relationship = concept(o["relationship"], "relationship")
        coverage.period = period(o["period"], "period")
        coverage.payor = references(o["payor"], "payor").first
        for (offset, item) in (o["class"]?.arrayValue ?? []).enumerated() {
            let path = "class[\(offset)]"
            switch item["type"]?["coding"]?.arrayValue?.first?["code"]?.stringValue {
            case "group"?: coverage.groupNumber = text(item.objectValue, "value", path)
            case "plan"?:
                coverage.planName = text(item.objectValue, "name", path) ?? text(item.objectValue, "value", path)
            default: report(.unsupportedElement, path)
            }
        }
        return coverage
    }

    mutating func linkage(_ o: JSONObject, _ ref: EntityRef) -> PatientLink? {
        var survivor: EntityRef?
        var merged: EntityRef?
        for (offset, item) in (o["item"]?.arrayValue ?? []).enumerated() {
            let target = reference(item["resource"], "item[\(offset)].resource")
            switch item["type"]?.stringValue {
            case "source"?: survivor = survivor ?? target
            case "alternate"?: merged = merged ?? target
            default: continue
            }
        }
        guard let survivor, let merged else {
            report(.missingRequiredElement, "item", code: "Linkage.item")
            return nil
        }
        var link = PatientLink(ref: ref, survivor: survivor, merged: merged, source: location)
        link.mergedIdentifiers = Self.extensions(.object(o), FHIRURL.mergedIdentifier).enumerated().compactMap {
            identifier($1["valueIdentifier"], "extension[\($0)].valueIdentifier")
        }
        return link
    }
}
