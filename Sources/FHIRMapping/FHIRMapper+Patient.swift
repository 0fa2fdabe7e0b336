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
    ///
    /// What R4 cannot hold as the record has it goes into fhirbridge extensions after the others:
    /// races and ethnicities the US Core extensions cannot give back concept by concept,
    /// a mother's maiden name with more than a family name, the deceased and multiple-birth flags
    /// beside a date or birth order, and `lastUpdated` (a server replaces `meta.lastUpdated`).
    func patient(_ patient: Patient, replacedBy survivor: EntityRef?) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(patient)
        if let lastUpdated = patient.lastUpdated {
            var meta = ElementBuilder()
            context.setInstant("lastUpdated", lastUpdated, into: &meta)
            resource.set("meta", meta.json)
        }
        var extensions: [JSON?] = []
        var companions: [JSON?] = []
        extensions += raceExtensions(patient.races, context: &context, race: true, companions: &companions)
        extensions += raceExtensions(patient.ethnicities, context: &context, race: false, companions: &companions)
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
            if maiden != HumanName(family: text) {
                companions.append(
                    context.extensionElement(
                        FHIRURL.patientMothersMaidenName, "valueHumanName", context.humanName(maiden)))
            }
        }
        if let religion = patient.religion {
            extensions.append(
                context.extensionElement(FHIRURL.religion, "valueCodeableConcept", context.concept(religion)))
        }
        if let deceased = patient.deceased, patient.deceasedAt != nil {
            companions.append(context.extensionElement(FHIRURL.patientDeceased, "valueBoolean", .bool(deceased)))
        }
        if let multipleBirth = patient.multipleBirth, patient.birthOrder != nil {
            companions.append(
                context.extensionElement(FHIRURL.patientMultipleBirth, "valueBoolean", .bool(multipleBirth)))
        }
        if let lastUpdated = patient.lastUpdated {
            let valid = FHIRTemporal.dateTime(lastUpdated) == lastUpdated.fhir
            companions.append(
                context.extensionElement(
                    FHIRURL.patientLastUpdated, valid ? "valueDateTime" : "valueString", .string(lastUpdated.fhir)))
        }
        resource.set("extension", extensions + companions)
        resource.set("identifier", context.identifiers(patient.identifiers))
        if survivor != nil { resource.set("active", false) }
        resource.set("name", patient.names.map { context.humanName($0) })
        resource.set("telecom", patient.telecom.map { context.contactPoint($0) })
        context.setGender("gender", patient.gender, into: &resource)
        if let birthDate = patient.birthDate {
            var birthTime: [JSON] = []
            var recovered = FHIRTemporal.date(birthDate)
            if FHIRTemporal.hasTime(birthDate), let time = context.dateTime(birthDate),
                let element = context.extensionElement(FHIRURL.birthTime, "valueDateTime", time)
            {
                birthTime.append(element)
                recovered = time.stringValue
            }
            context.setDate("birthDate", birthDate, extensions: birthTime, recovered: recovered, into: &resource)
        }
        if let deceasedAt = patient.deceasedAt {
            context.setDateTime("deceasedDateTime", deceasedAt, into: &resource)
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

    /// The US Core race / ethnicity extension when every coding is a valid CDC Race & Ethnicity code
    /// (and no more OMB categories than it allows), else one fhirbridge extension per concept. The
    /// US Core form gives back one concept per coding, OMB categories first, without text: when the
    /// concepts are not exactly that, the fhirbridge extensions are added to `companions` as well.
    private func raceExtensions(
        _ concepts: [Concept], context: inout MappingContext, race: Bool, companions: inout [JSON?]
    ) -> [JSON?] {
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
        let url = race ? FHIRURL.race : FHIRURL.ethnicity
        let perConcept = concepts.map { context.extensionElement(url, "valueCodeableConcept", context.concept($0)) }
        guard allCDC, ombCount <= maxOMB else { return perConcept }
        let ombCodings = codings.filter { omb.contains($0.code ?? "") }
        let detailedCodings = codings.filter { !omb.contains($0.code ?? "") }
        var parts: [JSON?] = []
        for coding in ombCodings {
            parts.append(context.extensionElement("ombCategory", "valueCoding", context.coding(coding)))
        }
        for coding in detailedCodings {
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
        if concepts != (ombCodings + detailedCodings).map({ Concept($0) }) { companions += perConcept }
        return [element.json]
    }
}
