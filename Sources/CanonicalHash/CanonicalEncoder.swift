import ClinicalModel

/// Turns any `Encodable` canonical record into canonical form v1 (see `CanonicalValue`) and collects
/// every `EntityRef` the record holds (for referential checks).
///
/// The record is encoded once into a tree of `Box`es; `writeBytes` then writes the canonical bytes
/// straight from that tree (what hashing uses), and `encode` builds the `CanonicalValue` (the
/// reference form: tests check both give the same bytes).
struct CanonicalEncoder {
    final class Storage {
        var references: [EntityRef] = []
    }

    /// The canonical value tree of `value` and the references it holds.
    static func encode<T: Encodable>(_ value: T) throws -> (CanonicalValue?, [EntityRef]) {
        let (box, storage) = try tree(value)
        return (box.finishValue(), storage.references)
    }

    /// Appends the canonical bytes of `value` (nothing when it is empty) and returns the references it holds.
    static func writeBytes<T: Encodable>(_ value: T, into output: inout [UInt8]) throws -> [EntityRef] {
        let (box, storage) = try tree(value)
        _ = box.write(into: &output)
        return storage.references
    }

    private static func tree<T: Encodable>(_ value: T) throws -> (Box, Storage) {
        let storage = Storage()
        let box = Box()
        try value.encode(to: ValueEncoder(box: box, storage: storage))
        return (box, storage)
    }

    /// One node while it is built. Members and items live in the box's own arrays, so adding one
    /// never copies its siblings.
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

        // MARK: Bytes

        enum Shape { case scalar, object, list }

        /// Appends this node's canonical bytes, the same as `finishValue()?.write(into:)`, and returns
        /// what was written, or `nil` (and nothing appended) when the node is empty in canonical form.
        func write(into output: inout [UInt8]) -> Shape? {
            switch kind {
            case .empty: return nil
            case .bool:
                output.append(contentsOf: flag ? "true".utf8 : "false".utf8)
                return .scalar
            case .int:
                output.append(contentsOf: String(number).utf8)
                return .scalar
            case .string:
                let normalized = CanonicalValue.normalize(text)
                guard !normalized.isEmpty else { return nil }
                CanonicalValue.writeString(normalized, into: &output)
                return .scalar
            case .keyed:
                let start = output.count
                output.append(UInt8(ascii: "{"))
                var wrote = false
                for index in keys.indices.sorted(by: { keys[$0] < keys[$1] }) where keys[index] != "source" {
                    let mark = output.count
                    if wrote { output.append(UInt8(ascii: ",")) }
                    CanonicalValue.writeString(keys[index], into: &output)
                    output.append(UInt8(ascii: ":"))
                    if children[index].write(into: &output) == nil {
                        output.removeSubrange(mark...)
                    } else {
                        wrote = true
                    }
                }
                guard wrote else {
                    output.removeSubrange(start...)
                    return nil
                }
                output.append(UInt8(ascii: "}"))
                return .object
            case .unkeyed:
                var items: [(shape: Shape, bytes: [UInt8])] = []
                items.reserveCapacity(children.count)
                for child in children {
                    var bytes: [UInt8] = []
                    if let shape = child.write(into: &bytes) { items.append((shape, bytes)) }
                }
                guard let first = items.first?.shape else { return nil }
                if first != .scalar && items.allSatisfy({ $0.shape == first }) {
                    items.sort { $0.bytes.lexicographicallyPrecedes($1.bytes) }
                }
                output.append(UInt8(ascii: "["))
                for (index, item) in items.enumerated() {
                    if index > 0 { output.append(UInt8(ascii: ",")) }
                    output.append(contentsOf: item.bytes)
                }
                output.append(UInt8(ascii: "]"))
                return .list
            }
        }
    }

    struct ValueEncoder: Encoder {
        let box: Box
        let storage: Storage
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            box.makeKeyed()
            return KeyedEncodingContainer(Keyed<Key>(box: box, storage: storage))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            box.makeUnkeyed()
            return Unkeyed(box: box, storage: storage)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(box: box, storage: storage) }
    }

    static func encodeNested<T: Encodable>(_ value: T, into box: Box, storage: Storage) throws {
        if let ref = value as? EntityRef { storage.references.append(ref) }
        switch value {
        case let text as String: box.set(text)
        case let flag as Bool: box.set(flag)
        case let number as Int: box.set(number)
        default: try value.encode(to: ValueEncoder(box: box, storage: storage))
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Box
        let storage: Storage
        var codingPath: [any CodingKey] { [] }

        func child(_ key: Key) -> Box { box.member(key.stringValue) }

        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).set(value) }
        mutating func encode(_ value: String, forKey key: Key) throws { child(key).set(value) }
        mutating func encode(_ value: Int, forKey key: Key) throws { child(key).set(value) }
        mutating func encode(_ value: Double, forKey key: Key) throws { child(key).set("\(value)") }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try CanonicalEncoder.encodeNested(value, into: child(key), storage: storage)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let box = child(key)
            box.makeKeyed()
            return KeyedEncodingContainer(Keyed<NestedKey>(box: box, storage: storage))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let box = child(key)
            box.makeUnkeyed()
            return Unkeyed(box: box, storage: storage)
        }
        mutating func superEncoder() -> any Encoder { ValueEncoder(box: box, storage: storage) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(box: child(key), storage: storage) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: Box
        let storage: Storage
        var codingPath: [any CodingKey] { [] }
        var count: Int { box.kind == .unkeyed ? box.children.count : 0 }

        mutating func encodeNil() throws {}
        mutating func encode(_ value: Bool) throws { box.item().set(value) }
        mutating func encode(_ value: String) throws { box.item().set(value) }
        mutating func encode(_ value: Int) throws { box.item().set(value) }
        mutating func encode(_ value: Double) throws { box.item().set("\(value)") }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try CanonicalEncoder.encodeNested(value, into: box.item(), storage: storage)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            let box = box.item()
            box.makeKeyed()
            return KeyedEncodingContainer(Keyed<NestedKey>(box: box, storage: storage))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let box = box.item()
            box.makeUnkeyed()
            return Unkeyed(box: box, storage: storage)
        }
        mutating func superEncoder() -> any Encoder { ValueEncoder(box: box.item(), storage: storage) }
    }

    struct Single: SingleValueEncodingContainer {
        let box: Box
        let storage: Storage
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil() throws {}
        mutating func encode(_ value: Bool) throws { box.set(value) }
        mutating func encode(_ value: String) throws { box.set(value) }
        mutating func encode(_ value: Int) throws { box.set(value) }
        mutating func encode(_ value: Double) throws { box.set("\(value)") }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try CanonicalEncoder.encodeNested(value, into: box, storage: storage)
        }
    }
}
