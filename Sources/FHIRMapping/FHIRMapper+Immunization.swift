import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Immunization → Immunization (http://hl7.org/fhir/R4/immunization.html).
    ///
    /// `status`, `vaccineCode`, `patient` and `occurrence[x]` are required. A missing occurrence is
    /// `_occurrenceDateTime` with a data-absent-reason `unknown`, never a made-up date.
    public func immunization(_ immunization: Immunization) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(immunization)
        resource.set("identifier", context.identifiers(immunization.identifiers))
        context.setRequiredCode(
            "status", immunization.status, in: .immunizationStatus, fallback: nil, path: "Immunization.status",
            into: &resource)
        resource.set("statusReason", context.concept(immunization.statusReason))
        resource.set("vaccineCode", context.requiredConcept(immunization.vaccine, path: "Immunization.vaccineCode"))
        resource.set("patient", context.requiredReference(immunization.patient, path: "Immunization.patient"))
        resource.set("encounter", context.reference(immunization.encounter))
        if immunization.occurrence != nil {
            context.setDateTime("occurrenceDateTime", immunization.occurrence, into: &resource)
        } else {
            context.reportMissing("Immunization.occurrence[x]")
            resource.setPrimitive("occurrenceDateTime", nil, extensions: [context.absentReasonExtension()])
        }
        context.setDateTime("recorded", immunization.recorded, into: &resource)
        resource.set("primarySource", immunization.primarySource)
        resource.set("reportOrigin", context.concept(immunization.reportOrigin))
        resource.set("manufacturer", context.reference(immunization.manufacturer))
        resource.set("lotNumber", immunization.lotNumber)
        context.setDate("expirationDate", immunization.expirationDate, into: &resource)
        resource.set("site", context.concept(immunization.site))
        resource.set("route", context.concept(immunization.route))
        resource.set("doseQuantity", context.quantity(immunization.dose, simple: true))
        resource.set("performer", immunization.performers.map { performer($0, context: &context) })
        resource.set("note", context.annotations(immunization.note))
        resource.set("programEligibility", context.concepts(immunization.programEligibility))
        resource.set("fundingSource", context.concept(immunization.fundingSource))
        return (resource.object, context.diagnostics)
    }
}
