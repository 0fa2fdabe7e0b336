import ClinicalModel
import FHIRR4
import Foundation

extension ResourceReader {
    /// Encounter: `class` is the patient class when it is a v3 ActCode coding; the
    /// `encounter-source-class` extension holds any other; v3-NullFlavor `UNK` alone means none.
    mutating func encounter(_ o: JSONObject, _ ref: EntityRef) -> Encounter {
        var encounter = Encounter(ref: ref, source: location)
        let root = JSON.object(o)
        encounter.patient = reference(o["subject"], "subject")
        encounter.identifiers = identifiers(o)
        encounter.status = text(o, "status", "")
        if let source = Self.extensions(root, FHIRURL.sourceClass).first {
            encounter.patientClass = coding(source["valueCoding"], "extension")
        } else if let written = coding(o["class"], "class"),
            written.system != FHIRURL.v3NullFlavor || written.code != "UNK"
        {
            encounter.patientClass = written
        }
        encounter.type = concepts(o["type"], "type")
        encounter.serviceType = concept(o["serviceType"], "serviceType")
        encounter.priority = concept(o["priority"], "priority")
        encounter.period = period(o["period"], "period")
        encounter.reasons = concepts(o["reasonCode"], "reasonCode")
        encounter.participants = (o["participant"]?.arrayValue ?? []).enumerated().compactMap { offset, item in
            let path = "participant[\(offset)]"
            guard let who = reference(item["individual"], path + ".individual") else { return nil }
            return Participant(
                role: concepts(item["type"], path + ".type").first, who: who,
                period: period(item["period"], path + ".period"))
        }
        for (offset, item) in (o["location"]?.arrayValue ?? []).enumerated() {
            guard let target = reference(item["location"], "location[\(offset)].location") else { continue }
            if item["status"]?.stringValue == "completed" {
                encounter.priorLocation = target
            } else {
                encounter.locations.append(target)
            }
        }
        let hospitalization = o["hospitalization"]
        encounter.admitSource = concept(hospitalization?["admitSource"], "hospitalization.admitSource")
        encounter.dischargeDisposition = concept(
            hospitalization?["dischargeDisposition"], "hospitalization.dischargeDisposition")
        encounter.readmission = concept(hospitalization?["reAdmission"], "hospitalization.reAdmission")
        encounter.diet = concepts(hospitalization?["dietPreference"], "hospitalization.dietPreference")
        encounter.specialCourtesy = concepts(hospitalization?["specialCourtesy"], "hospitalization.specialCourtesy")
        encounter.serviceProvider = reference(o["serviceProvider"], "serviceProvider")
        encounter.hospitalService = extensionConcepts(root, FHIRURL.hospitalService, "extension").first
        encounter.length = quantity(o["length"], "length")
        return encounter
    }

    /// A status written as a coded concept, or kept in a `source-…-status` extension.
    mutating func status(_ o: JSONObject, _ key: String, sourceURL: String) -> String? {
        if let source = Self.extensions(.object(o), sourceURL).first?["valueString"]?.stringValue { return source }
        return concept(o[key], key)?.codings.first?.code
    }

    mutating func condition(_ o: JSONObject, _ ref: EntityRef) -> Condition {
        var condition = Condition(ref: ref, source: location)
        let root = JSON.object(o)
        condition.patient = reference(o["subject"], "subject")
        condition.encounter = reference(o["encounter"], "encounter")
        condition.identifiers = identifiers(o)
        condition.code = concept(o["code"], "code")
        condition.category = (o["category"]?.arrayValue?.first).flatMap { categoryCode($0, "category[0]") }
        condition.clinicalStatus = status(o, "clinicalStatus", sourceURL: FHIRURL.sourceClinicalStatus)
        condition.verificationStatus = status(o, "verificationStatus", sourceURL: FHIRURL.sourceVerificationStatus)
        condition.severity = concept(o["severity"], "severity")
        condition.onset = dateTime(o, "onsetDateTime", "")
        condition.abatement = dateTime(o, "abatementDateTime", "")
        condition.recordedDate = dateTime(o, "recordedDate", "")
        condition.recorder = reference(o["recorder"], "recorder")
        condition.note = annotations(o["note"], "note")
        condition.diagnosisType = extensionConcepts(root, FHIRURL.diagnosisType, "extension").first
        if let rank = Self.extensions(root, FHIRURL.diagnosisRank).first {
            condition.rank = (rank["valuePositiveInt"] ?? rank["valueInteger"])?.numberLexical.flatMap { Int($0) }
        }
        return condition
    }

