/// Where and in what shape an entity holds the value of one canonical path: the key path and the
/// kind of element (a code, a list of concepts, a name part…). Sources decide which values each
/// shape takes and how a second value combines with the first (an HL7 v2 field's first repetition
/// wins; a later CSV column overrides); the catalogue only says what the paths are.
///
///     CanonicalPaths.patient["gender"]         // .coding(\Patient.gender)
///     CanonicalPaths.encounter["attender"]     // .participants(\Encounter.participants, role: "ATND")
public enum PathSlot<Entity> {
    /// Free text.
    case text(WritableKeyPath<Entity, String?>)
    /// A FHIR `code` element.
    case code(WritableKeyPath<Entity, String?>)
    /// A FHIR `code` element with a default (`status`, `intent`): a value overrides the default.
    case requiredCode(WritableKeyPath<Entity, String>)
    /// A repeating FHIR `code`.
    case codes(WritableKeyPath<Entity, [String]>)
    case coding(WritableKeyPath<Entity, Coding?>)
    case codings(WritableKeyPath<Entity, [Coding]>)
    case concept(WritableKeyPath<Entity, Concept?>)
    /// The text of a concept, when it has none yet.
    case conceptText(WritableKeyPath<Entity, Concept?>)
    /// A required CodeableConcept (`Observation.code`).
    case requiredConcept(WritableKeyPath<Entity, Concept>)
    case concepts(WritableKeyPath<Entity, [Concept]>)
    case identifiers(WritableKeyPath<Entity, [Identifier]>)
    case name(WritableKeyPath<Entity, HumanName?>)
    case names(WritableKeyPath<Entity, [HumanName]>)
    /// One part of the first (official) name.
    case namePart(WritableKeyPath<Entity, [HumanName]>, NamePart)
    /// Another name with this use and the family name given (a maiden name).
    case additionalName(WritableKeyPath<Entity, [HumanName]>, use: String)
    case addresses(WritableKeyPath<Entity, [Address]>)
    /// One part of the first address.
    case addressPart(WritableKeyPath<Entity, [Address]>, AddressPart)
    case contacts(WritableKeyPath<Entity, [ContactPoint]>)
    /// A contact point of this system (`phone`, `email`) from its value alone.
    case telecom(WritableKeyPath<Entity, [ContactPoint]>, system: String)
    case dateTime(WritableKeyPath<Entity, ClinicalDateTime?>)
    case periodStart(WritableKeyPath<Entity, Period?>)
    case periodEnd(WritableKeyPath<Entity, Period?>)
    case flag(WritableKeyPath<Entity, Bool?>)
    case integer(WritableKeyPath<Entity, Int?>)
    case quantity(WritableKeyPath<Entity, Quantity?>)
    /// A reference to a record of one of `to`.
    case reference(WritableKeyPath<Entity, EntityRef?>, to: Set<EntityKind>)
    case references(WritableKeyPath<Entity, [EntityRef]>, to: Set<EntityKind>)
    /// A practitioner taking part, with a v3 ParticipationType `role` when given.
    case participants(WritableKeyPath<Entity, [Participant]>, role: String?)
    case annotations(WritableKeyPath<Entity, [Annotation]>)
    case observationValue(WritableKeyPath<Entity, ObservationValue?>)
    /// One part of the (one) reference range.
    case referenceRange(WritableKeyPath<Entity, [ReferenceRange]>, RangePart)
    /// One part of a reaction; the source says which reaction (1, 2…).
    case reaction(WritableKeyPath<Entity, [AllergyReaction]>, ReactionPart)

    public enum NamePart: Sendable { case family, given, prefix, suffix, text }
    public enum AddressPart: Sendable { case line, city, district, state, postalCode, country, text }
    public enum RangePart: Sendable { case low, high, text }
    public enum ReactionPart: Sendable { case manifestation, severity, description, onset }
}

