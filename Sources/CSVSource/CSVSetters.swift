import ClinicalModel

/// How one canonical path takes a value: the kinds it accepts, the entity kinds a reference may
/// point to, and the write. `item` picks one of a repeated group (`reaction` 1, 2…).
struct CSVSetter<E> {
    var accepts: Set<CSVValueKind>
    var targets: Set<EntityKind> = []
    var apply: (inout E, CSVValue, Int) -> Void
}

/// Setter builders shared by the entity path tables in `CSVPaths`.
enum CSVSetters {
    static func text<E>(_ path: WritableKeyPath<E, String?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.text, .coding]) { entity, value, _ in
            if let text = value.plainText { entity[keyPath: path] = text }
        }
    }

    /// A FHIR code held as a string (`status`, `intent`): text or a coding's code.
    static func code<E>(_ path: WritableKeyPath<E, String>) -> CSVSetter<E> {
        CSVSetter(accepts: [.text, .coding]) { entity, value, _ in
            if let text = value.codeText { entity[keyPath: path] = text }
        }
    }

    static func optionalCode<E>(_ path: WritableKeyPath<E, String?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.text, .coding]) { entity, value, _ in
            if let text = value.codeText { entity[keyPath: path] = text }
        }
    }

    static func codes<E>(_ path: WritableKeyPath<E, [String]>) -> CSVSetter<E> {
        CSVSetter(accepts: [.text, .coding]) { entity, value, _ in
            if let text = value.codeText, !entity[keyPath: path].contains(text) { entity[keyPath: path].append(text) }
        }
    }

    static func dateTime<E>(_ path: WritableKeyPath<E, ClinicalDateTime?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.dateTime]) { entity, value, _ in
            if case let .dateTime(time) = value { entity[keyPath: path] = time }
        }
    }

    static func periodStart<E>(_ path: WritableKeyPath<E, Period?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.dateTime]) { entity, value, _ in
            guard case let .dateTime(time) = value else { return }
            var period = entity[keyPath: path] ?? Period()
            period.start = time
            entity[keyPath: path] = period
        }
    }

    static func periodEnd<E>(_ path: WritableKeyPath<E, Period?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.dateTime]) { entity, value, _ in
            guard case let .dateTime(time) = value else { return }
            var period = entity[keyPath: path] ?? Period()
            period.end = time
            entity[keyPath: path] = period
        }
    }

    /// A CodeableConcept: each coding rule adds a coding; text sets the concept text.
    static func concept<E>(_ path: WritableKeyPath<E, Concept?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.coding, .text]) { entity, value, _ in
            var concept = entity[keyPath: path] ?? Concept()
            value.merge(into: &concept)
            entity[keyPath: path] = concept.isEmpty ? nil : concept
        }
    }

    /// A required CodeableConcept (Observation.code).
    static func requiredConcept<E>(_ path: WritableKeyPath<E, Concept>) -> CSVSetter<E> {
        CSVSetter(accepts: [.coding, .text]) { entity, value, _ in value.merge(into: &entity[keyPath: path]) }
    }

    /// A list of concepts: each value is one more concept.
    static func concepts<E>(_ path: WritableKeyPath<E, [Concept]>) -> CSVSetter<E> {
        CSVSetter(accepts: [.coding, .text]) { entity, value, _ in
            var concept = Concept()
            value.merge(into: &concept)
            if !concept.isEmpty, !entity[keyPath: path].contains(concept) { entity[keyPath: path].append(concept) }
        }
    }

    static func coding<E>(_ path: WritableKeyPath<E, Coding?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.coding]) { entity, value, _ in
            if case let .coding(coding, _) = value { entity[keyPath: path] = coding }
        }
    }

    static func codings<E>(_ path: WritableKeyPath<E, [Coding]>) -> CSVSetter<E> {
        CSVSetter(accepts: [.coding]) { entity, value, _ in
            if case let .coding(coding, _) = value, !entity[keyPath: path].contains(coding) {
                entity[keyPath: path].append(coding)
            }
        }
    }

    static func identifiers<E>(_ path: WritableKeyPath<E, [Identifier]>) -> CSVSetter<E> {
        CSVSetter(accepts: [.identifier]) { entity, value, _ in
            if case let .identifier(identifier) = value { entity[keyPath: path].append(identifier) }
        }
    }

    static func reference<E>(_ path: WritableKeyPath<E, EntityRef?>, to targets: Set<EntityKind>) -> CSVSetter<E> {
        CSVSetter(accepts: [.reference], targets: targets) { entity, value, _ in
            if case let .reference(ref) = value { entity[keyPath: path] = ref }
        }
    }

    static func references<E>(_ path: WritableKeyPath<E, [EntityRef]>, to targets: Set<EntityKind>) -> CSVSetter<E> {
        CSVSetter(accepts: [.reference], targets: targets) { entity, value, _ in
            if case let .reference(ref) = value, !entity[keyPath: path].contains(ref) { entity[keyPath: path].append(ref) }
        }
    }

    static func participants<E>(_ path: WritableKeyPath<E, [Participant]>) -> CSVSetter<E> {
        CSVSetter(accepts: [.reference], targets: [.practitioner]) { entity, value, _ in
            if case let .reference(ref) = value, !entity[keyPath: path].contains(where: { $0.who == ref }) {
                entity[keyPath: path].append(Participant(who: ref))
            }
        }
    }

    static func flag<E>(_ path: WritableKeyPath<E, Bool?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.boolean]) { entity, value, _ in
            if case let .boolean(flag) = value { entity[keyPath: path] = flag }
        }
    }

    static func integer<E>(_ path: WritableKeyPath<E, Int?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.integer]) { entity, value, _ in
            if case let .integer(number) = value { entity[keyPath: path] = number }
        }
    }

    static func quantity<E>(_ path: WritableKeyPath<E, Quantity?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.quantity, .decimal]) { entity, value, _ in
            switch value {
            case let .quantity(quantity): entity[keyPath: path] = quantity
            case let .decimal(number): entity[keyPath: path] = Quantity(value: number)
            default: break
            }
        }
    }

    static func annotations<E>(_ path: WritableKeyPath<E, [Annotation]>) -> CSVSetter<E> {
        CSVSetter(accepts: [.text]) { entity, value, _ in
            if case let .text(text) = value { entity[keyPath: path].append(Annotation(text: text)) }
        }
    }

    // MARK: Names, addresses, telecom (the first of each, written part by part)

    static func namePart<E>(_ path: WritableKeyPath<E, [HumanName]>, _ part: WritableKeyPath<HumanName, [String]>)
        -> CSVSetter<E>
    {
        CSVSetter(accepts: [.text]) { entity, value, _ in
            guard let text = value.plainText else { return }
            if entity[keyPath: path].isEmpty { entity[keyPath: path].append(HumanName(use: "official")) }
            entity[keyPath: path][0][keyPath: part].append(text)
        }
    }

    static func nameText<E>(_ path: WritableKeyPath<E, [HumanName]>, _ part: WritableKeyPath<HumanName, String?>)
        -> CSVSetter<E>
    {
        CSVSetter(accepts: [.text]) { entity, value, _ in
            guard let text = value.plainText else { return }
            if entity[keyPath: path].isEmpty { entity[keyPath: path].append(HumanName(use: "official")) }
            entity[keyPath: path][0][keyPath: part] = text
        }
    }

    static func addressLine<E>(_ path: WritableKeyPath<E, [Address]>) -> CSVSetter<E> {
        CSVSetter(accepts: [.text]) { entity, value, _ in
            guard let text = value.plainText else { return }
            if entity[keyPath: path].isEmpty { entity[keyPath: path].append(Address()) }
            entity[keyPath: path][0].lines.append(text)
        }
    }

    static func addressPart<E>(_ path: WritableKeyPath<E, [Address]>, _ part: WritableKeyPath<Address, String?>)
        -> CSVSetter<E>
    {
        CSVSetter(accepts: [.text]) { entity, value, _ in
            guard let text = value.plainText else { return }
            if entity[keyPath: path].isEmpty { entity[keyPath: path].append(Address()) }
            entity[keyPath: path][0][keyPath: part] = text
        }
    }

    static func telecom<E>(_ path: WritableKeyPath<E, [ContactPoint]>, system: String) -> CSVSetter<E> {
        CSVSetter(accepts: [.text]) { entity, value, _ in
            guard let text = value.plainText else { return }
            entity[keyPath: path].append(ContactPoint(system: system, value: text))
        }
    }

    /// Adds the paths `<prefix>.line`, `.city`, `.district`, `.state`, `.postalCode`, `.country`.
    static func address<E>(_ path: WritableKeyPath<E, [Address]>, prefix: String = "address") -> [String: CSVSetter<E>] {
        [
            prefix + ".line": addressLine(path),
            prefix + ".city": addressPart(path, \.city),
            prefix + ".district": addressPart(path, \.district),
            prefix + ".state": addressPart(path, \.state),
            prefix + ".postalCode": addressPart(path, \.postalCode),
            prefix + ".country": addressPart(path, \.country),
            prefix + ".text": addressPart(path, \.text),
        ]
    }

    /// Adds the paths `name.family`, `.given`, `.prefix`, `.suffix`, `.text` for the official name.
    static func name<E>(_ path: WritableKeyPath<E, [HumanName]>) -> [String: CSVSetter<E>] {
        [
            "name.family": nameText(path, \.family),
            "name.given": namePart(path, \.given),
            "name.prefix": namePart(path, \.prefix),
            "name.suffix": namePart(path, \.suffix),
            "name.text": nameText(path, \.text),
        ]
    }
}

extension CSVValue {
    /// Text for free-text paths: a text value, or a coding's display or code.
    var plainText: String? {
        switch self {
        case let .text(text): text
        case let .coding(coding, text): text ?? coding.display ?? coding.code
        default: nil
        }
    }

    /// Text for FHIR code paths: a text value, or a coding's code.
    var codeText: String? {
        switch self {
        case let .text(text): text
        case let .coding(coding, _): coding.code
        default: nil
        }
    }

    /// Adds a coding (once) or sets the text of a concept.
    func merge(into concept: inout Concept) {
        switch self {
        case let .coding(coding, text):
            if coding.code != nil || coding.system != nil, !concept.codings.contains(coding) {
                concept.codings.append(coding)
            }
            if concept.text == nil, let text { concept.text = text }
        case let .text(text):
            if concept.text == nil { concept.text = text }
        default:
            break
        }
    }
}
