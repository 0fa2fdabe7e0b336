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
        _ kind: IssueKind, _ severity: Diagnostic.Severity = .warning, system: String? = nil, code: String? = nil
    ) {
        let diagnostic = Diagnostic(severity, kind, at: location, system: system, code: code)
        if !diagnostics.contains(diagnostic) { diagnostics.append(diagnostic) }
    }

    /// Reports that a required element had no usable source value (`code` is the element path).
    mutating func reportMissing(_ element: String) {
        report(.missingRequiredElement, .warning, code: element)
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

    /// The fhirbridge `source-value` extension: the canonical value, in its own lexical form, of an
    /// element that could not hold it as it is (outside a required binding, not a valid `uri`,
    /// `dateTime` or `decimal`, or completed with `:00` seconds). `nil` for a value without content.
    func sourceValueExtension(_ value: String) -> JSON? {
        extensionElement(FHIRURL.sourceValue, "valueString", .string(value))
    }

    /// The fhirbridge `absent-in-source` extension: the element holds a value the record did not give
    /// (a required status's `unknown`, the no-known-allergy code).
    func absentInSourceExtension() -> JSON {
        .object(JSONObject(["url": .string(FHIRURL.absentInSource), "valueBoolean": .bool(true)]))
    }

    // MARK: - Codes

    /// A `code` from a required binding, or `nil` (reporting `invalidCode`) when outside the set.
    mutating func code(_ value: String?, in set: FHIRCodeSet) -> JSON? {
        guard let value, value.hasContent else { return nil }
        guard set.contains(value) else {
            report(.invalidCode, system: set.system)
            return nil
        }
        return .string(value)
    }

    /// Sets an optional `code` element from a required binding. A value outside the set is reported
    /// and kept, unchanged, only in the `source-value` extension on `_key`.
    mutating func setCode(_ key: String, _ value: String?, in set: FHIRCodeSet, into element: inout ElementBuilder) {
        guard let value, value.hasContent else { return }
        if let code = code(value, in: set) {
            element.set(key, code)
        } else {
            element.setPrimitive(key, nil, extensions: [sourceValueExtension(value)].compactMap { $0 })
        }
    }

    /// A required `code` element: the value, else `fallback` (a code of the set meaning "unknown"),
    /// else only a data-absent-reason extension in `_key`. A value outside the set is kept in the
    /// `source-value` extension; a fallback written for a missing value is marked `absent-in-source`.
    mutating func setRequiredCode(
        _ key: String, _ value: String?, in set: FHIRCodeSet, fallback: String?, path: String,
        into element: inout ElementBuilder
    ) {
        if let code = code(value, in: set) {
            element.set(key, code)
            return
        }
        let invalid = value.flatMap { $0.hasContent ? sourceValueExtension($0) : nil }
        if let fallback {
            if invalid == nil { reportMissing(path) }
            element.setPrimitive(key, .string(fallback), extensions: [invalid ?? absentInSourceExtension()])
        } else {
            reportMissing(path)
            element.setPrimitive(key, nil, extensions: [absentReasonExtension()] + [invalid].compactMap { $0 })
        }
    }

    /// Sets `gender` (administrative-gender, a required binding). The code is written when the coding
    /// is from that system (or has none); a source code that normalization did not map is reported,
    /// not written. Unless the coding is exactly `system` + `code` + the code system's display, the
    /// whole coding is kept in the `source-coding` extension on `_gender`.
    mutating func setGender(_ key: String, _ coding: Coding?, into element: inout ElementBuilder) {
        guard let coding else { return }
        let set = FHIRCodeSet.administrativeGender
        var written: String?
        if let value = coding.code, value.hasContent {
            if let system = coding.system, system != set.system {
                report(.invalidCode, system: set.system)
            } else {
                written = code(value, in: set)?.stringValue
            }
        }
        let normal = written.map { Coding(system: set.system, code: $0, display: set.display($0)) }
        let extensions =
            coding == normal ? [] : [extensionElement(FHIRURL.sourceCoding, "valueCoding", self.coding(coding))]
        element.setPrimitive(key, written.map(JSON.string), extensions: extensions.compactMap { $0 })
    }

    /// A CodeableConcept with one coding from `set` (display from the code system), or `nil`.
    mutating func codedConcept(_ value: String?, in set: FHIRCodeSet) -> JSON? {
        guard let value, value.hasContent else { return nil }
        guard set.contains(value) else {
            report(.invalidCode, system: set.system)
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
        report(.unmappedCode, .information, system: set.system)
        var concept = ElementBuilder()
        concept.set("text", value)
        return concept.json
    }

    /// Coding (`system`, `version`, `code`, `display`). A system that is not a `uri` or a code that is
    /// not a `code` is reported and kept in the `source-value` extension on `_system` / `_code`.
    mutating func coding(_ coding: Coding) -> JSON? {
        var element = ElementBuilder()
        setURI("system", coding.system, into: &element)
        element.set("version", coding.version)
        if let code = coding.code, code.hasContent {
            if code.isValidFHIRCode {
                element.set("code", .string(code))
            } else {
                report(.invalidCode)
                element.setPrimitive("code", nil, extensions: [sourceValueExtension(code)].compactMap { $0 })
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

    /// Sets a `uri` element. A value with whitespace is reported (`invalidURI`) and kept only in the
    /// `source-value` extension on `_key`.
    mutating func setURI(_ key: String, _ value: String?, into element: inout ElementBuilder) {
        guard let value, !value.isEmpty else { return }
        if value.isValidFHIRURI {
            element.set(key, .string(value))
        } else {
            report(.invalidURI)
            element.setPrimitive(key, nil, extensions: [sourceValueExtension(value)].compactMap { $0 })
        }
    }

    // MARK: - Dates

    /// A `dateTime`, or `nil` (reporting `invalidDateTime`). Minute precision gets `:00` seconds: use
    /// `setDateTime` where the canonical form must be kept.
    mutating func dateTime(_ value: ClinicalDateTime?) -> JSON? {
        guard let value else { return nil }
        guard let text = FHIRTemporal.dateTime(value) else {
            report(.invalidDateTime)
            return nil
        }
        return .string(text)
    }

    /// Sets a `dateTime` element. When the written text is not the canonical value (minute precision
    /// completed with `:00` seconds) or nothing can be written (`invalidDateTime`), the canonical
    /// value goes into the `source-value` extension on `_key`.
    mutating func setDateTime(_ key: String, _ value: ClinicalDateTime?, into element: inout ElementBuilder) {
        guard let value else { return }
        let text = dateTime(value)?.stringValue
        element.setPrimitive(key, text.map(JSON.string), extensions: sourceValueUnlessEqual(text, value))
    }

    /// Sets a `date` element: the date part of the value. A time (or a value that is not a date,
    /// `invalidDateTime`) is kept in the `source-value` extension on `_key`, after `extensions`.
    mutating func setDate(
        _ key: String, _ value: ClinicalDateTime?, extensions: [JSON] = [], recovered: String? = nil,
        into element: inout ElementBuilder
    ) {
        guard let value else { return }
        let text = FHIRTemporal.date(value)
        if text == nil { report(.invalidDateTime) }
        element.setPrimitive(
            key, text.map(JSON.string), extensions: extensions + sourceValueUnlessEqual(recovered ?? text, value))
    }

    /// `[source-value]` unless `written` reads back as `value`.
    func sourceValueUnlessEqual(_ written: String?, _ value: ClinicalDateTime) -> [JSON] {
        written == value.fhir ? [] : [sourceValueExtension(value.fhir)].compactMap { $0 }
    }

    /// Sets an `instant` element. A value without a time or zone cannot be an instant: it goes,
    /// unchanged, into the `original-date-time` extension on `_key` so nothing is lost. Minute
    /// precision (completed with `:00`) and values that are no `dateTime` keep their canonical form
    /// in the `source-value` extension.
    mutating func setInstant(_ key: String, _ value: ClinicalDateTime?, into element: inout ElementBuilder) {
        guard let value else { return }
        if let instant = FHIRTemporal.instant(value) {
            element.setPrimitive(key, .string(instant), extensions: sourceValueUnlessEqual(instant, value))
        } else if let dateTime = dateTime(value) {
            report(.impreciseInstant, .information)
            element.setPrimitive(
                key, nil,
                extensions: [extensionElement(FHIRURL.originalDateTime, "valueDateTime", dateTime)].compactMap { $0 }
                    + sourceValueUnlessEqual(dateTime.stringValue, value))
        } else {
            element.setPrimitive(key, nil, extensions: sourceValueUnlessEqual(nil, value))
        }
    }

    /// A Period (`start`, `end`), or `nil`.
    mutating func period(_ period: Period?) -> JSON? {
        guard let period else { return nil }
        var element = ElementBuilder()
        setDateTime("start", period.start, into: &element)
        setDateTime("end", period.end, into: &element)
        return element.json
    }

    /// Sets `<base>DateTime` for a period with only a start, else `<base>Period`.
    mutating func setPeriodChoice(_ base: String, _ value: Period?, into element: inout ElementBuilder) {
        guard let value else { return }
        if value.end == nil, let start = value.start {
            setDateTime(base + "DateTime", start, into: &element)
        } else {
            element.set(base + "Period", period(value))
        }
    }

    // MARK: - Data types

    mutating func identifier(_ identifier: Identifier) -> JSON? {
        guard identifier.value.hasContent else { return nil }
        var element = ElementBuilder()
        setCode("use", identifier.use, in: .identifierUse, into: &element)
        element.set("type", concept(identifier.type))
        setURI("system", identifier.system, into: &element)
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
        setCode("use", name.use, in: .nameUse, into: &element)
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
        setCode("use", address.use, in: .addressUse, into: &element)
        setCode("type", address.type, in: .addressType, into: &element)
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
    /// none, `_system` holds a data-absent-reason instead of a guessed `phone` (and the source's code,
    /// if it was not a contact-point-system code, in `source-value`).
    mutating func contactPoint(_ point: ContactPoint) -> JSON? {
        guard point.value.hasContent else { return nil }
        var element = ElementBuilder()
        if let system = code(point.system, in: .contactPointSystem) {
            element.set("system", system)
        } else {
            let invalid = point.system.flatMap { $0.hasContent ? sourceValueExtension($0) : nil }
            element.setPrimitive("system", nil, extensions: [absentReasonExtension()] + [invalid].compactMap { $0 })
        }
        element.set("value", point.value)
        setCode("use", point.use, in: .contactPointUse, into: &element)
        if let rank = point.rank {
            if rank >= 1 {
                element.set("rank", .int(rank))
            } else {
                report(.invalidValue, code: "ContactPoint.rank")
                element.setPrimitive("rank", nil, extensions: [sourceValueExtension(String(rank))].compactMap { $0 })
            }
        }
        return element.json
    }

    /// Quantity (`value`, `comparator`, `unit`, `system`, `code`). A `simple` quantity (SimpleQuantity,
    /// used by Range, referenceRange and doses) has no comparator: the source's goes into the
    /// fhirbridge `source-comparator` extension. R4 invariant qty-3 needs a `system` with a `code`: a
    /// code without a (valid) system goes into the `source-unit-code` extension. A value that is not
    /// a FHIR decimal, a code that is not a `code`, keep their source form in `source-value`.
    mutating func quantity(_ quantity: Quantity?, simple: Bool = false) -> JSON? {
        guard let quantity else { return nil }
        var element = ElementBuilder()
        var extensions: [JSON?] = []
        let systemWritten = quantity.system.map { !$0.isEmpty && $0.isValidFHIRURI } ?? false
        if let comparator = quantity.comparator, comparator.hasContent, simple {
            report(.comparatorNotAllowed)
            extensions.append(extensionElement(FHIRURL.sourceComparator, "valueString", .string(comparator)))
        }
        if let code = quantity.code, code.hasContent, !systemWritten {
            report(.unitCodeWithoutSystem, .information)
            extensions.append(extensionElement(FHIRURL.sourceUnitCode, "valueString", .string(code)))
        }
        element.set("extension", extensions)
        if let value = quantity.value {
            if let number = Self.decimal(value.lexical) {
                element.set("value", number)
            } else {
                report(.invalidDecimal)
                element.setPrimitive("value", nil, extensions: [sourceValueExtension(value.lexical)].compactMap { $0 })
            }
        }
        if let comparator = quantity.comparator, comparator.hasContent, !simple {
            setCode("comparator", comparator, in: .quantityComparator, into: &element)
        }
        element.set("unit", quantity.unit)
        setURI("system", quantity.system, into: &element)
        if let code = quantity.code, code.hasContent, systemWritten {
            if code.isValidFHIRCode {
                element.set("code", .string(code))
            } else {
                report(.invalidCode)
                element.setPrimitive("code", nil, extensions: [sourceValueExtension(code)].compactMap { $0 })
            }
        }
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
        setDateTime("time", note.time, into: &element)
        element.set("text", note.text)
        return element.json
    }

    mutating func annotations(_ notes: [Annotation]) -> [JSON?] { notes.map { annotation($0) } }

    // MARK: - References

    /// `{"reference": …}` for a canonical reference, written as the scheme says. A target that is
    /// not emitted alongside is still written (it is a business key) and reported as
    /// `unresolvedReference` with its resource type as the code.
    ///
    /// The id is a hash of the key, so a reference to a target that is not emitted alongside carries
    /// the key in the fhirbridge `record-key` extension: the reverse mapping reads it back.
    mutating func reference(_ ref: EntityRef?) -> JSON? {
        guard let ref else { return nil }
        if let target = scheme.presentTargets?[ref] { return target.reference }
        let type = ref.kind.fhirResourceType
        let reference = scheme.reference(type: type, id: ResourceID.derive(ref), present: false)
        guard scheme.presentTargets != nil else { return reference }
        report(.unresolvedReference, system: "http://hl7.org/fhir/resource-types", code: type)
        guard let key = extensionElement(FHIRURL.recordKey, "valueString", .string(ref.key)),
            let object = reference.objectValue
        else { return reference }
        return .object(object.addingExtensions([key]))
    }

    /// A required Reference: the reference, or an element holding only a data-absent-reason.
    mutating func requiredReference(_ ref: EntityRef?, path: String) -> JSON {
        if let json = reference(ref) { return json }
        reportMissing(path)
        return absentElement()
    }

    mutating func references(_ refs: [EntityRef]) -> [JSON?] { refs.map { reference($0) } }
}