/// The one catalogue of canonical paths per kind of record: the names `Mappings/hl7v2` field maps
/// and `Mappings/csv` column rules write to (`to: gender`), each with its slot. The HL7 v2 mapper
/// and the CSV reader bind their setters from here; a source that cannot fill a slot's shape
/// treats the path as unknown, so maps are still checked at load with `file:line` errors.
public enum CanonicalPaths {
    /// `name.family`, `.given`, `.prefix`, `.suffix`, `.text`: parts of the first (official) name.
    static func nameParts<E>(_ path: WritableKeyPath<E, [HumanName]>) -> [String: PathSlot<E>] {
        [
            "name.family": .namePart(path, .family), "name.given": .namePart(path, .given),
            "name.prefix": .namePart(path, .prefix), "name.suffix": .namePart(path, .suffix),
            "name.text": .namePart(path, .text),
        ]
    }

    /// `address.line`, `.city`, `.district`, `.state`, `.postalCode`, `.country`, `.text`.
    static func addressParts<E>(_ path: WritableKeyPath<E, [Address]>) -> [String: PathSlot<E>] {
        [
            "address.line": .addressPart(path, .line), "address.city": .addressPart(path, .city),
            "address.district": .addressPart(path, .district), "address.state": .addressPart(path, .state),
            "address.postalCode": .addressPart(path, .postalCode), "address.country": .addressPart(path, .country),
            "address.text": .addressPart(path, .text),
        ]
    }

    /// `telecom.phone`, `telecom.email`.
    static func telecomParts<E>(_ path: WritableKeyPath<E, [ContactPoint]>) -> [String: PathSlot<E>] {
        ["telecom.phone": .telecom(path, system: "phone"), "telecom.email": .telecom(path, system: "email")]
    }

    static func merged<E>(_ parts: [String: PathSlot<E>]...) -> [String: PathSlot<E>] {
        parts.reduce(into: [:]) { result, part in result.merge(part) { first, _ in first } }
    }

    // MARK: Administrative

    public static var patient: [String: PathSlot<Patient>] {
        merged(
            [
                "identifiers": .identifiers(\.identifiers), "names": .names(\.names), "telecom": .contacts(\.telecom),
                "gender": .coding(\.gender), "birthDate": .dateTime(\.birthDate), "deceased": .flag(\.deceased),
                "deceasedAt": .dateTime(\.deceasedAt), "addresses": .addresses(\.addresses),
                "maritalStatus": .concept(\.maritalStatus), "races": .concepts(\.races),
                "ethnicities": .concepts(\.ethnicities), "languages": .concepts(\.languages),
                "religion": .concept(\.religion), "multipleBirth": .flag(\.multipleBirth),
                "birthOrder": .integer(\.birthOrder), "mothersMaidenName": .name(\.mothersMaidenName),
                "birthPlace": .text(\.birthPlace),
                "generalPractitioners": .references(\.generalPractitioners, to: [.practitioner]),
                "managingOrganization": .reference(\.managingOrganization, to: [.organization]),
                "lastUpdated": .dateTime(\.lastUpdated),
                // A family name the patient had before (Synthea MAIDEN): a second name, use `maiden`.
                "maidenName": .additionalName(\.names, use: "maiden"),
            ], nameParts(\.names), addressParts(\.addresses), telecomParts(\.telecom))
    }

    public static var relatedPerson: [String: PathSlot<RelatedPerson>] {
        [
            "identifiers": .identifiers(\.identifiers), "names": .names(\.names),
            "relationship": .concepts(\.relationship), "telecom": .contacts(\.telecom),
            "addresses": .addresses(\.addresses), "gender": .coding(\.gender), "birthDate": .dateTime(\.birthDate),
            "periodStart": .periodStart(\.period), "periodEnd": .periodEnd(\.period),
        ]
    }

    public static var practitioner: [String: PathSlot<Practitioner>] {
        merged(
            [
                "identifiers": .identifiers(\.identifiers), "names": .names(\.names), "telecom": .contacts(\.telecom),
                "addresses": .addresses(\.addresses), "qualifications": .concepts(\.qualifications),
            ], nameParts(\.names), addressParts(\.addresses), telecomParts(\.telecom))
    }

