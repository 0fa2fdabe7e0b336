import ClinicalModel

/// Medications and immunizations: Medication Activity (2.16.840.1.113883.10.20.22.4.16), Planned
/// Medication Activity (…4.42), Immunization Activity (…4.52) and Planned Immunization Activity
/// (…4.120), with their product (…4.23, …4.54), indications, instructions, supply orders and
/// free-text sig.
extension DocumentReader {
    static let supplyOrder = "2.16.840.1.113883.10.20.22.4.17"
    static let freeTextSig = "2.16.840.1.113883.10.20.22.4.147"
    static let instruction = "2.16.840.1.113883.10.20.22.4.20"
    static let refusalReason = "2.16.840.1.113883.10.20.22.4.53"

    /// The product of a substance administration: `consumable/manufacturedProduct/
    /// manufacturedMaterial/code`, its `name` as text when the code has none.
    func productConcept(_ element: XMLNode) -> Concept? {
        guard let material = element.path("consumable", "manufacturedProduct", "manufacturedMaterial") else {
            return nil
        }
        let name = material.child("name")?.normalizedText
        if var code = concept(material, "code") {
            if code.text == nil { code.text = name }
            return code
        }
        return name.map { Concept(text: $0) }
    }

    /// Medication Activity (or a planned medication or immunization) → Medication.
    ///
    /// - `status`: `statusCode` through `medicationStatus`; `intent`: `@moodCode` through
    ///   `medicationIntent` (`INT` in a Medications section is a prescription: `order`), or for
    ///   planned entries (Planned Medication/Immunization, Plan of Treatment) `plannedIntent`.
    /// - `period`: the `IVL_TS` effectiveTime; `timing`: a `PIVL_TS` period (`every 4-6 h`) or an
    ///   `EIVL_TS` event, as text.
    /// - `reasons`: Indication values; `dosageText`: the free-text sig; `note`: Instructions;
    ///   `dispenseQuantity` and `refills`: the Supply Order (`repeatNumber` counts fills, so
    ///   refills are one fewer).
    /// - `negationInd="true"` (not taken, refused) is reported and not mapped: a MedicationRequest
    ///   would state the opposite, and the model has no `doNotPerform`.
    func readMedicationActivity(_ element: XMLNode, _ context: SectionContext, planned: Bool) {
        if skipNegated(element) { return }
        var medication = Medication(ref: EntityRef(.medication, key: ""), source: element.location)
        medication.patient = patient
        medication.encounter = context.encounter
        medication.identifiers = identifiers(of: element)
        medication.code = productConcept(element)
        let mood = element.value("moodCode") ?? "EVN"
        if planned {
            medication.intent = translate(.plannedIntent, mood, system: Self.v3ActMood, at: element) ?? "plan"
        } else {
            medication.intent = translate(.medicationIntent, mood, system: Self.v3ActMood, at: element) ?? "order"
        }
        medication.status = status(element, .medicationStatus) ?? "unknown"
        for time in element.children("effectiveTime") {
            switch time.xsiType {
            case "PIVL_TS"?:
                if medication.timing == nil { medication.timing = periodicTiming(time) }
            case "EIVL_TS"?:
                if medication.timing == nil, let event = time.child("event")?.value("code") {
                    medication.timing = "event " + event
                }
            default:
                if medication.period == nil { medication.period = period(time) }
            }
        }
        medication.doseQuantity = quantity(element.child("doseQuantity"))
        medication.route = concept(element, "routeCode")
        medication.authoredOn = authorTime(element)
        medication.requester = authorPractitioner(element)
        medication.reasons = reasons(element)
        for related in related(element) {
            if hasTemplate(related, Self.supplyOrder) {
                medication.dispenseQuantity = quantity(related.child("quantity"))
                if let fills = related.child("repeatNumber")?.value("value").flatMap({ Int($0) }) {
                    medication.refills = max(0, fills - 1)
                }
            } else if hasTemplate(related, Self.freeTextSig) {
                medication.dosageText = entryText(related)
            } else if hasTemplate(related, Self.instruction),
                let text = entryText(related) ?? concept(related, "code")?.text
            {
                medication.note.append(Annotation(text: text))
            }
        }
        add(medication, to: \.medications, key: scoped(idKey(element)), node: element)
    }

    /// `PIVL_TS` as text: `every 6 h`, `every 4-6 h`, `2 times per 1 d` (with `frequency`).
    private func periodicTiming(_ time: XMLNode) -> String? {
        if let period = time.child("period") {
            if let value = period.value("value") {
                return "every \(value)" + (period.value("unit").map { " " + $0 } ?? "")
            }
            if let low = period.child("low")?.value("value"), let high = period.child("high")?.value("value") {
                let unit = period.child("high")?.value("unit") ?? period.child("low")?.value("unit")
                return "every \(low)-\(high)" + (unit.map { " " + $0 } ?? "")
            }
        }
        if let frequency = time.child("frequency"), let numerator = frequency.child("numerator")?.value("value"),
            let denominator = frequency.child("denominator")
        {
            return "\(numerator) times per \(denominator.value("value") ?? "1")"
                + (denominator.value("unit").map { " " + $0 } ?? "")
        }
        return nil
    }

    /// Immunization Activity → Immunization. A planned one (`@moodCode` not `EVN`) is a planned
    /// Medication instead: Immunization has no "planned" status.
    ///
    /// - `status`: `not-done` when `negationInd="true"` (with the Immunization Refusal Reason as
    ///   `statusReason`), else `statusCode` through `immunizationStatus`.
    /// - `vaccine`: the product code (CVX, with NDC translations); `lotNumber`, `manufacturer`.
    func readImmunization(_ element: XMLNode, _ context: SectionContext) {
        if isPlanned(element) {
            readMedicationActivity(element, context, planned: true)
            return
        }
        var immunization = Immunization(ref: EntityRef(.immunization, key: ""), source: element.location)
        immunization.patient = patient
        immunization.encounter = context.encounter
        immunization.identifiers = identifiers(of: element)
        immunization.vaccine = productConcept(element)
        if element.isNegated {
            immunization.status = "not-done"
            for reason in related(element, "RSON")
            where hasTemplate(reason, Self.refusalReason) || reason.isElement("observation") {
                immunization.statusReason = concept(reason, "code") ?? concept(reason, "value")
                if immunization.statusReason != nil { break }
            }
        } else {
            immunization.status = status(element, .immunizationStatus) ?? "completed"
        }
        immunization.occurrence = startTime(element)
        immunization.recorded = authorTime(element)
        if let product = element.path("consumable", "manufacturedProduct") {
            immunization.lotNumber = product.path("manufacturedMaterial", "lotNumberText")?.normalizedText
            immunization.manufacturer = organization(product.child("manufacturerOrganization"))
        }
        immunization.route = concept(element, "routeCode")
        immunization.site = concept(element, "approachSiteCode")
        immunization.dose = quantity(element.child("doseQuantity"))
        for performer in element.children("performer") {
            if let who = practitioner(performer.child("assignedEntity")) {
                immunization.performers.append(
                    Participant(
                        role: Concept(Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0443", code: "AP")),
                        who: who))
            }
        }
        for related in related(element, "SUBJ") where hasTemplate(related, Self.instruction) {
            if let text = entryText(related) ?? concept(related, "code")?.text {
                immunization.note.append(Annotation(text: text))
            }
        }
        add(immunization, to: \.immunizations, key: scoped(idKey(element)), node: element)
    }
}
