import ClinicalModel
import FHIRR4

extension FHIRMapper {
    /// Observation → Observation (http://hl7.org/fhir/R4/observation.html).
    ///
    /// `status` (observation-status, else `unknown`) and `code` are required. Categories use
    /// observation-category when they are its codes, else text. `issued` is an instant: a value
    /// without time and zone keeps its original form in the `original-date-time` extension on
    /// `_issued`. R4 invariant obs-6: a data-absent reason is only written when there is no value.
    public func observation(_ observation: Observation) -> (JSONObject, [Diagnostic]) {
        var (resource, context) = start(observation)
        resource.set("identifier", context.identifiers(observation.identifiers))
        resource.set("basedOn", context.references(observation.basedOn))
        context.setRequiredCode(
            "status", observation.status, in: .observationStatus, fallback: "unknown", path: "Observation.status",
            into: &resource)
        resource.set("category", observation.categories.map { context.categoryConcept($0, in: .observationCategory) })
        resource.set("code", context.requiredConcept(observation.code, path: "Observation.code"))
        resource.set("subject", context.reference(observation.patient))
        resource.set("encounter", context.reference(observation.encounter))
        context.setDateTime("effectiveDateTime", observation.effective, into: &resource)
        context.setInstant("issued", observation.issued, into: &resource)
        resource.set("performer", context.references(observation.performers))
        let hasValue = setValue(observation.value, into: &resource, context: &context)
        setAbsentReason(observation.dataAbsentReason, hasValue: hasValue, into: &resource, context: &context)
        resource.set("interpretation", context.concepts(observation.interpretation))
        resource.set("note", context.annotations(observation.note))
        resource.set("bodySite", context.concept(observation.bodySite))
        resource.set("method", context.concept(observation.method))
        resource.set("specimen", context.reference(observation.specimen))
        resource.set("referenceRange", observation.referenceRange.map { context.referenceRange($0) })
        resource.set("hasMember", context.references(observation.members))
        resource.set(
            "component",
            observation.components.map { component in
                var element = ElementBuilder()
                element.set("code", context.requiredConcept(component.code, path: "Observation.component.code"))
                let hasValue = setValue(component.value, into: &element, context: &context)
                setAbsentReason(component.dataAbsentReason, hasValue: hasValue, into: &element, context: &context)
                element.set("interpretation", context.concepts(component.interpretation))
                element.set("referenceRange", component.referenceRange.map { context.referenceRange($0) })
                return element.json
            })
        return (resource.object, context.diagnostics)
    }

    /// Sets `value[x]` for the value's type; returns whether a value was written. An integer beyond
    /// FHIR's 32-bit `integer` is written as `valueQuantity` with that value and the fhirbridge
    /// `source-value-type` extension (`integer`), which loses nothing.
    private func setValue(_ value: ObservationValue?, into element: inout ElementBuilder, context: inout MappingContext)
        -> Bool
    {
        guard let value else { return false }
        switch value {
        case .quantity(let quantity): element.set("valueQuantity", context.quantity(quantity))
        case .concept(let concept): element.set("valueCodeableConcept", context.concept(concept))
        case .string(let text): element.set("valueString", text)
        case .dateTime(let dateTime): context.setDateTime("valueDateTime", dateTime, into: &element)
        case .ratio(let numerator, let denominator):
            var ratio = ElementBuilder()
            ratio.set("numerator", context.quantity(numerator))
            ratio.set("denominator", context.quantity(denominator))
            element.set("valueRatio", ratio.json)
        case .range(let low, let high):
            var range = ElementBuilder()
            range.set("low", context.quantity(low, simple: true))
            range.set("high", context.quantity(high, simple: true))
            element.set("valueRange", range.json)
        case .boolean(let flag): element.set("valueBoolean", flag)
        case .integer(let number):
            if number >= Int(Int32.min) && number <= Int(Int32.max) {
                element.set("valueInteger", .int(number))
            } else {
                let type = JSONObject(["url": .string(FHIRURL.sourceValueType), "valueCode": .string("integer")])
                element.set(
                    "valueQuantity", .object(JSONObject(["extension": .array([.object(type)]), "value": .int(number)])))
            }
        case .period(let period): element.set("valuePeriod", context.period(period))
        }
        return element.object.keys.contains { $0.hasPrefix("value") || $0.hasPrefix("_value") }
    }

    /// `dataAbsentReason` as a data-absent-reason coding when it is one of its codes, else as text.
    /// With a value (R4 obs-6), it goes into the fhirbridge `source-data-absent-reason` extension.
    private func setAbsentReason(
        _ reason: String?, hasValue: Bool, into element: inout ElementBuilder, context: inout MappingContext
    ) {
        guard let reason, reason.hasContent else { return }
        if hasValue {
            context.report(.conflictingElements, code: "Observation.dataAbsentReason")
            element.addExtensions([
                context.extensionElement(FHIRURL.sourceDataAbsentReason, "valueString", .string(reason))
            ])
            return
        }
        element.set("dataAbsentReason", context.categoryConcept(reason, in: .dataAbsentReason))
    }
}
