/// The record keys taken in one source unit (a message, a document), so that no two records of a
/// unit share a key: a key that is empty or already taken gets the record's position in the unit
/// added, then a counter if that is taken too. Each reader keeps one per unit.
///
///     var keys = UnitKeys()
///     keys.unique(EntityRef(.observation, key: "A"), position: "OBX[1]")   // key "A"
///     keys.unique(EntityRef(.observation, key: "A"), position: "OBX[2]")   // key "A|OBX[2]"
public struct UnitKeys: Sendable {
    private var taken: Set<EntityRef> = []

    public init() {}

    /// `ref` when its key is non-empty and free, else `ref` with `position` (and a counter) added;
    /// either way the returned key is taken. `position` is only built when needed.
    public mutating func unique(_ ref: EntityRef, position: @autoclosure () -> String) -> EntityRef {
        if !ref.key.isEmpty, taken.insert(ref).inserted { return ref }
        let position = position()
        var candidate = EntityRef(ref.kind, parts: [ref.key, position])
        var counter = 2
        while taken.contains(candidate) {
            candidate = EntityRef(ref.kind, parts: [ref.key, position, String(counter)])
            counter += 1
        }
        taken.insert(candidate)
        return candidate
    }

    /// Marks `ref` as taken (a record added under a key known to be its own).
    public mutating func take(_ ref: EntityRef) { taken.insert(ref) }
}
