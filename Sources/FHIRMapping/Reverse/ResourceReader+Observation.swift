import ClinicalModel
import FHIRR4

extension ResourceReader {
    mutating func observation(_ o: JSONObject, _ ref: EntityRef) -> Observation {
        var observation = Observation(ref: ref, code: concept(o["code"], "code") ?? Concept(), source: location)
        observation.patient = reference(o["subject"], "subject")
        observation.encounter = reference(o["encounter"], "encounter")
        observation.identifiers = identifiers(o)
        observation.status = text(o, "status", "") ?? ""
        observation.categories = (o["category"]?.arrayValue ?? []).enumerated().compactMap {
            categoryCode($1, "category[\($0)]")
        }
        observation.value = value(o, "")
        observation.dataAbsentReason = absentReason(o, "")
        observation.interpretation = concepts(o["interpretation"], "interpretation")
        observation.referenceRange = referenceRanges(o["referenceRange"], "referenceRange")
        observation.effective = dateTime(o, "effectiveDateTime", "")
        observation.issued = dateTime(o, "issued", "")
        observation.performers = references(o["performer"], "performer")
        observation.method = concept(o["method"], "method")
        observation.bodySite = concept(o["bodySite"], "bodySite")
        observation.specimen = reference(o["specimen"], "specimen")
        observation.basedOn = references(o["basedOn"], "basedOn")
        observation.note = annotations(o["note"], "note")
        observation.members = references(o["hasMember"], "hasMember")
        observation.components = (o["component"]?.arrayValue ?? []).enumerated().compactMap { offset, item in
            let path = "component[\(offset)]"
            guard let element = item.objectValue else { return nil }
            var component = ObservationComponent(
                code: concept(element["code"], path + ".code") ?? Concept(), value: value(element, path))
            component.dataAbsentReason = absentReason(element, path)
            component.interpretation = concepts(element["interpretation"], path + ".interpretation")
            component.referenceRange = referenceRanges(element["referenceRange"], path + ".referenceRange")
            return component
        }
        return observation
    }

    /// `dataAbsentReason` (a data-absent-reason code or text), or the `source-data-absent-reason`
    /// extension kept beside a value.
    mutating func absentReason(_ element: JSONObject, _ path: String) -> String? {
        if let source = Self.extensions(.object(element), FHIRURL.sourceDataAbsentReason).first?["valueString"]?
            .stringValue
        {
            return source
        }
        return categoryCode(element["dataAbsentReason"], Self.join(path, "dataAbsentReason"))
    }

    /// `value[x]` back to its canonical case; a `valueQuantity` marked `source-value-type` `integer`
    /// is an integer beyond 32 bits.
    mutating func value(_ element: JSONObject, _ path: String) -> ObservationValue? {
        let keys = element.keys.filter { $0.hasPrefix("value") || $0.hasPrefix("_value") }
        guard let key = keys.first else { return nil }
        let name = key.hasPrefix("_") ? String(key.dropFirst()) : key
        let json = element[name]
        let valuePath = Self.join(path, name)
        switch name {
        case "valueQuantity":
            let type = Self.extensions(json, FHIRURL.sourceValueType).first?["valueCode"]?.stringValue
            if type == "integer", let lexical = json?["value"]?.numberLexical, let number = Int(lexical) {
                return .integer(number)
            }
            return quantity(json, valuePath).map { .quantity($0) }
        case "valueCodeableConcept": return concept(json, valuePath).map { .concept($0) }
        case "valueString": return text(element, name, path).map { .string($0) }
        case "valueDateTime": return dateTime(element, name, path).map { .dateTime($0) }
        case "valueRatio":
            return .ratio(
                numerator: quantity(json?["numerator"], valuePath + ".numerator") ?? Quantity(),
                denominator: quantity(json?["denominator"], valuePath + ".denominator") ?? Quantity())
        case "valueRange":
            return .range(
                low: quantity(json?["low"], valuePath + ".low"), high: quantity(json?["high"], valuePath + ".high"))
        case "valueBoolean": return bool(element, name, path).map { .boolean($0) }
        case "valueInteger": return int(element, name, path).map { .integer($0) }
        case "valuePeriod": return period(json, valuePath).map { .period($0) }
        default:
            report(.unsupportedElement, valuePath)
            return nil
        }
    }
}
