import ClinicalModel
import FHIRR4

/// Reads one resource back into a canonical record: the data type conversions of `MappingContext`
/// in reverse, honouring the fhirbridge extensions that keep what R4 elements cannot hold
/// (`source-value`, `absent-in-source`, `record-key`, …; see FHIRMapping.docc/Documentation.md).
///
/// Diagnostics name the resource's input position and a JSON path (`resources[3].subject`), never
/// a value.
struct ResourceReader {
    let index: ResourceIndex
    let position: Int
    private(set) var diagnostics: [Diagnostic] = []

    init(index: ResourceIndex, position: Int) {
        self.index = index
        self.position = position
    }

    var location: SourceLocation { .input(name: "resources[\(position)]", offset: nil) }

    mutating func report(
        _ kind: IssueKind, _ path: String, _ severity: Diagnostic.Severity = .warning, system: String? = nil,
        code: String? = nil
    ) {
        let suffix = path.isEmpty ? "" : "." + path
        let location = SourceLocation.input(name: "resources[\(position)]" + suffix, offset: nil)
        let diagnostic = Diagnostic(severity, kind, at: location, system: system, code: code)
        if !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    // MARK: - Extensions

    /// The extensions with `url` in an element's `extension` array.
    static func extensions(_ element: JSON?, _ url: String) -> [JSONObject] {
        (element?["extension"]?.arrayValue ?? []).compactMap { item in
            item["url"]?.stringValue == url ? item.objectValue : nil
        }
    }

    static func hasExtension(_ element: JSON?, _ url: String) -> Bool { !extensions(element, url).isEmpty }

    /// The `source-value` on a primitive's `_key` companion.
    static func sourceValue(_ companion: JSON?) -> String? {
        extensions(companion, FHIRURL.sourceValue).first?["valueString"]?.stringValue
    }

    /// `true` when the element holds only data-absent-reason (and fhirbridge) extensions.
    static func isAbsent(_ element: JSON?) -> Bool {
        guard let object = element?.objectValue else { return false }
        return object.keys == ["extension"] && hasExtension(element, FHIRURL.dataAbsentReason)
    }

    // MARK: - Primitives

    /// The canonical text of a primitive element: its `source-value`, nothing when it is marked
    /// `absent-in-source`, else its value (strings; numbers and booleans in JSON lexical form).
    mutating func text(_ object: JSONObject?, _ key: String, _ path: String) -> String? {
        guard let object else { return nil }
        let companion = object["_" + key]
        if let value = Self.sourceValue(companion) { return value }
        if Self.hasExtension(companion, FHIRURL.absentInSource) { return nil }
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .number(let lexical)?: return lexical
        case .bool(let flag)?: return flag ? "true" : "false"
        default:
            report(.invalidValue, Self.join(path, key))
            return nil
        }
    }

    mutating func dateTime(_ object: JSONObject?, _ key: String, _ path: String) -> ClinicalDateTime? {
        if let original = Self.extensions(object?["_" + key], FHIRURL.originalDateTime).first?["valueDateTime"]?
            .stringValue, Self.sourceValue(object?["_" + key]) == nil
        {
            return ClinicalDateTime(fhir: original)
        }
        return text(object, key, path).map(ClinicalDateTime.init(fhir:))
    }

    mutating func int(_ object: JSONObject?, _ key: String, _ path: String) -> Int? {
        guard let text = text(object, key, path) else { return nil }
        guard let value = Int(text) else {
            report(.invalidValue, Self.join(path, key))
            return nil
        }
        return value
    }

    mutating func bool(_ object: JSONObject?, _ key: String, _ path: String) -> Bool? {
        guard let value = object?[key] else { return nil }
        guard let flag = value.boolValue else {
            report(.invalidValue, Self.join(path, key))
            return nil
        }
        return flag
    }

    /// An array of primitives, with `_key` companions (`source-value` items included).
    mutating func texts(_ object: JSONObject?, _ key: String, _ path: String) -> [String] {
        guard let object else { return [] }
        let values = object[key]?.arrayValue ?? []
        let companions = object["_" + key]?.arrayValue ?? []
        var result: [String] = []
        for offset in 0..<max(values.count, companions.count) {
            let value = offset < values.count ? values[offset] : JSON.null
            let companion = offset < companions.count ? companions[offset] : JSON.null
            if let source = Self.sourceValue(companion) {
                result.append(source)
            } else if let text = value.stringValue {
                result.append(text)
            } else if value != .null {
                report(.invalidValue, Self.join(path, key) + "[\(offset)]")
            }
        }
        return result
    }

