import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Allergy → AllergyIntolerance (http://hl7.org/fhir/R4/allergyintolerance.html).
    ///
    /// `patient` is required. R4 invariant ait-2 needs a clinical status unless the record is
    /// entered-in-error: without one, `clinicalStatus` holds a data-absent-reason. A reaction
    /// without manifestations (required 1..*) keeps its severity, onset and description, with a
    /// data-absent-reason manifestation. A no-known-allergy statement is flagged by the fhirbridge
    /// `no-known-allergy` extension; without a code it is written as SNOMED CT 716186003 "No known
    /// allergy", marked `absent-in-source`. A status that cannot be written (outside its code system,
    /// or a clinical status on an entered-in-error record) goes into `source-clinical-status` /
    /// `source-verification-status`.
    public func allergyIntolerance(_ allergy: Allergy) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(allergy)
        var extensions: [JSON?] = []
        if allergy.noKnownAllergy {
            extensions.append(context.extensionElement(FHIRURL.noKnownAllergy, "valueBoolean", .bool(true)))
        }
        resource.set("identifier", context.identifiers(allergy.identifiers))
        let enteredInError = allergy.verificationStatus == "entered-in-error"
        if enteredInError {
            if let clinical = allergy.clinicalStatus {
                context.report(.conflictingElements, code: "AllergyIntolerance.clinicalStatus")
                extensions.append(
                    context.extensionElement(FHIRURL.sourceClinicalStatus, "valueString", .string(clinical)))
            }
        } else if let clinical = context.codedConcept(allergy.clinicalStatus, in: .allergyClinical) {
            resource.set("clinicalStatus", clinical)
        } else {
            context.reportMissing("AllergyIntolerance.clinicalStatus")
            resource.set("clinicalStatus", context.absentElement())
            if let clinical = allergy.clinicalStatus {
                extensions.append(
                    context.extensionElement(FHIRURL.sourceClinicalStatus, "valueString", .string(clinical)))
            }
        }
        if let verification = allergy.verificationStatus {
            if let concept = context.codedConcept(verification, in: .allergyVerification) {
                resource.set("verificationStatus", concept)
            } else {
                extensions.append(
                    context.extensionElement(FHIRURL.sourceVerificationStatus, "valueString", .string(verification)))
            }
        }
        context.setCode("type", allergy.type, in: .allergyType, into: &resource)
        resource.setPrimitiveArray(
            "category",
            allergy.categories.map { category in
                if let code = context.code(category, in: .allergyCategory) { return (code, []) }
                return (nil, [context.sourceValueExtension(category)].compactMap { $0 })
            })
        context.setCode("criticality", allergy.criticality, in: .allergyCriticality, into: &resource)
        if allergy.noKnownAllergy, allergy.code?.isEmpty ?? true {
            let code = Concept(Coding(system: FHIRURL.snomed, code: "716186003", display: "No known allergy"))
            if let concept = context.concept(code)?.objectValue {
                resource.set("code", .object(concept.addingExtensions([context.absentInSourceExtension()])))
            }
        } else {
            resource.set("code", context.concept(allergy.code))
        }
        resource.set("patient", context.requiredReference(allergy.patient, path: "AllergyIntolerance.patient"))
        context.setDateTime("onsetDateTime", allergy.onset, into: &resource)
        context.setDateTime("recordedDate", allergy.recordedDate, into: &resource)
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
                context.setDateTime("onset", reaction.onset, into: &element)
                context.setCode("severity", reaction.severity, in: .reactionSeverity, into: &element)
                return element.json
            })
        resource.addExtensions(extensions)
        return (resource.object, context.diagnostics)
    }
}