    public static var organization: [String: PathSlot<Organization>] {
        merged(
            [
                "identifiers": .identifiers(\.identifiers), "name": .text(\.name), "telecom": .contacts(\.telecom),
                "addresses": .addresses(\.addresses), "type": .concept(\.type),
            ], addressParts(\.addresses), telecomParts(\.telecom))
    }

    public static var location: [String: PathSlot<Location>] {
        merged(
            [
                "identifiers": .identifiers(\.identifiers), "name": .text(\.name), "description": .text(\.description),
                "physicalType": .coding(\.physicalType),
                "managingOrganization": .reference(\.managingOrganization, to: [.organization]),
            ], addressParts(\.addressList))
    }

    public static var coverage: [String: PathSlot<Coverage>] {
        [
            "identifiers": .identifiers(\.identifiers), "type": .concept(\.type),
            "payor": .reference(\.payor, to: [.organization]), "subscriberId": .text(\.subscriberId),
            "relationship": .concept(\.relationship), "periodStart": .periodStart(\.period),
            "periodEnd": .periodEnd(\.period), "planName": .text(\.planName), "groupNumber": .text(\.groupNumber),
        ]
    }

    public static var appointment: [String: PathSlot<Appointment>] {
        [
            "identifiers": .identifiers(\.identifiers), "status": .requiredCode(\.status),
            "serviceType": .concepts(\.serviceType), "appointmentType": .concept(\.appointmentType),
            "reason": .concepts(\.reason), "start": .dateTime(\.start), "end": .dateTime(\.end),
            "description": .text(\.description), "practitioners": .references(\.practitioners, to: [.practitioner]),
            "locations": .references(\.locations, to: [.location]),
        ]
    }

    // MARK: Clinical

    public static var encounter: [String: PathSlot<Encounter>] {
        [
            "identifiers": .identifiers(\.identifiers), "patient": .reference(\.patient, to: [.patient]),
            "status": .code(\.status), "patientClass": .coding(\.patientClass), "type": .concepts(\.type),
            "serviceType": .concept(\.serviceType), "priority": .concept(\.priority),
            "periodStart": .periodStart(\.period), "periodEnd": .periodEnd(\.period), "reasons": .concepts(\.reasons),
            "participants": .participants(\.participants, role: nil),
            "attender": .participants(\.participants, role: "ATND"),
            "referrer": .participants(\.participants, role: "REF"),
            "consultant": .participants(\.participants, role: "CON"),
            "admitter": .participants(\.participants, role: "ADM"),
            "participant": .participants(\.participants, role: "PART"),
            "locations": .references(\.locations, to: [.location]),
            "priorLocation": .reference(\.priorLocation, to: [.location]),
            "admitSource": .concept(\.admitSource), "dischargeDisposition": .concept(\.dischargeDisposition),
            "readmission": .concept(\.readmission),
            "serviceProvider": .reference(\.serviceProvider, to: [.organization]), "diet": .concepts(\.diet),
            "specialCourtesy": .concepts(\.specialCourtesy), "hospitalService": .concept(\.hospitalService),
        ]
    }

    public static var condition: [String: PathSlot<Condition>] {
        [
            "identifiers": .identifiers(\.identifiers), "patient": .reference(\.patient, to: [.patient]),
            "encounter": .reference(\.encounter, to: [.encounter]), "code": .concept(\.code),
            "codeText": .conceptText(\.code), "category": .code(\.category), "clinicalStatus": .code(\.clinicalStatus),
            "verificationStatus": .code(\.verificationStatus), "severity": .concept(\.severity),
            "onset": .dateTime(\.onset), "abatement": .dateTime(\.abatement), "recordedDate": .dateTime(\.recordedDate),
            "recorder": .reference(\.recorder, to: [.practitioner]), "diagnosisType": .concept(\.diagnosisType),
            "rank": .integer(\.rank), "note": .annotations(\.note),
        ]
    }

