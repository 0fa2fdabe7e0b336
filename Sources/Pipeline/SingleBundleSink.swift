import ClinicalModel
import FHIRR4
import Foundation
import PHISafety

/// One bundle of every unit's records, built when the run finishes: `convert` without `--out`
/// (pretty JSON and a newline on standard output, sealed with a key) and the HTTP `/convert`
/// response (compact JSON, kept in `bytes`). Nothing is written when no unit had records.
public final class SingleBundleSink: RecordSink {
    /// Where the bundle goes.
    public enum Destination: Sendable {
        /// Pretty JSON and a newline on standard output.
        case standardOutput
        /// Compact JSON, kept in `bytes`.
        case memory
    }

    let emitter: FHIREmitter
    let destination: Destination
    let sealingKey: DataKey?
    private var records: [ClinicalRecord] = []
    /// The bundle's bytes once `finish()` has run (as written, sealed with a key).
    public private(set) var bytes: [UInt8]?
    public private(set) var outputs: [SinkOutput] = []

    public init(emitter: FHIREmitter, destination: Destination, sealingKey: DataKey? = nil) {
        self.emitter = emitter
        self.destination = destination
        self.sealingKey = sealingKey
    }

    public func write(_ record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        records.append(record)
        return .none
    }

    public func finish() throws -> Emission {
        guard !records.isEmpty, bytes == nil else { return .none }
        let (bundle, diagnostics) = emitter.bundle(records)
        records = []
        var bytes: [UInt8]
        switch destination {
        case .standardOutput:
            bytes = JSONWriter(style: .pretty).bytes(.object(bundle))
            bytes.append(0x0A)
        case .memory:
            bytes = JSONWriter(style: .compact).bytes(.object(bundle))
        }
        if let sealingKey { bytes = SealedFile.seal(bytes, key: sealingKey) }
        self.bytes = bytes
        if destination == .standardOutput { try FileHandle.standardOutput.write(contentsOf: bytes) }
        outputs.append(.stream(digest: sha256Hex(bytes), size: bytes.count))
        return Emission(resources: FHIREmitter.resourceCounts(.object(bundle)), diagnostics: diagnostics)
    }
}

/// Canonical records kept in memory, in unit order (`reconcile` and `render` read them).
public final class CollectingSink: RecordSink {
    public private(set) var records: [ClinicalRecord] = []
    public var outputs: [SinkOutput] { [] }

    public init() {}

    public func write(_ record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        records.append(record)
        return .none
    }

    public func finish() throws -> Emission { .none }
}
