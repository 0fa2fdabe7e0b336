/// What became of the non-empty elements of a source: each one is *carried* into the canonical
/// model, *declared* not carried (with a reason that lives as data in `Mappings/`), or
/// *unaccounted*. A source is accounted for when nothing is unaccounted.
///
/// Elements are counted by their *element path*: a position with its occurrence numbers left out,
/// so counts add up across units and runs, and no path names a value:
///
/// - HL7 v2: segment, field and component, `PID-5.2`; a subcomponent `PID-3.4.1`; every repetition
///   and every occurrence of the segment counts under the one path;
/// - C-CDA: the XPath of an element's text or of an attribute, without positions or predicates,
///   `/ClinicalDocument/recordTarget/patientRole/patient/name/given`,
///   `/ClinicalDocument/recordTarget/patientRole/patient/administrativeGenderCode/@code`;
/// - CSV: the profile's table and the column header, `patients:BIRTHDATE`.
///
///     var account = SourceAccount()
///     account.carry("PID-5.1")
///     account.declare("MSH-2", reason: "encoding characters: structure, not data")
///     account.leave("ZPI-3.1")
///     account.totals        // carried 1, declared 1, unaccounted 1
///     account.isComplete    // false
public struct SourceAccount: Sendable, Hashable, Codable {
    /// Element path -> elements carried into the canonical model.
    public private(set) var carried: [String: Int] = [:]
    /// Element path -> elements declared not carried.
    public private(set) var declared: [String: Int] = [:]
    /// Element path -> elements neither carried nor declared.
    public private(set) var unaccounted: [String: Int] = [:]
    /// Element path -> why it is not carried, for every declared path (mapping data, never a value).
    public private(set) var reasons: [String: String] = [:]

    public init() {}

    /// One or more elements at `path` reached the canonical model.
    public mutating func carry(_ path: String, count: Int = 1) {
        carried[path, default: 0] += count
    }

    /// One or more elements at `path` are not carried, for a stated reason.
    public mutating func declare(_ path: String, reason: String, count: Int = 1) {
        declared[path, default: 0] += count
        if reasons[path] == nil { reasons[path] = reason }
    }

    /// One or more elements at `path` are neither carried nor declared: lost unless a mapping or a
    /// declaration is added.
    public mutating func leave(_ path: String, count: Int = 1) {
        unaccounted[path, default: 0] += count
    }

    /// Adds another account's counts (another unit, another run).
    public mutating func add(_ other: SourceAccount) {
        for (path, count) in other.carried { carried[path, default: 0] += count }
        for (path, count) in other.declared { declared[path, default: 0] += count }
        for (path, count) in other.unaccounted { unaccounted[path, default: 0] += count }
        for (path, reason) in other.reasons where reasons[path] == nil { reasons[path] = reason }
    }

    /// Whether every non-empty element was carried or declared.
    public var isComplete: Bool { unaccounted.isEmpty }

    /// Counts of elements by fate.
    public struct Totals: Sendable, Hashable, Codable {
        public var carried: Int
        public var declared: Int
        public var unaccounted: Int
        public var all: Int { carried + declared + unaccounted }

        public init(carried: Int, declared: Int, unaccounted: Int) {
            self.carried = carried
            self.declared = declared
            self.unaccounted = unaccounted
        }
    }

    public var totals: Totals {
        Totals(
            carried: carried.values.reduce(0, +), declared: declared.values.reduce(0, +),
            unaccounted: unaccounted.values.reduce(0, +))
    }

    /// Whether nothing was counted at all (a source that was not accounted).
    public var isEmpty: Bool { carried.isEmpty && declared.isEmpty && unaccounted.isEmpty }
}
