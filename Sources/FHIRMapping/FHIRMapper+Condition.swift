import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Condition → Condition (http://hl7.org/fhir/R4/condition.html).
    ///
    /// Clinical and verification statuses are CodeableConcepts from condition-clinical and
    /// condition-ver-status; the category uses condition-category when it is one of its codes, else
    /// it is kept as text. `subject` is required. A diagnosis type and rank, which Condition has no
    /// element for, go into the fhirbridge `condition-diagnosis-type` and `condition-diagnosis-rank`
    /// extensions. R4 invariant con-5: an entered-in-error condition has no clinical status.
    public func condition(_ condition: Condition) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(condition)
        var extensions: [JSON?] = []
        if let type = condition.diagnosisType {
            extensions.append(
                context.extensionElement(FHIRURL.diagnosisType, "valueCodeableConcept", context.concept(type)))
        }
        if let rank = condition.rank {
            if rank >= 1 {
                extensions.append(context.extensionElement(FHIRURL.diagnosisRank, "valuePositiveInt", .int(rank)))
            } else {
                context.report("invalidValue", code: "Condition.rank")
            }
        }
        resource.set("extension", extensions)
        resource.set("identifier", context.identifiers(condition.identifiers))
        if condition.verificationStatus == "entered-in-error", condition.clinicalStatus != nil {
            context.report("conflictingElements", code: "Condition.clinicalStatus")
        } else {
            resource.set("clinicalStatus", context.codedConcept(condition.clinicalStatus, in: .conditionClinical))
        }
        resource.set(
            "verificationStatus", context.codedConcept(condition.verificationStatus, in: .conditionVerification))
        resource.set("category", [context.categoryConcept(condition.category, in: .conditionCategory)])
        resource.set("severity", context.concept(condition.severity))
        resource.set("code", context.concept(condition.code))
        resource.set("subject", context.requiredReference(condition.patient, path: "Condition.subject"))
        resource.set("encounter", context.reference(condition.encounter))
        resource.set("onsetDateTime", context.dateTime(condition.onset))
        resource.set("abatementDateTime", context.dateTime(condition.abatement))
        resource.set("recordedDate", context.dateTime(condition.recordedDate))
        resource.set("recorder", context.reference(condition.recorder))
        resource.set("note", context.annotations(condition.note))
        return (resource.object, context.diagnostics)
    }
}
