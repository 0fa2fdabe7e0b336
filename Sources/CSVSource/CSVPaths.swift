import ClinicalModel

/// How column values reach one kind of canonical record: its settable paths, where records of the
/// kind live in a `ClinicalRecord`, and what is completed once all columns are set.
struct CSVEntityMapping<E: ClinicalEntity> {
    let setters: [String: CSVSetter<E>]
    let records: WritableKeyPath<ClinicalRecord, [E]>
    let make: (EntityRef, SourceLocation) -> E
    var finish: (inout E) -> Void = { _ in }
}

/// A path's contract, for load-time checks.
struct CSVPathInfo: Sendable, Hashable {
    var accepts: Set<CSVValueKind>
    var targets: Set<EntityKind>
}

/// Type-erased view of a `CSVEntityMapping`.
struct AnyCSVEntityMapping {
    let kind: EntityKind
    let paths: [String: CSVPathInfo]
    /// Makes a record from assignments `(path, value, item)` in order and appends it to `record`.
    let build: (EntityRef, SourceLocation, [(String, CSVValue, Int)], inout ClinicalRecord) -> Void

    init<E: ClinicalEntity>(_ mapping: CSVEntityMapping<E>) {
        kind = E.kind
        paths = mapping.setters.mapValues { CSVPathInfo(accepts: $0.accepts, targets: $0.targets) }
        build = { ref, location, assignments, record in
            var entity = mapping.make(ref, location)
            for (path, value, item) in assignments {
                guard let setter = mapping.setters[path], setter.accepts.contains(value.kind) else { continue }
                setter.apply(&entity, value, item)
            }
            mapping.finish(&entity)
            record[keyPath: mapping.records].append(entity)
        }
    }
}

/// The canonical paths a CSV column may set, per kind of record. `Mappings/csv/README.md` lists them.
enum CSVPaths {
    /// The kinds a CSV profile can produce.
    static let supportedKinds: [EntityKind] = [
        .patient, .practitioner, .organization, .location, .encounter, .condition, .allergy, .procedure,
        .immunization, .medication, .observation, .carePlan, .imagingStudy,
    ]

    /// Kinds that may live in a shared table (no patient column): included in every patient record
    /// that references them.
    static let sharedKinds: Set<EntityKind> = [.organization, .practitioner, .location]

    static func mapping(for kind: EntityKind) -> AnyCSVEntityMapping? {
        switch kind {
        case .patient: AnyCSVEntityMapping(patient)
        case .practitioner: AnyCSVEntityMapping(practitioner)
        case .organization: AnyCSVEntityMapping(organization)
        case .location: AnyCSVEntityMapping(location)
        case .encounter: AnyCSVEntityMapping(encounter)
        case .condition: AnyCSVEntityMapping(condition)
        case .allergy: AnyCSVEntityMapping(allergy)
        case .procedure: AnyCSVEntityMapping(procedure)
        case .immunization: AnyCSVEntityMapping(immunization)
        case .medication: AnyCSVEntityMapping(medication)
        case .observation: AnyCSVEntityMapping(observation)
        case .carePlan: AnyCSVEntityMapping(carePlan)
        case .imagingStudy: AnyCSVEntityMapping(imagingStudy)
        default: nil
        }
    }

    static func paths(for kind: EntityKind) -> [String: CSVPathInfo]? { mapping(for: kind)?.paths }

    // MARK: Administrative

