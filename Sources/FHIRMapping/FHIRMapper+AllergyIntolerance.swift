import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Allergy → AllergyIntolerance (http://hl7.org/fhir/R4/allergyintolerance.html).
    ///
    /// `patient` is required. R4 invariant ait-2 needs a clinical status unless the record is
    /// entered-in-error: without one, `clinicalStatus` holds a data-absent-reason. A reaction
    /// without manifestations (required 1..*) keeps its severity, onset and description, with a
    /// data-absent-reason manifestation. A no-known-allergy statement without a code is written as
    /// SNOMED CT 716186003 "No known allergy".
    public func allergyIntolerance(_ allergy: Allergy) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(allergy)
        resource.set("identifier", context.identifiers(allergy.identifiers))
        let enteredInError = allergy.verificationStatus == "entered-in-error"
        if enteredInError {
            if allergy.clinicalStatus != nil {
                context.report("conflictingElements", code: "AllergyIntolerance.clinicalStatus")
            }
        } else if let clinical = context.codedConcept(allergy.clinicalStatus, in: .allergyClinical) {
            resource.set("clinicalStatus", clinical)
        } else {
            context.reportMissing("AllergyIntolerance.clinicalStatus")
            resource.set("clinicalStatus", context.absentElement())
        }
        resource.set(
            "verificationStatus", context.codedConcept(allergy.verificationStatus, in: .allergyVerification))
        resource.set("type", context.code(allergy.type, in: .allergyType))
        resource.set("category", allergy.categories.map { context.code($0, in: .allergyCategory) })
        resource.set("criticality", context.code(allergy.criticality, in: .allergyCriticality))
        var code = allergy.code
        if allergy.noKnownAllergy, code?.isEmpty ?? true {
            code = Concept(Coding(system: FHIRURL.snomed, code: "716186003", display: "No known allergy"))
        }
        resource.set("code", context.concept(code))
        resource.set("patient", context.requiredReference(allergy.patient, path: "AllergyIntolerance.patient"))
        resource.set("onsetDateTime", context.dateTime(allergy.onset))
        resource.set("recordedDate", context.dateTime(allergy.recordedDate))
        resource.set(
            "reaction",
            allergy.reactions.map { reaction in
                var element = ElementBuilder()
                var manifestations = context.concepts(reaction.manifestations).compactMap { $0 }
                if manifestations.isEmpty {
                    context.reportMissing("AllergyIntolerance.reaction.manifestation")
                    manifestations = [context.absentElement()]
                }
                element.set("manifestation", manifestations)
                element.set("description", reaction.description)
                element.set("onset", context.dateTime(reaction.onset))
                element.set("severity", context.code(reaction.severity, in: .reactionSeverity))
                return element.json
            })
        return (resource.object, context.diagnostics)
    }
}
