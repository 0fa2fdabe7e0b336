import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Patient → Patient (http://hl7.org/fhir/R4/patient.html).
    ///
    /// Race and ethnicity use the US Core extensions when every coding is a CDC Race & Ethnicity
    /// code (`urn:oid:2.16.840.1.113883.6.238`), else one fhirbridge `patient-race` /
    /// `patient-ethnicity` extension per concept with `valueCodeableConcept`. Birth place, mother's
    /// maiden name and religion use the core patient extensions; a birth time goes into
    /// `patient-birthTime` on `_birthDate`.
    public func patient(_ patient: Patient) -> (JSONObject, [Diagnostic]) {
        self.patient(patient, replacedBy: nil)
    }

    /// A Patient that a link in the same record merges into `survivor` is written inactive, with a
    /// `replaced-by` link to the survivor.
    func patient(_ patient: Patient, replacedBy survivor: EntityRef?) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(patient)
        if let lastUpdated = patient.lastUpdated {
            var meta = ElementBuilder()
            context.setInstant("lastUpdated", lastUpdated, into: &meta)
            resource.set("meta", meta.json)
        }
        var extensions: [JSON?] = []
        extensions += raceExtensions(patient.races, context: &context, race: true)
        extensions += raceExtensions(patient.ethnicities, context: &context, race: false)
        if let place = patient.birthPlace, place.hasContent {
            extensions.append(
                context.extensionElement(
                    FHIRURL.birthPlace, "valueAddress", .object(JSONObject(["text": .string(place)]))))
        }
        if let maiden = patient.mothersMaidenName {
            let text =
                maiden.text
                ?? (maiden.given + [maiden.family].compactMap { $0 }).filter(\.hasContent)
                .joined(separator: " ")
            extensions.append(context.extensionElement(FHIRURL.mothersMaidenName, "valueString", .string(text)))
        }
        if let religion = patient.religion {
            extensions.append(
                context.extensionElement(FHIRURL.religion, "valueCodeableConcept", context.concept(religion)))
        }
        resource.set("extension", extensions)
        resource.set("identifier", context.identifiers(patient.identifiers))
        if survivor != nil { resource.set("active", false) }
        resource.set("name", patient.names.map { context.humanName($0) })
        resource.set("telecom", patient.telecom.map { context.contactPoint($0) })
        resource.set("gender", context.gender(patient.gender))
        if let birthDate = patient.birthDate {
            var birthTime: [JSON] = []
            if FHIRTemporal.hasTime(birthDate), let time = context.dateTime(birthDate),
                let element = context.extensionElement(FHIRURL.birthTime, "valueDateTime", time)
            {
                birthTime.append(element)
            }
            resource.setPrimitive("birthDate", context.date(birthDate), extensions: birthTime)
        }
        if let deceasedAt = patient.deceasedAt {
            resource.set("deceasedDateTime", context.dateTime(deceasedAt))
        } else {
            resource.set("deceasedBoolean", patient.deceased)
        }
        resource.set("address", patient.addresses.map { context.address($0) })
        resource.set("maritalStatus", context.concept(patient.maritalStatus))
        if let order = patient.birthOrder {
            resource.set("multipleBirthInteger", .int(order))
        } else {
            resource.set("multipleBirthBoolean", patient.multipleBirth)
        }
        resource.set(
            "communication",
            patient.languages.map { language in
                context.concept(language).map { JSON.object(JSONObject(["language": $0])) }
            })
        resource.set("generalPractitioner", context.references(patient.generalPractitioners))
        resource.set("managingOrganization", context.reference(patient.managingOrganization))
        if let survivor { resource.set("link", [replacedByLink(survivor, context: &context)]) }
        return (resource.object, context.diagnostics)
    }

    private func replacedByLink(_ survivor: EntityRef, context: inout MappingContext) -> JSON? {
        var link = ElementBuilder()
        link.set("other", context.reference(survivor))
        link.set("type", .string("replaced-by"))
        return link.json
    }

    private static let ombRace: Set<String> = ["1002-5", "2028-9", "2054-5", "2076-8", "2106-3"]
    private static let ombEthnicity: Set<String> = ["2135-2", "2186-5"]

    private func raceExtensions(_ concepts: [Concept], context: inout MappingContext, race: Bool) -> [JSON?] {
        guard !concepts.isEmpty else { return [] }
        let omb = race ? Self.ombRace : Self.ombEthnicity
        let maxOMB = race ? 5 : 1
        let codings = concepts.flatMap(\.codings)
        let allCDC =
            concepts.allSatisfy { !$0.codings.isEmpty }
            && codings.allSatisfy {
                $0.system == FHIRURL.cdcRaceAndEthnicity && ($0.code.map(\.isValidFHIRCode) ?? false)
            }
        let ombCount = codings.filter { omb.contains($0.code ?? "") }.count
        guard allCDC, ombCount <= maxOMB else {
            let url = race ? FHIRURL.race : FHIRURL.ethnicity
            return concepts.map { context.extensionElement(url, "valueCodeableConcept", context.concept($0)) }
        }
        var parts: [JSON?] = []
        for coding in codings where omb.contains(coding.code ?? "") {
            parts.append(context.extensionElement("ombCategory", "valueCoding", context.coding(coding)))
        }
        for coding in codings where !omb.contains(coding.code ?? "") {
            parts.append(context.extensionElement("detailed", "valueCoding", context.coding(coding)))
        }
        var texts: [String] = []
        for concept in concepts {
            let text = concept.text ?? concept.codings.first?.display ?? concept.codings.first?.code ?? ""
            if text.hasContent && !texts.contains(text) { texts.append(text) }
        }
        parts.append(context.extensionElement("text", "valueString", .string(texts.joined(separator: ", "))))
        var element = ElementBuilder()
        element.set("url", .string(race ? FHIRURL.usCoreRace : FHIRURL.usCoreEthnicity))
        element.set("extension", parts)
        return [element.json]
    }
}
