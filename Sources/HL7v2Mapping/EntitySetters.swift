import ClinicalModel

/// Writes one `FieldValue` into a canonical path of an entity. Field maps in `Mappings/hl7v2`
/// name these paths (`to: identifiers`); the paths and their shapes are the catalogue in
/// `CanonicalPaths` (shared with the CSV reader), and `HL7v2Mapper` checks every map against the
/// setters bound from it at load time.
struct Setter<Entity> {
    /// The `FieldValue` kinds this path accepts.
    let accepts: Set<FieldValue.Kind>
    /// Whether the path replaces a default rather than filling what is empty (a required code):
    /// within one segment only the first rule that writes it is applied.
    var overwrites = false
    /// Writes the value; returns whether the entity holds it afterwards (written now, or an equal
    /// value already there), which is what the source accounting counts as carried.
    let apply: (inout Entity, FieldValue) -> Bool
}

enum Setters {
    static func list<E, T: Equatable>(
        _ path: WritableKeyPath<E, [T]>, _ kind: FieldValue.Kind, _ extract: @escaping (FieldValue) -> T?
    )
        -> Setter<E>
    {
        Setter(accepts: [kind]) { entity, value in
            guard let item = extract(value) else { return false }
            if !entity[keyPath: path].contains(item) { entity[keyPath: path].append(item) }
            return true
        }
    }

    static func single<E, T: Equatable>(
        _ path: WritableKeyPath<E, T?>, _ kind: FieldValue.Kind, _ extract: @escaping (FieldValue) -> T?
    )
        -> Setter<E>
    {
        Setter(accepts: [kind]) { entity, value in
            guard let item = extract(value) else { return false }
            if entity[keyPath: path] == nil { entity[keyPath: path] = item }
            return entity[keyPath: path] == item
        }
    }

