import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Specimen → Specimen (http://hl7.org/fhir/R4/specimen.html). Collection time, method, body
    /// site and quantity form `collection`; a period with only a start is `collectedDateTime`.
    public func specimen(_ specimen: Specimen) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(specimen)
        resource.set("identifier", context.identifiers(specimen.identifiers))
        resource.set("type", context.concept(specimen.type))
        resource.set("subject", context.reference(specimen.patient))
        context.setDateTime("receivedTime", specimen.received, into: &resource)
        var collection = ElementBuilder()
        context.setPeriodChoice("collected", specimen.collected, into: &collection)
        collection.set("quantity", context.quantity(specimen.quantity, simple: true))
        collection.set("method", context.concept(specimen.collectionMethod))
        collection.set("bodySite", context.concept(specimen.bodySite))
        resource.set("collection", collection.json)
        return (resource.object, context.diagnostics)
    }
}
