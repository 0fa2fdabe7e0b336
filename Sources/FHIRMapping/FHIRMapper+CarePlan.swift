import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// CarePlan → CarePlan (http://hl7.org/fhir/R4/careplan.html).
    ///
    /// `status` (request-status, else `unknown`), `intent` (care-plan-intent) and `subject` are
    /// required. Each activity is `activity.detail` with the activity's concept as `code`;
    /// `detail.status` is required and the record has none, so it is `unknown`. The plan's reasons
    /// are concepts, while `CarePlan.addresses` needs Condition references: they go into fhirbridge
    /// `careplan-reason` extensions (valueCodeableConcept), one per reason.
    public func carePlan(_ plan: CarePlan) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(plan)
        resource.set(
            "extension",
            plan.reasons.map {
                context.extensionElement(FHIRURL.carePlanReason, "valueCodeableConcept", context.concept($0))
            })
        resource.set("identifier", context.identifiers(plan.identifiers))
        context.setRequiredCode(
            "status", plan.status, in: .requestStatus, fallback: "unknown", path: "CarePlan.status", into: &resource)
        context.setRequiredCode(
            "intent", plan.intent, in: .carePlanIntent, fallback: nil, path: "CarePlan.intent", into: &resource)
        resource.set("category", context.concepts(plan.categories))
        resource.set("title", plan.title)
        resource.set("subject", context.requiredReference(plan.patient, path: "CarePlan.subject"))
        resource.set("encounter", context.reference(plan.encounter))
        resource.set("period", context.period(plan.period))
        resource.set(
            "activity",
            plan.activities.map { activity in
                var detail = ElementBuilder()
                detail.set("code", context.concept(activity))
                detail.set("status", .string("unknown"))
                return .object(JSONObject(["detail": detail.json ?? .null]))
            })
        resource.set("note", context.annotations(plan.note))
        return (resource.object, context.diagnostics)
    }
}