    public static var allergy: [String: PathSlot<Allergy>] {
        [
            "identifiers": .identifiers(\.identifiers), "patient": .reference(\.patient, to: [.patient]),
            "code": .concept(\.code), "type": .code(\.type), "categories": .codes(\.categories),
            "criticality": .code(\.criticality), "clinicalStatus": .code(\.clinicalStatus),
            "verificationStatus": .code(\.verificationStatus), "onset": .dateTime(\.onset),
            "recordedDate": .dateTime(\.recordedDate),
            "reaction.manifestation": .reaction(\.reactions, .manifestation),
            "reaction.severity": .reaction(\.reactions, .severity),
            "reaction.description": .reaction(\.reactions, .description),
            "reaction.onset": .reaction(\.reactions, .onset),
        ]
    }

    public static var procedure: [String: PathSlot<Procedure>] {
        [
            "identifiers": .identifiers(\.identifiers), "patient": .reference(\.patient, to: [.patient]),
            "encounter": .reference(\.encounter, to: [.encounter]), "code": .concept(\.code),
            "codeText": .conceptText(\.code), "status": .requiredCode(\.status),
            "performedStart": .periodStart(\.performed), "performedEnd": .periodEnd(\.performed),
            "performers": .participants(\.performers, role: "PPRF"),
            "surgeons": .participants(\.performers, role: "PRF"),
            "anesthesiologists": .participants(\.performers, role: "SPRF"), "category": .concept(\.category),
            "bodySites": .concepts(\.bodySites), "reasons": .concepts(\.reasons), "note": .annotations(\.note),
        ]
    }

    public static var immunization: [String: PathSlot<Immunization>] {
        [
            "identifiers": .identifiers(\.identifiers), "patient": .reference(\.patient, to: [.patient]),
            "encounter": .reference(\.encounter, to: [.encounter]), "vaccine": .concept(\.vaccine),
            "status": .requiredCode(\.status), "statusReason": .concept(\.statusReason),
            "occurrence": .dateTime(\.occurrence), "recorded": .dateTime(\.recorded),
            "reportOrigin": .concept(\.reportOrigin), "primarySource": .flag(\.primarySource),
            "dose": .quantity(\.dose), "lotNumber": .text(\.lotNumber), "expirationDate": .dateTime(\.expirationDate),
            "manufacturer": .reference(\.manufacturer, to: [.organization]), "route": .concept(\.route),
            "site": .concept(\.site), "performers": .participants(\.performers, role: nil),
            // v2 table 0443 (provider role): R4's example binding for Immunization.performer.function
            "administeringProvider": .participants(
                \.performers, role: "http://terminology.hl7.org/CodeSystem/v2-0443|AP"),
            "orderingProvider": .participants(\.performers, role: "http://terminology.hl7.org/CodeSystem/v2-0443|OP"),
            "fundingSource": .concept(\.fundingSource),
            "note": .annotations(\.note),
        ]
    }

    public static var medication: [String: PathSlot<Medication>] {
        [
            "identifiers": .identifiers(\.identifiers), "patient": .reference(\.patient, to: [.patient]),
            "encounter": .reference(\.encounter, to: [.encounter]), "code": .concept(\.code),
            "status": .requiredCode(\.status), "intent": .requiredCode(\.intent), "authoredOn": .dateTime(\.authoredOn),
            "requester": .reference(\.requester, to: [.practitioner]), "dosageText": .text(\.dosageText),
            "doseQuantity": .quantity(\.doseQuantity), "route": .concept(\.route), "timing": .text(\.timing),
            "periodStart": .periodStart(\.period), "periodEnd": .periodEnd(\.period),
            "dispenseQuantity": .quantity(\.dispenseQuantity), "refills": .integer(\.refills),
            "reasons": .concepts(\.reasons), "note": .annotations(\.note),
        ]
    }

    public static var serviceRequest: [String: PathSlot<ServiceRequest>] {
        [
            "identifiers": .identifiers(\.identifiers), "code": .concept(\.code), "status": .requiredCode(\.status),
            "intent": .requiredCode(\.intent), "priority": .code(\.priority), "authoredOn": .dateTime(\.authoredOn),
            "occurrence": .dateTime(\.occurrence), "requester": .reference(\.requester, to: [.practitioner]),
            "reasons": .concepts(\.reasons), "note": .annotations(\.note),
        ]
    }

