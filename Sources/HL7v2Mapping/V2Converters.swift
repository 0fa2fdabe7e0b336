import ClinicalModel
import HL7v2
import Terminology

/// Converts HL7 v2 composite data types (HL7 v2.5.1 ch. 2A) to canonical values. Practitioners,
/// organizations and locations named in XCN/XON/PL fields become records of their own in the
/// message's `ClinicalRecord`, and the field's value is a reference to them.
struct V2Converters {
    let terminology: TerminologyStore
    let defaultZone: String

    // MARK: Codes

    /// Resolves a v2 coding-system name, an OID or a URI to a canonical URI; `nil` when unknown.
    func system(_ raw: String?) -> String? {
        guard let raw = raw?.trimmingSpaces(), !raw.isEmpty else { return nil }
        return terminology.normalizeSystem(raw)
    }

    func tableSystem(_ table: String) -> String {
        "http://terminology.hl7.org/CodeSystem/v2-\(table)"
    }

    /// CWE/CE/CNE: identifier^text^system^alt-identifier^alt-text^alt-system^version^alt-version^original text
    func concept(_ rep: HL7Repetition, table: String?, context: inout MappingContext, location: SourceLocation)
        -> Concept?
    {
        var codings: [Coding] = []
        for (codeIndex, textIndex, systemIndex, versionIndex) in [(1, 2, 3, 7), (4, 5, 6, 8)] {
            let code = rep[codeIndex].value
            let display = rep[textIndex].value
            guard code != nil || (codeIndex == 1 && display != nil && rep[systemIndex].value != nil) else { continue }
            let rawSystem = rep[systemIndex].value
            var system = self.system(rawSystem)
            if system == nil, rawSystem == nil, let table { system = tableSystem(table) }
            if system == nil, rawSystem != nil {
                context.diagnose(.information, .unknownCodeSystem, at: location.narrowed(component: systemIndex))
            }
            guard let code else { continue }
            codings.append(
                Coding(system: system, code: code, display: display, version: rep[versionIndex].value))
        }
        let originalText = rep[9].value
        var text = originalText
        if codings.isEmpty, text == nil { text = rep[2].value ?? rep[1].value }
        let concept = Concept(codings: codings, text: text)
        return concept.isEmpty ? nil : concept
    }

    /// ID/IS: a code from an HL7 table (or a user-defined one).
    func coding(_ rep: HL7Repetition, table: String?) -> Coding? {
        guard let code = rep.value?.trimmingSpaces(), !code.isEmpty else { return nil }
        return Coding(system: table.map(tableSystem), code: code)
    }

    // MARK: Identifiers

