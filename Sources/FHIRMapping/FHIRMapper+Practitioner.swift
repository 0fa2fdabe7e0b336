import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Practitioner → Practitioner (http://hl7.org/fhir/R4/practitioner.html). Each qualification
    /// concept becomes `qualification.code`.
    public func practitioner(_ practitioner: Practitioner) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(practitioner)
        resource.set("identifier", context.identifiers(practitioner.identifiers))
        resource.set("name", practitioner.names.map { context.humanName($0) })
        resource.set("telecom", practitioner.telecom.map { context.contactPoint($0) })
        resource.set("address", practitioner.addresses.map { context.address($0) })
        resource.set(
            "qualification",
            practitioner.qualifications.map { qualification in
                context.concept(qualification).map { JSON.object(JSONObject(["code": $0])) }
            })
        return (resource.object, context.diagnostics)
    }
}
