import ClinicalModel
import FHIRR4

/// Where a unit's records go once the record policy has been applied (`ConversionPipeline`
/// applies it, in one place, before any sink sees a record).
///
/// Conformers today: `BundleFileSink` (one bundle file per unit), `NDJSONSink` (one file per
/// resource type), `SingleBundleSink` (one bundle of everything: standard output, an HTTP
/// response), `CollectingSink` (canonical records in memory, for `reconcile` and `render`); each
/// file sink seals what it writes when given a key (`--encrypt`). A FHIR server, or NDJSON on
/// standard output for a Spark pipe, is one more conformer.
///
///     let sink = try NDJSONSink(directory: out, emitter: engine.emitter)
///     let emitted = try sink.write(record, origin: origin)   // resources by type, diagnostics
///     _ = try sink.finish()
public protocol RecordSink: AnyObject {
    /// Writes one unit's records.
    ///
    /// - Returns: the resources written, by type, and the emitter's diagnostics (empty for a sink
    ///   that writes only in `finish()`).
    /// - Throws: when the output cannot be written (an I/O error for the unit).
    func write(_ record: ClinicalRecord, origin: UnitOrigin) throws -> Emission

    /// Writes what the sink held back and closes its files. Called once, after the last unit.
    func finish() throws -> Emission

    /// What the sink wrote so far (files by path, streams by digest), for the audit trail.
    var outputs: [SinkOutput] { get }

    /// The part of `write` that depends on the record alone (making FHIR JSON, sealing), as a
    /// function safe to call on any thread: `convert --jobs N` runs it in the workers and then
    /// `write(_:origin:)` with its result in unit order. `nil` (the default): `write` does it all.
    var preparer: (@Sendable (ClinicalRecord) -> PreparedRecord)? { get }

    /// Writes one unit's records that `preparer` made ready; same result as `write(record, origin:)`.
    func write(_ prepared: PreparedRecord, origin: UnitOrigin) throws -> Emission
}

extension RecordSink {
    public var preparer: (@Sendable (ClinicalRecord) -> PreparedRecord)? { nil }

    public func write(_ prepared: PreparedRecord, origin: UnitOrigin) throws -> Emission {
        try write(prepared.record, origin: origin)
    }
}

/// A record with the sink's own work on it done ahead (see `RecordSink.preparer`).
public struct PreparedRecord: Sendable {
    public var record: ClinicalRecord
    /// The sink's encoding of the record (its own type).
    public var payload: (any Sendable)?

    public init(_ record: ClinicalRecord, payload: (any Sendable)? = nil) {
        self.record = record
        self.payload = payload
    }
}

/// Where a unit came from, as output names need it.
public struct UnitOrigin: Sendable, Hashable {
    /// The input's name without its extension (already pseudonymised under `--deidentify`).
    public var stem: String
    /// 1-based position of the unit in its input.
    public var index: Int
    /// Whether the input holds this unit alone.
    public var isOnlyUnit: Bool

    public init(stem: String, index: Int, isOnlyUnit: Bool) {
        self.stem = stem
        self.index = index
        self.isOnlyUnit = isOnlyUnit
    }
}

/// What a sink emitted: FHIR resources by type and the emitter's diagnostics.
public struct Emission: Sendable {
    public var resources: [String: Int]
    public var diagnostics: [Diagnostic]

    public init(resources: [String: Int] = [:], diagnostics: [Diagnostic] = []) {
        self.resources = resources
        self.diagnostics = diagnostics
    }

    public static let none = Emission()
}

/// One output of a sink.
public enum SinkOutput: Sendable, Hashable {
    /// A file, by path.
    case file(path: String)
    /// Bytes that went to a stream (standard output, a response), by SHA-256 and size.
    case stream(digest: String, size: Int)
}
