import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// The MessageHeader of one HL7 v2 message, as the HL7 v2-to-FHIR IG's MSH[MessageHeader] maps
    /// MSH (http://hl7.org/fhir/R4/messageheader.html); `nil` for other formats.
    ///
    /// - `eventCoding` (required): the trigger event of MSH-9 in v2 table 0003 (`A01`), or, for a
    ///   message without one (`ACK`), the message code in table 0076.
    /// - `sender`: the sending facility's Organization (MSH-4), the one the Provenance names.
    /// - `source` (required): `name` the sending application (MSH-3); `endpoint` (required) is not in
    ///   the record, so `_endpoint` holds a data-absent-reason `unknown`, as the IG does when MSH-24
    ///   is not valued.
    ///
    ///     mapper.messageHeader(document, sender: facility)?["eventCoding"]   // {"system": "…/v2-0003", "code": "A01"}
    func messageHeader(_ document: SourceDocument, sender: ResourceKey?) -> JSONObject? {
        guard document.format == .hl7v2 else { return nil }
        let context = context(.input(name: document.inputName, offset: nil))
        var resource = ElementBuilder(resourceType: "MessageHeader", id: Self.messageHeaderID(document))
        let parts = (document.type ?? "").split(separator: "^", omittingEmptySubsequences: false).map(String.init)
        let code = parts.first.flatMap { $0.isEmpty ? nil : $0 }
        let event = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
        if let event, event.isValidFHIRCode {
            resource.set(
                "eventCoding",
                .object(
                    JSONObject([
                        "system": .string("http://terminology.hl7.org/CodeSystem/v2-0003"), "code": .string(event),
                    ])))
        } else if let code, code.isValidFHIRCode {
            resource.set(
                "eventCoding",
                .object(
                    JSONObject([
                        "system": .string("http://terminology.hl7.org/CodeSystem/v2-0076"), "code": .string(code),
                    ])))
        } else {
            resource.set("eventCoding", context.absentElement())
        }
        resource.set("sender", sender.map { references.reference(type: $0.resourceType, id: $0.id, present: true) })
        var source = ElementBuilder()
        source.set("name", document.sendingApplication)
        source.setPrimitive("endpoint", nil, extensions: [context.absentReasonExtension()])
        resource.set("source", source.json)
        return resource.object
    }

    /// The MessageHeader id: derived from the same facts as the Provenance id.
    public static func messageHeaderID(_ document: SourceDocument) -> String {
        ResourceID.derive(
            resourceType: "MessageHeader",
            key: [document.format.rawValue, document.inputName, String(document.index), document.digest ?? ""]
                .joined(separator: "|"))
    }
}
