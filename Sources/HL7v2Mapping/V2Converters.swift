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
    ///
    /// A coding-system name that resolves to no URI (a local system such as `99LOCAL` or `L`, or one
    /// the engine does not know) is kept as `urn:fhirbridge:v2-coding-system:<name>`
    /// (`CodingSystemURN`), never dropped: codes of different local systems stay apart.
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
            if system == nil, let rawSystem {
                context.diagnose(.information, .unknownCodeSystem, at: location.narrowed(component: systemIndex))
                system = CodingSystemURN.uri(forName: rawSystem)
            }
            guard let code else { continue }
            codings.append(
                Coding(system: system, code: code, display: display, version: rep[versionIndex].value))
            context.carry(rep, components: [codeIndex, textIndex, systemIndex, versionIndex])
        }
        let originalText = rep[9].value
        var text = originalText
        if text != nil { context.carry(rep, 9) }
        if codings.isEmpty, text == nil {
            text = rep[2].value ?? rep[1].value
            context.carry(rep, rep[2].value != nil ? 2 : 1)
        }
        let concept = Concept(codings: codings, text: text)
        return concept.isEmpty ? nil : concept
    }

    /// ID/IS: a code from an HL7 table (or a user-defined one).
    func coding(_ rep: HL7Repetition, table: String?, context: inout MappingContext) -> Coding? {
        guard let code = rep.value?.trimmingSpaces(), !code.isEmpty else { return nil }
        context.carry(rep, 1)
        return Coding(system: table.map(tableSystem), code: code)
    }

    // MARK: Identifiers

    /// HD: namespace^universal id^universal id type -> (system URI, assigner name). The universal id
    /// type only decides the form of the system (`urn:oid:`, `urn:uuid:`, a URI).
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

    /// An HD held in one component as subcomponents (CX-4, XCN-9, XON-6, PL-4): namespace, universal
    /// id, universal id type.
    func hierarchicDesignator(_ component: HL7Component, of rep: HL7Repetition, context: inout MappingContext)
        -> (String?, String?)
    {
        let result = hierarchicDesignator(namespace: component[1], universalID: component[2], type: component[3])
        for subcomponent in 1...3 { context.carry(rep, component.number, subcomponent: subcomponent) }
        return result
    }

    /// CX: id^check digit^scheme^assigning authority (HD)^type^assigning facility^effective^expiration
    func identifier(cx rep: HL7Repetition, context: inout MappingContext) -> Identifier? {
        guard let value = rep[1].value else { return nil }
        let (system, assigner) = hierarchicDesignator(rep[4], of: rep, context: &context)
        var identifier = Identifier(system: system, value: value, assigner: assigner)
        if let typeCode = rep[5].value {
            identifier.type = Concept(
                Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0203", code: typeCode))
        }
        let start = rep[7].value.flatMap { HL7DateTime.parse($0, defaultZone: defaultZone, syntax: .v2) }
        let end = rep[8].value.flatMap { HL7DateTime.parse($0, defaultZone: defaultZone, syntax: .v2) }
        if start != nil || end != nil { identifier.period = Period(start: start, end: end) }
        context.carry(rep, 1)
        context.carry(rep, 5)
        if start != nil { context.carry(rep, 7) }
        if end != nil { context.carry(rep, 8) }
        return identifier
    }

    /// EI: entity identifier^namespace id^universal id^universal id type
    func identifier(ei rep: HL7Repetition, context: inout MappingContext) -> Identifier? {
        guard let value = rep[1].value else { return nil }
        let (system, assigner) = hierarchicDesignator(
            namespace: rep[2].value, universalID: rep[3].value, type: rep[4].value)
        context.carry(rep, components: 1...4)
        return Identifier(system: system, value: value, assigner: assigner)
    }

    /// HD as an identifier of the named system itself.
    func identifier(hd rep: HL7Repetition, context: inout MappingContext) -> Identifier? {
        if let universal = rep[2].value {
            let (system, _) = hierarchicDesignator(namespace: nil, universalID: universal, type: rep[3].value)
            context.carry(rep, components: 1...3)
            return Identifier(
                system: system == nil ? nil : "urn:ietf:rfc:3986", value: system ?? universal,
                assigner: rep[1].value)
        }
        context.carry(rep, 1)
        return rep[1].value.map { Identifier(value: $0) }
    }

    // MARK: Names, addresses, telecom

    /// XPN: family (FN)^given^middle^suffix^prefix^degree^name type code
    func name(xpn rep: HL7Repetition, context: inout MappingContext) -> HumanName? {
        var name = HumanName()
        name.family = rep[1].value
        if let given = rep[2].value { name.given.append(given) }
        if let middle = rep[3].value { name.given.append(middle) }
        if let suffix = rep[4].value { name.suffix.append(suffix) }
        if let prefix = rep[5].value { name.prefix.append(prefix) }
        if let degree = rep[6].value { name.suffix.append(degree) }
        if let type = rep[7].value, let use = terminology.translate(table: "0200", code: type)?.code {
            name.use = use
            context.carry(rep, 7)
        }
        guard !name.isEmpty else { return nil }
        context.carry(rep, components: 1...6)
        return name
    }

    /// XAD: street^other^city^state^zip^country^type^other geographic^county
    func address(xad rep: HL7Repetition, context: inout MappingContext) -> Address? {
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
                context.carry(rep, 7)
            } else if let kind = terminology.translate(
                table: "0190", code: type, target: "http://hl7.org/fhir/address-type")
            {
                address.type = kind.code
                context.carry(rep, 7)
            }
        }
        guard !address.isEmpty else { return nil }
        context.carry(rep, components: [1, 2, 3, 4, 5, 6, 9])
        return address
    }

    /// XTN: [number]^use (0201)^equipment (0202)^email^country^area^local^extension^…^unformatted (12)
    func contact(xtn rep: HL7Repetition, use defaultUse: String?, context: inout MappingContext) -> ContactPoint? {
        let equipment = rep[3].value?.uppercased()
        let useCode = rep[2].value?.uppercased()
        var value: String?
        var system: String?
        var carried: [Int] = []
        if let email = rep[4].value {
            value = email
            system = "email"
            carried = [4]
        } else if let unformatted = rep[12].value {
            value = unformatted
            carried = [12]
        } else if let local = rep[7].value {
            var number = ""
            if let country = rep[5].value { number += "+\(country) " }
            if let area = rep[6].value { number += "(\(area)) " }
            number += local
            if let ext = rep[8].value { number += " x\(ext)" }
            value = number
            carried = [5, 6, 7, 8]
        } else {
            value = rep[1].value
            carried = [1]
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
        context.carry(rep, components: carried + [2, 3])
        return ContactPoint(system: system, value: value, use: use)
    }

    // MARK: Quantities and periods

    func decimal(_ text: String?) -> DecimalValue? { text.flatMap(DecimalValue.init(parsing:)) }

    /// CQ: quantity^units (CWE, its components as subcomponents)
    func quantity(cq rep: HL7Repetition, context: inout MappingContext) -> Quantity? {
        guard let value = decimal(rep[1].value) else { return nil }
        context.carry(rep, 1)
        for subcomponent in 1...3 { context.carry(rep, 2, subcomponent: subcomponent) }
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
