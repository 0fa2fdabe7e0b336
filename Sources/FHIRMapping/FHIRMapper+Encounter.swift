import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Encounter → Encounter (http://hl7.org/fhir/R4/encounter.html).
    ///
    /// `status` is required: the source's encounter-status code, else `unknown`. `class` is
    /// required: the patient class when it is a v3 ActCode coding, else v3-NullFlavor `UNK`, with the
    /// source's coding kept in the fhirbridge `encounter-source-class` extension. Current locations
    /// have no status; the prior location is `completed`. `hospitalService` goes into the fhirbridge
    /// `encounter-hospital-service` extension so it never collides with `serviceType`.
    public func encounter(_ encounter: Encounter) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(encounter)
        var extensions: [JSON?] = []
        let actCode = encounter.patientClass.flatMap { coding -> JSON? in
            guard coding.system == FHIRURL.v3ActCode, coding.code?.isValidFHIRCode == true else { return nil }
            return context.coding(coding)
        }
        if actCode == nil, let source = encounter.patientClass {
            context.report(.unmappedEncounterClass, .information, system: FHIRURL.v3ActCode)
            extensions.append(context.extensionElement(FHIRURL.sourceClass, "valueCoding", context.coding(source)))
        }
        if let service = encounter.hospitalService {
            extensions.append(
                context.extensionElement(FHIRURL.hospitalService, "valueCodeableConcept", context.concept(service)))
        }
        resource.set("extension", extensions)
        resource.set("identifier", context.identifiers(encounter.identifiers))
        context.setRequiredCode(
            "status", encounter.status, in: .encounterStatus, fallback: "unknown", path: "Encounter.status",
            into: &resource)
        resource.set(
            "class",
            actCode
                ?? .object(
                    JSONObject([
                        "system": .string(FHIRURL.v3NullFlavor), "code": .string("UNK"), "display": .string("unknown"),
                    ])))
        resource.set("type", context.concepts(encounter.type))
        resource.set("serviceType", context.concept(encounter.serviceType))
        resource.set("priority", context.concept(encounter.priority))
        resource.set("subject", context.reference(encounter.patient))
        resource.set(
            "participant",
            encounter.participants.map { participant in
                var element = ElementBuilder()
                element.set("type", [context.concept(participant.role)])
                element.set("period", context.period(participant.period))
                element.set("individual", context.reference(participant.who))
                return element.json
            })
        resource.set("period", context.period(encounter.period))
        resource.set("length", context.quantity(encounter.length))
        resource.set("reasonCode", context.concepts(encounter.reasons))
        var hospitalization = ElementBuilder()
        hospitalization.set("admitSource", context.concept(encounter.admitSource))
        hospitalization.set("reAdmission", context.concept(encounter.readmission))
        hospitalization.set("dietPreference", context.concepts(encounter.diet))
        hospitalization.set("specialCourtesy", context.concepts(encounter.specialCourtesy))
        hospitalization.set("dischargeDisposition", context.concept(encounter.dischargeDisposition))
        resource.set("hospitalization", hospitalization.json)
        var locations: [JSON?] = encounter.locations.map { location in
            context.reference(location).map { JSON.object(JSONObject(["location": $0])) }
        }
        if let prior = context.reference(encounter.priorLocation) {
            locations.append(.object(JSONObject(["location": prior, "status": .string("completed")])))
        }
        resource.set("location", locations)
        resource.set("serviceProvider", context.reference(encounter.serviceProvider))
        return (resource.object, context.diagnostics)
    }
}
