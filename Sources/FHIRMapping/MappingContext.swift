import ClinicalModel
import FHIRR4

/// The state of mapping one canonical record to one resource: where the record was read (for
/// diagnostics), how references are written, and the diagnostics found so far. Data type
/// conversions live here so every resource maps codes, names and dates the same way.
struct MappingContext {
    let scheme: ReferenceScheme
    let location: SourceLocation?
    private(set) var diagnostics: [Diagnostic] = []

    init(scheme: ReferenceScheme, location: SourceLocation?) {
        self.scheme = scheme
        self.location = location
    }

    /// Records a diagnostic. Its system and code are only constants of this module (a FHIR code
    /// system URI, a resource type, an element path), never a source value: sources put patient
    /// data where codes belong, and diagnostics must not carry it.
    mutating func report(
        _ kind: String, _ severity: Diagnostic.Severity = .warning, system: String? = nil, code: String? = nil
    ) {
        let diagnostic = Diagnostic(severity, kind, at: location, system: system, code: code)
        if !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
    }

    /// Reports that a required element had no usable source value (`code` is the element path).
    mutating func reportMissing(_ element: String) {
        report("missingRequiredElement", .warning, code: element)
    }

    // MARK: - Extensions and absent data

    /// `{"url": …, "<valueKey>": value}`, or `nil` without a value.
    func extensionElement(_ url: String, _ valueKey: String, _ value: JSON?) -> JSON? {
        guard let value = value.flatMap(JSON.pruned) else { return nil }
        var element = ElementBuilder()
        element.set("url", .string(url))
        element.set(valueKey, value)
        return element.json
    }

    /// The data-absent-reason extension (http://hl7.org/fhir/R4/extension-data-absent-reason.html).
    func absentReasonExtension(_ reason: String = "unknown") -> JSON {
        .object(JSONObject(["url": .string(FHIRURL.dataAbsentReason), "valueCode": .string(reason)]))
    }

    /// A complex element that holds only a data-absent-reason extension: used where R4 requires an
    /// element (`Immunization.vaccineCode`, `Condition.subject`) and the source has none.
    func absentElement(_ reason: String = "unknown") -> JSON {
        .object(JSONObject(["extension": .array([absentReasonExtension(reason)])]))
    }

    // MARK: - Codes

    /// A `code` from a required binding, or `nil` (reporting `invalidCode`) when outside the set.
    mutating func code(_ value: String?, in set: FHIRCodeSet) -> JSON? {
        guard let value, value.hasContent else { return nil }
        guard set.contains(value) else {
            report("invalidCode", system: set.system)
            return nil
        }
        return .string(value)
    }

    /// A required `code` element: the value, else `fallback` (a code of the set meaning "unknown"),
    /// else only a data-absent-reason extension in `_key`.
    mutating func setRequiredCode(
        _ key: String, _ value: String?, in set: FHIRCodeSet, fallback: String?, path: String,
        into element: inout ElementBuilder
    ) {
        if let code = code(value, in: set) {
            element.set(key, code)
        } else if let fallback {
            if value == nil || value?.hasContent == false { reportMissing(path) }
            element.set(key, .string(fallback))
        } else {
            reportMissing(path)
            element.setPrimitive(key, nil, extensions: [absentReasonExtension()])
        }
    }

    /// administrative-gender is a required binding: a source code that normalization did not map
    /// is reported, not written.
    mutating func gender(_ coding: Coding?) -> JSON? {
        guard let coding, let value = coding.code else { return nil }
        if let system = coding.system, system != FHIRCodeSet.administrativeGender.system {
            report("invalidCode", system: FHIRCodeSet.administrativeGender.system)
            return nil
        }
        return code(value, in: .administrativeGender)
    }

    /// A CodeableConcept with one coding from `set` (display from the code system), or `nil`.
    mutating func codedConcept(_ value: String?, in set: FHIRCodeSet) -> JSON? {
        guard let value, value.hasContent else { return nil }
        guard set.contains(value) else {
            report("invalidCode", system: set.system)
            return nil
        }
        var coding = ElementBuilder()
        coding.set("system", .string(set.system))
        coding.set("code", .string(value))
        coding.set("display", set.display(value))
        var concept = ElementBuilder()
        concept.set("coding", [coding.json])
        return concept.json
    }

    /// A CodeableConcept with a coding when `value` is in `set`, else with `value` as its text: for
    /// preferred and extensible bindings, where text keeps the source's meaning.
    mutating func categoryConcept(_ value: String?, in set: FHIRCodeSet) -> JSON? {
        guard let value, value.hasContent else { return nil }
        if set.contains(value) { return codedConcept(value, in: set) }
        report("unmappedCode", .information, system: set.system)
        var concept = ElementBuilder()
        concept.set("text", value)
        return concept.json
    }

