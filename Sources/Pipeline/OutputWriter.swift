import ClinicalModel
import FHIRR4
import Foundation
import PHISafety

/// Writes converted records: one bundle file per unit, or NDJSON appended per resource type.
///
/// With a `RecordPolicy`, every record passes through it (minimum-necessary limits, then
/// de-identification) before it is emitted. With a sealing key, every byte is encrypted in memory
/// before it touches the disk (see `SealedFile`): a bundle is sealed and then written atomically as
/// `<name>.json.enc`; NDJSON lines for one record become one sealed chunk appended to
/// `<Type>.ndjson.enc`, and `finish()` appends each file's final chunk.
public final class OutputWriter {
    let directory: URL?
    let ndjson: Bool
    public let policy: RecordPolicy
    let sealingKey: DataKey?
    private var handles: [String: FileHandle] = [:]
    /// Next chunk index per sealed NDJSON file.
    private var chunkIndex: [String: UInt64] = [:]
    /// Every file written in this run (paths), for the audit trail.
    public private(set) var writtenPaths: [String] = []
    private var finished = false
    /// Bundle names written in this run: two inputs with one name (`a/CCD.xml`, `b/CCD.xml`) must not
    /// overwrite each other.
    private var written: Set<String> = []

    public init(directory: String?, ndjson: Bool, policy: RecordPolicy = RecordPolicy(), sealingKey: DataKey? = nil) throws {
        self.directory = directory.map { URL(fileURLWithPath: $0) }
        self.ndjson = ndjson
        self.policy = policy
        self.sealingKey = sealingKey
        if let url = self.directory {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
    }

    deinit {
        try? finish()
    }

    /// Closes the NDJSON files; sealed ones get their final chunk. Idempotent.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        defer { for handle in handles.values { try? handle.close() } }
        if let sealingKey {
            for (type, handle) in handles.sorted(by: { $0.key < $1.key }) {
                let final = SealedFile.chunk(
                    [], index: chunkIndex[type] ?? 0, final: true, header: SealedFile.header(sealingKey), key: sealingKey)
                try handle.write(contentsOf: final)
                try handle.synchronize()
            }
        }
    }

    /// The bytes of one bundle of all records (standard output), through the policy and sealed when
    /// a key is set; with the resources written by type and the emitter's diagnostics.
    public func combinedOutput(_ records: [ClinicalRecord], engine: Engine) -> (
        bytes: [UInt8], resources: [String: Int], diagnostics: [Diagnostic]
    ) {
        let (bundle, diagnostics) = engine.bundle(records.map(policy.apply))
        var bytes = JSONWriter(style: .pretty).bytes(.object(bundle))
        bytes.append(0x0A)
        if let sealingKey { bytes = SealedFile.seal(bytes, key: sealingKey) }
        return (bytes, Self.resourceCounts(.object(bundle)), diagnostics)
    }

    /// Writes one record; returns the resources written by type and the emitter's diagnostics.
    public func write(_ record: ClinicalRecord, engine: Engine, stem: String, unitCount: Int, index: Int) throws
        -> (resources: [String: Int], diagnostics: [Diagnostic])
    {
        guard let directory else { return ([:], []) }
        let record = policy.apply(record)
        let stem = policy.deidentifier?.pseudonymStem(stem) ?? stem
        let suffix = sealingKey == nil ? "" : ".enc"
        if ndjson {
            let (resources, diagnostics) = engine.bundleBuilder.resources(record)
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
                let handle = try handle(for: type, in: directory, suffix: suffix)
                if let sealingKey {
                    let index = chunkIndex[type] ?? 0
                    try handle.write(
                        contentsOf: SealedFile.chunk(
                            bytes, index: index, final: false, header: SealedFile.header(sealingKey), key: sealingKey))
                    chunkIndex[type] = index + 1
                } else {
                    try handle.write(contentsOf: bytes)
                }
            }
            return (counts, diagnostics)
        }
        let base = unitCount > 1 ? "\(stem).\(index)" : stem
        var name = "\(base).json"
        var counter = 2
        while written.contains(name) {
            name = "\(base)-\(counter).json"
            counter += 1
        }
        written.insert(name)
        let (bundle, diagnostics) = engine.bundle([record])
        var bytes = JSONWriter(style: .pretty).bytes(.object(bundle))
        // sealed in memory first: the atomic write's temporary file holds ciphertext only
        if let sealingKey { bytes = SealedFile.seal(bytes, key: sealingKey) }
        // atomic: a run killed half-way leaves no truncated bundle (delta runs rewrite it on restart)
        let url = directory.appendingPathComponent(name + suffix)
        try Data(bytes).write(to: url, options: .atomic)
        writtenPaths.append(url.path)
        return (Self.resourceCounts(.object(bundle)), diagnostics)
    }

    private func handle(for type: String, in directory: URL, suffix: String) throws -> FileHandle {
        if let handle = handles[type] { return handle }
        let url = directory.appendingPathComponent("\(type).ndjson" + suffix)
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
                // continue a sealed file: drop its final chunk, go on with the next index
                let point = try SealedFile.appendPoint(existing, key: sealingKey)
                try handle.truncate(atOffset: UInt64(point.size))
                try handle.seek(toOffset: UInt64(point.size))
                chunkIndex[type] = point.chunks
            }
        } else {
            try handle.seekToEnd()
        }
        handles[type] = handle
        writtenPaths.append(url.path)
        return handle
    }

    /// Resources by type in a bundle.
    public static func resourceCounts(_ bundle: JSON) -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in bundle["entry"]?.arrayValue ?? [] {
            if let type = entry["resource"]?["resourceType"]?.stringValue { counts[type, default: 0] += 1 }
        }
        return counts
    }
}
