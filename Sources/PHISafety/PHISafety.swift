public import ClinicalModel

/// What happens to each record before it is emitted: minimum-necessary limits first (on the real
/// dates), then de-identification. `Pipeline.ConversionPipeline` applies it to every record before any
/// sink sees it (files, NDJSON, standard output, the server's responses and bundles).
///
///     let policy = RecordPolicy(filter: try RecordFilter(types: ["Patient"], since: nil, until: nil),
///                               deidentifier: Deidentifier(key: key))
///     let safe = policy.apply(record)
public struct RecordPolicy: Sendable {
    public var filter: RecordFilter?
    public var deidentifier: Deidentifier?

    public init(filter: RecordFilter? = nil, deidentifier: Deidentifier? = nil) {
        self.filter = filter
        self.deidentifier = deidentifier
    }

    public var isEmpty: Bool { (filter?.isEmpty ?? true) && deidentifier == nil }

    public func apply(_ record: ClinicalRecord) -> ClinicalRecord {
        var result = record
        if let filter { result = filter.apply(result) }
        if let deidentifier { result = deidentifier.apply(result) }
        return result
    }
}