    mutating func coding(_ coding: Coding) -> JSON? {
        var element = ElementBuilder()
        element.set("system", uri(coding.system))
        element.set("version", coding.version)
        if let code = coding.code, code.hasContent {
            if code.isValidFHIRCode {
                element.set("code", .string(code))
            } else {
                report("invalidCode")
            }
        }
        element.set("display", coding.display)
        return element.json
    }

    /// Concept → CodeableConcept (`coding`, `text`), or `nil` when empty.
    mutating func concept(_ concept: Concept?) -> JSON? {
        guard let concept else { return nil }
        var element = ElementBuilder()
        element.set("coding", concept.codings.map { coding($0) })
        element.set("text", concept.text)
        return element.json
    }

    /// A required CodeableConcept: the concept, or an element holding only a data-absent-reason.
    mutating func requiredConcept(_ value: Concept?, path: String) -> JSON {
        if let json = concept(value) { return json }
        reportMissing(path)
        return absentElement()
    }

    mutating func concepts(_ concepts: [Concept]) -> [JSON?] { concepts.map { concept($0) } }

    /// A uri, or `nil` (reporting `invalidURI`) when it contains whitespace.
    mutating func uri(_ value: String?) -> JSON? {
        guard let value, !value.isEmpty else { return nil }
        guard value.isValidFHIRURI else {
            report("invalidURI")
            return nil
        }
        return .string(value)
    }

    // MARK: - Dates

    /// A `dateTime`, or `nil` (reporting `invalidDateTime`).
    mutating func dateTime(_ value: ClinicalDateTime?) -> JSON? {
        guard let value else { return nil }
        guard let text = FHIRTemporal.dateTime(value) else {
            report("invalidDateTime")
            return nil
        }
        return .string(text)
    }

    /// A `date` (the date part of the value), or `nil` (reporting `invalidDateTime`).
    mutating func date(_ value: ClinicalDateTime?) -> JSON? {
        guard let value else { return nil }
        guard let text = FHIRTemporal.date(value) else {
            report("invalidDateTime")
            return nil
        }
        return .string(text)
    }

    /// Sets an `instant` element. A value without a time or zone cannot be an instant: it goes,
    /// unchanged, into the `original-date-time` extension on `_key` so nothing is lost.
    mutating func setInstant(_ key: String, _ value: ClinicalDateTime?, into element: inout ElementBuilder) {
        guard let value else { return }
        if let instant = FHIRTemporal.instant(value) {
            element.set(key, .string(instant))
        } else if let dateTime = dateTime(value) {
            report("impreciseInstant", .information)
            element.setPrimitive(
                key, nil,
                extensions: [extensionElement(FHIRURL.originalDateTime, "valueDateTime", dateTime)].compactMap { $0 })
        }
    }

    /// A Period (`start`, `end`), or `nil`.
    mutating func period(_ period: Period?) -> JSON? {
        guard let period else { return nil }
        var element = ElementBuilder()
        element.set("start", dateTime(period.start))
        element.set("end", dateTime(period.end))
        return element.json
    }

    /// Sets `<base>DateTime` for a period with only a start, else `<base>Period`.
    mutating func setPeriodChoice(_ base: String, _ value: Period?, into element: inout ElementBuilder) {
        guard let value else { return }
        if value.end == nil, let start = value.start {
            element.set(base + "DateTime", dateTime(start))
        } else {
            element.set(base + "Period", period(value))
        }
    }

    // MARK: - Data types

    mutating func identifier(_ identifier: Identifier) -> JSON? {
        guard identifier.value.hasContent else { return nil }
        var element = ElementBuilder()
        element.set("use", code(identifier.use, in: .identifierUse))
        element.set("type", concept(identifier.type))
        element.set("system", uri(identifier.system))
        element.set("value", identifier.value)
        element.set("period", period(identifier.period))
        if let assigner = identifier.assigner, assigner.hasContent {
            element.set("assigner", .object(JSONObject(["display": .string(assigner)])))
        }
        return element.json
    }

    mutating func identifiers(_ identifiers: [Identifier]) -> [JSON?] {
        identifiers.map { identifier($0) }
    }

    mutating func humanName(_ name: HumanName) -> JSON? {
        var element = ElementBuilder()
        element.set("use", code(name.use, in: .nameUse))
        element.set("text", name.text)
        element.set("family", name.family)
        element.set("given", name.given.map { JSON.string($0) })
        element.set("prefix", name.prefix.map { JSON.string($0) })
        element.set("suffix", name.suffix.map { JSON.string($0) })
        element.set("period", period(name.period))
        return element.json
    }

    mutating func address(_ address: Address?) -> JSON? {
        guard let address else { return nil }
        var element = ElementBuilder()
        element.set("use", code(address.use, in: .addressUse))
        element.set("type", code(address.type, in: .addressType))
        element.set("text", address.text)
        element.set("line", address.lines.map { JSON.string($0) })
        element.set("city", address.city)
        element.set("district", address.district)
        element.set("state", address.state)
        element.set("postalCode", address.postalCode)
        element.set("country", address.country)
        element.set("period", period(address.period))
        return element.json
    }