    mutating func allergy(_ o: JSONObject, _ ref: EntityRef) -> Allergy {
        var allergy = Allergy(ref: ref, source: location)
        let root = JSON.object(o)
        allergy.patient = reference(o["patient"], "patient")
        allergy.identifiers = identifiers(o)
        allergy.code = concept(o["code"], "code")
        allergy.type = text(o, "type", "")
        allergy.categories = texts(o, "category", "")
        allergy.criticality = text(o, "criticality", "")
        allergy.clinicalStatus = status(o, "clinicalStatus", sourceURL: FHIRURL.sourceClinicalStatus)
        allergy.verificationStatus = status(o, "verificationStatus", sourceURL: FHIRURL.sourceVerificationStatus)
        allergy.onset = dateTime(o, "onsetDateTime", "")
        allergy.recordedDate = dateTime(o, "recordedDate", "")
        allergy.reactions = (o["reaction"]?.arrayValue ?? []).enumerated().map { offset, item in
            let path = "reaction[\(offset)]"
            return AllergyReaction(
                manifestations: concepts(item["manifestation"], path + ".manifestation"),
                severity: text(item.objectValue, "severity", path), onset: dateTime(item.objectValue, "onset", path),
                description: text(item.objectValue, "description", path))
        }
        allergy.noKnownAllergy =
            Self.extensions(root, FHIRURL.noKnownAllergy).first?["valueBoolean"]?.boolValue ?? false
        return allergy
    }

    /// Procedure.performer / Immunization.performer, with the `participant-period` extension.
    mutating func performers(_ json: JSON?, _ path: String) -> [Participant] {
        (json?.arrayValue ?? []).enumerated().compactMap { offset, item in
            let itemPath = path + "[\(offset)]"
            guard let who = reference(item["actor"], itemPath + ".actor") else { return nil }
            return Participant(
                role: concept(item["function"], itemPath + ".function"), who: who,
                period: period(Self.extensions(item, FHIRURL.participantPeriod).first?["valuePeriod"], itemPath))
        }
    }

    mutating func procedure(_ o: JSONObject, _ ref: EntityRef) -> Procedure {
        var procedure = Procedure(ref: ref, source: location)
        procedure.patient = reference(o["subject"], "subject")
        procedure.encounter = reference(o["encounter"], "encounter")
        procedure.identifiers = identifiers(o)
        procedure.code = concept(o["code"], "code")
        procedure.status = text(o, "status", "") ?? ""
        procedure.performed = periodChoice(o, "performed", "")
        procedure.performers = performers(o["performer"], "performer")
        procedure.category = concept(o["category"], "category")
        procedure.bodySites = concepts(o["bodySite"], "bodySite")
        procedure.reasons = concepts(o["reasonCode"], "reasonCode")
        procedure.note = annotations(o["note"], "note")
        return procedure
    }

    mutating func immunization(_ o: JSONObject, _ ref: EntityRef) -> Immunization {
        var immunization = Immunization(ref: ref, source: location)
        immunization.patient = reference(o["patient"], "patient")
        immunization.encounter = reference(o["encounter"], "encounter")
        immunization.identifiers = identifiers(o)
        immunization.vaccine = concept(o["vaccineCode"], "vaccineCode")
        immunization.status = text(o, "status", "") ?? ""
        immunization.statusReason = concept(o["statusReason"], "statusReason")
        immunization.occurrence = dateTime(o, "occurrenceDateTime", "")
        immunization.recorded = dateTime(o, "recorded", "")
        immunization.primarySource = bool(o, "primarySource", "")
        immunization.reportOrigin = concept(o["reportOrigin"], "reportOrigin")
        immunization.dose = quantity(o["doseQuantity"], "doseQuantity")
        immunization.lotNumber = text(o, "lotNumber", "")
        immunization.expirationDate = dateTime(o, "expirationDate", "")
        immunization.manufacturer = reference(o["manufacturer"], "manufacturer")
        immunization.route = concept(o["route"], "route")
        immunization.site = concept(o["site"], "site")
        immunization.performers = performers(o["performer"], "performer")
        immunization.fundingSource = concept(o["fundingSource"], "fundingSource")
        immunization.programEligibility = concepts(o["programEligibility"], "programEligibility")
        immunization.note = annotations(o["note"], "note")
        return immunization
    }

