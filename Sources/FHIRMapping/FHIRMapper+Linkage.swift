import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// PatientLink → Linkage (http://hl7.org/fhir/R4/linkage.html): the survivor is the `source`
    /// item, the merged record the `alternate` item. Neither Patient is invented: a merge message's
    /// patients usually live on the target server and are referenced by their derived ids. The merged
    /// record's identifiers go into fhirbridge `merged-identifier` extensions (valueIdentifier).
    public func linkage(_ link: PatientLink) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(link)
        resource.set(
            "extension",
            link.mergedIdentifiers.map {
                context.extensionElement(FHIRURL.mergedIdentifier, "valueIdentifier", context.identifier($0))
            })
        resource.set(
            "item",
            [
                item("source", context.reference(link.survivor)),
                item("alternate", context.reference(link.merged)),
            ])
        return (resource.object, context.diagnostics)
    }

    private func item(_ type: String, _ reference: JSON?) -> JSON? {
        guard let reference else { return nil }
        return .object(JSONObject(["type": .string(type), "resource": reference]))
    }
}
