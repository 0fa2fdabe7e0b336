import ClinicalModel

/// HL7 v3 data types (II, CD, TS, IVL_TS, PQ, IVL_PQ, PN, AD, TEL, …; HL7 V3 Data Types R1 as
/// C-CDA R2.1 constrains them) read into canonical values. A value that cannot be read is left
/// out and reported with its position; a `nullFlavor` means "no value", never an error.
extension DocumentReader {
    static let uriSystem = "urn:ietf:rfc:3986"

    // MARK: Identifiers

    /// The FHIR system for an II root: the terminology's URI for a known OID, else `urn:oid:<root>`
    /// (`urn:uuid:<root>` for a UUID). An unknown OID whose `assigningAuthorityName` is an
    /// absolute http(s) URL takes that URL: the authority names itself by a URI (Synthea's
    /// `https://github.com/synthetichealth/synthea`), which is what the FHIR and CSV forms of the
    /// same record use.
    func identifierSystem(root: String, authorityName: String?) -> String? {
        if Self.isOID(root) {
            if let uri = codeSystem(root), !uri.hasPrefix("urn:oid:") { return uri }
            if let name = authorityName, name.hasPrefix("http://") || name.hasPrefix("https://"),
                !name.contains(" ")
            {
                return name
            }
            return "urn:oid:" + root
        }
        if Self.isUUID(root) { return "urn:uuid:" + root.lowercased() }
        return nil
    }

    /// II → Identifier. With an extension: `system` from the root, `value` the extension. A root
    /// alone is itself the identifier: `urn:ietf:rfc:3986` with `urn:oid:…` or `urn:uuid:…`.
    func identifier(_ node: XMLNode) -> Identifier? {
        guard node.nullFlavor == nil, let root = node.value("root") else { return nil }
        let authority = node.value("assigningAuthorityName")
        if let value = node.value("extension") {
            let system = identifierSystem(root: root, authorityName: authority)
            return Identifier(system: system, value: value, assigner: system == authority ? nil : authority)
        }
        if Self.isOID(root) { return Identifier(system: Self.uriSystem, value: "urn:oid:" + root, assigner: authority) }
        if Self.isUUID(root) {
            return Identifier(system: Self.uriSystem, value: "urn:uuid:" + root.lowercased(), assigner: authority)
        }
        return Identifier(value: root, assigner: authority)
    }

    /// Every usable `id` child.
    func identifiers(of node: XMLNode) -> [Identifier] {
        var result: [Identifier] = []
        for id in node.children("id") {
            if let identifier = identifier(id), !result.contains(identifier) { result.append(identifier) }
        }
        return result
    }

