/// An element path in FHIR's own notation: a resource type, then element names
/// (http://hl7.org/fhir/R4/elementdefinition.html#path). `Resource` stands for every resource type,
/// as every resource inherits the elements of `Resource` (`Resource.meta.lastUpdated`).
///
///     FHIRElementPath("Provenance.recorded")      // recorded, in every Provenance
///     FHIRElementPath("Resource.meta.lastUpdated") // meta.lastUpdated, in every resource
///     FHIRElementPath("Bundle.timestamp")
///
/// Array positions are not part of a path: `Patient.name.given` is every given name of every name.
public struct FHIRElementPath: Hashable, Sendable, CustomStringConvertible {
    /// The resource type the path starts from (`Resource` for any).
    public var resourceType: String
    /// Element names below the resource, outermost first.
    public var elements: [String]

    /// Reads `Type.element.element`; `nil` unless it is a type followed by at least one element name,
    /// each made of letters, digits and `_` (choice elements by their typed name: `valueQuantity`).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2,
            parts.allSatisfy({ part in
                !part.isEmpty
                    && part.unicodeScalars.allSatisfy {
                        $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_"
                    }
            }),
            let first = parts.first?.unicodeScalars.first, first.properties.isUppercase
        else { return nil }
        resourceType = parts[0]
        elements = Array(parts.dropFirst())
    }

    public var description: String { ([resourceType] + elements).joined(separator: ".") }

    /// Whether the path names `elements` of a resource of type `type`.
    func matches(resourceType type: String, elements path: [String]) -> Bool {
        (resourceType == type || resourceType == "Resource") && elements == path
    }
}

/// One place where two FHIR JSON documents differ: a path and what happened there.
///
/// The path is FHIRPath-like: `Bundle.entry[3].resource.ofType(Observation).valueQuantity.value`.
/// Indexes are 0-based positions on the expected side, except for `unexpected` items, which only
/// the actual side has (their position there). Paths name positions and element names only; the
/// values are in `expected` and `actual`, for `--diff` files and never for logs.
public struct JSONDifference: Hashable, Sendable, CustomStringConvertible {
    public enum Change: String, Hashable, Sendable {
        /// Both sides have the element, with different values.
        case changed
        /// The expected side has it, the actual side does not.
        case missing
        /// The actual side has it, the expected side does not.
        case unexpected
    }

    public var path: String
    public var change: Change
    public var expected: JSON?
    public var actual: JSON?

    public init(path: String, change: Change, expected: JSON?, actual: JSON?) {
        self.path = path
        self.change = change
        self.expected = expected
        self.actual = actual
    }

    /// `changed Bundle.entry[3]…`: the change and the path, no value.
    public var description: String { "\(change.rawValue) \(path)" }
}

/// Compares FHIR R4 JSON documents for meaning rather than bytes, and names the paths that differ.
///
///     let comparison = FHIRComparison(ignoring: [FHIRElementPath("Bundle.timestamp")!])
///     comparison.differences(expected: golden, actual: bundle)
///     // [changed Bundle.entry[2].resource.ofType(Observation).valueQuantity.value]
///
/// What is ignored, and why:
/// - **Member order** in objects: JSON objects are unordered (RFC 8259 §4), and FHIR's JSON format
///   gives member order no meaning (http://hl7.org/fhir/R4/json.html).
/// - **Order of repeating elements** (arrays), except where FHIR gives it a meaning. R4's
///   `ElementDefinition.orderMeaning` says: "If absent, it means that the order of the element has no
///   meaning". Arrays are therefore compared as multisets (each item once, duplicates counted) except:
///   - arrays named `given`, `prefix`, `suffix` (HumanName) and `line` (Address): R4 defines an
///     `orderMeaning` for these ("appear in the correct order for presenting the name", "the order
///     in which lines should appear in an address label"); no other R4 element has these names;
///   - `Bundle.entry` of a `searchset` or `history` Bundle (ranked, or in version order:
///     http://hl7.org/fhir/R4/bundle.html), compared in order;
///   - the first `Bundle.entry` of a `document` or `message` Bundle (it must be the Composition or
///     MessageHeader), compared in place; the other entries as a set;
///   - any element path given in `ordered`.
///   Other `Bundle.entry` arrays (transaction, batch, collection, responses) and the lines of NDJSON
///   files are matched by key: `fullUrl`, else `resourceType/id` of the resource.
/// - **Volatile elements** given in `ignoring` (a run timestamp, a server's `meta.lastUpdated`): left
///   out on both sides, with their `_element` primitive extensions.
///
/// Numbers compare by their lexical form (`0.010` is not `0.01`: FHIR decimals keep their precision),
/// strings by their Unicode scalars.
public struct FHIRComparison: Sendable {
    /// Elements left out of the comparison.
    public var ignoring: [FHIRElementPath]
    /// Arrays compared in order besides the built-in ones.
    public var ordered: [FHIRElementPath]

