import ClinicalModel

/// Turns any `Encodable` canonical record into a `CanonicalValue` following canonical form v1,
/// and collects every `EntityRef` the record holds (for referential checks).
struct CanonicalEncoder {
    final class Storage {
        var references: [EntityRef] = []
    }

    static func encode<T: Encodable>(_ value: T) throws -> (CanonicalValue?, [EntityRef]) {
        let storage = Storage()
        let box = Box()
        let encoder = ValueEncoder(box: box, storage: storage)
        try value.encode(to: encoder)
        return (box.finish(), storage.references)
    }

    /// Holds one node while it is built.
    final class Box {
        enum Node {
            case empty
            case value(CanonicalValue)
            case keyed([String: Box])
            case unkeyed([Box])
        }
        var node: Node = .empty

        func finish() -> CanonicalValue? {
            switch node {
            case .empty: return nil
            case let .value(value):
                if case let .string(text) = value {
                    let normalized = CanonicalValue.normalize(text)
                    return normalized.isEmpty ? nil : .string(normalized)
                }
                return value
            case let .keyed(members):
                var result: [String: CanonicalValue] = [:]
                for (key, box) in members where key != "source" {
                    if let value = box.finish() { result[key] = value }
                }
                return result.isEmpty ? nil : .object(result)
            case let .unkeyed(items):
                var values = items.compactMap { $0.finish() }
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

    struct ValueEncoder: Encoder {
        let box: Box
        let storage: Storage
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .keyed = box.node {} else { box.node = .keyed([:]) }
            return KeyedEncodingContainer(Keyed<Key>(box: box, storage: storage))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .unkeyed = box.node {} else { box.node = .unkeyed([]) }
            return Unkeyed(box: box, storage: storage)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(box: box, storage: storage) }
    }

    static func encodeNested<T: Encodable>(_ value: T, into box: Box, storage: Storage) throws {
        if let ref = value as? EntityRef { storage.references.append(ref) }
        switch value {
        case let text as String: box.node = .value(.string(text))
        case let flag as Bool: box.node = .value(.bool(flag))
        case let number as Int: box.node = .value(.int(number))
        default: try value.encode(to: ValueEncoder(box: box, storage: storage))
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Box
        let storage: Storage
        var codingPath: [any CodingKey] { [] }

        func child(_ key: Key) -> Box {
            let child = Box()
            if case var .keyed(members) = box.node {
                members[key.stringValue] = child
                box.node = .keyed(members)
            }
            return child
        }

        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).node = .value(.bool(value)) }
        mutating func encode(_ value: String, forKey key: Key) throws { child(key).node = .value(.string(value)) }
        mutating func encode(_ value: Int, forKey key: Key) throws { child(key).node = .value(.int(value)) }
        mutating func encode(_ value: Double, forKey key: Key) throws { child(key).node = .value(.string("\(value)")) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try CanonicalEncoder.encodeNested(value, into: child(key), storage: storage)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let box = child(key)
            box.node = .keyed([:])
            return KeyedEncodingContainer(Keyed<NestedKey>(box: box, storage: storage))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let box = child(key)
            box.node = .unkeyed([])
            return Unkeyed(box: box, storage: storage)
        }
        mutating func superEncoder() -> any Encoder { ValueEncoder(box: box, storage: storage) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(box: child(key), storage: storage) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: Box
        let storage: Storage
        var codingPath: [any CodingKey] { [] }
        var count: Int {
            if case let .unkeyed(items) = box.node { return items.count }
            return 0
        }

        func append() -> Box {
            let child = Box()
            if case var .unkeyed(items) = box.node {
                items.append(child)
                box.node = .unkeyed(items)
            }
            return child
        }

        mutating func encodeNil() throws {}
        mutating func encode(_ value: Bool) throws { append().node = .value(.bool(value)) }
        mutating func encode(_ value: String) throws { append().node = .value(.string(value)) }
        mutating func encode(_ value: Int) throws { append().node = .value(.int(value)) }
        mutating func encode(_ value: Double) throws { append().node = .value(.string("\(value)")) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try CanonicalEncoder.encodeNested(value, into: append(), storage: storage)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            let box = append()
            box.node = .keyed([:])
            return KeyedEncodingContainer(Keyed<NestedKey>(box: box, storage: storage))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let box = append()
            box.node = .unkeyed([])
            return Unkeyed(box: box, storage: storage)
        }
        mutating func superEncoder() -> any Encoder { ValueEncoder(box: append(), storage: storage) }
    }

    struct Single: SingleValueEncodingContainer {
        let box: Box
        let storage: Storage
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil() throws {}
        mutating func encode(_ value: Bool) throws { box.node = .value(.bool(value)) }
        mutating func encode(_ value: String) throws { box.node = .value(.string(value)) }
        mutating func encode(_ value: Int) throws { box.node = .value(.int(value)) }
        mutating func encode(_ value: Double) throws { box.node = .value(.string("\(value)")) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try CanonicalEncoder.encodeNested(value, into: box, storage: storage)
        }
    }
}
