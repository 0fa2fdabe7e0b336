import ClinicalModel

/// Procedures, encounters, plans and imaging: Procedure Activity Procedure/Act/Observation
/// (2.16.840.1.113883.10.20.22.4.14, 4.12, 4.13), Encounter Activity (…4.49) with its Encounter
/// Diagnoses (…4.80), planned entries (…4.39–4.44) in Plan of Treatment (…2.10), and the DICOM
/// Object Catalog's Study Acts (2.16.840.1.113883.10.20.6.2.6).
extension DocumentReader {
    static let dicomUID = "urn:dicom:uid"

    /// Procedure Activity → Procedure. `negationInd="true"` (refused, not done) is status
    /// `not-done`; otherwise `statusCode` through `procedureStatus`. A planned one (`@moodCode`
    /// not `EVN`) is a ServiceRequest.
    func readProcedure(_ element: XMLNode, _ context: SectionContext) {
        if isPlanned(element) {
            readPlannedActivity(element, context)
            return
        }
        var procedure = Procedure(ref: EntityRef(.procedure, key: ""), source: element.location)
        procedure.patient = patient
        procedure.encounter = context.encounter
        procedure.identifiers = identifiers(of: element)
        procedure.code = concept(element, "code") ?? entryText(element).map { Concept(text: $0) }
        procedure.status = element.isNegated ? "not-done" : (status(element, .procedureStatus) ?? "unknown")
        procedure.performed = period(element.child("effectiveTime"))
        procedure.bodySites = element.children("targetSiteCode").compactMap { concept($0) }
        for performer in element.children("performer") {
            if let who = practitioner(performer.child("assignedEntity")) {
                procedure.performers.append(Participant(who: who))
            }
            organization(performer.path("assignedEntity", "representedOrganization"))
        }
        procedure.reasons = reasons(element)
        add(procedure, to: \.procedures, key: scoped(idKey(element)), node: element)
    }

    /// Encounter Activity → Encounter; its Encounter Diagnoses become Conditions of the encounter.
    ///
    /// The code is the encounter type (a v3 ActCode code or translation is the class); status is
    /// `statusCode` through `encounterStatus`, else `finished` with an end time, `in-progress`
    /// with only a start. Performers are participants, Service Delivery Locations locations.
    func readEncounterActivity(_ element: XMLNode, _ context: SectionContext) {
        if isPlanned(element) {
            readPlannedActivity(element, context)
            return
        }
        if skipNegated(element) { return }
        var encounter = Encounter(ref: EntityRef(.encounter, key: ""), source: element.location)
        encounter.patient = patient
        encounter.identifiers = identifiers(of: element)
        applyEncounterCode(concept(element, "code"), to: &encounter)
        encounter.period = period(element.child("effectiveTime"))
        encounter.status =
            status(element, .encounterStatus)
            ?? (encounter.period?.end != nil
                ? "finished" : (encounter.period?.start != nil ? "in-progress" : "unknown"))
        for performer in element.children("performer") {
            guard let who = practitioner(performer.child("assignedEntity")) else { continue }
            let role = Concept(Coding(system: Self.participationType, code: performer.value("typeCode") ?? "PRF"))
            encounter.participants.append(Participant(role: role, who: who, period: period(performer.child("time"))))
        }
        for participant in element.children("participant") where participant.value("typeCode") == "LOC" {
            if let place = location(participant.child("participantRole")) { encounter.locations.append(place) }
        }
        encounter.dischargeDisposition = concept(element.child("dischargeDispositionCode", in: XMLNamespace.sdtc))
        encounter.reasons = reasons(element)
        let ref = add(encounter, to: \.encounters, key: scoped(idKey(element)), node: element)
        var inner = context
        inner.encounter = ref
        for related in related(element) where related.isElement("act") || related.isElement("observation") {
            switch entryKind(related, inner) {
            case .diagnosisAct?: readDiagnosisAct(related, inner, category: .diagnosisAct)
            case .problemObservation?: readProblemObservation(related, inner, concern: nil, category: .diagnosisAct)
            default: break
            }
        }
    }