    mutating func medication(_ o: JSONObject, _ ref: EntityRef) -> Medication {
        var medication = Medication(ref: ref, source: location)
        medication.patient = reference(o["subject"], "subject")
        medication.encounter = reference(o["encounter"], "encounter")
        medication.identifiers = identifiers(o)
        medication.code = concept(o["medicationCodeableConcept"], "medicationCodeableConcept")
        medication.status = text(o, "status", "") ?? ""
        medication.intent = text(o, "intent", "") ?? ""
        medication.priority = text(o, "priority", "")
        medication.authoredOn = dateTime(o, "authoredOn", "")
        medication.requester = reference(o["requester"], "requester")
        medication.reasons = concepts(o["reasonCode"], "reasonCode")
        medication.note = annotations(o["note"], "note")
        let dosage = o["dosageInstruction"]?.arrayValue?.first?.objectValue
        let path = "dosageInstruction[0]"
        medication.dosageText = text(dosage, "text", path)
        let timing = dosage?["timing"]
        medication.timing = timing?["code"]?["text"]?.stringValue
        medication.period = period(timing?["repeat"]?["boundsPeriod"], path + ".timing.repeat.boundsPeriod")
        medication.route = concept(dosage?["route"], path + ".route")
        medication.doseQuantity = quantity(
            dosage?["doseAndRate"]?.arrayValue?.first?["doseQuantity"], path + ".doseAndRate[0].doseQuantity")
        let dispense = o["dispenseRequest"]?.objectValue
        medication.refills = int(dispense, "numberOfRepeatsAllowed", "dispenseRequest")
        medication.dispenseQuantity = quantity(dispense?["quantity"], "dispenseRequest.quantity")
        return medication
    }

    mutating func serviceRequest(_ o: JSONObject, _ ref: EntityRef) -> ServiceRequest {
        var request = ServiceRequest(ref: ref, source: location)
        request.patient = reference(o["subject"], "subject")
        request.encounter = reference(o["encounter"], "encounter")
        request.identifiers = identifiers(o)
        request.code = concept(o["code"], "code")
        request.status = text(o, "status", "") ?? ""
        request.intent = text(o, "intent", "") ?? ""
        request.priority = text(o, "priority", "")
        request.authoredOn = dateTime(o, "authoredOn", "")
        request.occurrence = dateTime(o, "occurrenceDateTime", "")
        request.requester = reference(o["requester"], "requester")
        request.reasons = concepts(o["reasonCode"], "reasonCode")
        request.specimens = references(o["specimen"], "specimen")
        request.note = annotations(o["note"], "note")
        return request
    }

    mutating func specimen(_ o: JSONObject, _ ref: EntityRef) -> Specimen {
        var specimen = Specimen(ref: ref, source: location)
        specimen.patient = reference(o["subject"], "subject")
        specimen.identifiers = identifiers(o)
        specimen.type = concept(o["type"], "type")
        specimen.received = dateTime(o, "receivedTime", "")
        if let collection = o["collection"]?.objectValue {
            specimen.collected = periodChoice(collection, "collected", "collection")
            specimen.quantity = quantity(collection["quantity"], "collection.quantity")
            specimen.collectionMethod = concept(collection["method"], "collection.method")
            specimen.bodySite = concept(collection["bodySite"], "collection.bodySite")
        }
        return specimen
    }

    mutating func diagnosticReport(_ o: JSONObject, _ ref: EntityRef) -> DiagnosticReport {
        var report = DiagnosticReport(ref: ref, code: concept(o["code"], "code") ?? Concept(), source: location)
        report.patient = reference(o["subject"], "subject")
        report.encounter = reference(o["encounter"], "encounter")
        report.identifiers = identifiers(o)
        report.status = text(o, "status", "") ?? ""
        report.categories = concepts(o["category"], "category")
        report.effective = periodChoice(o, "effective", "")
        report.issued = dateTime(o, "issued", "")
        report.performers = references(o["performer"], "performer")
        report.results = references(o["result"], "result")
        report.basedOn = references(o["basedOn"], "basedOn")
        report.specimens = references(o["specimen"], "specimen")
        report.conclusion = text(o, "conclusion", "")
        return report
    }

