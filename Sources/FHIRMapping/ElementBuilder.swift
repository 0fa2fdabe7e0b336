import FHIRR4

/// Builds one JSON object in the order elements are set, leaving out what FHIR forbids: absent
/// values, strings without a non-whitespace character, empty arrays and empty objects
/// (http://hl7.org/fhir/R4/json.html: "empty" elements are not allowed).
///
///     var element = ElementBuilder()
///     element.set("family", "Doe")
///     element.set("given", [])        // left out
///     element.json                    // {"family":"Doe"}
///
/// Every way in prunes what it is given, so the built object needs no second walk to be known
/// pruned (`json`).
struct ElementBuilder {
    private(set) var object: JSONObject

    /// Room for the members most elements have, so that building one rarely regrows its storage.
    init() { object = JSONObject(reservingCapacity: 6) }

    /// Starts a resource: `resourceType` first, then `id`.
    init(resourceType: String, id: String) {
        object = JSONObject(reservingCapacity: 24)
        object.append("resourceType", .string(resourceType))
        object.append("id", .string(id))
    }

    /// The built object, or `nil` when nothing was set. Marked as pruned (everything set was), so
    /// that nesting it in another builder does not walk it again.
    var json: JSON? {
        guard !object.isEmpty else { return nil }
        var built = object
        built.isKnownPruned = true
        assert(JSON.isPruned(.object(object)), "an ElementBuilder way in let an empty value through")
        return .object(built)
    }

    mutating func set(_ key: String, _ value: JSON?) {
        guard let value = value.flatMap(JSON.pruned) else { return }
        object[key] = value
    }

    mutating func set(_ key: String, _ text: String?) {
        guard let text, text.hasContent else { return }
        object[key] = .string(text)
    }

    mutating func set(_ key: String, _ flag: Bool?) {
        guard let flag else { return }
        object[key] = .bool(flag)
    }

    /// Sets an array, dropping absent and empty items; an array left empty is not set.
    mutating func set(_ key: String, _ items: [JSON?]) {
        let kept = items.compactMap { $0.flatMap(JSON.pruned) }
        guard !kept.isEmpty else { return }
        object[key] = .array(kept)
    }

    /// Sets a primitive and its `_key` companion holding extensions (http://hl7.org/fhir/R4/json.html#primitive).
    mutating func setPrimitive(_ key: String, _ value: JSON?, extensions: [JSON]) {
        set(key, value)
        guard !extensions.isEmpty else { return }
        var companion = ElementBuilder()
        companion.set("extension", extensions)
        set("_" + key, companion.json)
    }

    /// Sets an array of primitives whose items may carry extensions: `key` holds the values with
    /// `null` where an item has only extensions, `_key` the extensions with `null` where an item has
    /// none (http://hl7.org/fhir/R4/json.html#primitive). Either array is left out when it would
    /// hold only `null`.
    mutating func setPrimitiveArray(_ key: String, _ items: [(value: JSON?, extensions: [JSON])]) {
        let kept = items.map {
            (value: $0.value.flatMap(JSON.pruned), extensions: $0.extensions.compactMap(JSON.pruned))
        }
        .filter { $0.value != nil || !$0.extensions.isEmpty }
        guard !kept.isEmpty else { return }
        if kept.contains(where: { $0.value != nil }) {
            object[key] = .array(kept.map { $0.value ?? .null })
        }
        if kept.contains(where: { !$0.extensions.isEmpty }) {
            object["_" + key] = .array(
                kept.map { $0.extensions.isEmpty ? .null : .object(JSONObject(["extension": .array($0.extensions)])) })
        }
    }

    /// Appends extensions to `extension`, creating it where FHIR puts it (see `JSONObject.addingExtensions`).
    mutating func addExtensions(_ extensions: [JSON?]) {
        object.appendExtensions(extensions.compactMap { $0.flatMap(JSON.pruned) })
    }
}

extension JSONObject {
    /// The object with `extensions` appended to its `extension` array. A new array goes first, or
    /// for a resource after `resourceType`, `id`, `meta`, `implicitRules`, `language`, `text` and
    /// `contained`, which is where R4 puts it.
    /// The members R4 puts before a resource's `extension`.
    private static let leadingResourceMembers = [
        "resourceType", "id", "meta", "implicitRules", "language", "text", "contained",
    ]

