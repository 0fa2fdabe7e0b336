import Foundation

/// A dictionary shared between threads that remembers results and stays bounded: once it holds
/// `capacity` entries, the next insertion empties it first. For pure functions whose inputs repeat
/// (the same code in every message, the same entity in every bundle), so memory stays flat however
/// many distinct inputs go by.
///
///     let squares = BoundedMemo<Int, Int>(capacity: 2)
///     squares[3] = 9
///     squares[3]            // 9
///     squares[4] = 16; squares[5] = 25
///     squares.count         // 1: it started again at the third insertion
public final class BoundedMemo<Key: Hashable, Value>: @unchecked Sendable {
    public let capacity: Int
    private let lock = NSLock()
    private var entries: [Key: Value] = [:]

    public init(capacity: Int) {
        precondition(capacity > 0, "a memo needs room for one entry")
        self.capacity = capacity
    }

    public subscript(key: Key) -> Value? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return entries[key]
        }
        set {
            lock.lock()
            defer { lock.unlock() }
            guard let newValue else {
                entries[key] = nil
                return
            }
            if entries.count >= capacity && entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = newValue
        }
    }

    /// The remembered value, or `make()`'s, remembered. `make` runs outside the lock: two threads
    /// meeting the same new key both compute it, and either result is kept (they are equal).
    public func value(for key: Key, _ make: () throws -> Value) rethrows -> Value {
        if let known = self[key] { return known }
        let value = try make()
        self[key] = value
        return value
    }

    /// Entries held now.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }
}