    static var patient: CSVEntityMapping<Patient> {
        var setters: [String: CSVSetter<Patient>] = [
            "identifiers": CSVSetters.identifiers(\.identifiers),
            "gender": CSVSetters.coding(\.gender),
            "birthDate": CSVSetters.dateTime(\.birthDate),
            "deceased": CSVSetters.flag(\.deceased),
            "deceasedAt": CSVSetters.dateTime(\.deceasedAt),
            "maritalStatus": CSVSetters.concept(\.maritalStatus),
            "races": CSVSetters.concepts(\.races),
            "ethnicities": CSVSetters.concepts(\.ethnicities),
            "languages": CSVSetters.concepts(\.languages),
            "religion": CSVSetters.concept(\.religion),
            "multipleBirth": CSVSetters.flag(\.multipleBirth),
            "birthOrder": CSVSetters.integer(\.birthOrder),
            "birthPlace": CSVSetters.text(\.birthPlace),
            "telecom.phone": CSVSetters.telecom(\.telecom, system: "phone"),
            "telecom.email": CSVSetters.telecom(\.telecom, system: "email"),
            "generalPractitioners": CSVSetters.references(\.generalPractitioners, to: [.practitioner]),
            "managingOrganization": CSVSetters.reference(\.managingOrganization, to: [.organization]),
            // A family name the patient had before (Synthea MAIDEN): a second name, use `maiden`,
            // with the given names and prefixes of the official name.
            "maidenName": CSVSetter(accepts: [.text]) { patient, value, _ in
                guard let text = value.plainText else { return }
                patient.names.append(HumanName(use: "maiden", family: text))
            },
            "mothersMaidenName": CSVSetter(accepts: [.text]) { patient, value, _ in
                if let text = value.plainText { patient.mothersMaidenName = HumanName(family: text) }
            },
        ]
        setters.merge(CSVSetters.name(\.names)) { first, _ in first }
        setters.merge(CSVSetters.address(\.addresses)) { first, _ in first }
        return CSVEntityMapping(
            setters: setters, records: \.patients, make: { Patient(ref: $0, source: $1) },
            finish: { patient in
                if patient.deceasedAt != nil { patient.deceased = true }
                // The official name comes first; a maiden name shares its given names and prefixes.
                if let officialIndex = patient.names.firstIndex(where: { $0.use == "official" }) {
                    let official = patient.names.remove(at: officialIndex)
                    patient.names.insert(official, at: 0)
                    for index in patient.names.indices where patient.names[index].use == "maiden" {
                        patient.names[index].given = official.given
                        patient.names[index].prefix = official.prefix
                    }
                }
            })
    }

    static var practitioner: CSVEntityMapping<Practitioner> {
        var setters: [String: CSVSetter<Practitioner>] = [
            "identifiers": CSVSetters.identifiers(\.identifiers),
            "qualifications": CSVSetters.concepts(\.qualifications),
            "telecom.phone": CSVSetters.telecom(\.telecom, system: "phone"),
            "telecom.email": CSVSetters.telecom(\.telecom, system: "email"),
        ]
        setters.merge(CSVSetters.name(\.names)) { first, _ in first }
        setters.merge(CSVSetters.address(\.addresses)) { first, _ in first }
        return CSVEntityMapping(setters: setters, records: \.practitioners, make: { Practitioner(ref: $0, source: $1) })
    }

    static var organization: CSVEntityMapping<Organization> {
        var setters: [String: CSVSetter<Organization>] = [
            "identifiers": CSVSetters.identifiers(\.identifiers),
            "name": CSVSetters.text(\.name),
            "type": CSVSetters.concept(\.type),
            "telecom.phone": CSVSetters.telecom(\.telecom, system: "phone"),
            "telecom.email": CSVSetters.telecom(\.telecom, system: "email"),
        ]
        setters.merge(CSVSetters.address(\.addresses)) { first, _ in first }
        return CSVEntityMapping(setters: setters, records: \.organizations, make: { Organization(ref: $0, source: $1) })
    }

    static var location: CSVEntityMapping<Location> {
        var address: [String: CSVSetter<Location>] = [:]
        for (path, setter) in CSVSetters.address(\Location.addressList) { address[path] = setter }
        return CSVEntityMapping(
            setters: [
                "identifiers": CSVSetters.identifiers(\.identifiers),
                "name": CSVSetters.text(\.name),
                "description": CSVSetters.text(\.description),
                "physicalType": CSVSetters.coding(\.physicalType),
                "managingOrganization": CSVSetters.reference(\.managingOrganization, to: [.organization]),
            ].merging(address) { first, _ in first },
            records: \.locations, make: { Location(ref: $0, source: $1) })
    }

    // MARK: Clinical