    /// DocumentReference: the note's text is the UTF-8 of `content[0].attachment.data` (base64).
    mutating func document(_ o: JSONObject, _ ref: EntityRef) -> DocumentNote {
        var note = DocumentNote(ref: ref, source: location)
        note.patient = reference(o["subject"], "subject")
        note.encounter = reference(o["context"]?["encounter"]?.arrayValue?.first, "context.encounter[0]")
        note.identifiers = identifiers(o)
        note.status = text(o, "status", "") ?? ""
        note.docStatus = text(o, "docStatus", "")
        note.type = concept(o["type"], "type")
        note.date = dateTime(o, "date", "")
        note.authors = references(o["author"], "author")
        let attachment = o["content"]?.arrayValue?.first?["attachment"]?.objectValue
        let path = "content[0].attachment"
        note.contentType = text(attachment, "contentType", path) ?? ""
        if let data = text(attachment, "data", path) {
            if let bytes = Self.base64Binary(data) {
                note.text = String(decoding: bytes, as: UTF8.self)
            } else {
                report(.invalidValue, path + ".data")
            }
        }
        note.title = text(attachment, "title", path)
        return note
    }

    /// The bytes of a FHIR `base64Binary` (RFC 4648 §4): the padding may be left out, nothing
    /// else is tolerated (no white space, no other alphabet); `nil` when malformed.
    ///
    ///     ResourceReader.base64Binary("aGk=")   // [0x68, 0x69]
    ///     ResourceReader.base64Binary("aGk")    // [0x68, 0x69]
    static func base64Binary(_ text: String) -> [UInt8]? {
        // Foundation reads `=` anywhere; FHIR allows it only as the last one or two characters.
        let body = text.utf8.prefix { $0 != UInt8(ascii: "=") }
        let padding = text.utf8.count - body.count
        guard padding <= 2, text.utf8.dropFirst(body.count).allSatisfy({ $0 == UInt8(ascii: "=") }), body.count % 4 != 1
        else { return nil }
        let remainder = body.count % 4
        let padded =
            String(decoding: body, as: UTF8.self) + String(repeating: "=", count: remainder == 0 ? 0 : 4 - remainder)
        return Data(base64Encoded: padded).map { Array($0) }
    }

    mutating func carePlan(_ o: JSONObject, _ ref: EntityRef) -> CarePlan {
        var plan = CarePlan(ref: ref, source: location)
        plan.patient = reference(o["subject"], "subject")
        plan.encounter = reference(o["encounter"], "encounter")
        plan.identifiers = identifiers(o)
        plan.status = text(o, "status", "") ?? ""
        plan.intent = text(o, "intent", "") ?? ""
        plan.categories = concepts(o["category"], "category")
        plan.title = text(o, "title", "")
        plan.period = period(o["period"], "period")
        plan.reasons = extensionConcepts(.object(o), FHIRURL.carePlanReason, "extension")
        plan.activities = (o["activity"]?.arrayValue ?? []).enumerated().map { offset, item in
            concept(item["detail"]?["code"], "activity[\(offset)].detail.code") ?? Concept()
        }
        plan.note = annotations(o["note"], "note")
        return plan
    }

    mutating func imagingStudy(_ o: JSONObject, _ ref: EntityRef) -> ImagingStudy {
        var study = ImagingStudy(ref: ref, source: location)
        let root = JSON.object(o)
        study.patient = reference(o["subject"], "subject")
        study.encounter = reference(o["encounter"], "encounter")
        study.identifiers = identifiers(o)
        study.status = text(o, "status", "") ?? ""
        study.started = dateTime(o, "started", "")
        study.modalities = (o["modality"]?.arrayValue ?? []).enumerated().compactMap {
            coding($1, "modality[\($0)]")
        }
        study.bodySite = Self.extensions(root, FHIRURL.imagingBodySite).first.flatMap {
            coding($0["valueCoding"], "extension")
        }
        study.sopClass = Self.extensions(root, FHIRURL.imagingSOPClass).first.flatMap {
            coding($0["valueCoding"], "extension")
        }
        study.procedureCode = concept(o["procedureCode"]?.arrayValue?.first, "procedureCode[0]")
        study.description = text(o, "description", "")
        return study
    }
}
