import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Medication → MedicationRequest (http://hl7.org/fhir/R4/medicationrequest.html).
    ///
    /// `status`, `intent`, `medication[x]` and `subject` are required. Dosage text, timing (as
    /// `timing.code.text`), the administration period (`timing.repeat.boundsPeriod`), route and dose
    /// form one `dosageInstruction`; the dispense quantity and refills form `dispenseRequest`.
    public func medicationRequest(_ medication: Medication) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(medication)
        resource.set("identifier", context.identifiers(medication.identifiers))
        context.setRequiredCode(
            "status", medication.status, in: .medicationRequestStatus, fallback: "unknown",
            path: "MedicationRequest.status", into: &resource)
        context.setRequiredCode(
            "intent", medication.intent, in: .medicationRequestIntent, fallback: nil,
            path: "MedicationRequest.intent", into: &resource)
        context.setCode("priority", medication.priority, in: .requestPriority, into: &resource)
        resource.set(
            "medicationCodeableConcept",
            context.requiredConcept(medication.code, path: "MedicationRequest.medication[x]"))
        resource.set("subject", context.requiredReference(medication.patient, path: "MedicationRequest.subject"))
        resource.set("encounter", context.reference(medication.encounter))
        context.setDateTime("authoredOn", medication.authoredOn, into: &resource)
        resource.set("requester", context.reference(medication.requester))
        resource.set("reasonCode", context.concepts(medication.reasons))
        resource.set("note", context.annotations(medication.note))
        var timing = ElementBuilder()
        if let bounds = context.period(medication.period) {
            timing.set("repeat", .object(JSONObject(["boundsPeriod": bounds])))
        }
        if let text = medication.timing, text.hasContent {
            timing.set("code", .object(JSONObject(["text": .string(text)])))
        }
        var dosage = ElementBuilder()
        dosage.set("text", medication.dosageText)
        dosage.set("timing", timing.json)
        dosage.set("route", context.concept(medication.route))
        if let dose = context.quantity(medication.doseQuantity, simple: true) {
            dosage.set("doseAndRate", [.object(JSONObject(["doseQuantity": dose]))])
        }
        resource.set("dosageInstruction", [dosage.json])
        var dispense = ElementBuilder()
        if let refills = medication.refills {
            if refills >= 0 {
                dispense.set("numberOfRepeatsAllowed", .int(refills))
            } else {
                context.report(.invalidValue, code: "MedicationRequest.dispenseRequest.numberOfRepeatsAllowed")
                dispense.setPrimitive(
                    "numberOfRepeatsAllowed", nil,
                    extensions: [context.sourceValueExtension(String(refills))].compactMap { $0 })
            }
        }
        dispense.set("quantity", context.quantity(medication.dispenseQuantity, simple: true))
        resource.set("dispenseRequest", dispense.json)
        return (resource.object, context.diagnostics)
    }
}
