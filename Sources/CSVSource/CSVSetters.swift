import ClinicalModel

/// How one canonical path takes a value: the kinds it accepts, the entity kinds a reference may
/// point to, and the write. `item` picks one of a repeated group (`reaction` 1, 2…).
struct CSVSetter<E> {
    var accepts: Set<CSVValueKind>
    var targets: Set<EntityKind> = []
    /// A second value replaces the first: rules to such a path need `priority` or `when`.
    var single = false
    var apply: (inout E, CSVValue, Int) -> Void
}

/// Setter builders for the slots of the path catalogue (`CanonicalPaths`), as CSV columns fill them.
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
            if case .dateTime(let time) = value { entity[keyPath: path] = time }
        }
    }

    static func periodStart<E>(_ path: WritableKeyPath<E, Period?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.dateTime]) { entity, value, _ in
            guard case .dateTime(let time) = value else { return }
            var period = entity[keyPath: path] ?? Period()
            period.start = time
            entity[keyPath: path] = period
        }
    }

    static func periodEnd<E>(_ path: WritableKeyPath<E, Period?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.dateTime]) { entity, value, _ in
            guard case .dateTime(let time) = value else { return }
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
            if case .coding(let coding, _) = value { entity[keyPath: path] = coding }
        }
    }

    static func codings<E>(_ path: WritableKeyPath<E, [Coding]>) -> CSVSetter<E> {
        CSVSetter(accepts: [.coding]) { entity, value, _ in
            if case .coding(let coding, _) = value, !entity[keyPath: path].contains(coding) {
                entity[keyPath: path].append(coding)
            }
        }
    }

    static func identifiers<E>(_ path: WritableKeyPath<E, [Identifier]>) -> CSVSetter<E> {
        CSVSetter(accepts: [.identifier]) { entity, value, _ in
            if case .identifier(let identifier) = value { entity[keyPath: path].append(identifier) }
        }
    }

    static func reference<E>(_ path: WritableKeyPath<E, EntityRef?>, to targets: Set<EntityKind>) -> CSVSetter<E> {
        CSVSetter(accepts: [.reference], targets: targets) { entity, value, _ in
            if case .reference(let ref) = value { entity[keyPath: path] = ref }
        }
    }

    static func references<E>(_ path: WritableKeyPath<E, [EntityRef]>, to targets: Set<EntityKind>) -> CSVSetter<E> {
        CSVSetter(accepts: [.reference], targets: targets) { entity, value, _ in
            if case .reference(let ref) = value, !entity[keyPath: path].contains(ref) {
                entity[keyPath: path].append(ref)
            }
        }
    }

    static func flag<E>(_ path: WritableKeyPath<E, Bool?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.boolean]) { entity, value, _ in
            if case .boolean(let flag) = value { entity[keyPath: path] = flag }
        }
    }

    static func integer<E>(_ path: WritableKeyPath<E, Int?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.integer]) { entity, value, _ in
            if case .integer(let number) = value { entity[keyPath: path] = number }
        }
    }

    static func quantity<E>(_ path: WritableKeyPath<E, Quantity?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.quantity, .decimal]) { entity, value, _ in
            switch value {
            case .quantity(let quantity): entity[keyPath: path] = quantity
            case .decimal(let number): entity[keyPath: path] = Quantity(value: number)
            default: break
            }
        }
    }

    static func annotations<E>(_ path: WritableKeyPath<E, [Annotation]>) -> CSVSetter<E> {
        CSVSetter(accepts: [.text]) { entity, value, _ in
            if case .text(let text) = value { entity[keyPath: path].append(Annotation(text: text)) }
        }
    }

    static func participants<E>(_ path: WritableKeyPath<E, [Participant]>, role: String?) -> CSVSetter<E> {
        CSVSetter(accepts: [.reference], targets: [.practitioner]) { entity, value, _ in
            if case .reference(let ref) = value, !entity[keyPath: path].contains(where: { $0.who == ref }) {
                entity[keyPath: path].append(Participant(role: role.map(Participant.role), who: ref))
            }
        }
    }

    /// A whole name from one text: the family name (a mother's maiden name).
    static func familyName<E>(_ path: WritableKeyPath<E, HumanName?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.text]) { entity, value, _ in
            if let text = value.plainText { entity[keyPath: path] = HumanName(family: text) }
        }
    }

    /// Another name with `use` and this family name; `finish` gives it the official name's given names.
    static func additionalName<E>(_ path: WritableKeyPath<E, [HumanName]>, use: String) -> CSVSetter<E> {
        CSVSetter(accepts: [.text]) { entity, value, _ in
            guard let text = value.plainText else { return }
            entity[keyPath: path].append(HumanName(use: use, family: text))
        }
    }

    static func namePart<E>(_ path: WritableKeyPath<E, [HumanName]>, _ part: PathSlot<E>.NamePart) -> CSVSetter<E> {
        switch part {
        case .family: nameText(path, \.family)
        case .text: nameText(path, \.text)
        case .given: namePart(path, \.given)
        case .prefix: namePart(path, \.prefix)
        case .suffix: namePart(path, \.suffix)
        }
    }

    static func addressPart<E>(_ path: WritableKeyPath<E, [Address]>, _ part: PathSlot<E>.AddressPart) -> CSVSetter<E> {
        switch part {
        case .line: addressLine(path)
        case .city: addressPart(path, \.city)
        case .district: addressPart(path, \.district)
        case .state: addressPart(path, \.state)
        case .postalCode: addressPart(path, \.postalCode)
        case .country: addressPart(path, \.country)
        case .text: addressPart(path, \.text)
        }
    }

    static func observationValue<E>(_ path: WritableKeyPath<E, ObservationValue?>) -> CSVSetter<E> {
        CSVSetter(accepts: [.observationValue, .quantity, .decimal, .integer, .text, .coding, .dateTime, .boolean]) {
            entity, value, _ in
            entity[keyPath: path] = value.observationValue
        }
    }

    /// One part of the one reference range a CSV row describes.
    static func referenceRange<E>(_ path: WritableKeyPath<E, [ReferenceRange]>, _ part: PathSlot<E>.RangePart)
        -> CSVSetter<E>
    {
        func withRange(_ entity: inout E, _ body: (inout ReferenceRange) -> Void) {
            if entity[keyPath: path].isEmpty { entity[keyPath: path].append(ReferenceRange()) }
            body(&entity[keyPath: path][0])
        }
        return switch part {
        case .low:
            CSVSetter(accepts: [.decimal, .quantity]) { entity, value, _ in
                withRange(&entity) { $0.low = value.quantityValue }
            }
        case .high:
            CSVSetter(accepts: [.decimal, .quantity]) { entity, value, _ in
                withRange(&entity) { $0.high = value.quantityValue }
            }
        case .text: CSVSetter(accepts: [.text]) { entity, value, _ in withRange(&entity) { $0.text = value.plainText } }
        }
    }

    /// One part of reaction `item` (1-based); empty reactions are added up to it.
    static func reaction<E>(_ path: WritableKeyPath<E, [AllergyReaction]>, _ part: PathSlot<E>.ReactionPart)
        -> CSVSetter<E>
    {
        func withReaction(_ entity: inout E, _ item: Int, _ body: (inout AllergyReaction) -> Void) {
            let index = max(1, item) - 1
            while entity[keyPath: path].count <= index { entity[keyPath: path].append(AllergyReaction()) }
            body(&entity[keyPath: path][index])
        }
        return switch part {
        case .manifestation:
            CSVSetter(accepts: [.coding, .text]) { entity, value, item in
                withReaction(&entity, item) { reaction in
                    var concept = Concept()
                    value.merge(into: &concept)
                    if !concept.isEmpty { reaction.manifestations.append(concept) }
                }
            }
        case .severity:
            CSVSetter(accepts: [.text, .coding]) { entity, value, item in
                withReaction(&entity, item) { $0.severity = value.codeText }
            }
        case .description:
            CSVSetter(accepts: [.text]) { entity, value, item in
                withReaction(&entity, item) { $0.description = value.plainText }
            }
        case .onset:
            CSVSetter(accepts: [.dateTime]) { entity, value, item in
                guard case .dateTime(let time) = value else { return }
                withReaction(&entity, item) { $0.onset = time }
            }
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

}

extension CSVValue {
    /// Text for free-text paths: a text value, or a coding's display or code.
    var plainText: String? {
        switch self {
        case .text(let text): text
        case .coding(let coding, let text): text ?? coding.display ?? coding.code
        default: nil
        }
    }

    /// Text for FHIR code paths: a text value, or a coding's code.
    var codeText: String? {
        switch self {
        case .text(let text): text
        case .coding(let coding, _): coding.code
        default: nil
        }
    }

    /// Adds a coding (once) or sets the text of a concept.
    func merge(into concept: inout Concept) {
        switch self {
        case .coding(let coding, let text):
            if coding.code != nil || coding.system != nil, !concept.codings.contains(coding) {
                concept.codings.append(coding)
            }
            if concept.text == nil, let text { concept.text = text }
        case .text(let text):
            if concept.text == nil { concept.text = text }
        default:
            break
        }
    }
}

extension CSVSetters {
    /// The CSV setters of a kind's catalogue (`CanonicalPaths`): every path whose shape a column
    /// value can fill. A later column overrides a single value; lists take each value once.
    static func bound<E>(_ catalogue: [String: PathSlot<E>]) -> [String: CSVSetter<E>] {
        catalogue.compactMapValues { slot in
            guard var setter = setter(slot) else { return nil }
            setter.single = isSingle(slot)
            return setter
        }
    }

    /// Whether a second value would replace the first (one element, not a list or a merge).
    static func isSingle<E>(_ slot: PathSlot<E>) -> Bool {
        switch slot {
        case .text, .code, .requiredCode, .coding, .dateTime, .periodStart, .periodEnd, .flag, .integer, .quantity,
            .reference, .observationValue, .referenceRange:
            true
        default: false
        }
    }

    static func setter<E>(_ slot: PathSlot<E>) -> CSVSetter<E>? {
        switch slot {
        case .text(let path): text(path)
        case .code(let path): optionalCode(path)
        case .requiredCode(let path): code(path)
        case .codes(let path): codes(path)
        case .coding(let path): coding(path)
        case .codings(let path): codings(path)
        case .concept(let path): concept(path)
        case .requiredConcept(let path): requiredConcept(path)
        case .concepts(let path): concepts(path)
        case .identifiers(let path): identifiers(path)
        case .name(let path): familyName(path)
        case .namePart(let path, let part): namePart(path, part)
        case .additionalName(let path, let use): additionalName(path, use: use)
        case .addressPart(let path, let part): addressPart(path, part)
        case .telecom(let path, let system): telecom(path, system: system)
        case .dateTime(let path): dateTime(path)
        case .periodStart(let path): periodStart(path)
        case .periodEnd(let path): periodEnd(path)
        case .flag(let path): flag(path)
        case .integer(let path): integer(path)
        case .quantity(let path): quantity(path)
        case .reference(let path, let targets): reference(path, to: targets)
        case .references(let path, let targets): references(path, to: targets)
        case .participants(let path, let role): participants(path, role: role)
        case .annotations(let path): annotations(path)
        case .observationValue(let path): observationValue(path)
        case .referenceRange(let path, let part): referenceRange(path, part)
        case .reaction(let path, let part): reaction(path, part)
        // whole names, addresses and contact points come part by part from columns
        case .conceptText, .names, .addresses, .contacts: nil
        }
    }
}