    /// ContactPoint. R4 invariant cpt-2 needs a `system` with a `value`: when the source gives
    /// none, `_system` holds a data-absent-reason instead of a guessed `phone`.
    mutating func contactPoint(_ point: ContactPoint) -> JSON? {
        guard point.value.hasContent else { return nil }
        var element = ElementBuilder()
        if let system = code(point.system, in: .contactPointSystem) {
            element.set("system", system)
        } else {
            element.setPrimitive("system", nil, extensions: [absentReasonExtension()])
        }
        element.set("value", point.value)
        element.set("use", code(point.use, in: .contactPointUse))
        if let rank = point.rank {
            if rank >= 1 { element.set("rank", .int(rank)) } else { report("invalidValue", code: "ContactPoint.rank") }
        }
        return element.json
    }

    /// Quantity (`value`, `comparator`, `unit`, `system`, `code`). A `simple` quantity (SimpleQuantity,
    /// used by Range, referenceRange and doses) has no comparator. R4 invariant qty-3 needs a
    /// `system` with a `code`: a code without a system is written as the unit when there is none.
    mutating func quantity(_ quantity: Quantity?, simple: Bool = false) -> JSON? {
        guard let quantity else { return nil }
        var element = ElementBuilder()
        if let value = quantity.value {
            if let number = Self.decimal(value.lexical) {
                element.set("value", number)
            } else {
                report("invalidDecimal")
            }
        }
        if let comparator = quantity.comparator, comparator.hasContent {
            if simple {
                report("comparatorNotAllowed")
            } else {
                element.set("comparator", code(comparator, in: .quantityComparator))
            }
        }
        let system = uri(quantity.system)
        var unit = quantity.unit
        var unitCode = quantity.code.flatMap { $0.isValidFHIRCode ? $0 : nil }
        if system == nil, let code = unitCode {
            report("unitCodeWithoutSystem", .information)
            if unit == nil || unit?.hasContent == false { unit = code }
            unitCode = nil
        }
        element.set("unit", unit)
        element.set("system", system)
        element.set("code", unitCode.map { JSON.string($0) })
        return element.json
    }

    /// A JSON number for a FHIR decimal (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`), or `nil`.
    static func decimal(_ lexical: String) -> JSON? {
        var bytes = Array(lexical.utf8)[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
        let integer = bytes.prefix(while: isDigit)
        guard !integer.isEmpty, integer.count == 1 || integer.first != UInt8(ascii: "0") else { return nil }
        bytes = bytes.dropFirst(integer.count)
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            let fraction = bytes.prefix(while: isDigit)
            guard !fraction.isEmpty else { return nil }
            bytes = bytes.dropFirst(fraction.count)
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            let exponent = bytes.prefix(while: isDigit)
            guard !exponent.isEmpty else { return nil }
            bytes = bytes.dropFirst(exponent.count)
        }
        return bytes.isEmpty ? .number(lexical) : nil
    }

    mutating func referenceRange(_ range: ReferenceRange) -> JSON? {
        var element = ElementBuilder()
        element.set("low", quantity(range.low, simple: true))
        element.set("high", quantity(range.high, simple: true))
        element.set("text", range.text)
        return element.json
    }

    mutating func annotation(_ note: Annotation) -> JSON? {
        guard note.text.hasContent else { return nil }
        var element = ElementBuilder()
        element.set("authorReference", reference(note.author))
        element.set("time", dateTime(note.time))
        element.set("text", note.text)
        return element.json
    }

    mutating func annotations(_ notes: [Annotation]) -> [JSON?] { notes.map { annotation($0) } }

    // MARK: - References

    /// `{"reference": …}` for a canonical reference, written as the scheme says. A target that is
    /// not emitted alongside is still written (it is a business key) and reported as
    /// `unresolvedReference` with its resource type as the code.
    mutating func reference(_ ref: EntityRef?) -> JSON? {
        guard let ref else { return nil }
        let type = ref.kind.fhirResourceType
        let id = ResourceID.derive(ref)
        let present = scheme.present.map { $0.contains(ref) }
        if present == false {
            report("unresolvedReference", system: "http://hl7.org/fhir/resource-types", code: type)
        }
        return scheme.reference(type: type, id: id, present: present ?? false)
    }

    /// A required Reference: the reference, or an element holding only a data-absent-reason.
    mutating func requiredReference(_ ref: EntityRef?, path: String) -> JSON {
        if let json = reference(ref) { return json }
        reportMissing(path)
        return absentElement()
    }

    mutating func references(_ refs: [EntityRef]) -> [JSON?] { refs.map { reference($0) } }
}
