import ClinicalModel
import HL7v2

extension V2Converters {
    /// Converts one repetition as a field rule says (data type, table, concept map, use).
    func value(_ full: HL7Repetition, rule: ResolvedFieldRule, context: inout MappingContext, location: SourceLocation)
        -> FieldValue?
    {
        let rep = full
        var value: FieldValue?
        if let component = rule.component {
            // `PV1-3.1`-style rules read one component of a simple type.
            if let text = full[component].value {
                context.carry(full, component)
                switch rule.dataType.valueKind {
                case .identifier:
                    // an EI held in one component (EIP-1, EIP-2): its parts are subcomponents
                    let part = full[component]
                    let (system, assigner) = hierarchicDesignator(
                        namespace: part[2], universalID: part[3], type: part[4])
                    for subcomponent in 2...4 { context.carry(full, component, subcomponent: subcomponent) }
                    value = .identifier(Identifier(system: system, value: text, assigner: assigner))
                case .coding: value = .coding(Coding(system: rule.table.map(tableSystem), code: text))
                case .decimal: value = decimal(text).map(FieldValue.decimal)
                case .dateTime: value = dateTime(text, context: &context, location: location).map(FieldValue.dateTime)
                default: value = .text(text)
                }
            }
        } else {
            switch rule.dataType {
            case .ST, .TX, .FT, .SI:
                value = rep.joinedText().map(FieldValue.text)
                if value != nil { context.carry(rep, components: 1...max(rep.componentCount, 1)) }
            case .ID, .IS:
                value = coding(rep, table: rule.table, context: &context).map(FieldValue.coding)
            case .NM:
                if let text = rep.value {
                    if let decimal = decimal(text) {
                        context.carry(rep, 1)
                        value = .decimal(decimal)
                    } else {
                        context.diagnose(.warning, .invalidNumber, at: location)
                    }
                }
            case .DT, .DTM, .TS:
                value = dateTime(rep.value, context: &context, location: location).map(FieldValue.dateTime)
                if value != nil { context.carry(rep, 1) }
            case .CWE, .CE, .CNE, .CF:
                value = concept(rep, table: rule.table, context: &context, location: location).map(FieldValue.concept)
            case .CX:
                value = identifier(cx: rep, context: &context).map(FieldValue.identifier)
            case .EI:
                value = identifier(ei: rep, context: &context).map(FieldValue.identifier)
            case .HD:
                value = identifier(hd: rep, context: &context).map(FieldValue.identifier)
            case .XPN, .PN:
                value = name(xpn: rep, context: &context).map(FieldValue.name)
            case .XAD:
                value = address(xad: rep, context: &context).map(FieldValue.address)
            case .XTN:
                value = contact(xtn: rep, use: rule.use, context: &context).map(FieldValue.contact)
            case .XCN:
                value = practitioner(xcn: rep, context: &context, location: location).map(FieldValue.reference)
            case .XON:
                value = organization(xon: rep, context: &context, location: location).map(FieldValue.reference)
            case .PL:
                value = self.location(pl: rep, context: &context, location: location).map(FieldValue.reference)
            case .CQ:
                value = quantity(cq: rep, context: &context).map(FieldValue.quantity)
            case .DR:
                let start = dateTime(rep[1].value, context: &context, location: location.narrowed(component: 1))
                let end = dateTime(rep[2].value, context: &context, location: location.narrowed(component: 2))
                if start != nil { context.carry(rep, 1) }
                if end != nil { context.carry(rep, 2) }
                if start != nil || end != nil { value = .period(Period(start: start, end: end)) }
            }
        }
        guard var converted = value else { return nil }
        if let mapID = rule.conceptMap {
            converted = translate(converted, mapID: mapID, context: &context, location: location)
        }
        if rule.use != nil, case .name(var name) = converted, name.use == nil {
            name.use = rule.use
            converted = .name(name)
        }
        if rule.use != nil, case .address(var address) = converted, address.use == nil {
            address.use = rule.use
            converted = .address(address)
        }
        return converted
    }

    /// Translates the first coding through a concept map. A coded element keeps the source coding
    /// after the translated one; a bare code is replaced. Unmapped codes are reported.
    func translate(_ value: FieldValue, mapID: String, context: inout MappingContext, location: SourceLocation)
        -> FieldValue
    {
        guard let map = terminology.conceptMap(id: mapID) else { return value }
        switch value {
        case .coding(let coding):
            guard let code = coding.code else { return value }
            if let mapped = map.translate(code) ?? map.translate(code.uppercased()) {
                return .coding(Coding(system: mapped.system, code: mapped.code, display: mapped.display))
            }
            context.diagnose(.warning, .unmappedCode, at: location, system: map.sourceSystem, code: code)
            return value
        case .concept(var concept):
            guard let coding = concept.codings.first, let code = coding.code else { return value }
            if let mapped = map.translate(code) ?? map.translate(code.uppercased()) {
                let target = Coding(system: mapped.system, code: mapped.code, display: mapped.display)
                if !concept.codings.contains(target) { concept.codings.insert(target, at: 0) }
                return .concept(concept)
            }
            context.diagnose(.warning, .unmappedCode, at: location, system: map.sourceSystem, code: code)
            return value
        default:
            return value
        }
    }
}

extension HL7Repetition {
    /// All components' text joined by the component separator's meaning: for ST/TX/FT only the
    /// first component is data, but some senders split free text on `^`; keep it all, joined with `^`.
    func joinedText() -> String? {
        // one component (most text): its value, without building the list
        if componentCount <= 1 { return value }
        let parts = components.map { $0.value ?? "" }
        guard parts.contains(where: { !$0.isEmpty }) else { return nil }
        var trimmed = parts
        while let last = trimmed.last, last.isEmpty { trimmed.removeLast() }
        return trimmed.joined(separator: "^")
    }
}
