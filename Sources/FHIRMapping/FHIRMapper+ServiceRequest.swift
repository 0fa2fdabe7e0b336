import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// ServiceRequest → ServiceRequest (http://hl7.org/fhir/R4/servicerequest.html). `status`
    /// (request-status, else `unknown`), `intent` and `subject` are required.
    public func serviceRequest(_ request: ServiceRequest) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(request)
        resource.set("identifier", context.identifiers(request.identifiers))
        context.setRequiredCode(
            "status", request.status, in: .requestStatus, fallback: "unknown", path: "ServiceRequest.status",
            into: &resource)
        context.setRequiredCode(
            "intent", request.intent, in: .requestIntent, fallback: nil, path: "ServiceRequest.intent",
            into: &resource)
        context.setCode("priority", request.priority, in: .requestPriority, into: &resource)
        resource.set("code", context.concept(request.code))
        resource.set("subject", context.requiredReference(request.patient, path: "ServiceRequest.subject"))
        resource.set("encounter", context.reference(request.encounter))
        context.setDateTime("occurrenceDateTime", request.occurrence, into: &resource)
        context.setDateTime("authoredOn", request.authoredOn, into: &resource)
        resource.set("requester", context.reference(request.requester))
        resource.set("reasonCode", context.concepts(request.reasons))
        resource.set("specimen", context.references(request.specimens))
        resource.set("note", context.annotations(request.note))
        return (resource.object, context.diagnostics)
    }
}
