import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Procedure → Procedure (http://hl7.org/fhir/R4/procedure.html). `status` (event-status, else
    /// `unknown`) and `subject` are required; a period with only a start is `performedDateTime`.
    public func procedure(_ procedure: Procedure) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(procedure)
        resource.set("identifier", context.identifiers(procedure.identifiers))
        context.setRequiredCode(
            "status", procedure.status, in: .eventStatus, fallback: "unknown", path: "Procedure.status",
            into: &resource)
        resource.set("category", context.concept(procedure.category))
        resource.set("code", context.concept(procedure.code))
        resource.set("subject", context.requiredReference(procedure.patient, path: "Procedure.subject"))
        resource.set("encounter", context.reference(procedure.encounter))
        context.setPeriodChoice("performed", procedure.performed, into: &resource)
        resource.set("performer", procedure.performers.map { performer($0, context: &context) })
        resource.set("reasonCode", context.concepts(procedure.reasons))
        resource.set("bodySite", context.concepts(procedure.bodySites))
        resource.set("note", context.annotations(procedure.note))
        return (resource.object, context.diagnostics)
    }

    /// `{function, actor}` for Procedure.performer and Immunization.performer; the participant's
    /// period, which these elements lack, goes into the fhirbridge `participant-period` extension.
    func performer(_ participant: Participant, context: inout MappingContext) -> JSON? {
        var element = ElementBuilder()
        element.set(
            "extension",
            [context.extensionElement(FHIRURL.participantPeriod, "valuePeriod", context.period(participant.period))])
        element.set("function", context.concept(participant.role))
        element.set("actor", context.reference(participant.who))
        return element.json
    }
}