    // MARK: - Data types

    mutating func coding(_ json: JSON?, _ path: String) -> Coding? {
        guard let object = json?.objectValue else { return nil }
        let coding = Coding(
            system: text(object, "system", path), code: text(object, "code", path),
            display: text(object, "display", path), version: text(object, "version", path))
        return coding == Coding(code: nil) ? nil : coding
    }

    /// A CodeableConcept, or `nil` when absent, only a data-absent-reason, or marked `absent-in-source`.
    mutating func concept(_ json: JSON?, _ path: String) -> Concept? {
        guard let object = json?.objectValue, !Self.hasExtension(json, FHIRURL.absentInSource) else { return nil }
        var codings: [Coding] = []
        for (offset, item) in (object["coding"]?.arrayValue ?? []).enumerated() {
            if let coding = coding(item, Self.join(path, "coding[\(offset)]")) { codings.append(coding) }
        }
        let concept = Concept(codings: codings, text: text(object, "text", path))
        return concept.isEmpty ? nil : concept
    }

    mutating func concepts(_ json: JSON?, _ path: String) -> [Concept] {
        (json?.arrayValue ?? []).enumerated().compactMap { concept($1, path + "[\($0)]") }
    }

    /// A concept written from a code of `system` (a coding) or as text (see `categoryConcept`).
    mutating func categoryCode(_ json: JSON?, _ path: String) -> String? {
        guard let concept = concept(json, path) else { return nil }
        return concept.codings.first?.code ?? concept.text
    }

    mutating func period(_ json: JSON?, _ path: String) -> Period? {
        guard let object = json?.objectValue else { return nil }
        let period = Period(start: dateTime(object, "start", path), end: dateTime(object, "end", path))
        return period.isEmpty ? nil : period
    }

    /// `<base>DateTime` (a period with only a start) or `<base>Period`.
    mutating func periodChoice(_ object: JSONObject, _ base: String, _ path: String) -> Period? {
        if let start = dateTime(object, base + "DateTime", path) { return Period(start: start) }
        return period(object[base + "Period"], Self.join(path, base + "Period"))
    }

    mutating func identifier(_ json: JSON?, _ path: String) -> Identifier? {
        guard let object = json?.objectValue, let value = text(object, "value", path) else { return nil }
        return Identifier(
            system: text(object, "system", path), value: value,
            type: concept(object["type"], Self.join(path, "type")),
            assigner: object["assigner"]?["display"]?.stringValue, use: text(object, "use", path),
            period: period(object["period"], Self.join(path, "period")))
    }

    mutating func identifiers(_ object: JSONObject, _ key: String = "identifier", _ path: String = "") -> [Identifier] {
        (object[key]?.arrayValue ?? []).enumerated().compactMap {
            identifier($1, Self.join(path, key) + "[\($0)]")
        }
    }

    mutating func humanName(_ json: JSON?, _ path: String) -> HumanName? {
        guard let object = json?.objectValue else { return nil }
        return HumanName(
            use: text(object, "use", path), text: text(object, "text", path), family: text(object, "family", path),
            given: texts(object, "given", path), prefix: texts(object, "prefix", path),
            suffix: texts(object, "suffix", path), period: period(object["period"], Self.join(path, "period")))
    }

    mutating func humanNames(_ object: JSONObject, _ key: String = "name") -> [HumanName] {
        (object[key]?.arrayValue ?? []).enumerated().compactMap { humanName($1, "\(key)[\($0)]") }
    }

    mutating func address(_ json: JSON?, _ path: String) -> Address? {
        guard let object = json?.objectValue else { return nil }
        return Address(
            use: text(object, "use", path), type: text(object, "type", path), text: text(object, "text", path),
            lines: texts(object, "line", path), city: text(object, "city", path),
            district: text(object, "district", path), state: text(object, "state", path),
            postalCode: text(object, "postalCode", path), country: text(object, "country", path),
            period: period(object["period"], Self.join(path, "period")))
    }

