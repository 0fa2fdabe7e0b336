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
    /// A second value would replace the first.
    var single = false
}

/// Type-erased view of a `CSVEntityMapping`.
struct AnyCSVEntityMapping {
    let kind: EntityKind
    let paths: [String: CSVPathInfo]
    /// Makes a record from assignments `(path, value, item)` in order and appends it to `record`.
    let build: (EntityRef, SourceLocation, [(String, CSVValue, Int)], inout ClinicalRecord) -> Void

    init<E: ClinicalEntity>(_ mapping: CSVEntityMapping<E>) {
        kind = E.kind
        paths = mapping.setters.mapValues { CSVPathInfo(accepts: $0.accepts, targets: $0.targets, single: $0.single) }
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
        .immunization, .medication, .observation, .carePlan, .imagingStudy, .document,
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
        case .document: AnyCSVEntityMapping(document)
        default: nil
        }
    }

    static func paths(for kind: EntityKind) -> [String: CSVPathInfo]? { mapping(for: kind)?.paths }

    // MARK: Administrative

    static var patient: CSVEntityMapping<Patient> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.patient), records: \.patients,
            make: { Patient(ref: $0, source: $1) },
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
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.practitioner), records: \.practitioners,
            make: { Practitioner(ref: $0, source: $1) })
    }

    static var organization: CSVEntityMapping<Organization> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.organization), records: \.organizations,
            make: { Organization(ref: $0, source: $1) })
    }

    static var location: CSVEntityMapping<Location> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.location),
            records: \.locations, make: { Location(ref: $0, source: $1) })
    }

    // MARK: Clinical

    static var encounter: CSVEntityMapping<Encounter> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.encounter),
            records: \.encounters, make: { Encounter(ref: $0, source: $1) },
            finish: { encounter in
                if encounter.status == nil {
                    encounter.status =
                        encounter.period?.end != nil
                        ? "finished" : (encounter.period?.start != nil ? "in-progress" : nil)
                }
            })
    }

    static var condition: CSVEntityMapping<Condition> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.condition),
            records: \.conditions, make: { Condition(ref: $0, source: $1) })
    }

    static var allergy: CSVEntityMapping<Allergy> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.allergy),
            records: \.allergies, make: { Allergy(ref: $0, source: $1) },
            finish: { allergy in
                allergy.reactions.removeAll {
                    $0.manifestations.isEmpty && $0.severity == nil && $0.description == nil && $0.onset == nil
                }
            })
    }

    static var procedure: CSVEntityMapping<Procedure> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.procedure),
            records: \.procedures, make: { Procedure(ref: $0, source: $1) })
    }

    static var immunization: CSVEntityMapping<Immunization> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.immunization),
            records: \.immunizations, make: { Immunization(ref: $0, source: $1) })
    }

    static var medication: CSVEntityMapping<Medication> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.medication),
            records: \.medications, make: { Medication(ref: $0, source: $1) })
    }

    static var observation: CSVEntityMapping<Observation> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.observation),
            records: \.observations, make: { Observation(ref: $0, code: Concept(), source: $1) },
            finish: { observation in
                // Range limits without a unit take the unit of the value (one unit per result row).
                guard case .quantity(let quantity) = observation.value else { return }
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
            setters: CSVSetters.bound(CanonicalPaths.carePlan),
            records: \.carePlans, make: { CarePlan(ref: $0, source: $1) })
    }

    static var imagingStudy: CSVEntityMapping<ImagingStudy> {
        CSVEntityMapping(
            setters: CSVSetters.bound(CanonicalPaths.imagingStudy),
            records: \.imagingStudies, make: { ImagingStudy(ref: $0, source: $1) })
    }
}

extension CSVPaths {
    /// Notes and documents (emitted as DocumentReference): text inline, or an attachment's type.
    static var document: CSVEntityMapping<DocumentNote> {
        CSVEntityMapping(
            setters: CSVSetters.bound(
                CanonicalPaths.document.merging([
                    "patient": .reference(\.patient, to: [.patient]),
                    "encounter": .reference(\.encounter, to: [.encounter]), "text": .text(\.text),
                ]) { catalogued, _ in catalogued }),
            records: \.documents, make: { DocumentNote(ref: $0, source: $1) })
    }
}

extension CSVValue {
    var quantityValue: Quantity? {
        switch self {
        case .quantity(let quantity): quantity
        case .decimal(let number): Quantity(value: number)
        default: nil
        }
    }

    var observationValue: ObservationValue? {
        switch self {
        case .observationValue(let value): value
        case .quantity(let quantity): .quantity(quantity)
        case .decimal(let number): .quantity(Quantity(value: number))
        case .integer(let number): .integer(number)
        case .text(let text): .string(text)
        case .coding(let coding, let text): .concept(Concept(codings: [coding], text: text))
        case .dateTime(let time): .dateTime(time)
        case .boolean(let flag): .boolean(flag)
        default: nil
        }
    }
}
