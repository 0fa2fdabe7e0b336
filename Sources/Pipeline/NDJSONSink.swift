import ClinicalModel
import Crypto
import FHIRR4
import Foundation
import PHISafety

/// Resources appended to `<ResourceType>.ndjson`, one compact line each, for bulk loads. With a
/// key, the lines of one unit become one sealed chunk appended to `<Type>.ndjson.enc` (no plaintext
/// staging file), and `finish()` appends each file's final chunk; an existing sealed file is
/// continued after its last complete chunk (a chunk cut short by a killed run is dropped), and a
/// unit's chunk that the file already held, byte for byte, is not appended again (as many times
/// as it held it): rerunning a killed (or finished) run on the same input adds no duplicate lines.
public final class NDJSONSink: RecordSink {
    let directory: URL
    let emitter: FHIREmitter
    let sealingKey: DataKey?
    private var handles: [String: FileHandle] = [:]
    /// Next chunk index per sealed file.
    private var chunkIndex: [String: UInt64] = [:]
    /// Per sealed file, the chunks it held when this run opened it (SHA-256 of the plaintext, and
    /// how many times), each skipped once when this run writes it again.
    private var heldChunks: [String: [SHA256Digest: Int]] = [:]
    private var finished = false
    public private(set) var outputs: [SinkOutput] = []

    /// - Throws: when the folder cannot be created.
    public init(directory: URL, emitter: FHIREmitter, sealingKey: DataKey? = nil) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.emitter = emitter
        self.sealingKey = sealingKey
    }

    deinit {
        _ = try? finish()
    }

    public func write(_ record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        let (resources, diagnostics) = emitter.resources(record)
        var counts: [String: Int] = [:]
        var lines: [String: [UInt8]] = [:]
        var order: [String] = []
        for resource in resources {
            let type = resource["resourceType"]?.stringValue ?? "Resource"
            counts[type, default: 0] += 1
            var line = JSONWriter(style: .compact).bytes(.object(resource))
            line.append(0x0A)
            if lines[type] == nil { order.append(type) }
            lines[type, default: []] += line
        }
        for type in order {
            guard let bytes = lines[type] else { continue }
            let handle = try handle(for: type)
            if let sealingKey {
                let digest = SHA256.hash(data: bytes)
                if let held = heldChunks[type]?[digest], held > 0 {
                    heldChunks[type]?[digest] = held - 1
                    continue
                }
                let index = chunkIndex[type] ?? 0
                try handle.write(
                    contentsOf: SealedFile.chunk(
                        bytes, index: index, final: false, header: SealedFile.header(sealingKey), key: sealingKey))
                chunkIndex[type] = index + 1
            } else {
                try handle.write(contentsOf: bytes)
            }
        }
        return Emission(resources: counts, diagnostics: diagnostics)
    }

    /// Closes the files; sealed ones get their final chunk. Idempotent.
    public func finish() throws -> Emission {
        guard !finished else { return .none }
        finished = true
        defer { for handle in handles.values { try? handle.close() } }
        if let sealingKey {
            for (type, handle) in handles.sorted(by: { $0.key < $1.key }) {
                let final = SealedFile.chunk(
                    [], index: chunkIndex[type] ?? 0, final: true, header: SealedFile.header(sealingKey),
                    key: sealingKey)
                try handle.write(contentsOf: final)
                try handle.synchronize()
            }
        }
        return .none
    }

    private func handle(for type: String) throws -> FileHandle {
        if let handle = handles[type] { return handle }
        let url = directory.appendingPathComponent("\(type).ndjson" + (sealingKey == nil ? "" : ".enc"))
        var existing: [UInt8] = []
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(
                atPath: url.path, contents: nil, attributes: sealingKey == nil ? nil : [.posixPermissions: 0o600])
        } else if sealingKey != nil {
            existing = Array(try Data(contentsOf: url))
        }
        let handle = try FileHandle(forWritingTo: url)
        if let sealingKey {
            if existing.isEmpty {
                try handle.write(contentsOf: SealedFile.header(sealingKey))
                chunkIndex[type] = 0
            } else {
                // continue a sealed file: drop its final chunk (or a torn last one), go on with the next index
                let point = try SealedFile.resumePoint(existing, key: sealingKey)
                try handle.truncate(atOffset: UInt64(point.size))
                try handle.seek(toOffset: UInt64(point.size))
                chunkIndex[type] = UInt64(point.chunks.count)
                heldChunks[type] = point.chunks.reduce(into: [:]) { $0[SHA256.hash(data: $1), default: 0] += 1 }
            }
        } else {
            try handle.seekToEnd()
        }
        handles[type] = handle
        outputs.append(.file(path: url.path))
        return handle
    }
}