    /// Array member names whose order has a meaning in every R4 type that has them (HumanName,
    /// Address).
    public static let orderedElementNames: Set<String> = ["given", "prefix", "suffix", "line"]

    public init(ignoring: [FHIRElementPath] = [], ordered: [FHIRElementPath] = []) {
        self.ignoring = ignoring
        self.ordered = ordered
    }

    /// Every difference between the two documents, in document order (expected side first).
    /// - Complexity: O(n log n) for keyed arrays; O(n · m) item comparisons for multiset arrays with
    ///   items that differ.
    public func differences(expected: JSON, actual: JSON) -> [JSONDifference] {
        var found: [JSONDifference] = []
        compare(expected, actual, at: Context.root, into: &found)
        return found
    }

    /// The differences between two lists of resources (the lines of an NDJSON file), matched by
    /// `resourceType/id`; paths start with `root` (`Observation.ndjson[3].ofType(Observation)…`).
    public func differences(expectedItems: [JSON], actualItems: [JSON], at root: String) -> [JSONDifference] {
        var found: [JSONDifference] = []
        compareKeyed(
            expectedItems, actualItems, at: Context(resourceType: nil, elements: [], display: root), from: 0,
            into: &found)
        return found
    }

    /// Whether the two documents have the same meaning (no differences).
    public func equivalent(_ expected: JSON, _ actual: JSON) -> Bool {
        canonical(expected, Context.root) == canonical(actual, Context.root)
    }

    /// Where a value sits: its resource, its element names below that resource, and the path shown.
    struct Context {
        var resourceType: String?
        var elements: [String]
        var display: String

        static let root = Context(resourceType: nil, elements: [], display: "")

        /// The context of a member of an object in this context.
        func member(_ key: String) -> Context {
            let name = key.hasPrefix("_") ? String(key.dropFirst()) : key
            return Context(
                resourceType: resourceType, elements: elements + [name],
                display: display.isEmpty ? key : display + "." + key)
        }

        func item(_ index: Int) -> Context {
            Context(resourceType: resourceType, elements: elements, display: display + "[\(index)]")
        }

        /// The context inside an object: a new resource when it has a `resourceType`.
        func entering(_ object: JSONObject) -> Context {
            guard let type = object["resourceType"]?.stringValue else { return self }
            return Context(
                resourceType: type, elements: [], display: display.isEmpty ? type : display + ".ofType(\(type))")
        }
    }

    func isIgnored(_ key: String, in context: Context) -> Bool {
        guard let type = context.resourceType, !ignoring.isEmpty else { return false }
        let name = key.hasPrefix("_") ? String(key.dropFirst()) : key
        let path = context.elements + [name]
        return ignoring.contains { $0.matches(resourceType: type, elements: path) }
    }

    /// How the items of an array at `context` are matched.
    enum ArrayOrder {
        case ordered
        case multiset
        /// Matched by entry key; the first `fixedPrefix` items in place.
        case keyed(fixedPrefix: Int)
    }

    func order(of context: Context, bundleType: String?) -> ArrayOrder {
        guard let name = context.elements.last else { return .multiset }
        if Self.orderedElementNames.contains(name) { return .ordered }
        if let type = context.resourceType,
            ordered.contains(where: { $0.matches(resourceType: type, elements: context.elements) })
        {
            return .ordered
        }
        if context.resourceType == "Bundle", context.elements == ["entry"] {
            switch bundleType {
            case "searchset", "history": return .ordered
            case "document", "message": return .keyed(fixedPrefix: 1)
            default: return .keyed(fixedPrefix: 0)
            }
        }
        return .multiset
    }

