import ClinicalModel
import HL7v2

extension Registry {
    static var observation: EntityMapping<Observation> {
        var mapping = EntityMapping<Observation>(
            setters: Setters.bound(CanonicalPaths.observation),
            records: \.observations, make: { Observation(ref: $0, code: Concept(), source: $1) },
            key: { observation, segment, context in
                let subID = segment.id == "OBX" ? segment[4].value ?? "" : ""
                if let report = context.diagnosticReport {
                    return [report.key, observation.code.first?.code ?? observation.code.text ?? "", subID]
                        .joined(separator: "|")
                }
                return scoped(context, identifierKey(observation.identifiers))
            },
            link: { observation, context in
                observation.patient = context.patient
                observation.encounter = context.encounter
                if let request = context.serviceRequest, !observation.basedOn.contains(request) {
                    observation.basedOn.append(request)
                }
                if observation.specimen == nil { observation.specimen = context.specimen }
                if let category = context.settings["observationCategory"], observation.categories.isEmpty {
                    observation.categories = [category]
                }
                if observation.effective == nil, let report = context.diagnosticReport,
                    let effective = context.record.diagnosticReports.first(where: { $0.ref == report })?.effective
                {
                    observation.effective = effective.start
                }
            },
            didCreate: { context, ref in
                if let report = context.diagnosticReport,
                    let index = context.record.diagnosticReports.firstIndex(where: { $0.ref == report })
                {
                    context.record.diagnosticReports[index].results.append(ref)
                }
            },
            current: { context in context.record.observations.last?.ref })
        // An observation is identified by what was observed and when (OBX-3, OBX-14), with the
        // sub-id for repeated observations of one kind (isolates).
        mapping.identity = { observation, segment, context in
            guard segment.id == "OBX", let code = observation.code.first?.code, let time = segment[14].value else {
                return nil
            }
            let subID = segment[4].value ?? ""
            return scoped(
                context, ["obs", observation.code.first?.system ?? "", code, time, subID].joined(separator: "|"))
        }
        mapping.converters["observationValue"] = Named(reads: [2, 5, 6, 7, 11], observationValue)
        mapping.multiConverters["deathIndicators"] = Named(reads: [3, 4, 5, 6, 7, 8, 9], deathIndicators)
        mapping.multiConverters["accident"] = Named(reads: [1, 2, 3, 5, 6, 8, 12], accident)
        return mapping
    }

    /// OBX-2 value types whose OBX-5 is kept as text.
    private static let textValueTypes: Set<String> = [
        "ST", "TX", "FT", "TM", "NA", "ED", "RP", "XPN", "XAD", "XCN", "XON", "XTN", "CX", "CF",
    ]

    /// OBX-2 value type, OBX-5 value (repeating), OBX-6 units, OBX-7 reference range
    /// (HL7 v2.5.1 §7.4.2). Several OBX-5 repetitions of a coded or numeric type become components
    /// with the observation's code; text repetitions are lines of one string.
    static func observationValue(
        _ observation: inout Observation, _ segment: HL7Segment, _ context: inout MappingContext,
        _ converters: V2Converters
    ) {
        let type = segment[2].value?.uppercased() ?? "ST"
        let field = segment[5]
        let units = segment[6]
        var values: [ObservationValue] = []
        if textValueTypes.contains(type) {
            var lines: [String] = []
            for repetition in field.repetitions {
                guard let line = repetition.joinedText() else { continue }
                lines.append(line)
                context.carry(repetition, components: 1...max(repetition.componentCount, 1))
            }
            if !lines.isEmpty { values = [.string(lines.joined(separator: "\n"))] }
        } else {
            for (index, repetition) in field.repetitions.enumerated() where !repetition.isEmpty {
                let location = segment.location(field: 5, repetition: index + 1)
                if let value = convertValue(
                    type: type, repetition, units: units, context: &context, converters: converters, location: location)
                {
                    values.append(value)
                }
            }
        }
        if values.count == 1 {
            observation.value = values[0]
        } else if values.count > 1 {
            observation.components = values.map { ObservationComponent(code: observation.code, value: $0) }
        }
        // the value type decides what the value is (a quantity, a coded value, text)
        if !values.isEmpty { context.carry(segment[2]) }
        if let range = segment[7].value {
            context.carry(segment[7])
            let parsed = referenceRange(range, units: units, context: &context, converters: converters)
            if observation.components.isEmpty {
                observation.referenceRange = [parsed]
            } else {
                for index in observation.components.indices { observation.components[index].referenceRange = [parsed] }
            }
        }
        if observation.value == nil, observation.components.isEmpty, segment[11].value?.uppercased() == "X" {
            observation.dataAbsentReason = "not-performed"
            context.carry(segment[11])
        }
    }

