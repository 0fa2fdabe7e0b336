import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Organization → Organization (http://hl7.org/fhir/R4/organization.html).
    public func organization(_ organization: Organization) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(organization)
        resource.set("identifier", context.identifiers(organization.identifiers))
        resource.set("type", [context.concept(organization.type)])
        resource.set("name", organization.name)
        resource.set("telecom", organization.telecom.map { context.contactPoint($0) })
        resource.set("address", organization.addresses.map { context.address($0) })
        return (resource.object, context.diagnostics)
    }
}