    func addingExtensions(_ extensions: [JSON]) -> JSONObject {
        var copy = self
        copy.appendExtensions(extensions)
        return copy
    }

    /// `addingExtensions` in place: a new `extension` array is inserted among the members, so an
    /// object held once (a resource being built) is not copied.
    mutating func appendExtensions(_ extensions: [JSON]) {
        guard !extensions.isEmpty else { return }
        if let existing = self["extension"]?.arrayValue {
            self["extension"] = .array(existing + extensions)
            return
        }
        let leading = self["resourceType"] == nil ? [] : Self.leadingResourceMembers
        let index = members.firstIndex { !leading.contains($0.key) } ?? members.count
        insert("extension", .array(extensions), at: index)
    }
}

extension JSON {
    /// The value without empty strings, arrays and objects at any depth, or `nil` if nothing is left.
    /// A `null` array item (written only by `setPrimitiveArray`) is kept unless the array holds
    /// nothing else.
    static func pruned(_ value: JSON) -> JSON? {
        // Values built by `ElementBuilder` are already pruned: check without copying first, so that
        // nesting them (entries into a Bundle, elements into a resource) does not rebuild them.
        if isPruned(value) {
            guard case .object(var object) = value, !object.isKnownPruned else { return value }
            object.isKnownPruned = true
            return .object(object)
        }
        switch value {
        case .null: return nil
        case .string(let text): return text.hasContent ? value : nil
        case .array(let items):
            // `null` items stay: they align a primitive array with its `_name` companion.
            let kept = items.compactMap { $0 == .null ? .null : pruned($0) }
            return kept.allSatisfy { $0 == .null } ? nil : .array(kept)
        case .object(let object):
            var kept = JSONObject()
            for member in object.members {
                if let value = pruned(member.value) { kept.append(member.key, value) }
            }
            return kept.isEmpty ? nil : .object(kept)
        case .bool, .number: return value
        }
    }
}

extension JSON {
    /// Whether `pruned(value)` would return `value` unchanged. Reads only, allocates nothing.
    static func isPruned(_ value: JSON) -> Bool {
        switch value {
        case .null: return false
        case .string(let text): return text.hasContent
        case .bool, .number: return true
        case .array(let items):
            var hasValue = false
            for item in items {
                if case .null = item { continue }
                guard isPruned(item) else { return false }
                hasValue = true
            }
            return hasValue
        case .object(let object):
            if object.isKnownPruned { return true }
            guard !object.isEmpty else { return false }
            for member in object.members where !isPruned(member.value) { return false }
            return true
        }
    }
}

extension String {
    /// FHIR strings must hold at least one non-whitespace character (http://hl7.org/fhir/R4/datatypes.html#string).
    var hasContent: Bool {
        // ASCII fast path: most text is ASCII, and a Unicode property lookup per scalar is costly
        for byte in utf8 {
            if byte >= 0x80 { return unicodeScalars.contains { !$0.isFHIRWhitespace } }
            if !(byte == 0x20 || (0x09...0x0D).contains(byte)) { return true }
        }
        return false
    }

    /// The FHIR `code` grammar `[^\s]+( [^\s]+)*`: no leading, trailing or repeated whitespace.
    var isValidFHIRCode: Bool {
        var previousWasSpace = true
        for scalar in unicodeScalars {
            if scalar.isFHIRWhitespace {
                if previousWasSpace || scalar != " " { return false }
                previousWasSpace = true
            } else {
                previousWasSpace = false
            }
        }
        return !previousWasSpace
    }

    /// The FHIR `uri` grammar (`\S*`) for a non-empty value: no whitespace at all.
    var isValidFHIRURI: Bool {
        guard !isEmpty else { return false }
        // one pass over the bytes; a non-ASCII byte sends the rest to the Unicode check
        for byte in utf8 {
            if byte >= 0x80 { return !unicodeScalars.contains { $0.isFHIRWhitespace } }
            if byte == 0x20 || (0x09...0x0D).contains(byte) { return false }
        }
        return true
    }
}

extension Unicode.Scalar {
    /// Unicode White_Space, with the ASCII cases answered without a property lookup.
    var isFHIRWhitespace: Bool {
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        return properties.isWhitespace
    }
}
