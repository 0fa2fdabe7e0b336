public import ClinicalModel
import FHIRMapping

/// Minimum necessary (45 CFR §164.502(b)): limits output to chosen FHIR resource types and a date range.
///
/// - Types: only records whose FHIR resource type is listed are kept. A Patient is kept whenever a
///   kept record refers to it, even if `Patient` is not listed (a clinical resource without its
///   subject is useless and a dangling subject reference would name an identifier). References from
///   kept records to records of unlisted types are removed.
/// - Dates: clinical records (encounters, conditions, allergies, procedures, immunizations,
///   medications, orders, specimens, observations, reports, documents, appointments, care plans,
///   imaging studies) whose clinical date lies outside `since`…`until` (inclusive, by calendar date,
///   ignoring time zones) are dropped; a partial date (`2024`, `2024-03`) is kept when the period it
///   covers overlaps the range; records without a clinical date are kept. Patients, people,
///   organizations, locations, coverages and links are never dropped by date. References to records
///   dropped by date are removed.
///
///     let filter = try RecordFilter(types: ["Patient", "Observation"], since: "2024-01-01", until: nil)
///     let limited = filter.apply(record)
public struct RecordFilter: Sendable, Hashable {
    public let kinds: Set<EntityKind>?
    public let since: String?
    public let until: String?

    /// - Throws: `RecordFilterError` naming the first unknown type or a date that is not `YYYY[-MM[-DD]]`.
    public init(types: [String]?, since: String?, until: String?) throws(RecordFilterError) {
        if let types {
            var kinds = Set<EntityKind>()
            for type in types {
                let trimmed = type.trimmingSpaces()
                guard let kind = EntityKind.allCases.first(where: { $0.fhirResourceType == trimmed }) else {
                    throw RecordFilterError(description: "unknown resource type for --types: \(trimmed)")
                }
                kinds.insert(kind)
            }
            self.kinds = kinds
        } else {
            kinds = nil
        }
        for date in [since, until].compactMap({ $0 }) {
            guard date.range(of: #"^[0-9]{4}(-[0-1][0-9](-[0-3][0-9])?)?$"#, options: .regularExpression) != nil else {
                throw RecordFilterError(description: "--since and --until take a date as YYYY-MM-DD")
            }
        }
        self.since = since.map { Self.lowerBound($0) }
        self.until = until.map { Self.upperBound($0) }
    }

    /// True when the filter changes nothing.
    public var isEmpty: Bool { kinds == nil && since == nil && until == nil }

    /// The limited record.
    public func apply(_ record: ClinicalRecord) -> ClinicalRecord {
        guard !isEmpty else { return record }
        var copy = record
        // 1. dates (each kind's `clinicalDate`; kinds without one are never dropped by date)
        struct DateFilter: EntityListVisitor {
            let filter: RecordFilter
            mutating func visit<Entity: ClinicalEntity>(_ entities: inout [Entity]) {
                entities.removeAll { !filter.inRange($0.clinicalDate) }
            }
        }
        var dates = DateFilter(filter: self)
        copy.visitLists(&dates)
        // 2. types (patients referenced by kept records stay)
        var referencedPatients = Set<EntityRef>()
        if let kinds {
            let typed = copy.keeping(Set(copy.allRefs.filter { kinds.contains($0.kind) }))
            referencedPatients = Set(typed.referencedRefs.filter { $0.kind == .patient })
            copy = copy.keeping(Set(copy.allRefs.filter { kinds.contains($0.kind) || referencedPatients.contains($0) }))
        }
        // 3. references to what was dropped here, or to excluded types
        let dropped = record.allRefs.subtracting(copy.allRefs)
        return copy.rewritingReferences { ref in
            if dropped.contains(ref) { return nil }
            if let kinds, !kinds.contains(ref.kind), ref.kind != .patient { return nil }
            return ref
        }
    }

    func inRange(_ value: ClinicalDateTime?) -> Bool {
        guard let value else { return true }
        let date = value.date
        if let since, Self.upperBound(date) < since { return false }
        if let until, Self.lowerBound(date) > until { return false }
        return true
    }

    /// The first day a partial date covers (`2024` -> `2024-01-01`).
    static func lowerBound(_ date: String) -> String {
        switch date.count {
        case 4: date + "-01-01"
        case 7: date + "-01"
        default: String(date.prefix(10))
        }
    }

    /// The last day a partial date covers (`2024-02` -> `2024-02-31`: only compared, never printed).
    static func upperBound(_ date: String) -> String {
        switch date.count {
        case 4: date + "-12-31"
        case 7: date + "-31"
        default: String(date.prefix(10))
        }
    }
}

public struct RecordFilterError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
