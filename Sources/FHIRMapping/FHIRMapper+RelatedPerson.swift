import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// RelatedPerson → RelatedPerson (http://hl7.org/fhir/R4/relatedperson.html). `patient` is required.
    public func relatedPerson(_ person: RelatedPerson) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(person)
        resource.set("identifier", context.identifiers(person.identifiers))
        resource.set("patient", context.requiredReference(person.patient, path: "RelatedPerson.patient"))
        resource.set("relationship", context.concepts(person.relationship))
        resource.set("name", person.names.map { context.humanName($0) })
        resource.set("telecom", person.telecom.map { context.contactPoint($0) })
        context.setGender("gender", person.gender, into: &resource)
        context.setDate("birthDate", person.birthDate, into: &resource)
        resource.set("address", person.addresses.map { context.address($0) })
        resource.set("period", context.period(person.period))
        return (resource.object, context.diagnostics)
    }
}