    /// HD: namespace^universal id^universal id type -> (system URI, assigner name)
    func hierarchicDesignator(namespace: String?, universalID: String?, type: String?) -> (String?, String?) {
        if let universalID, !universalID.isEmpty {
            let kind = type?.uppercased()
            if kind == "ISO"
                || (kind == nil && universalID.range(of: #"^[0-2](\.[0-9]+)+$"#, options: .regularExpression) != nil)
            {
                return (terminology.systemURI(forOID: universalID) ?? "urn:oid:\(universalID)", namespace)
            }
            if kind == "URI" || kind == "URL" || universalID.contains("://") { return (universalID, namespace) }
            if kind == "UUID" { return ("urn:uuid:\(universalID.lowercased())", namespace) }
            return (nil, namespace ?? universalID)
        }
        return (nil, namespace)
    }

    /// CX: id^check digit^scheme^assigning authority (HD)^type^assigning facility^effective^expiration
    func identifier(cx rep: HL7Repetition) -> Identifier? {
        guard let value = rep[1].value else { return nil }
        let authority = rep[4]
        let (system, assigner) = hierarchicDesignator(
            namespace: authority[1], universalID: authority[2], type: authority[3])
        var identifier = Identifier(system: system, value: value, assigner: assigner)
        if let typeCode = rep[5].value {
            identifier.type = Concept(
                Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0203", code: typeCode))
        }
        let start = rep[7].value.flatMap { HL7DateTime.parse($0, defaultZone: defaultZone, syntax: .v2) }
        let end = rep[8].value.flatMap { HL7DateTime.parse($0, defaultZone: defaultZone, syntax: .v2) }
        if start != nil || end != nil { identifier.period = Period(start: start, end: end) }
        return identifier
    }

    /// EI: entity identifier^namespace id^universal id^universal id type
    func identifier(ei rep: HL7Repetition) -> Identifier? {
        guard let value = rep[1].value else { return nil }
        let (system, assigner) = hierarchicDesignator(
            namespace: rep[2].value, universalID: rep[3].value, type: rep[4].value)
        return Identifier(system: system, value: value, assigner: assigner)
    }

    /// HD as an identifier of the named system itself.
    func identifier(hd rep: HL7Repetition) -> Identifier? {
        if let universal = rep[2].value {
            let (system, _) = hierarchicDesignator(namespace: nil, universalID: universal, type: rep[3].value)
            return Identifier(
                system: system == nil ? nil : "urn:ietf:rfc:3986", value: system ?? universal,
                assigner: rep[1].value)
        }
        return rep[1].value.map { Identifier(value: $0) }
    }

    // MARK: Names, addresses, telecom

    /// XPN: family (FN)^given^middle^suffix^prefix^degree^name type code
    func name(xpn rep: HL7Repetition, nameTypeComponent: Int = 7, familyComponent: Int = 1) -> HumanName? {
        var name = HumanName()
        name.family = rep[familyComponent].value
        if let given = rep[familyComponent + 1].value { name.given.append(given) }
        if let middle = rep[familyComponent + 2].value { name.given.append(middle) }
        if let suffix = rep[familyComponent + 3].value { name.suffix.append(suffix) }
        if let prefix = rep[familyComponent + 4].value { name.prefix.append(prefix) }
        if let degree = rep[familyComponent + 5].value { name.suffix.append(degree) }
        if let type = rep[nameTypeComponent].value {
            name.use = terminology.translate(table: "0200", code: type)?.code
        }
        return name.isEmpty ? nil : name
    }

    /// XAD: street^other^city^state^zip^country^type^other geographic^county
    func address(xad rep: HL7Repetition) -> Address? {
        var address = Address()
        if let street = rep[1].value { address.lines.append(street) }
        if let other = rep[2].value { address.lines.append(other) }
        address.city = rep[3].value
        address.state = rep[4].value
        address.postalCode = rep[5].value
        address.country = rep[6].value
        address.district = rep[9].value
        if let type = rep[7].value {
            if let use = terminology.translate(table: "0190", code: type, target: "http://hl7.org/fhir/address-use") {
                address.use = use.code
            } else if let kind = terminology.translate(
                table: "0190", code: type, target: "http://hl7.org/fhir/address-type")
            {
                address.type = kind.code
            }
        }
        return address.isEmpty ? nil : address
    }

    /// XTN: [number]^use (0201)^equipment (0202)^email^country^area^local^extension^…^unformatted (12)
    func contact(xtn rep: HL7Repetition, use defaultUse: String?) -> ContactPoint? {
        let equipment = rep[3].value?.uppercased()
        let useCode = rep[2].value?.uppercased()
        var value: String?
        var system: String?
        if let email = rep[4].value {
            value = email
            system = "email"
        } else if let unformatted = rep[12].value {
            value = unformatted
        } else if let local = rep[7].value {
            var number = ""
            if let country = rep[5].value { number += "+\(country) " }
            if let area = rep[6].value { number += "(\(area)) " }
            number += local
            if let ext = rep[8].value { number += " x\(ext)" }
            value = number
        } else {
            value = rep[1].value
        }
        guard let value else { return nil }
        if system == nil {
            switch equipment {
            case "FX": system = "fax"
            case "BP": system = "pager"
            case "INTERNET", "X.400": system = useCode == "NET" || value.contains("@") ? "email" : "url"
            case "PH", "CP", "SAT", "MD", "TDD", "TTY": system = "phone"
            default: system = useCode == "NET" ? (value.contains("@") ? "email" : "url") : "phone"
            }
        }
        var use = defaultUse
        switch useCode {
        case "PRN", "ORN", "VHN": use = "home"
        case "WPN": use = "work"
        case "EMR": use = use ?? nil
        default: break
        }
        if equipment == "CP" { use = "mobile" }
        return ContactPoint(system: system, value: value, use: use)
    }

    // MARK: Quantities and periods

    func decimal(_ text: String?) -> DecimalValue? { text.flatMap(DecimalValue.init(parsing:)) }

    /// CQ: quantity^units (CWE)
    func quantity(cq rep: HL7Repetition) -> Quantity? {
        guard let value = decimal(rep[1].value) else { return nil }
        return quantity(value: value, unitCode: rep[2][1], unitText: rep[2][2], unitSystem: rep[2][3])
    }

    func quantity(value: DecimalValue?, unitCode: String?, unitText: String?, unitSystem: String?) -> Quantity {
        var quantity = Quantity(value: value)
        if let unitCode {
            quantity.unit = unitText ?? unitCode
            let system = self.system(unitSystem)
            if system == "http://unitsofmeasure.org" || unitSystem == nil || unitSystem?.uppercased() == "ISO+" {
                quantity.system = "http://unitsofmeasure.org"
                quantity.code = unitCode
            } else if let system {
                quantity.system = system
                quantity.code = unitCode
            }
        } else if let unitText {
            quantity.unit = unitText
        }
        return quantity
    }

    func dateTime(_ text: String?, context: inout MappingContext, location: SourceLocation) -> ClinicalDateTime? {
        guard let text, !text.isEmpty else { return nil }
        if let value = HL7DateTime.parse(text, defaultZone: defaultZone, syntax: .v2) { return value }
        context.diagnose(.warning, .invalidTimestamp, at: location)
        return nil
    }
}
