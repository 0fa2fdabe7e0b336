import CanonicalHash
import ClinicalModel
import Foundation

/// One patient's records from the source and from FHIR read back, paired by record key and
/// compared by canonical digest (the same digests `fhirbridge reconcile` compares).
public struct ChartComparison: Sendable {
    public enum Status: String, Sendable, Comparable {
        case changed, missingInFHIR, onlyInFHIR, same

        var order: Int {
            switch self {
            case .changed: 0
            case .missingInFHIR: 1
            case .onlyInFHIR: 2
            case .same: 3
            }
        }
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.order < rhs.order }

        var text: String {
            switch self {
            case .changed: "✗ differs"
            case .missingInFHIR: "✗ missing in FHIR"
            case .onlyInFHIR: "✗ only in FHIR"
            case .same: "✓ same"
            }
        }

        var cssClass: String {
            switch self {
            case .changed: "status-changed"
            case .missingInFHIR: "status-missing"
            case .onlyInFHIR: "status-extra"
            case .same: "status-same"
            }
        }
    }

    public struct Pair: Sendable {
        public var ref: EntityRef
        public var source: (any ClinicalEntity)?
        public var fhir: (any ClinicalEntity)?
        public var sourceDigest: String?
        public var fhirDigest: String?
        /// Top-level fields whose stored values differ (a hint for the reader; the digests decide).
        public var differingFields: [String] = []

        public var status: Status {
            switch (sourceDigest, fhirDigest) {
            case (let left?, let right?): left == right ? .same : .changed
            case (_?, nil): .missingInFHIR
            default: .onlyInFHIR
            }
        }
    }

    /// The page id shared by both sides' charts.
    public var id: String
    public var source: PatientChart?
    public var fhir: PatientChart?
    /// Every record of the patient on either side, most serious difference first, then by kind.
    public var pairs: [Pair]

    /// Records that differ or are missing on one side.
    public var differingCount: Int { pairs.filter { $0.status != .same }.count }

    public init(id: String, source: PatientChart?, fhir: PatientChart?) {
        self.id = id
        self.source = source
        self.fhir = fhir
        var pairs: [EntityRef: Pair] = [:]
        for entity in source?.entities ?? [] {
            pairs[entity.ref] = Pair(
                ref: entity.ref, source: entity, sourceDigest: CanonicalHasher.digest(entity).digest)
        }
        for entity in fhir?.entities ?? [] {
            var pair = pairs[entity.ref] ?? Pair(ref: entity.ref)
            pair.fhir = entity
            pair.fhirDigest = CanonicalHasher.digest(entity).digest
            if let left = pair.source, pair.status == .changed {
                pair.differingFields = Self.differingFields(left, entity)
            }
            pairs[entity.ref] = pair
        }
        self.pairs = pairs.values.sorted { ($0.ref.kind, $0.status, $0.ref.key) < ($1.ref.kind, $1.status, $1.ref.key) }
    }

    /// Pairs the charts of two books by page id (both derive it from the patient's record key).
    public static func compare(source: ChartBook, fhir: ChartBook) -> [ChartComparison] {
        var sourceByID: [String: PatientChart] = [:]
        var fhirByID: [String: PatientChart] = [:]
        for chart in source.charts { sourceByID[chart.id] = chart }
        for chart in fhir.charts { fhirByID[chart.id] = chart }
        return Set(sourceByID.keys).union(fhirByID.keys).sorted().map {
            ChartComparison(id: $0, source: sourceByID[$0], fhir: fhirByID[$0])
        }
    }

    /// The comparison page's file name for a page id.
    public static func pageName(_ id: String) -> String { "\(id).compare.html" }

    /// Names of the top-level fields (other than `source`) whose JSON encodings differ.
    static func differingFields(_ left: any ClinicalEntity, _ right: any ClinicalEntity) -> [String] {
        guard let leftFields = fields(left), let rightFields = fields(right) else { return [] }
        return Set(leftFields.keys).union(rightFields.keys).filter {
            $0 != "source" && leftFields[$0] != rightFields[$0]
        }.sorted()
    }

    static func fields<T: Encodable>(_ entity: T) -> [String: Data]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(entity),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        var result: [String: Data] = [:]
        for (key, value) in object {
            result[key] = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        }
        return result
    }
}
