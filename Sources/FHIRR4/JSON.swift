/// A JSON value that keeps object member order and number lexical forms.
///
/// FHIR R4 JSON (http://hl7.org/fhir/R4/json.html) is written with `resourceType` first and the
/// elements in specification order; decimals keep their lexical form (`0.010` is not `0.01`).
/// Writing the same value twice gives the same bytes, which golden files and reconciliation need.
public enum JSON: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number in JSON lexical form, e.g. `"7"`, `"-0.010"`.
    case number(String)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    public static func int(_ value: Int) -> JSON { .number(String(value)) }

    public subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var numberLexical: String? {
        if case .number(let text) = self { return text }
        return nil
    }
}

/// An ordered JSON object. Setting an existing key replaces its value in place.
public struct JSONObject: Hashable, Sendable, Sequence {
    public struct Member: Hashable, Sendable {
        public var key: String
        public var value: JSON
    }

    public private(set) var members: [Member] = []

    /// Set by a builder that has checked that no member, at any depth, is an empty string, array
    /// or object; cleared by every change. Lets that check skip objects already checked. Not part
    /// of equality or hashing.
    public var isKnownPruned = false

    public init() {}

    /// An empty object with room for `capacity` members before it grows.
    public init(reservingCapacity capacity: Int) { members.reserveCapacity(capacity) }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { lhs.members == rhs.members }

    public func hash(into hasher: inout Hasher) { hasher.combine(members) }

    public init(_ pairs: KeyValuePairs<String, JSON>) {
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    public subscript(key: String) -> JSON? {
        get { members.first(where: { $0.key == key })?.value }
        set {
            isKnownPruned = false
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Appends without checking for an existing key: the builder's fast path.
    public mutating func append(_ key: String, _ value: JSON) {
        isKnownPruned = false
        members.append(Member(key: key, value: value))
    }

    /// Inserts a member at `index` (0...count) without checking for an existing key.
    public mutating func insert(_ key: String, _ value: JSON, at index: Int) {
        isKnownPruned = false
        members.insert(Member(key: key, value: value), at: index)
    }

    public var keys: [String] { members.map(\.key) }
    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// Equality that ignores member order, as JSON semantics do.
    public func semanticallyEquals(_ other: JSONObject) -> Bool {
        guard members.count == other.members.count else { return false }
        for member in members {
            guard let value = other[member.key], JSON.semanticallyEqual(member.value, value) else { return false }
        }
        return true
    }
}

extension JSON {
    /// Compares two values as JSON documents: object member order does not matter, numbers compare
    /// by lexical form.
    public static func semanticallyEqual(_ lhs: JSON, _ rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.object(let left), .object(let right)): return left.semanticallyEquals(right)
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { semanticallyEqual($0, $1) }
        default: return lhs == rhs
        }
    }

    /// A copy with every object's members sorted by key (for golden files and canonical output).
    public func sortedKeys() -> JSON {
        switch self {
        case .object(let object):
            var sorted = JSONObject()
            for member in object.members.sorted(by: { $0.key < $1.key }) {
                sorted.append(member.key, member.value.sortedKeys())
            }
            return .object(sorted)
        case .array(let items): return .array(items.map { $0.sortedKeys() })
        default: return self
        }
    }
}