    static func identifiers<E>(_ path: WritableKeyPath<E, [Identifier]>) -> Setter<E> {
        list(path, .identifier) { if case .identifier(let v) = $0 { v } else { nil } }
    }
    static func names<E>(_ path: WritableKeyPath<E, [HumanName]>) -> Setter<E> {
        list(path, .name) { if case .name(let v) = $0 { v } else { nil } }
    }
    static func name<E>(_ path: WritableKeyPath<E, HumanName?>) -> Setter<E> {
        single(path, .name) { if case .name(let v) = $0 { v } else { nil } }
    }
    static func addresses<E>(_ path: WritableKeyPath<E, [Address]>) -> Setter<E> {
        list(path, .address) { if case .address(let v) = $0 { v } else { nil } }
    }
    static func address<E>(_ path: WritableKeyPath<E, Address?>) -> Setter<E> {
        single(path, .address) { if case .address(let v) = $0 { v } else { nil } }
    }
    static func contacts<E>(_ path: WritableKeyPath<E, [ContactPoint]>) -> Setter<E> {
        list(path, .contact) { if case .contact(let v) = $0 { v } else { nil } }
    }
    static func concepts<E>(_ path: WritableKeyPath<E, [Concept]>) -> Setter<E> {
        var setter = list(path, .concept) { value -> Concept? in
            switch value {
            case .concept(let v): v
            case .coding(let v): Concept(v)
            default: nil
            }
        }
        setter = Setter(accepts: [.concept, .coding], apply: setter.apply)
        return setter
    }
    static func concept<E>(_ path: WritableKeyPath<E, Concept?>) -> Setter<E> {
        let setter = single(path, .concept) { value -> Concept? in
            switch value {
            case .concept(let v): v
            case .coding(let v): Concept(v)
            default: nil
            }
        }
        return Setter(accepts: [.concept, .coding], apply: setter.apply)
    }
    static func coding<E>(_ path: WritableKeyPath<E, Coding?>) -> Setter<E> {
        let setter = single(path, .coding) { value -> Coding? in
            switch value {
            case .coding(let v): v
            case .concept(let v): v.first
            default: nil
            }
        }
        return Setter(accepts: [.concept, .coding], apply: setter.apply)
    }
    /// A FHIR `code` element: the code of a (translated) coding.
    static func code<E>(_ path: WritableKeyPath<E, String?>) -> Setter<E> {
        let setter = single(path, .coding) { value -> String? in
            switch value {
            case .coding(let v): v.code
            case .concept(let v): v.first?.code
            default: nil
            }
        }
        return Setter(accepts: [.concept, .coding], apply: setter.apply)
    }
    /// A required FHIR `code` element with a default: the field overrides the default.
    static func requiredCode<E>(_ path: WritableKeyPath<E, String>) -> Setter<E> {
        Setter(accepts: [.concept, .coding, .text], overwrites: true) { entity, value in
            let code: String?
            switch value {
            case .coding(let v): code = v.code
            case .concept(let v): code = v.first?.code
            case .text(let v): code = v
            default: code = nil
            }
            guard let code else { return false }
            entity[keyPath: path] = code
            return true
        }
    }
    /// The text of a concept, when it has none yet (the code may come from another field).
    static func conceptText<E>(_ path: WritableKeyPath<E, Concept?>) -> Setter<E> {
        Setter(accepts: [.text]) { entity, value in
            guard case .text(let text) = value else { return false }
            var concept = entity[keyPath: path] ?? Concept()
            if concept.text == nil { concept.text = text }
            entity[keyPath: path] = concept
            return concept.text == text
        }
    }
    /// A required concept: the first concept a field gives.
    static func requiredConcept<E>(_ path: WritableKeyPath<E, Concept>) -> Setter<E> {
        Setter(accepts: [.concept]) { entity, value in
            guard case .concept(let concept) = value else { return false }
            if entity[keyPath: path].isEmpty { entity[keyPath: path] = concept }
            return entity[keyPath: path] == concept
        }
    }
    static func codes<E>(_ path: WritableKeyPath<E, [String]>) -> Setter<E> {
        let setter = list(path, .coding) { value -> String? in
            switch value {
            case .coding(let v): v.code
            case .concept(let v): v.first?.code
            default: nil
            }
        }
        return Setter(accepts: [.concept, .coding], apply: setter.apply)
    }
    static func dateTime<E>(_ path: WritableKeyPath<E, ClinicalDateTime?>) -> Setter<E> {
        single(path, .dateTime) { if case .dateTime(let v) = $0 { v } else { nil } }
    }
    static func text<E>(_ path: WritableKeyPath<E, String?>) -> Setter<E> {
        single(path, .text) { if case .text(let v) = $0 { v } else { nil } }
    }
    static func reference<E>(_ path: WritableKeyPath<E, EntityRef?>) -> Setter<E> {
        single(path, .reference) { if case .reference(let v) = $0 { v } else { nil } }
    }
    static func references<E>(_ path: WritableKeyPath<E, [EntityRef]>) -> Setter<E> {
        list(path, .reference) { if case .reference(let v) = $0 { v } else { nil } }
    }
    static func quantity<E>(_ path: WritableKeyPath<E, Quantity?>) -> Setter<E> {
        single(path, .quantity) { if case .quantity(let v) = $0 { v } else { nil } }
    }
    static func period<E>(_ path: WritableKeyPath<E, Period?>) -> Setter<E> {
        single(path, .period) { if case .period(let v) = $0 { v } else { nil } }
    }
    static func periodStart<E>(_ path: WritableKeyPath<E, Period?>) -> Setter<E> {
        Setter(accepts: [.dateTime]) { entity, value in
            guard case .dateTime(let time) = value else { return false }
            var period = entity[keyPath: path] ?? Period()
            if period.start == nil { period.start = time }
            entity[keyPath: path] = period
            return period.start == time
        }
    }
    static func periodEnd<E>(_ path: WritableKeyPath<E, Period?>) -> Setter<E> {
        Setter(accepts: [.dateTime]) { entity, value in
            guard case .dateTime(let time) = value else { return false }
            var period = entity[keyPath: path] ?? Period()
            if period.end == nil { period.end = time }
            entity[keyPath: path] = period
            return period.end == time
        }
    }
    /// Y/N indicators (HL7 table 0136).
    static func flag<E>(_ path: WritableKeyPath<E, Bool?>) -> Setter<E> {
        Setter(accepts: [.coding, .text]) { entity, value in
            let code: String?
            switch value {
            case .coding(let v): code = v.code
            case .text(let v): code = v
            default: code = nil
            }
            switch code?.uppercased() {
            case "Y": entity[keyPath: path] = true
            case "N": entity[keyPath: path] = false
            default: return false
            }
            return true
        }
    }
    static func integer<E>(_ path: WritableKeyPath<E, Int?>) -> Setter<E> {
        Setter(accepts: [.decimal, .text]) { entity, value in
            let number: Int?
            switch value {
            case .decimal(let v): number = Int(v.lexical)
            case .text(let v): number = Int(v)
            default: number = nil
            }
            guard let number else { return false }
            entity[keyPath: path] = number
            return true
        }
    }
    static func annotations<E>(_ path: WritableKeyPath<E, [Annotation]>) -> Setter<E> {
        list(path, .text) { if case .text(let v) = $0 { Annotation(text: v) } else { nil } }
    }
    static func participants<E>(_ path: WritableKeyPath<E, [Participant]>, role: String?) -> Setter<E> {
        list(path, .reference) { value -> Participant? in
            guard case .reference(let ref) = value else { return nil }
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
        case .text(let path): text(path)
        case .code(let path): code(path)
        case .requiredCode(let path): requiredCode(path)
        case .codes(let path): codes(path)
        case .coding(let path): coding(path)
        case .concept(let path): concept(path)
        case .conceptText(let path): conceptText(path)
        case .requiredConcept(let path): requiredConcept(path)
        case .concepts(let path): concepts(path)
        case .identifiers(let path): identifiers(path)
        case .name(let path): name(path)
        case .names(let path): names(path)
        case .addresses(let path): addresses(path)
        case .contacts(let path): contacts(path)
        case .dateTime(let path): dateTime(path)
        case .periodStart(let path): periodStart(path)
        case .periodEnd(let path): periodEnd(path)
        case .flag(let path): flag(path)
        case .integer(let path): integer(path)
        case .quantity(let path): quantity(path)
        case .reference(let path, _): reference(path)
        case .references(let path, _): references(path)
        case .participants(let path, let role): participants(path, role: role)
        case .annotations(let path): annotations(path)
        // parts of names, addresses, ranges and reactions come whole from HL7 v2 data types
        case .codings, .namePart, .additionalName, .addressPart, .telecom, .observationValue, .referenceRange,
            .reaction:
            nil
        }
    }
}