    static var encounter: CSVEntityMapping<Encounter> {
        CSVEntityMapping(
            setters: [
                "identifiers": CSVSetters.identifiers(\.identifiers),
                "patient": CSVSetters.reference(\.patient, to: [.patient]),
                "status": CSVSetters.optionalCode(\.status),
                "patientClass": CSVSetters.coding(\.patientClass),
                "type": CSVSetters.concepts(\.type),
                "serviceType": CSVSetters.concept(\.serviceType),
                "priority": CSVSetters.concept(\.priority),
                "periodStart": CSVSetters.periodStart(\.period),
                "periodEnd": CSVSetters.periodEnd(\.period),
                "reasons": CSVSetters.concepts(\.reasons),
                "participants": CSVSetters.participants(\.participants),
                "locations": CSVSetters.references(\.locations, to: [.location]),
                "serviceProvider": CSVSetters.reference(\.serviceProvider, to: [.organization]),
                "admitSource": CSVSetters.concept(\.admitSource),
                "dischargeDisposition": CSVSetters.concept(\.dischargeDisposition),
                "hospitalService": CSVSetters.concept(\.hospitalService),
            ],
            records: \.encounters, make: { Encounter(ref: $0, source: $1) },
            finish: { encounter in
                if encounter.status == nil {
                    encounter.status =
                        encounter.period?.end != nil ? "finished" : (encounter.period?.start != nil ? "in-progress" : nil)
                }
            })
    }

    static var condition: CSVEntityMapping<Condition> {
        CSVEntityMapping(
            setters: [
                "identifiers": CSVSetters.identifiers(\.identifiers),
                "patient": CSVSetters.reference(\.patient, to: [.patient]),
                "encounter": CSVSetters.reference(\.encounter, to: [.encounter]),
                "code": CSVSetters.concept(\.code),
                "category": CSVSetters.optionalCode(\.category),
                "clinicalStatus": CSVSetters.optionalCode(\.clinicalStatus),
                "verificationStatus": CSVSetters.optionalCode(\.verificationStatus),
                "severity": CSVSetters.concept(\.severity),
                "onset": CSVSetters.dateTime(\.onset),
                "abatement": CSVSetters.dateTime(\.abatement),
                "recordedDate": CSVSetters.dateTime(\.recordedDate),
                "recorder": CSVSetters.reference(\.recorder, to: [.practitioner]),
                "note": CSVSetters.annotations(\.note),
            ],
            records: \.conditions, make: { Condition(ref: $0, source: $1) })
    }

    static var allergy: CSVEntityMapping<Allergy> {
        CSVEntityMapping(
            setters: [
                "identifiers": CSVSetters.identifiers(\.identifiers),
                "patient": CSVSetters.reference(\.patient, to: [.patient]),
                "code": CSVSetters.concept(\.code),
                "type": CSVSetters.optionalCode(\.type),
                "categories": CSVSetters.codes(\.categories),
                "criticality": CSVSetters.optionalCode(\.criticality),
                "clinicalStatus": CSVSetters.optionalCode(\.clinicalStatus),
                "verificationStatus": CSVSetters.optionalCode(\.verificationStatus),
                "onset": CSVSetters.dateTime(\.onset),
                "recordedDate": CSVSetters.dateTime(\.recordedDate),
                "reaction.manifestation": CSVSetter(accepts: [.coding, .text]) { allergy, value, item in
                    allergy.withReaction(item) { reaction in
                        var concept = Concept()
                        value.merge(into: &concept)
                        if !concept.isEmpty { reaction.manifestations.append(concept) }
                    }
                },
                "reaction.severity": CSVSetter(accepts: [.text, .coding]) { allergy, value, item in
                    allergy.withReaction(item) { reaction in reaction.severity = value.codeText }
                },
                "reaction.description": CSVSetter(accepts: [.text]) { allergy, value, item in
                    allergy.withReaction(item) { reaction in reaction.description = value.plainText }
                },
                "reaction.onset": CSVSetter(accepts: [.dateTime]) { allergy, value, item in
                    guard case let .dateTime(time) = value else { return }
                    allergy.withReaction(item) { reaction in reaction.onset = time }
                },
            ],
            records: \.allergies, make: { Allergy(ref: $0, source: $1) },
            finish: { allergy in
                allergy.reactions.removeAll {
                    $0.manifestations.isEmpty && $0.severity == nil && $0.description == nil && $0.onset == nil
                }
            })
    }

    static var procedure: CSVEntityMapping<Procedure> {
        CSVEntityMapping(
            setters: [
                "identifiers": CSVSetters.identifiers(\.identifiers),
                "patient": CSVSetters.reference(\.patient, to: [.patient]),
                "encounter": CSVSetters.reference(\.encounter, to: [.encounter]),
                "code": CSVSetters.concept(\.code),
                "status": CSVSetters.code(\.status),
                "performedStart": CSVSetters.periodStart(\.performed),
                "performedEnd": CSVSetters.periodEnd(\.performed),
                "performers": CSVSetters.participants(\.performers),
                "category": CSVSetters.concept(\.category),
                "bodySites": CSVSetters.concepts(\.bodySites),
                "reasons": CSVSetters.concepts(\.reasons),
                "note": CSVSetters.annotations(\.note),
            ],
            records: \.procedures, make: { Procedure(ref: $0, source: $1) })
    }

