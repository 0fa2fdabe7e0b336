import ClinicalModel
import FHIRR4
import Foundation

extension FHIRMapper {
    /// DocumentNote → DocumentReference (http://hl7.org/fhir/R4/documentreference.html).
    ///
    /// `status` and `content.attachment` are required. The note's text is the attachment's `data`,
    /// base64 of its UTF-8 bytes, with the note's content type and title. `date` is an instant, as
    /// Observation.issued. The encounter goes into `context.encounter`.
    public func documentReference(_ document: DocumentNote) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(document)
        resource.set("identifier", context.identifiers(document.identifiers))
        context.setRequiredCode(
            "status", document.status, in: .documentReferenceStatus, fallback: nil,
            path: "DocumentReference.status", into: &resource)
        context.setCode("docStatus", document.docStatus, in: .compositionStatus, into: &resource)
        resource.set("type", context.concept(document.type))
        resource.set("subject", context.reference(document.patient))
        context.setInstant("date", document.date, into: &resource)
        resource.set("author", context.references(document.authors))
        var attachment = ElementBuilder()
        if document.contentType.isValidFHIRCode {
            attachment.set("contentType", .string(document.contentType))
        } else {
            context.report(.invalidCode, system: "urn:ietf:bcp:13")
            attachment.setPrimitive(
                "contentType", nil, extensions: [context.sourceValueExtension(document.contentType)].compactMap { $0 })
        }
        if let text = document.text, !text.isEmpty {
            attachment.set("data", .string(Data(text.utf8).base64EncodedString()))
        }
        attachment.set("title", document.title)
        let content = attachment.json ?? context.absentElement()
        if attachment.json == nil { context.reportMissing("DocumentReference.content.attachment") }
        resource.set("content", [.object(JSONObject(["attachment": content]))])
        if let encounter = context.reference(document.encounter) {
            resource.set("context", .object(JSONObject(["encounter": .array([encounter])])))
        }
        return (resource.object, context.diagnostics)
    }
}
