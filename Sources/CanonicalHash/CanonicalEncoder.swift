import ClinicalModel

/// Turns any `Encodable` canonical record into canonical form v1 (see `CanonicalValue`) and collects
/// every `EntityRef` the record holds (for referential checks).
///
/// The record is encoded into a tree, in one of two ways that share the `Encoder` below:
/// - `writeBytes` (what hashing uses) builds a `FlatTree`, all nodes in one array that is reused
///   from record to record, and writes the canonical bytes straight from it;
/// - `encode` builds a tree of `Box` objects and from it the `CanonicalValue` (the reference form).
/// Tests check that both give the same bytes.
struct CanonicalEncoder {
    final class Storage {
        var references: [EntityRef] = []
    }

    /// The canonical value tree of `value` and the references it holds.
    static func encode<T: Encodable>(_ value: T) throws -> (CanonicalValue?, [EntityRef]) {
        let storage = Storage()
        let box = Box()
        try value.encode(to: ValueEncoder(node: BoxNode(box: box, storage: storage)))
        return (box.finishValue(), storage.references)
    }

    /// Appends the canonical bytes of `value` (nothing when it is empty) and returns the references it
    /// holds. `tree` is scratch space that may be passed again for the next value.
    static func writeBytes<T: Encodable>(_ value: T, into output: inout [UInt8], tree: FlatTree = FlatTree())
        throws -> [EntityRef]
    {
        tree.reset()
        try value.encode(to: ValueEncoder(node: FlatNode(tree: tree, index: 0)))
        _ = tree.write(0, into: &output)
        return tree.references
    }

    /// One node of the reference tree while it is built. Members and items live in the box's own
    /// arrays, so adding one never copies its siblings.
    final class Box {
        enum Kind { case empty, bool, int, string, keyed, unkeyed }
        var kind = Kind.empty
        var flag = false
        var number = 0
        var text = ""
        var keys: [String] = []
        var children: [Box] = []

        func set(_ value: Bool) {
            kind = .bool
            flag = value
        }
        func set(_ value: Int) {
            kind = .int
            number = value
        }
        func set(_ value: String) {
            kind = .string
            text = value
        }

        func makeKeyed() {
            guard kind != .keyed else { return }
            kind = .keyed
            keys = []
            children = []
        }

        func makeUnkeyed() {
            guard kind != .unkeyed else { return }
            kind = .unkeyed
            children = []
        }

        /// The member box for `key`, replacing an earlier one with the same key.
        func member(_ key: String) -> Box {
            let child = Box()
            if let index = keys.firstIndex(of: key) {
                children[index] = child
            } else {
                keys.append(key)
                children.append(child)
            }
            return child
        }

        func item() -> Box {
            let child = Box()
            children.append(child)
            return child
        }

        // MARK: Reference form

        func finishValue() -> CanonicalValue? {
            switch kind {
            case .empty: return nil
            case .bool: return .bool(flag)
            case .int: return .int(number)
            case .string:
                let normalized = CanonicalValue.normalize(text)
                return normalized.isEmpty ? nil : .string(normalized)
            case .keyed:
                var result: [String: CanonicalValue] = [:]
                for (key, box) in zip(keys, children) where key != "source" {
                    if let value = box.finishValue() { result[key] = value }
                }
                return result.isEmpty ? nil : .object(result)
            case .unkeyed:
                var values = children.compactMap { $0.finishValue() }
                guard !values.isEmpty else { return nil }
                if values.allSatisfy({ if case .object = $0 { true } else { false } })
                    || values.allSatisfy({ if case .list = $0 { true } else { false } })
                {
                    values = values.map { ($0.bytes, $0) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }.map(\.1)
                }
                return .list(values)
            }
        }
    }

    /// What a node wrote: a scalar, an object or a list (lists of objects or of lists are sorted).
    enum Shape { case scalar, object, list }

    // MARK: - The encoder, over either tree

