import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Condition → Condition (http://hl7.org/fhir/R4/condition.html).
    ///
    /// Clinical and verification statuses are CodeableConcepts from condition-clinical and
    /// condition-ver-status; the category uses condition-category when it is one of its codes, else
    /// it is kept as text. `subject` is required. A diagnosis type and rank, which Condition has no
    /// element for, go into the fhirbridge `condition-diagnosis-type` and `condition-diagnosis-rank`
    /// extensions (a rank below 1 as `valueInteger`). R4 invariant con-5: an entered-in-error condition
    /// has no clinical status; such a status, or one outside its code system, goes into the fhirbridge
    /// `source-clinical-status` extension (`source-verification-status` likewise). con-4: an abated
    /// condition without a clinical status gets `inactive`, with the `absent-in-source` extension.
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
                context.report(.invalidValue, code: "Condition.rank")
                extensions.append(context.extensionElement(FHIRURL.diagnosisRank, "valueInteger", .int(rank)))
            }
        }
        resource.set("identifier", context.identifiers(condition.identifiers))
        if let clinical = condition.clinicalStatus {
            if condition.verificationStatus == "entered-in-error" {
                context.report(.conflictingElements, code: "Condition.clinicalStatus")
                extensions.append(
                    context.extensionElement(FHIRURL.sourceClinicalStatus, "valueString", .string(clinical)))
            } else if let concept = context.codedConcept(clinical, in: .conditionClinical) {
                resource.set("clinicalStatus", concept)
            } else {
                extensions.append(
                    context.extensionElement(FHIRURL.sourceClinicalStatus, "valueString", .string(clinical)))
            }
        } else if condition.abatement != nil, condition.verificationStatus != "entered-in-error",
            let inactive = context.codedConcept("inactive", in: .conditionClinical)?.objectValue
        {
            // R4 con-4: an abated condition is inactive, resolved or in remission. Without a status from
            // the source it is `inactive` (which covers the other two), marked as not from the source.
            resource.set("clinicalStatus", .object(inactive.addingExtensions([context.absentInSourceExtension()])))
        }
        if let verification = condition.verificationStatus {
            if let concept = context.codedConcept(verification, in: .conditionVerification) {
                resource.set("verificationStatus", concept)
            } else {
                extensions.append(
                    context.extensionElement(FHIRURL.sourceVerificationStatus, "valueString", .string(verification)))
            }
        }
        resource.set("category", [context.categoryConcept(condition.category, in: .conditionCategory)])
        resource.set("severity", context.concept(condition.severity))
        resource.set("code", context.concept(condition.code))
        resource.set("subject", context.requiredReference(condition.patient, path: "Condition.subject"))
        resource.set("encounter", context.reference(condition.encounter))
        context.setDateTime("onsetDateTime", condition.onset, into: &resource)
        context.setDateTime("abatementDateTime", condition.abatement, into: &resource)
        context.setDateTime("recordedDate", condition.recordedDate, into: &resource)
        resource.set("recorder", context.reference(condition.recorder))
        resource.set("note", context.annotations(condition.note))
        resource.addExtensions(extensions)
        return (resource.object, context.diagnostics)
    }
}
