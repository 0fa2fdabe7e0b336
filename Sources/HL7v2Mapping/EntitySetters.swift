import ClinicalModel

/// Writes one `FieldValue` into a canonical path of an entity. Field maps in `Mappings/hl7v2`
/// name these paths (`to: identifiers`); the paths and their shapes are the catalogue in
/// `CanonicalPaths` (shared with the CSV reader), and `HL7v2Mapper` checks every map against the
/// setters bound from it at load time.
struct Setter<Entity> {
    /// The `FieldValue` kinds this path accepts.
    let accepts: Set<FieldValue.Kind>
    let apply: (inout Entity, FieldValue) -> Void
}

enum Setters {
    static func list<E, T: Equatable>(_ path: WritableKeyPath<E, [T]>, _ kind: FieldValue.Kind, _ extract: @escaping (FieldValue) -> T?)
        -> Setter<E>
    {
        Setter(accepts: [kind]) { entity, value in
            if let item = extract(value), !entity[keyPath: path].contains(item) { entity[keyPath: path].append(item) }
        }
    }

    static func single<E, T>(_ path: WritableKeyPath<E, T?>, _ kind: FieldValue.Kind, _ extract: @escaping (FieldValue) -> T?)
        -> Setter<E>
    {
        Setter(accepts: [kind]) { entity, value in
            if entity[keyPath: path] == nil, let item = extract(value) { entity[keyPath: path] = item }
        }
    }

    static func identifiers<E>(_ path: WritableKeyPath<E, [Identifier]>) -> Setter<E> {
        list(path, .identifier) { if case let .identifier(v) = $0 { v } else { nil } }
    }
    static func names<E>(_ path: WritableKeyPath<E, [HumanName]>) -> Setter<E> {
        list(path, .name) { if case let .name(v) = $0 { v } else { nil } }
    }
    static func name<E>(_ path: WritableKeyPath<E, HumanName?>) -> Setter<E> {
        single(path, .name) { if case let .name(v) = $0 { v } else { nil } }
    }
    static func addresses<E>(_ path: WritableKeyPath<E, [Address]>) -> Setter<E> {
        list(path, .address) { if case let .address(v) = $0 { v } else { nil } }
    }
    static func address<E>(_ path: WritableKeyPath<E, Address?>) -> Setter<E> {
        single(path, .address) { if case let .address(v) = $0 { v } else { nil } }
    }
    static func contacts<E>(_ path: WritableKeyPath<E, [ContactPoint]>) -> Setter<E> {
        list(path, .contact) { if case let .contact(v) = $0 { v } else { nil } }
    }
    static func concepts<E>(_ path: WritableKeyPath<E, [Concept]>) -> Setter<E> {
        var setter = list(path, .concept) { value -> Concept? in
            switch value {
            case let .concept(v): v
            case let .coding(v): Concept(v)
            default: nil
            }
        }
        setter = Setter(accepts: [.concept, .coding], apply: setter.apply)
        return setter
    }
    static func concept<E>(_ path: WritableKeyPath<E, Concept?>) -> Setter<E> {
        let setter = single(path, .concept) { value -> Concept? in
            switch value {
            case let .concept(v): v
            case let .coding(v): Concept(v)
            default: nil
            }
        }
        return Setter(accepts: [.concept, .coding], apply: setter.apply)
    }
    static func coding<E>(_ path: WritableKeyPath<E, Coding?>) -> Setter<E> {
        let setter = single(path, .coding) { value -> Coding? in
            switch value {
            case let .coding(v): v
            case let .concept(v): v.first
            default: nil
            }
        }
        return Setter(accepts: [.concept, .coding], apply: setter.apply)
    }
    /// A FHIR `code` element: the code of a (translated) coding.
    static func code<E>(_ path: WritableKeyPath<E, String?>) -> Setter<E> {
        let setter = single(path, .coding) { value -> String? in
            switch value {
            case let .coding(v): v.code
            case let .concept(v): v.first?.code
            default: nil
            }
        }
        return Setter(accepts: [.concept, .coding], apply: setter.apply)
    }
    /// A required FHIR `code` element with a default: the field overrides the default.
    static func requiredCode<E>(_ path: WritableKeyPath<E, String>) -> Setter<E> {
        Setter(accepts: [.concept, .coding, .text]) { entity, value in
            switch value {
            case let .coding(v): if let code = v.code { entity[keyPath: path] = code }
            case let .concept(v): if let code = v.first?.code { entity[keyPath: path] = code }
            case let .text(v): entity[keyPath: path] = v
            default: break
            }
        }
    }
    /// The text of a concept, when it has none yet (the code may come from another field).
    static func conceptText<E>(_ path: WritableKeyPath<E, Concept?>) -> Setter<E> {
        Setter(accepts: [.text]) { entity, value in
            guard case let .text(text) = value else { return }
            var concept = entity[keyPath: path] ?? Concept()
            if concept.text == nil { concept.text = text }
            entity[keyPath: path] = concept
        }
    }
    /// A required concept: the first concept a field gives.
    static func requiredConcept<E>(_ path: WritableKeyPath<E, Concept>) -> Setter<E> {
        Setter(accepts: [.concept]) { entity, value in
            if case let .concept(concept) = value, entity[keyPath: path].isEmpty { entity[keyPath: path] = concept }
        }
    }
    static func codes<E>(_ path: WritableKeyPath<E, [String]>) -> Setter<E> {
        let setter = list(path, .coding) { value -> String? in
            switch value {
            case let .coding(v): v.code
            case let .concept(v): v.first?.code
            default: nil
            }
        }
        return Setter(accepts: [.concept, .coding], apply: setter.apply)
    }
    static func dateTime<E>(_ path: WritableKeyPath<E, ClinicalDateTime?>) -> Setter<E> {
        single(path, .dateTime) { if case let .dateTime(v) = $0 { v } else { nil } }
    }
    static func text<E>(_ path: WritableKeyPath<E, String?>) -> Setter<E> {
        single(path, .text) { if case let .text(v) = $0 { v } else { nil } }
    }
    static func reference<E>(_ path: WritableKeyPath<E, EntityRef?>) -> Setter<E> {
        single(path, .reference) { if case let .reference(v) = $0 { v } else { nil } }
    }
    static func references<E>(_ path: WritableKeyPath<E, [EntityRef]>) -> Setter<E> {
        list(path, .reference) { if case let .reference(v) = $0 { v } else { nil } }
    }
    static func quantity<E>(_ path: WritableKeyPath<E, Quantity?>) -> Setter<E> {
        single(path, .quantity) { if case let .quantity(v) = $0 { v } else { nil } }
    }
    static func period<E>(_ path: WritableKeyPath<E, Period?>) -> Setter<E> {
        single(path, .period) { if case let .period(v) = $0 { v } else { nil } }
    }
    static func periodStart<E>(_ path: WritableKeyPath<E, Period?>) -> Setter<E> {
        Setter(accepts: [.dateTime]) { entity, value in
            guard case let .dateTime(time) = value else { return }
            var period = entity[keyPath: path] ?? Period()
            if period.start == nil { period.start = time }
            entity[keyPath: path] = period
        }
    }
    static func periodEnd<E>(_ path: WritableKeyPath<E, Period?>) -> Setter<E> {
        Setter(accepts: [.dateTime]) { entity, value in
            guard case let .dateTime(time) = value else { return }
            var period = entity[keyPath: path] ?? Period()
            if period.end == nil { period.end = time }
            entity[keyPath: path] = period
        }
    }
    /// Y/N indicators (HL7 table 0136).
    static func flag<E>(_ path: WritableKeyPath<E, Bool?>) -> Setter<E> {
        Setter(accepts: [.coding, .text]) { entity, value in
            let code: String?
            switch value {
            case let .coding(v): code = v.code
            case let .text(v): code = v
            default: code = nil
            }
            switch code?.uppercased() {
            case "Y": entity[keyPath: path] = true
            case "N": entity[keyPath: path] = false
            default: break
            }
        }
    }
    static func integer<E>(_ path: WritableKeyPath<E, Int?>) -> Setter<E> {
        Setter(accepts: [.decimal, .text]) { entity, value in
            switch value {
            case let .decimal(v): entity[keyPath: path] = Int(v.lexical)
            case let .text(v): entity[keyPath: path] = Int(v)
            default: break
            }
        }
    }
    static func annotations<E>(_ path: WritableKeyPath<E, [Annotation]>) -> Setter<E> {
        list(path, .text) { if case let .text(v) = $0 { Annotation(text: v) } else { nil } }
    }
    static func participants<E>(_ path: WritableKeyPath<E, [Participant]>, role: String?) -> Setter<E> {
        list(path, .reference) { value -> Participant? in
            guard case let .reference(ref) = value else { return nil }
            return Participant(role: role.map(Participant.role), who: ref)
        }
    }
}