    static var immunization: CSVEntityMapping<Immunization> {
        CSVEntityMapping(
            setters: [
                "identifiers": CSVSetters.identifiers(\.identifiers),
                "patient": CSVSetters.reference(\.patient, to: [.patient]),
                "encounter": CSVSetters.reference(\.encounter, to: [.encounter]),
                "vaccine": CSVSetters.concept(\.vaccine),
                "status": CSVSetters.code(\.status),
                "statusReason": CSVSetters.concept(\.statusReason),
                "occurrence": CSVSetters.dateTime(\.occurrence),
                "recorded": CSVSetters.dateTime(\.recorded),
                "primarySource": CSVSetters.flag(\.primarySource),
                "dose": CSVSetters.quantity(\.dose),
                "lotNumber": CSVSetters.text(\.lotNumber),
                "expirationDate": CSVSetters.dateTime(\.expirationDate),
                "manufacturer": CSVSetters.reference(\.manufacturer, to: [.organization]),
                "route": CSVSetters.concept(\.route),
                "site": CSVSetters.concept(\.site),
                "performers": CSVSetters.participants(\.performers),
                "note": CSVSetters.annotations(\.note),
            ],
            records: \.immunizations, make: { Immunization(ref: $0, source: $1) })
    }

    static var medication: CSVEntityMapping<Medication> {
        CSVEntityMapping(
            setters: [
                "identifiers": CSVSetters.identifiers(\.identifiers),
                "patient": CSVSetters.reference(\.patient, to: [.patient]),
                "encounter": CSVSetters.reference(\.encounter, to: [.encounter]),
                "code": CSVSetters.concept(\.code),
                "status": CSVSetters.code(\.status),
                "intent": CSVSetters.code(\.intent),
                "authoredOn": CSVSetters.dateTime(\.authoredOn),
                "requester": CSVSetters.reference(\.requester, to: [.practitioner]),
                "dosageText": CSVSetters.text(\.dosageText),
                "doseQuantity": CSVSetters.quantity(\.doseQuantity),
                "route": CSVSetters.concept(\.route),
                "timing": CSVSetters.text(\.timing),
                "periodStart": CSVSetters.periodStart(\.period),
                "periodEnd": CSVSetters.periodEnd(\.period),
                "dispenseQuantity": CSVSetters.quantity(\.dispenseQuantity),
                "refills": CSVSetters.integer(\.refills),
                "reasons": CSVSetters.concepts(\.reasons),
                "note": CSVSetters.annotations(\.note),
            ],
            records: \.medications, make: { Medication(ref: $0, source: $1) })
    }

    static var observation: CSVEntityMapping<Observation> {
        CSVEntityMapping(
            setters: [
                "identifiers": CSVSetters.identifiers(\.identifiers),
                "patient": CSVSetters.reference(\.patient, to: [.patient]),
                "encounter": CSVSetters.reference(\.encounter, to: [.encounter]),
                "status": CSVSetters.code(\.status),
                "categories": CSVSetters.codes(\.categories),
                "code": CSVSetters.requiredConcept(\.code),
                "value": CSVSetter(
                    accepts: [.observationValue, .quantity, .decimal, .integer, .text, .coding, .dateTime, .boolean]
                ) { observation, value, _ in
                    observation.value = value.observationValue
                },
                "dataAbsentReason": CSVSetters.optionalCode(\.dataAbsentReason),
                "interpretation": CSVSetters.concepts(\.interpretation),
                "referenceRange.low": CSVSetter(accepts: [.decimal, .quantity]) { observation, value, _ in
                    observation.withRange { $0.low = value.quantityValue }
                },
                "referenceRange.high": CSVSetter(accepts: [.decimal, .quantity]) { observation, value, _ in
                    observation.withRange { $0.high = value.quantityValue }
                },
                "referenceRange.text": CSVSetter(accepts: [.text]) { observation, value, _ in
                    observation.withRange { $0.text = value.plainText }
                },
                "effective": CSVSetters.dateTime(\.effective),
                "issued": CSVSetters.dateTime(\.issued),
                "performers": CSVSetters.references(\.performers, to: [.practitioner, .organization]),
                "method": CSVSetters.concept(\.method),
                "bodySite": CSVSetters.concept(\.bodySite),
                "note": CSVSetters.annotations(\.note),
            ],
            records: \.observations, make: { Observation(ref: $0, code: Concept(), source: $1) },
            finish: { observation in
                // Range limits without a unit take the unit of the value (one unit per result row).
                guard case let .quantity(quantity) = observation.value else { return }
                for index in observation.referenceRange.indices {
                    for limit in [\ReferenceRange.low, \ReferenceRange.high] {
                        if var bound = observation.referenceRange[index][keyPath: limit], bound.unit == nil {
                            bound.unit = quantity.unit
                            bound.system = quantity.system
                            bound.code = quantity.code
                            observation.referenceRange[index][keyPath: limit] = bound
                        }
                    }
                }
            })
    }

