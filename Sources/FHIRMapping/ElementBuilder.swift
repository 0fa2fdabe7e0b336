import FHIRR4

/// Builds one JSON object in the order elements are set, leaving out what FHIR forbids: absent
/// values, strings without a non-whitespace character, empty arrays and empty objects
/// (http://hl7.org/fhir/R4/json.html: "empty" elements are not allowed).
///
///     var element = ElementBuilder()
///     element.set("family", "Doe")
///     element.set("given", [])        // left out
///     element.json                    // {"family":"Doe"}
struct ElementBuilder {
    private(set) var object = JSONObject()

    init() {}

    /// Starts a resource: `resourceType` first, then `id`.
    init(resourceType: String, id: String) {
        object.append("resourceType", .string(resourceType))
        object.append("id", .string(id))
    }

    /// The built object, or `nil` when nothing was set.
    var json: JSON? { object.isEmpty ? nil : .object(object) }

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
}

extension JSON {
    /// The value without empty strings, arrays and objects at any depth, or `nil` if nothing is left.
    static func pruned(_ value: JSON) -> JSON? {
        switch value {
        case .null: return nil
        case let .string(text): return text.hasContent ? value : nil
        case let .array(items):
            let kept = items.compactMap(pruned)
            return kept.isEmpty ? nil : .array(kept)
        case let .object(object):
            var kept = JSONObject()
            for member in object.members {
                if let value = pruned(member.value) { kept.append(member.key, value) }
            }
            return kept.isEmpty ? nil : .object(kept)
        case .bool, .number: return value
        }
    }
}

extension String {
    /// FHIR strings must hold at least one non-whitespace character (http://hl7.org/fhir/R4/datatypes.html#string).
    var hasContent: Bool { unicodeScalars.contains { !$0.properties.isWhitespace } }

    /// The FHIR `code` grammar `[^\s]+( [^\s]+)*`: no leading, trailing or repeated whitespace.
    var isValidFHIRCode: Bool {
        var previousWasSpace = true
        for scalar in unicodeScalars {
            if scalar.properties.isWhitespace {
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
        !isEmpty && !unicodeScalars.contains { $0.properties.isWhitespace }
    }
}