extension Setters {
    /// The HL7 v2 setters of a kind's catalogue (`CanonicalPaths`): every path whose shape a field
    /// value can fill. Values are only added (lists) or fill what is still empty, so a field's
    /// first repetition, and the first segment that sets a path, wins.
    static func bound<E>(_ catalogue: [String: PathSlot<E>]) -> [String: Setter<E>] {
        catalogue.compactMapValues(setter)
    }

    static func setter<E>(_ slot: PathSlot<E>) -> Setter<E>? {
        switch slot {
        case let .text(path): text(path)
        case let .code(path): code(path)
        case let .requiredCode(path): requiredCode(path)
        case let .codes(path): codes(path)
        case let .coding(path): coding(path)
        case let .concept(path): concept(path)
        case let .conceptText(path): conceptText(path)
        case let .requiredConcept(path): requiredConcept(path)
        case let .concepts(path): concepts(path)
        case let .identifiers(path): identifiers(path)
        case let .name(path): name(path)
        case let .names(path): names(path)
        case let .addresses(path): addresses(path)
        case let .contacts(path): contacts(path)
        case let .dateTime(path): dateTime(path)
        case let .periodStart(path): periodStart(path)
        case let .periodEnd(path): periodEnd(path)
        case let .flag(path): flag(path)
        case let .integer(path): integer(path)
        case let .quantity(path): quantity(path)
        case let .reference(path, _): reference(path)
        case let .references(path, _): references(path)
        case let .participants(path, role): participants(path, role: role)
        case let .annotations(path): annotations(path)
        // parts of names, addresses, ranges and reactions come whole from HL7 v2 data types
        case .codings, .namePart, .additionalName, .addressPart, .telecom, .observationValue, .referenceRange,
            .reaction:
            nil
        }
    }
}
