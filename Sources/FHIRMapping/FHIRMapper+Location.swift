import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Location → Location (http://hl7.org/fhir/R4/location.html). The physical type coding
    /// becomes the `physicalType` CodeableConcept.
    public func location(_ location: Location) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(location)
        resource.set("identifier", context.identifiers(location.identifiers))
        resource.set("name", location.name)
        resource.set("description", location.description)
        resource.set("address", context.address(location.address))
        if let physicalType = location.physicalType {
            resource.set("physicalType", context.concept(Concept(physicalType)))
        }
        resource.set("managingOrganization", context.reference(location.managingOrganization))
        resource.set("partOf", context.reference(location.partOf))
        return (resource.object, context.diagnostics)
    }
}