    static func convertValue(
        type: String, _ repetition: HL7Repetition, units: HL7Field, context: inout MappingContext,
        converters: V2Converters, location: SourceLocation
    ) -> ObservationValue? {
        switch type {
        case "NM":
            guard let text = repetition.value else { return nil }
            context.carry(repetition, 1)
            guard let value = converters.decimal(text) else {
                context.diagnose(.warning, .invalidNumber, at: location)
                return .string(text)
            }
            return .quantity(unitQuantity(value, units: units, context: &context, converters: converters))
        case "SN":
            // comparator^num1^separator/suffix^num2
            let comparator = repetition[1].value
            let first = converters.decimal(repetition[2].value)
            let separator = repetition[3].value
            let second = converters.decimal(repetition[4].value)
            switch separator {
            case "-" where first != nil || second != nil:
                context.carry(repetition, components: 2...4)
                return .range(
                    low: first.map { unitQuantity($0, units: units, context: &context, converters: converters) },
                    high: second.map { unitQuantity($0, units: units, context: &context, converters: converters) })
            case ":", "/":
                if let first, let second {
                    context.carry(repetition, components: 2...4)
                    return .ratio(numerator: Quantity(value: first), denominator: Quantity(value: second))
                }
            default:
                if let first, second == nil {
                    var quantity = unitQuantity(first, units: units, context: &context, converters: converters)
                    context.carry(repetition, 2)
                    if let comparator, ["<", ">", "<=", ">="].contains(comparator) {
                        quantity.comparator = comparator
                        context.carry(repetition, 1)
                    }
                    return .quantity(quantity)
                }
            }
            context.diagnose(.warning, .invalidStructuredNumeric, at: location)
            context.carry(repetition, components: 1...max(repetition.componentCount, 1))
            return repetition.joinedText().map(ObservationValue.string)
        case "CE", "CWE", "CNE", "CF", "IS", "ID":
            if type == "IS" || type == "ID" {
                return converters.coding(repetition, table: nil, context: &context).map { .concept(Concept($0)) }
            }
            return converters.concept(repetition, table: nil, context: &context, location: location).map(
                ObservationValue.concept)
        case "DT", "DTM", "TS":
            let time = converters.dateTime(repetition.value, context: &context, location: location)
            if time != nil { context.carry(repetition, 1) }
            return time.map(ObservationValue.dateTime)
        case "CQ":
            return converters.quantity(cq: repetition, context: &context).map(ObservationValue.quantity)
        default:
            context.diagnose(
                .information, .unsupportedValueType, at: location.narrowed(field: 2),
                system: "http://terminology.hl7.org/CodeSystem/v2-0125", code: type)
            context.carry(repetition, components: 1...max(repetition.componentCount, 1))
            return repetition.joinedText().map(ObservationValue.string)
        }
    }

    /// A quantity in OBX-6's units (code, text, system), which it carries.
    static func unitQuantity(
        _ value: DecimalValue, units: HL7Field, context: inout MappingContext, converters: V2Converters
    ) -> Quantity {
        let quantity = converters.quantity(
            value: value, unitCode: units[1].value, unitText: units[2].value, unitSystem: units[3].value)
        if quantity.unit != nil { context.carry(units.first, components: 1...3) }
        return quantity
    }

    /// OBX-7: `low-high`, `<high`, `>low`, `<=x`, or free text.
    static func referenceRange(
        _ text: String, units: HL7Field, context: inout MappingContext, converters: V2Converters
    ) -> ReferenceRange {
        let trimmed = text.trimmingSpaces()
        func quantity(_ part: Substring) -> Quantity? {
            converters.decimal(String(part)).map {
                unitQuantity($0, units: units, context: &context, converters: converters)
            }
        }
        if let dash = trimmed.dropFirst().firstIndex(of: "-") {
            let low = trimmed[..<dash]
            let high = trimmed[trimmed.index(after: dash)...]
            if let lowQuantity = quantity(low), let highQuantity = quantity(high) {
                return ReferenceRange(low: lowQuantity, high: highQuantity, text: text)
            }
        }
        if trimmed.hasPrefix("<"), let high = quantity(trimmed.drop(while: { $0 == "<" || $0 == "=" })) {
            return ReferenceRange(high: high, text: text)
        }
        if trimmed.hasPrefix(">"), let low = quantity(trimmed.drop(while: { $0 == ">" || $0 == "=" })) {
            return ReferenceRange(low: low, text: text)
        }
        return ReferenceRange(text: text)
    }