    public static var diagnosticReport: [String: PathSlot<DiagnosticReport>] {
        [
            "identifiers": .identifiers(\.identifiers), "code": .requiredConcept(\.code),
            "status": .requiredCode(\.status), "categories": .concepts(\.categories),
            "effectiveStart": .periodStart(\.effective), "effectiveEnd": .periodEnd(\.effective),
            "issued": .dateTime(\.issued), "performers": .references(\.performers, to: [.practitioner, .organization]),
            "conclusion": .text(\.conclusion),
        ]
    }

    public static var specimen: [String: PathSlot<Specimen>] {
        [
            "identifiers": .identifiers(\.identifiers), "type": .concept(\.type),
            "collectedStart": .periodStart(\.collected), "collectedEnd": .periodEnd(\.collected),
            "received": .dateTime(\.received), "bodySite": .concept(\.bodySite),
            "collectionMethod": .concept(\.collectionMethod), "quantity": .quantity(\.quantity),
        ]
    }

    public static var observation: [String: PathSlot<Observation>] {
        [
            "identifiers": .identifiers(\.identifiers), "patient": .reference(\.patient, to: [.patient]),
            "encounter": .reference(\.encounter, to: [.encounter]), "status": .requiredCode(\.status),
            "categories": .codes(\.categories), "code": .requiredConcept(\.code), "value": .observationValue(\.value),
            "dataAbsentReason": .code(\.dataAbsentReason), "interpretation": .concepts(\.interpretation),
            "referenceRange.low": .referenceRange(\.referenceRange, .low),
            "referenceRange.high": .referenceRange(\.referenceRange, .high),
            "referenceRange.text": .referenceRange(\.referenceRange, .text),
            "effective": .dateTime(\.effective), "issued": .dateTime(\.issued),
            "performers": .references(\.performers, to: [.practitioner, .organization]),
            "method": .concept(\.method), "bodySite": .concept(\.bodySite), "note": .annotations(\.note),
        ]
    }

    public static var document: [String: PathSlot<DocumentNote>] {
        [
            "identifiers": .identifiers(\.identifiers), "type": .concept(\.type), "date": .dateTime(\.date),
            "authors": .references(\.authors, to: [.practitioner]), "docStatus": .code(\.docStatus),
            "status": .requiredCode(\.status), "contentType": .requiredCode(\.contentType), "title": .text(\.title),
        ]
    }

    public static var carePlan: [String: PathSlot<CarePlan>] {
        [
            "identifiers": .identifiers(\.identifiers), "patient": .reference(\.patient, to: [.patient]),
            "encounter": .reference(\.encounter, to: [.encounter]), "status": .requiredCode(\.status),
            "intent": .requiredCode(\.intent), "categories": .concepts(\.categories), "title": .text(\.title),
            "periodStart": .periodStart(\.period), "periodEnd": .periodEnd(\.period), "reasons": .concepts(\.reasons),
            "activities": .concepts(\.activities), "note": .annotations(\.note),
        ]
    }

    public static var imagingStudy: [String: PathSlot<ImagingStudy>] {
        [
            "identifiers": .identifiers(\.identifiers), "patient": .reference(\.patient, to: [.patient]),
            "encounter": .reference(\.encounter, to: [.encounter]), "status": .requiredCode(\.status),
            "started": .dateTime(\.started), "modalities": .codings(\.modalities), "bodySite": .coding(\.bodySite),
            "sopClass": .coding(\.sopClass), "procedureCode": .concept(\.procedureCode),
            "description": .text(\.description),
        ]
    }
}

extension Location {
    /// The location's one address, as a list for the shared address paths.
    public var addressList: [Address] {
        get { address.map { [$0] } ?? [] }
        set { address = newValue.first }
    }
}

extension Participant {
    /// A role as a concept: a v3 ParticipationType code (`ATND`, `PPRF`), or `system|code` for a role
    /// from another code system (`http://terminology.hl7.org/CodeSystem/v2-0443|AP`).
    public static func role(_ code: String) -> Concept {
        if let bar = code.firstIndex(of: "|") {
            return Concept(Coding(system: String(code[..<bar]), code: String(code[code.index(after: bar)...])))
        }
        return Concept(Coding(system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code: code))
    }
}