    private func compare(_ expected: JSON, _ actual: JSON, at context: Context, into found: inout [JSONDifference]) {
        switch (expected, actual) {
        case (.object(let left), .object(let right)):
            let inner = context.entering(left)
            if right["resourceType"]?.stringValue != left["resourceType"]?.stringValue {
                found.append(
                    JSONDifference(path: context.display, change: .changed, expected: expected, actual: actual))
                return
            }
            let bundleType = inner.resourceType == "Bundle" ? left["type"]?.stringValue : nil
            for member in left where !isIgnored(member.key, in: inner) {
                let child = inner.member(member.key)
                if let other = right[member.key] {
                    if case .array(let items) = member.value, case .array(let otherItems) = other {
                        compareArrays(items, otherItems, at: child, bundleType: bundleType, into: &found)
                    } else {
                        compare(member.value, other, at: child, into: &found)
                    }
                } else {
                    found.append(
                        JSONDifference(path: child.display, change: .missing, expected: member.value, actual: nil))
                }
            }
            for member in right where left[member.key] == nil && !isIgnored(member.key, in: inner) {
                found.append(
                    JSONDifference(
                        path: inner.member(member.key).display, change: .unexpected, expected: nil, actual: member.value
                    ))
            }
        case (.array(let left), .array(let right)):
            compareArrays(left, right, at: context, bundleType: nil, into: &found)
        default:
            if canonical(expected, context) != canonical(actual, context) {
                found.append(
                    JSONDifference(path: context.display, change: .changed, expected: expected, actual: actual))
            }
        }
    }

    private func compareArrays(
        _ expected: [JSON], _ actual: [JSON], at context: Context, bundleType: String?,
        into found: inout [JSONDifference]
    ) {
        switch order(of: context, bundleType: bundleType) {
        case .ordered:
            comparePositions(expected, actual, at: context, range: 0..<max(expected.count, actual.count), into: &found)
        case .keyed(let fixed):
            let prefix = min(fixed, expected.count, actual.count)
            comparePositions(expected, actual, at: context, range: 0..<prefix, into: &found)
            compareKeyed(expected, actual, at: context, from: prefix, into: &found)
        case .multiset:
            compareMultiset(Array(expected.indices), Array(actual.indices), expected, actual, at: context, into: &found)
        }
    }

    private func comparePositions(
        _ expected: [JSON], _ actual: [JSON], at context: Context, range: Range<Int>, into found: inout [JSONDifference]
    ) {
        for index in range {
            let child = context.item(index)
            switch (index < expected.count ? expected[index] : nil, index < actual.count ? actual[index] : nil) {
            case (let left?, let right?): compare(left, right, at: child, into: &found)
            case (let left?, nil):
                found.append(JSONDifference(path: child.display, change: .missing, expected: left, actual: nil))
            case (nil, let right?):
                found.append(JSONDifference(path: child.display, change: .unexpected, expected: nil, actual: right))
            case (nil, nil): break
            }
        }
    }

    /// The key an entry (or NDJSON line) is matched by: `fullUrl`, else `resourceType/id`.
    public static func entryKey(_ item: JSON) -> String? {
        if let fullUrl = item["fullUrl"]?.stringValue { return fullUrl }
        let resource = item["resource"] ?? item
        if let type = resource["resourceType"]?.stringValue, let id = resource["id"]?.stringValue {
            return type + "/" + id
        }
        return nil
    }

    private func compareKeyed(
        _ expected: [JSON], _ actual: [JSON], at context: Context, from start: Int, into found: inout [JSONDifference]
    ) {
        var actualByKey: [String: Int] = [:]
        var unkeyedActual: [Int] = []
        for index in actual.indices.dropFirst(start) {
            if let key = Self.entryKey(actual[index]), actualByKey[key] == nil {
                actualByKey[key] = index
            } else {
                unkeyedActual.append(index)
            }
        }
        var unkeyedExpected: [Int] = []
        var matched = Set<Int>()
        var seen = Set<String>()
        for index in expected.indices.dropFirst(start) {
            guard let key = Self.entryKey(expected[index]), seen.insert(key).inserted else {
                unkeyedExpected.append(index)
                continue
            }
            if let other = actualByKey[key] {
                matched.insert(other)
                compare(expected[index], actual[other], at: context.item(index), into: &found)
            } else {
                found.append(
                    JSONDifference(
                        path: context.item(index).display, change: .missing, expected: expected[index], actual: nil))
            }
        }
        let leftoverActual = actualByKey.values.filter { !matched.contains($0) } + unkeyedActual
        compareMultiset(unkeyedExpected, leftoverActual.sorted(), expected, actual, at: context, into: &found)
    }