    /// A planned act, procedure, observation, encounter or supply → ServiceRequest (intent from
    /// `@moodCode` through `plannedIntent`, status through `requestStatus`); a planned substance
    /// administration → a planned Medication.
    func readPlannedActivity(_ element: XMLNode, _ context: SectionContext) {
        if skipNegated(element) { return }
        if element.value("moodCode") == "GOL" {
            diagnose(.information, .entryNotMapped, at: element)  // a goal: no Goal record yet
            return
        }
        if element.isElement("substanceAdministration") {
            readMedicationActivity(element, context, planned: true)
            return
        }
        var request = ServiceRequest(ref: EntityRef(.serviceRequest, key: ""), source: element.location)
        request.patient = patient
        request.encounter = context.encounter
        request.identifiers = identifiers(of: element)
        request.code = plannedConcept(element)
        request.status = status(element, .requestStatus) ?? "unknown"
        let mood = element.value("moodCode") ?? "INT"
        request.intent =
            translate(.plannedIntent, mood, system: Self.v3ActMood, at: element)
            ?? "plan"
        request.occurrence = startTime(element)
        request.authoredOn = authorTime(element)
        request.requester = authorPractitioner(element)
        request.reasons = reasons(element)
        add(request, to: \.serviceRequests, key: scoped(idKey(element)), node: element)
    }

    /// What a planned entry plans: its code, a supply's or medication's product, else its text.
    func plannedConcept(_ element: XMLNode) -> Concept? {
        concept(element, "code") ?? productConcept(element)
            ?? element.path("product", "manufacturedProduct", "manufacturedMaterial").flatMap { concept($0, "code") }
            ?? entryText(element).map { Concept(text: $0) }
    }

    /// Plan of Treatment → a CarePlan (title, narrative as a note, each planned entry's code as an
    /// activity, Instructions as notes) and a request or planned medication per planned entry.
    func readPlan(_ section: XMLNode, _ context: SectionContext) {
        var plan = CarePlan(ref: EntityRef(.carePlan, key: ""), source: section.location)
        plan.patient = patient
        plan.encounter = documentEncounter
        plan.status = "active"
        plan.intent = "plan"
        plan.title = section.child("title")?.normalizedText
        if section.nullFlavor == nil, let text = section.child("text").flatMap(NarrativeText.render) {
            plan.note.append(Annotation(text: text, time: record.document.recorded))
        }
        for entry in section.children("entry") {
            for element in entry.elements where element.isCDA {
                let kind = entryKind(element, context)
                if kind == .instruction {
                    if let text = entryText(element) ?? concept(element, "code")?.text {
                        plan.note.append(Annotation(text: text))
                    }
                    continue
                }
                readEntry(element, context)
                if [.plannedActivity, .plannedMedication, .plannedImmunization, .procedureActivity, .encounterActivity]
                    .contains(kind), !element.isNegated, element.value("moodCode") != "GOL",
                    let activity = plannedConcept(element)
                {
                    plan.activities.append(activity)
                }
            }
        }
        guard !plan.activities.isEmpty || !plan.note.isEmpty else { return }
        let code = section.child("code")?.value("code") ?? section.xpath
        let key = scoped(
            [record.document.controlID ?? record.document.digest ?? inputName, "plan", code].joined(separator: "|"))
        add(plan, to: \.carePlans, key: key, node: section)
    }

    /// DICOM Study Act → ImagingStudy: the Study Instance UID (`urn:dicom:uid`), start time, each
    /// Series Act's modality (its `Modality` qualifier) and the SOP Class of its instances.
    func readImagingStudy(_ act: XMLNode, _ context: SectionContext) {
        var study = ImagingStudy(ref: EntityRef(.imagingStudy, key: ""), source: act.location)
        study.patient = patient
        study.encounter = context.encounter ?? documentEncounter
        for id in act.children("id") where id.nullFlavor == nil {
            if let root = id.value("root") {
                study.identifiers.append(Identifier(system: Self.dicomUID, value: "urn:oid:" + root))
            }
        }
        study.started = startTime(act)
        for series in related(act, "COMP") where series.isElement("act") {
            for qualifier in series.child("code")?.children("qualifier") ?? []
            where qualifier.child("name")?.value("code") == "121139" {
                if let value = qualifier.child("value"), let modality = coding(value),
                    !study.modalities.contains(modality)
                {
                    study.modalities.append(modality)
                }
            }
            for instance in related(series, "COMP") where instance.isElement("observation") {
                if study.sopClass == nil, let code = instance.child("code")?.value("code") {
                    study.sopClass = Coding(
                        system: Self.uriSystem, code: "urn:oid:" + code,
                        display: instance.child("code")?.value("displayName"))
                }
            }
        }
        study.description = act.child("text").flatMap { $0.child("reference") == nil ? $0.normalizedText : nil }
        add(study, to: \.imagingStudies, key: scoped(idKey(act)), node: act)
    }
}