    /// PDA-3 death certified, PDA-6 autopsy, PDA-9 coroner indicators (Y/N, table 0136): one
    /// observation each when present. The codes are text only: no standard code is asserted.
    static func deathIndicators(_ segment: HL7Segment, _ context: inout MappingContext, _ converters: V2Converters)
        -> [Observation]
    {
        let indicators: [(Int, String)] = [
            (3, "Death certified indicator"), (6, "Autopsy indicator"), (9, "Coroner indicator"),
        ]
        var observations: [Observation] = []
        for (field, label) in indicators {
            guard let code = segment[field].value?.uppercased(), code == "Y" || code == "N" else { continue }
            context.carry(segment[field])
            var observation = Observation(
                ref: EntityRef(.observation, key: ""), code: Concept(text: label),
                source: segment.location(field: field))
            observation.status = "final"
            observation.value = .boolean(code == "Y")
            if field == 3 {
                observation.effective = converters.dateTime(
                    segment[4].value, context: &context, location: segment.location(field: 4))
                if observation.effective != nil { context.carry(segment[4]) }
                if let who = segment[5].repetitions.first, !who.isEmpty,
                    let ref = converters.practitioner(xcn: who, context: &context, location: segment.location(field: 5))
                {
                    observation.performers = [ref]
                }
            }
            if field == 6 {
                let period = segment[7].first
                let start = converters.dateTime(
                    period[1].value, context: &context, location: segment.location(field: 7, component: 1))
                let end = converters.dateTime(
                    period[2].value, context: &context, location: segment.location(field: 7, component: 2))
                if start != nil { context.carry(period, 1) }
                if end != nil { context.carry(period, 2) }
                if start != nil || end != nil {
                    observation.components.append(
                        ObservationComponent(
                            code: Concept(text: "Autopsy start and end"), value: .period(Period(start: start, end: end))
                        ))
                }
                if let who = segment[8].repetitions.first, !who.isEmpty,
                    let ref = converters.practitioner(xcn: who, context: &context, location: segment.location(field: 8))
                {
                    observation.performers = [ref]
                }
            }
            observations.append(observation)
        }
        return observations
    }

    /// ACC: accident date/time (1), code (2, table 0050), location (3), job related (5), death
    /// indicator (6), description (8): one observation.
    static func accident(_ segment: HL7Segment, _ context: inout MappingContext, _ converters: V2Converters)
        -> [Observation]
    {
        var code = Concept(text: "Accident")
        if let accidentCode = segment[2].repetitions.first,
            let concept = converters.concept(
                accidentCode, table: "0050", context: &context, location: segment.location(field: 2))
        {
            code = concept
        }
        var observation = Observation(ref: EntityRef(.observation, key: ""), code: code, source: segment.location())
        observation.status = "final"
        observation.effective = converters.dateTime(
            segment[1].value, context: &context, location: segment.location(field: 1))
        if observation.effective != nil { context.carry(segment[1]) }
        if let description = segment[8].first.joinedText() {
            observation.value = .string(description)
            context.carry(segment[8].first, components: 1...max(segment[8].first.componentCount, 1))
        }
        if let location = segment[3].first.joinedText() {
            observation.components.append(
                ObservationComponent(code: Concept(text: "Accident location"), value: .string(location)))
            context.carry(segment[3].first, components: 1...max(segment[3].first.componentCount, 1))
        }
        for (field, label) in [(5, "Accident job related indicator"), (6, "Accident death indicator")] {
            if let flag = segment[field].value?.uppercased(), flag == "Y" || flag == "N" {
                observation.components.append(
                    ObservationComponent(code: Concept(text: label), value: .boolean(flag == "Y")))
                context.carry(segment[field])
            }
        }
        if let identifier = segment[12].value {
            observation.identifiers = [Identifier(value: identifier)]
            context.carry(segment[12])
        }
        let anything = observation.effective != nil || observation.value != nil || !observation.components.isEmpty
        return anything ? [observation] : []
    }
}