    /// Items equal by meaning are matched first; each expected item left is then paired with the
    /// left actual item that shares most members with it, else with the first one left of the same
    /// kind (and compared member by member), or reported missing; actual items left over are
    /// unexpected.
    private func compareMultiset(
        _ expectedIndices: [Int], _ actualIndices: [Int], _ expected: [JSON], _ actual: [JSON], at context: Context,
        into found: inout [JSONDifference]
    ) {
        var pool: [String: [Int]] = [:]
        for index in actualIndices { pool[canonical(actual[index], context), default: []].append(index) }
        var leftExpected: [Int] = []
        for index in expectedIndices {
            let key = canonical(expected[index], context)
            if var candidates = pool[key], !candidates.isEmpty {
                candidates.removeFirst()
                pool[key] = candidates
            } else {
                leftExpected.append(index)
            }
        }
        var leftActual = pool.values.flatMap { $0 }.sorted()
        var pairs: [(expected: Int, actual: Int?)] = []
        var unpaired: [Int] = []
        for index in leftExpected {
            var best: (position: Int, score: Int)?
            for (position, other) in leftActual.enumerated() {
                let score = similarity(expected[index], actual[other], context)
                if score > 0, score > (best?.score ?? 0) { best = (position, score) }
            }
            if let best {
                pairs.append((index, leftActual.remove(at: best.position)))
            } else {
                unpaired.append(index)
            }
        }
        // an item that shares no member with any item left is paired, in order, with the first item
        // left of the same kind (a changed value rather than one missing and one unexpected)
        for index in unpaired {
            let position = leftActual.firstIndex { Self.sameKind(expected[index], actual[$0]) }
            pairs.append((index, position.map { leftActual.remove(at: $0) }))
        }
        for pair in pairs.sorted(by: { $0.expected < $1.expected }) {
            let item = context.item(pair.expected)
            if let other = pair.actual {
                compare(expected[pair.expected], actual[other], at: item, into: &found)
            } else {
                found.append(
                    JSONDifference(path: item.display, change: .missing, expected: expected[pair.expected], actual: nil)
                )
            }
        }
        for index in leftActual {
            found.append(
                JSONDifference(
                    path: context.item(index).display, change: .unexpected, expected: nil, actual: actual[index]))
        }
    }

    /// Whether two values are of one JSON kind (objects also of one `resourceType`).
    static func sameKind(_ left: JSON, _ right: JSON) -> Bool {
        switch (left, right) {
        case (.object(let a), .object(let b)): return a["resourceType"]?.stringValue == b["resourceType"]?.stringValue
        case (.array, .array), (.string, .string), (.number, .number), (.bool, .bool), (.null, .null): return true
        default: return false
        }
    }

    /// How many members two objects share with equal meaning (0 for anything else).
    private func similarity(_ left: JSON, _ right: JSON, _ context: Context) -> Int {
        guard case .object(let a) = left, case .object(let b) = right else { return 0 }
        if a["resourceType"]?.stringValue != b["resourceType"]?.stringValue { return 0 }
        let inner = context.entering(a)
        var score = 0
        for member in a where !isIgnored(member.key, in: inner) {
            if let other = b[member.key],
                canonical(member.value, inner.member(member.key)) == canonical(other, inner.member(member.key))
            {
                score += 1
            }
        }
        return score
    }

    /// A text that two values share exactly when they have the same meaning: members sorted, ignored
    /// elements left out, unordered arrays sorted by their items' texts.
    func canonical(_ value: JSON, _ context: Context) -> String {
        var out = ""
        write(value, context, bundleType: nil, into: &out)
        return out
    }

    private func write(_ value: JSON, _ context: Context, bundleType: String?, into out: inout String) {
        switch value {
        case .null: out += "z"
        case .bool(let flag): out += flag ? "t" : "f"
        case .number(let lexical): out += "n\(lexical.utf8.count):\(lexical)"
        case .string(let text): out += "s\(text.utf8.count):\(text)"
        case .object(let object):
            let inner = context.entering(object)
            let type = inner.resourceType == "Bundle" ? object["type"]?.stringValue : nil
            out += "{"
            for member in object.members.sorted(by: { $0.key < $1.key }) where !isIgnored(member.key, in: inner) {
                out += "\(member.key.utf8.count):\(member.key)="
                write(member.value, inner.member(member.key), bundleType: type, into: &out)
            }
            out += "}"
        case .array(let items):
            var texts = items.map { item -> String in
                var text = ""
                write(item, context, bundleType: nil, into: &text)
                return text
            }
            switch order(of: context, bundleType: bundleType) {
            case .ordered: break
            case .keyed(let fixed):
                let prefix = min(fixed, texts.count)
                texts = Array(texts[..<prefix]) + texts[prefix...].sorted()
            case .multiset: texts.sort()
            }
            out += "[\(texts.count):" + texts.joined(separator: ",") + "]"
        }
    }
}