    struct ValueEncoder<Node: CanonicalTreeNode>: Encoder {
        let node: Node
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            node.makeKeyed()
            return KeyedEncodingContainer(Keyed<Key, Node>(node: node))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            node.makeUnkeyed()
            return Unkeyed(node: node)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node) }
    }

    /// Encodes a nested value. The scalar and reference cases are told apart by comparing types,
    /// which is far cheaper than a dynamic cast per value.
    static func encodeNested<T: Encodable, Node: CanonicalTreeNode>(_ value: T, into node: Node) throws {
        if T.self == String.self {
            node.set(unsafeBitCast(value, to: String.self))
        } else if T.self == Int.self {
            node.set(unsafeBitCast(value, to: Int.self))
        } else if T.self == Bool.self {
            node.set(unsafeBitCast(value, to: Bool.self))
        } else {
            if T.self == EntityRef.self { node.addReference(value as! EntityRef) }
            try value.encode(to: ValueEncoder(node: node))
        }
    }

    struct Keyed<Key: CodingKey, Node: CanonicalTreeNode>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [any CodingKey] { [] }

        func child(_ key: Key) -> Node { node.member(key.stringValue) }

        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).set(value) }
        mutating func encode(_ value: String, forKey key: Key) throws { child(key).set(value) }
        mutating func encode(_ value: Int, forKey key: Key) throws { child(key).set(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { child(key).set("\(value)") }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try CanonicalEncoder.encodeNested(value, into: child(key))
        }
        // Absent values write nothing (as `encodeNil`), without the standard library's boxed detour.
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
            if let value { child(key).set(value) }
        }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
            if let value { child(key).set(value) }
        }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
            if let value { child(key).set(value) }
        }
        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try CanonicalEncoder.encodeNested(value, into: child(key)) }
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let node = child(key)
            node.makeKeyed()
            return KeyedEncodingContainer(Keyed<NestedKey, Node>(node: node))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let node = child(key)
            node.makeUnkeyed()
            return Unkeyed(node: node)
        }
        mutating func superEncoder() -> any Encoder { ValueEncoder(node: node) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(node: child(key)) }
    }

    struct Unkeyed<Node: CanonicalTreeNode>: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey] { [] }
        var count: Int { node.itemCount }

        mutating func encodeNil() throws {}
        mutating func encode(_ value: Bool) throws { node.item().set(value) }
        mutating func encode(_ value: String) throws { node.item().set(value) }
        mutating func encode(_ value: Int) throws { node.item().set(value) }
        mutating func encode(_ value: Double) throws { node.item().set("\(value)") }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try CanonicalEncoder.encodeNested(value, into: node.item())
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            let item = node.item()
            item.makeKeyed()
            return KeyedEncodingContainer(Keyed<NestedKey, Node>(node: item))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let item = node.item()
            item.makeUnkeyed()
            return Unkeyed(node: item)
        }
        mutating func superEncoder() -> any Encoder { ValueEncoder(node: node.item()) }
    }

    struct Single<Node: CanonicalTreeNode>: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil() throws {}
        mutating func encode(_ value: Bool) throws { node.set(value) }
        mutating func encode(_ value: String) throws { node.set(value) }
        mutating func encode(_ value: Int) throws { node.set(value) }
        mutating func encode(_ value: Double) throws { node.set("\(value)") }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try CanonicalEncoder.encodeNested(value, into: node)
        }
    }
}

/// A handle on a node of a tree being encoded (see `CanonicalEncoder`).
protocol CanonicalTreeNode {
    func set(_ value: Bool)
    func set(_ value: Int)
    func set(_ value: String)
    /// Makes the node an object (dropping what it held unless it already is one).
    func makeKeyed()
    /// Makes the node a list (dropping what it held unless it already is one).
    func makeUnkeyed()
    /// A new, empty member of this object, replacing an earlier member with the same key.
    func member(_ key: String) -> Self
    /// A new, empty item at the end of this list.
    func item() -> Self
    var itemCount: Int { get }
    /// Notes a reference met while encoding.
    func addReference(_ ref: EntityRef)
}

/// A node of the reference tree: a `Box` and the storage of its tree.
struct BoxNode: CanonicalTreeNode {
    let box: CanonicalEncoder.Box
    let storage: CanonicalEncoder.Storage

    func set(_ value: Bool) { box.set(value) }
    func set(_ value: Int) { box.set(value) }
    func set(_ value: String) { box.set(value) }
    func makeKeyed() { box.makeKeyed() }
    func makeUnkeyed() { box.makeUnkeyed() }
    func member(_ key: String) -> BoxNode { BoxNode(box: box.member(key), storage: storage) }
    func item() -> BoxNode { BoxNode(box: box.item(), storage: storage) }
    var itemCount: Int { box.kind == .unkeyed ? box.children.count : 0 }
    func addReference(_ ref: EntityRef) { storage.references.append(ref) }
}
