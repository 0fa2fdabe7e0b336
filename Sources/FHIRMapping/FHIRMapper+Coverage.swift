import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Coverage → Coverage (http://hl7.org/fhir/R4/coverage.html). When the payor (required 1..*) is
    /// unknown, `payor` holds one reference with only a data-absent-reason extension (the patient is not
    /// a stand-in for the insurer) and `missingRequiredElement` (`Coverage.payor`) is reported, so the
    /// record still lands and reads back.
    ///
    /// `beneficiary` is required. The group number and plan name become `class` entries of type
    /// `group` and `plan`; `class.value` is required, and a plan known only by name holds a
    /// data-absent-reason in `_value` with the name in `name`.
    public func coverage(_ coverage: Coverage) -> (JSONObject?, [Diagnostic]) {
        var (resource, context) = start(coverage)
        resource.set("identifier", context.identifiers(coverage.identifiers))
        context.setRequiredCode(
            "status", coverage.status, in: .coverageStatus, fallback: nil, path: "Coverage.status", into: &resource)
        resource.set("type", context.concept(coverage.type))
        resource.set("subscriberId", coverage.subscriberId)
        resource.set("beneficiary", context.requiredReference(coverage.patient, path: "Coverage.beneficiary"))
        resource.set("relationship", context.concept(coverage.relationship))
        resource.set("period", context.period(coverage.period))
        if let payor = coverage.payor {
            resource.set("payor", [context.reference(payor)])
        } else {
            context.reportMissing("Coverage.payor")
            resource.set("payor", [context.absentElement()])
        }
        var classes: [JSON?] = []
        if let group = coverage.groupNumber, group.hasContent {
            var element = ElementBuilder()
            element.set("type", classType("group", "Group"))
            element.set("value", group)
            classes.append(element.json)
        }
        if let plan = coverage.planName, plan.hasContent {
            var element = ElementBuilder()
            element.set("type", classType("plan", "Plan"))
            element.setPrimitive("value", nil, extensions: [context.absentReasonExtension()])
            element.set("name", plan)
            classes.append(element.json)
        }
        resource.set("class", classes)
        return (resource.object, context.diagnostics)
    }

    private func classType(_ code: String, _ display: String) -> JSON {
        let coding = JSONObject([
            "system": .string(FHIRURL.coverageClass), "code": .string(code), "display": .string(display),
        ])
        return .object(JSONObject(["coding": .array([.object(coding)])]))
    }
}