    static var carePlan: CSVEntityMapping<CarePlan> {
        CSVEntityMapping(
            setters: [
                "identifiers": CSVSetters.identifiers(\.identifiers),
                "patient": CSVSetters.reference(\.patient, to: [.patient]),
                "encounter": CSVSetters.reference(\.encounter, to: [.encounter]),
                "status": CSVSetters.code(\.status),
                "intent": CSVSetters.code(\.intent),
                "categories": CSVSetters.concepts(\.categories),
                "title": CSVSetters.text(\.title),
                "periodStart": CSVSetters.periodStart(\.period),
                "periodEnd": CSVSetters.periodEnd(\.period),
                "reasons": CSVSetters.concepts(\.reasons),
                "activities": CSVSetters.concepts(\.activities),
                "note": CSVSetters.annotations(\.note),
            ],
            records: \.carePlans, make: { CarePlan(ref: $0, source: $1) })
    }

    static var imagingStudy: CSVEntityMapping<ImagingStudy> {
        CSVEntityMapping(
            setters: [
                "identifiers": CSVSetters.identifiers(\.identifiers),
                "patient": CSVSetters.reference(\.patient, to: [.patient]),
                "encounter": CSVSetters.reference(\.encounter, to: [.encounter]),
                "status": CSVSetters.code(\.status),
                "started": CSVSetters.dateTime(\.started),
                "modalities": CSVSetters.codings(\.modalities),
                "bodySite": CSVSetters.coding(\.bodySite),
                "sopClass": CSVSetters.coding(\.sopClass),
                "procedureCode": CSVSetters.concept(\.procedureCode),
                "description": CSVSetters.text(\.description),
            ],
            records: \.imagingStudies, make: { ImagingStudy(ref: $0, source: $1) })
    }
}

extension Allergy {
    /// Runs `body` on reaction `item` (1-based), adding empty reactions up to it.
    mutating func withReaction(_ item: Int, _ body: (inout AllergyReaction) -> Void) {
        let index = max(1, item) - 1
        while reactions.count <= index { reactions.append(AllergyReaction()) }
        body(&reactions[index])
    }
}

extension Observation {
    /// Runs `body` on the one reference range a CSV row describes.
    mutating func withRange(_ body: (inout ReferenceRange) -> Void) {
        if referenceRange.isEmpty { referenceRange.append(ReferenceRange()) }
        body(&referenceRange[0])
    }
}

extension Location {
    /// The location's one address, as a list for the shared address setters.
    var addressList: [Address] {
        get { address.map { [$0] } ?? [] }
        set { address = newValue.first }
    }
}

extension CSVValue {
    var quantityValue: Quantity? {
        switch self {
        case let .quantity(quantity): quantity
        case let .decimal(number): Quantity(value: number)
        default: nil
        }
    }

    var observationValue: ObservationValue? {
        switch self {
        case let .observationValue(value): value
        case let .quantity(quantity): .quantity(quantity)
        case let .decimal(number): .quantity(Quantity(value: number))
        case let .integer(number): .integer(number)
        case let .text(text): .string(text)
        case let .coding(coding, text): .concept(Concept(codings: [coding], text: text))
        case let .dateTime(time): .dateTime(time)
        case let .boolean(flag): .boolean(flag)
        default: nil
        }
    }
}
