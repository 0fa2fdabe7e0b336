import ClinicalModel
import Crypto
import Foundation

/// Resources as NDJSON on a stream (`convert --ndjson` without `--out`: standard output), for a
/// `pipe` or `mapPartitions` stage that should need no files: one compact line per resource of
/// each unit, written in unit order as units arrive (in 256 KiB writes).
///
/// Unlike `NDJSONSink`'s files, which keep one line per resource id per run, a stream cannot take
/// a line back: a resource several units carry (a shared Practitioner, a Patient an A08 updates)
/// has a line per unit, in source order, so the last line of an id is its version in the run, as
/// a bulk loader that upserts by id keeps it.
public final class NDJSONStreamSink: RecordSink {
    let emitter: FHIREmitter
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private var size = 0
    public private(set) var outputs: [SinkOutput] = []

    public init(emitter: FHIREmitter, handle: FileHandle = .standardOutput) {
        self.emitter = emitter
        self.handle = handle
    }

    public func write(_ record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        try write(NDJSONSink.encode(record, emitter: emitter))
    }

    public var preparer: (@Sendable (ClinicalRecord) -> PreparedRecord)? {
        let emitter = emitter
        return { PreparedRecord($0, payload: NDJSONSink.encode($0, emitter: emitter)) }
    }

    public func write(_ prepared: PreparedRecord, origin: UnitOrigin) throws -> Emission {
        guard let encoded = prepared.payload as? NDJSONSink.Encoded else {
            return try write(prepared.record, origin: origin)
        }
        return try write(encoded)
    }

    func write(_ encoded: NDJSONSink.Encoded) throws -> Emission {
        for line in encoded.lines {
            buffer += line.bytes
            buffer.append(0x0A)
        }
        if buffer.count >= NDJSONSink.writeBuffer { try flush() }
        return Emission(resources: encoded.counts, diagnostics: encoded.diagnostics)
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        hasher.update(data: buffer)
        size += buffer.count
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    public func finish() throws -> Emission {
        try flush()
        outputs = [.stream(digest: lowercaseHex(hasher.finalize()), size: size)]
        return .none
    }
}