    mutating func addresses(_ object: JSONObject, _ key: String = "address") -> [Address] {
        (object[key]?.arrayValue ?? []).enumerated().compactMap { address($1, "\(key)[\($0)]") }
    }

    mutating func contactPoint(_ json: JSON?, _ path: String) -> ContactPoint? {
        guard let object = json?.objectValue, let value = text(object, "value", path) else { return nil }
        return ContactPoint(
            system: text(object, "system", path), value: value, use: text(object, "use", path),
            rank: int(object, "rank", path))
    }

    mutating func contactPoints(_ object: JSONObject, _ key: String = "telecom") -> [ContactPoint] {
        (object[key]?.arrayValue ?? []).enumerated().compactMap { contactPoint($1, "\(key)[\($0)]") }
    }

    mutating func quantity(_ json: JSON?, _ path: String) -> Quantity? {
        guard let object = json?.objectValue else { return nil }
        let comparator =
            text(object, "comparator", path)
            ?? Self.extensions(json, FHIRURL.sourceComparator).first?["valueString"]?.stringValue
        let code =
            text(object, "code", path)
            ?? Self.extensions(json, FHIRURL.sourceUnitCode).first?["valueString"]?.stringValue
        return Quantity(
            value: text(object, "value", path).map(DecimalValue.init(lexical:)), comparator: comparator,
            unit: text(object, "unit", path), system: text(object, "system", path), code: code)
    }

    mutating func referenceRange(_ json: JSON?, _ path: String) -> ReferenceRange? {
        guard let object = json?.objectValue else { return nil }
        return ReferenceRange(
            low: quantity(object["low"], Self.join(path, "low")),
            high: quantity(object["high"], Self.join(path, "high")),
            text: text(object, "text", path))
    }

    mutating func referenceRanges(_ json: JSON?, _ path: String) -> [ReferenceRange] {
        (json?.arrayValue ?? []).enumerated().compactMap { referenceRange($1, path + "[\($0)]") }
    }

    mutating func annotations(_ json: JSON?, _ path: String) -> [Annotation] {
        (json?.arrayValue ?? []).enumerated().compactMap { offset, item in
            let itemPath = path + "[\(offset)]"
            guard let object = item.objectValue, let text = text(object, "text", itemPath) else { return nil }
            return Annotation(
                text: text, time: dateTime(object, "time", itemPath),
                author: reference(object["authorReference"], Self.join(itemPath, "authorReference")))
        }
    }

    /// The value of the first extension with `url` as a CodeableConcept / Coding / string.
    mutating func extensionConcepts(_ element: JSON?, _ url: String, _ path: String) -> [Concept] {
        Self.extensions(element, url).compactMap { concept($0["valueCodeableConcept"], path) }
    }

    // MARK: - References

    /// The canonical reference a FHIR Reference names: the target's own key when the target is in
    /// the input, else the reference's `record-key` extension, else (reported `unresolvedReference`)
    /// `id|<id>`. `nil` for an absent or data-absent reference.
    mutating func reference(_ json: JSON?, _ path: String) -> EntityRef? {
        guard let object = json?.objectValue, !Self.isAbsent(json) else { return nil }
        guard let text = object["reference"]?.stringValue else {
            report(.unresolvedReference, path)
            return nil
        }
        if let target = index.position(of: text) {
            if let ref = index.refs[target] { return ref }
            report(
                .unresolvedReference, path, system: "http://hl7.org/fhir/resource-types",
                code: index.resourceType(at: target))
            return nil
        }
        guard let (type, id) = ResourceIndex.typeAndID(text), let kind = EntityKind(fhirResourceType: type) else {
            report(.unresolvedReference, path)
            return nil
        }
        if let key = ResourceIndex.recordKey(object["extension"]) { return EntityRef(kind, key: key) }
        if ResourceID.derive(kind: kind, key: "") == id { return EntityRef(kind, key: "") }
        report(.unresolvedReference, path, system: "http://hl7.org/fhir/resource-types", code: type)
        return EntityRef(kind, key: "id|" + id)
    }

    mutating func references(_ json: JSON?, _ path: String) -> [EntityRef] {
        (json?.arrayValue ?? []).enumerated().compactMap { reference($1, path + "[\($0)]") }
    }
}
