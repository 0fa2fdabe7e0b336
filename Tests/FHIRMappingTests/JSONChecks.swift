import ClinicalModel
import FHIRMapping
import FHIRR4

/// Checks over emitted JSON that do not depend on the resource type.
enum JSONChecks {
    /// Paths of empty strings, arrays and objects and of whitespace-only strings, anywhere in `value`.
    static func emptyElements(_ value: JSON, path: String = "$") -> [String] {
        switch value {
        case .string(let text):
            return text.unicodeScalars.contains { !$0.properties.isWhitespace } ? [] : [path]
        case .array(let items):
            if items.isEmpty { return [path] }
            return items.enumerated().flatMap { emptyElements($1, path: "\(path)[\($0)]") }
        case .object(let object):
            if object.isEmpty { return [path] }
            return object.members.flatMap { emptyElements($0.value, path: path + "." + $0.key) }
        case .null: return [path]
        case .bool, .number: return []
        }
    }

    /// Every `reference` string inside `value`.
    static func references(_ value: JSON) -> [String] {
        switch value {
        case .array(let items): return items.flatMap(references)
        case .object(let object):
            var found: [String] = []
            for member in object.members {
                if member.key == "reference", let text = member.value.stringValue {
                    found.append(text)
                } else {
                    found += references(member.value)
                }
            }
            return found
        default: return []
        }
    }

    /// The references in a bundle that name no entry: neither a `fullUrl` nor `Type/id` of a resource.
    static func unresolvedReferences(inBundle bundle: JSONObject) -> [String] {
        let entries = bundle["entry"]?.arrayValue ?? []
        var targets = Set<String>()
        for entry in entries {
            if let fullUrl = entry["fullUrl"]?.stringValue { targets.insert(fullUrl) }
            if let type = entry["resource"]?["resourceType"]?.stringValue,
                let id = entry["resource"]?["id"]?.stringValue
            {
                targets.insert(type + "/" + id)
            }
        }
        return entries.flatMap { references($0["resource"] ?? .null) }.filter { !targets.contains($0) }
    }

    static func resources(inBundle bundle: JSONObject) -> [JSONObject] {
        (bundle["entry"]?.arrayValue ?? []).compactMap { $0["resource"]?.objectValue }
    }

    static func resource(_ bundle: JSONObject, type: String, id: String? = nil) -> JSONObject? {
        resources(inBundle: bundle).first {
            $0["resourceType"]?.stringValue == type && (id == nil || $0["id"]?.stringValue == id)
        }
    }
}