    /// Digits separated by single dots, at least two arcs.
    static func isOID(_ text: String) -> Bool {
        var arcs = 1
        var arcLength = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard arcLength > 0 else { return false }
                arcs += 1
                arcLength = 0
            } else if byte >= 48 && byte <= 57 {
                arcLength += 1
            } else {
                return false
            }
        }
        return arcs >= 2 && arcLength > 0
    }

    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                if byte != UInt8(ascii: "-") { return false }
            } else if !(byte >= 48 && byte <= 57) && !(byte >= 65 && byte <= 70) && !(byte >= 97 && byte <= 102) {
                return false
            }
        }
        return true
    }

    // MARK: Codes

    /// The code system URI for a `codeSystem` OID: the terminology's URI, else `urn:oid:<oid>`.
    func codeSystem(_ oid: String?) -> String? {
        guard let oid else { return nil }
        if let cached = systemCache[oid] { return cached }
        let system = Self.isOID(oid) ? terminology.systemURI(forOID: oid) ?? "urn:oid:" + oid : nil
        systemCache[oid] = .some(system)
        return system
    }

    /// One CD/CE/CV/CO without its translations, or `nil` when it has no code.
    func coding(_ node: XMLNode) -> Coding? {
        // a code is read even beside a nullFlavor
        guard let code = node.value("code") else { return nil }
        return Coding(
            system: codeSystem(node.value("codeSystem")), code: code, display: node.value("displayName"),
            version: node.value("codeSystemVersion"))
    }

    /// CD/CE/CV/CO → Concept: the code, then each `translation` as another coding (duplicates
    /// dropped), with `originalText` (resolved through a narrative reference) as text. `nil` when
    /// there is neither a coding nor text (a bare `nullFlavor`).
    func concept(_ node: XMLNode?) -> Concept? {
        guard let node else { return nil }
        var concept = Concept()
        if let coding = coding(node) { concept.codings.append(coding) }
        for translation in node.children("translation") {
            if let coding = coding(translation), !concept.codings.contains(coding) { concept.codings.append(coding) }
        }
        concept.text = originalText(node)
        return concept.isEmpty ? nil : concept
    }

    /// `originalText` of a coded value: its reference resolved into the narrative, else its own text.
    func originalText(_ node: XMLNode) -> String? {
        guard let original = node.child("originalText") else { return nil }
        if let reference = original.child("reference"), let target = reference.value("value") {
            if let text = narrativeText(reference: target, at: reference) { return text }
        }
        return original.normalizedText
    }

    /// The text of an entry's `text` element: a narrative reference resolved, else its own text.
    func entryText(_ node: XMLNode) -> String? {
        guard let text = node.child("text") else { return nil }
        if let reference = text.child("reference"), let target = reference.value("value") {
            if let resolved = narrativeText(reference: target, at: reference) { return resolved }
        }
        return text.normalizedText
    }

    /// The plain text of the narrative element `reference` (`#id`) points at; reports
    /// `unresolvedNarrativeReference` when there is none.
    func narrativeText(reference: String, at node: XMLNode) -> String? {
        guard let element = narrative.element(for: reference) else {
            diagnose(.information, .unresolvedNarrativeReference, at: node.location(attribute: "value"))
            return nil
        }
        return element.normalizedText
    }

    /// The first child `name` read as a concept.
    func concept(_ parent: XMLNode, _ name: String) -> Concept? { concept(parent.child(name)) }

    /// The target of a vocabulary map for `code`, reporting `unmappedCode` (with the code system
    /// and code, which are terminology, not patient data) when the code is present but not mapped.
    func translate(_ map: Vocabulary, _ code: String?, system: String? = nil, at node: XMLNode) -> String? {
        guard let code, !code.isEmpty else { return nil }
        if let target = mappings.translate(map, code) { return target }
        diagnose(.information, .unmappedCode, at: node.location, system: system ?? map.rawValue, code: code)
        return nil
    }

    /// `statusCode/@code` of an act.
    func statusCode(_ node: XMLNode) -> (code: String, node: XMLNode)? {
        guard let status = node.child("statusCode"), let code = status.value("code") else { return nil }
        return (code, status)
    }

    /// A status through a vocabulary map, or `nil`.
    func status(_ node: XMLNode, _ map: Vocabulary) -> String? {
        guard let (code, element) = statusCode(node) else { return nil }
        return translate(map, code, system: Self.v3ActStatus, at: element)
    }

    // MARK: Times

    /// TS `@value` (or another attribute) → ClinicalDateTime, reporting `invalidTimestamp`.
    func dateTime(_ node: XMLNode?, attribute: String = "value") -> ClinicalDateTime? {
        guard let node, node.nullFlavor == nil, let raw = node.value(attribute) else { return nil }
        guard let value = HL7DateTime.parse(raw, defaultZone: defaultZone, syntax: .v3) else {
            diagnose(.warning, .invalidTimestamp, at: node.location(attribute: attribute))
            return nil
        }
        return value
    }

    /// IVL_TS (or TS) → Period: `@value` or `center` as the start, else `low` and `high`.
    func period(_ node: XMLNode?) -> Period? {
        guard let node, node.nullFlavor == nil else { return nil }
        var period = Period()
        if let point = dateTime(node) ?? dateTime(node.child("center")) {
            period.start = point
        } else {
            period.start = dateTime(node.child("low"))
            period.end = dateTime(node.child("high"))
        }
        return period.isEmpty ? nil : period
    }

    /// The time an act happened or began: `@value`, `low` or `center` of its first `effectiveTime`.
    func startTime(_ node: XMLNode) -> ClinicalDateTime? {
        guard let time = node.child("effectiveTime") else { return nil }
        return dateTime(time) ?? dateTime(time.child("low")) ?? dateTime(time.child("center"))
    }

    /// The first `author/time`.
    func authorTime(_ node: XMLNode) -> ClinicalDateTime? {
        for author in node.children("author") {
            if let time = dateTime(author.child("time")) { return time }
        }
        return nil
    }

    // MARK: Quantities

    /// PQ → Quantity. `@unit` is UCUM by C-CDA's constraint, so it is both the unit and its UCUM
    /// code unless it holds whitespace (then it is only a unit). A value that is not a decimal is
    /// reported (`invalidQuantity`) and dropped.
    func quantity(_ node: XMLNode?) -> Quantity? {
        guard let node else { return nil }
        if node.nullFlavor != nil { return nonUCUMQuantity(node) }
        var quantity = Quantity()
        if let raw = node.value("value") {
            guard let value = DecimalValue(parsing: raw) else {
                diagnose(.warning, .invalidQuantity, at: node.location(attribute: "value"))
                return nil
            }
            quantity.value = value
        }
        if let unit = node.value("unit") {
            quantity.unit = unit
            if !unit.contains(" ") {
                quantity.system = "http://unitsofmeasure.org"
                quantity.code = unit
            }
        }
        return quantity.value == nil && quantity.unit == nil ? nil : quantity
    }

    /// A PQ with `nullFlavor="OTH"` whose unit is not UCUM: C-CDA R2.1 puts the value on a
    /// `translation` and the unit as received in its `originalText`. The result has that unit as
    /// text and no UCUM code.
    private func nonUCUMQuantity(_ node: XMLNode) -> Quantity? {
        guard node.nullFlavor == "OTH", let translation = node.child("translation"),
            let raw = translation.value("value")
        else { return nil }
        guard let value = DecimalValue(parsing: raw) else {
            diagnose(.warning, .invalidQuantity, at: translation.location(attribute: "value"))
            return nil
        }
        let unit = translation.child("originalText")?.normalizedText ?? translation.value("code")
        return Quantity(value: value, unit: unit)
    }

    /// IVL_PQ → (low, high); an exclusive bound becomes a comparator when only one bound is given.
    func quantityRange(_ node: XMLNode) -> (low: Quantity?, high: Quantity?) {
        (quantity(node.child("low")), quantity(node.child("high")))
    }

    /// An observation `value` by its `xsi:type`. Returns the value, or a data-absent reason for a
    /// `nullFlavor` value.
    func observationValue(_ node: XMLNode) -> (value: ObservationValue?, absent: String?) {
        if let flavor = node.nullFlavor, node.value("code") == nil, node.value("value") == nil,
            node.child("translation") == nil, node.child("originalText") == nil
        {
            return (
                nil,
                translate(
                    .dataAbsentReason, flavor, system: Self.v3NullFlavor, at: node)
            )
        }
        let type = node.xsiType ?? (node.value("code") != nil ? "CD" : "ST")
        switch type {
        case "PQ":
            return (quantity(node).map(ObservationValue.quantity), nil)
        case "IVL_PQ":
            let (low, high) = quantityRange(node)
            if let low, high == nil, node.child("low")?.attribute("inclusive") == "false" {
                var bound = low
                bound.comparator = ">"
                return (.quantity(bound), nil)
            }
            if let high, low == nil {
                var bound = high
                bound.comparator = node.child("high")?.attribute("inclusive") == "false" ? "<" : "<="
                return (.quantity(bound), nil)
            }
            if let low, high == nil {
                var bound = low
                bound.comparator = ">="
                return (.quantity(bound), nil)
            }
            return (low == nil && high == nil ? nil : .range(low: low, high: high), nil)
        case "CD", "CE", "CV", "CO", "CS":
            return (concept(node).map(ObservationValue.concept), nil)
        case "ST", "ED", "SC":
            if let reference = node.child("reference"), let target = reference.value("value") {
                return (narrativeText(reference: target, at: reference).map(ObservationValue.string), nil)
            }
            return (node.normalizedText.map(ObservationValue.string), nil)
        case "BL":
            switch node.value("value")?.lowercased() {
            case "true": return (.boolean(true), nil)
            case "false": return (.boolean(false), nil)
            default: return (nil, nil)
            }
        case "INT":
            guard let raw = node.value("value") else { return (nil, nil) }
            guard let number = Int(raw) else {
                diagnose(.warning, .invalidQuantity, at: node.location(attribute: "value"))
                return (nil, nil)
            }
            return (.integer(number), nil)
        case "REAL", "MO":
            return (quantity(node).map(ObservationValue.quantity), nil)
        case "TS":
            return (dateTime(node).map(ObservationValue.dateTime), nil)
        case "IVL_TS":
            return (period(node).map(ObservationValue.period), nil)
        case "RTO", "RTO_PQ_PQ", "RTO_INT_INT":
            guard let numerator = quantity(node.child("numerator")),
                let denominator = quantity(node.child("denominator"))
            else { return (nil, nil) }
            return (.ratio(numerator: numerator, denominator: denominator), nil)
        default:
            diagnose(.information, .unsupportedValueType, at: node.location(attribute: "type"))
            return (nil, nil)
        }
    }

    // MARK: Names, addresses, telecom

    /// PN/EN → HumanName: `given` (in order), `family`, `prefix`, `suffix`, `@use` through
    /// `nameUse`, `validTime` as the period; a name with only text keeps it as `text`.
    func humanName(_ node: XMLNode) -> HumanName? {
        guard node.nullFlavor == nil else { return nil }
        var name = HumanName()
        var structured = false
        for part in node.elements where part.isCDA {
            switch part.name {
            case "given":
                structured = true
                if let text = part.normalizedText { name.given.append(text) }
            case "family":
                structured = true
                if let text = part.normalizedText { name.family = name.family.map { $0 + " " + text } ?? text }
            case "prefix":
                structured = true
                if let text = part.normalizedText { name.prefix.append(text) }
            case "suffix":
                structured = true
                if let text = part.normalizedText { name.suffix.append(text) }
            case "validTime":
                name.period = period(part)
            default:
                break
            }
        }
        if !structured { name.text = node.normalizedText }
        if let uses = node.value("use") {
            name.use =
                uses.split(separator: " ").lazy.compactMap { self.mappings.translate(.nameUse, String($0)) }.first
        }
        return name.isEmpty ? nil : name
    }

    /// AD → Address: street lines, city, state, postal code, country, county as district, `@use`
    /// through `addressUse`/`addressType`, `useablePeriod` as the period.
    func address(_ node: XMLNode) -> Address? {
        guard node.nullFlavor == nil else { return nil }
        var address = Address()
        var structured = false
        for part in node.elements where part.isCDA {
            let text = part.nullFlavor == nil ? part.normalizedText : nil
            switch part.name {
            case "streetAddressLine", "houseNumber", "streetName", "additionalLocator", "unitID", "deliveryAddressLine":
                structured = true
                if let text { address.lines.append(text) }
            case "city":
                structured = true
                address.city = text
            case "state":
                structured = true
                address.state = text
            case "postalCode":
                structured = true
                address.postalCode = text
            case "country":
                structured = true
                address.country = text
            case "county":
                structured = true
                address.district = text
            case "useablePeriod":
                address.period = period(part)
            default:
                break
            }
        }
        if !structured { address.text = node.normalizedText }
        for use in (node.value("use") ?? "").split(separator: " ").map(String.init) {
            if address.use == nil, let mapped = mappings.translate(.addressUse, use) { address.use = mapped }
            if address.type == nil, let mapped = mappings.translate(.addressType, use) { address.type = mapped }
        }
        return address.isEmpty ? nil : address
    }

    /// TEL → ContactPoint: the URL scheme gives the system (`tel:` phone, `mailto:` email…) and is
    /// removed from the value (except for web URLs); `@use` gives the use (`PG` makes it a pager).
    func contactPoint(_ node: XMLNode) -> ContactPoint? {
        guard node.nullFlavor == nil, let raw = node.value("value") else { return nil }
        var point = ContactPoint(value: raw)
        if let colon = raw.firstIndex(of: ":") {
            let scheme = raw[..<colon].lowercased()
            if let system = mappings.translate(.telecomScheme, scheme) {
                point.system = system
                if system != "url" {
                    var value = raw[raw.index(after: colon)...]
                    while value.hasPrefix("/") { value = value.dropFirst() }
                    point.value = String(value).trimmingXMLSpace()
                }
            }
        }
        for use in (node.value("use") ?? "").split(separator: " ").map(String.init) {
            if point.use == nil, let mapped = mappings.translate(.telecomUse, use) { point.use = mapped }
            if let system = mappings.translate(.telecomSystem, use) { point.system = system }
        }
        return point.value.isEmpty ? nil : point
    }

    func names(of node: XMLNode) -> [HumanName] { node.children("name").compactMap(humanName) }
    func addresses(of node: XMLNode) -> [Address] { node.children("addr").compactMap(address) }
    func telecoms(of node: XMLNode) -> [ContactPoint] { node.children("telecom").compactMap(contactPoint) }
}
