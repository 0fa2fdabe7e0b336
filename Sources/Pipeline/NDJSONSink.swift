import ClinicalModel
import Crypto
import FHIRR4
import Foundation
import PHISafety

/// Resources written to `<ResourceType>.ndjson`, one compact line each, for bulk loads: one line
/// per resource id per run, the last version in source order (an A08 after the A04 of one patient,
/// the second of two C-CDA documents of one patient).
///
/// A run owns its NDJSON files. Lines go to hidden `.<Type>.ndjson.partial` files in the folder as
/// units arrive; `finish()` drops the lines a later unit superseded and then renames each partial
/// file to `<Type>.ndjson`, replacing the file of an earlier run, and removes the `<Type>.ndjson`
/// (or `.ndjson.enc`) files of earlier runs for types this run did not write. A run that is killed
/// leaves the earlier run's files as they were (and partial files that the next run replaces), so
/// running again never appends a second copy.
///
/// Deduplication keeps memory bounded: each line's id (its 128 bits: the id is a name-based
/// UUID) goes to an index that is sorted in runs on disk when large (`ExternalSorter`), and only the
/// lines found superseded at the end are remembered (a bit per line). Files with no superseded line
/// are renamed as written; the others are copied once without those lines.
///
/// With a key, lines are sealed in chunks of about 256 KiB (`SealedFile`) as they are written (no
/// plaintext staging file) into `<Type>.ndjson.enc`, and compaction re-seals them chunk by chunk.
public final class NDJSONSink: RecordSink {
    let directory: URL
    let emitter: FHIREmitter
    let sealingKey: DataKey?
    /// Index entries held in memory before a sorted run goes to disk (24 bytes each).
    let indexRunCapacity: Int

    /// One resource type's output.
    final class TypeFile {
        let type: String
        let handle: FileHandle
        let partial: URL
        var buffer: [UInt8] = []
        var lines: UInt32 = 0
        var chunkIndex: UInt64 = 0

        init(type: String, handle: FileHandle, partial: URL) {
            self.type = type
            self.handle = handle
            self.partial = partial
        }
    }

    /// One line in the dedup index: the id's 128 bits, the type and the line's number in its file.
    struct IndexEntry: BitwiseCopyable, Comparable {
        var high: UInt64
        var low: UInt64
        var type: UInt16
        var line: UInt32

        static func < (lhs: IndexEntry, rhs: IndexEntry) -> Bool {
            (lhs.high, lhs.low, lhs.type, lhs.line) < (rhs.high, rhs.low, rhs.type, rhs.line)
        }
    }

    private var files: [TypeFile] = []
    private var typeIndex: [String: UInt16] = [:]
    private var index: ExternalSorter<IndexEntry>
    private let spillDirectory: URL
    private var finished = false
    public private(set) var outputs: [SinkOutput] = []

    /// Bytes buffered per file before they are written (and sealed).
    static let writeBuffer = 256 * 1024

    /// - Throws: when the folder cannot be created.
    public init(directory: URL, emitter: FHIREmitter, sealingKey: DataKey? = nil, indexRunCapacity: Int = 1 << 19)
        throws
    {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.emitter = emitter
        self.sealingKey = sealingKey
        self.indexRunCapacity = indexRunCapacity
        spillDirectory = directory.appendingPathComponent(".ndjson-index-\(UUID().uuidString)")
        index = ExternalSorter(directory: spillDirectory, runCapacity: indexRunCapacity)
    }

    deinit {
        _ = try? finish()
    }

    public var fileSuffix: String { sealingKey == nil ? ".ndjson" : ".ndjson.enc" }

    public func write(_ record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        try write(encode(record))
    }

    /// A unit's lines, made on any thread (`convert --jobs`): resources by type in emission order.
    public struct Encoded: Sendable {
        var lines: [(type: String, id: String, bytes: [UInt8])]
        var counts: [String: Int]
        var diagnostics: [Diagnostic]
    }

    /// The pure half of `write`: the record's resources as compact lines.
    public func encode(_ record: ClinicalRecord) -> Encoded {
        Self.encode(record, emitter: emitter)
    }

    static func encode(_ record: ClinicalRecord, emitter: FHIREmitter) -> Encoded {
        let (resources, diagnostics) = emitter.resources(record)
        var counts: [String: Int] = [:]
        var lines: [(type: String, id: String, bytes: [UInt8])] = []
        lines.reserveCapacity(resources.count)
        let writer = JSONWriter(style: .compact)
        for resource in resources {
            let type = resource["resourceType"]?.stringValue ?? "Resource"
            counts[type, default: 0] += 1
            lines.append((type, resource["id"]?.stringValue ?? "", writer.bytes(.object(resource))))
        }
        return Encoded(lines: lines, counts: counts, diagnostics: diagnostics)
    }

    public var preparer: (@Sendable (ClinicalRecord) -> PreparedRecord)? {
        let emitter = emitter
        return { PreparedRecord($0, payload: NDJSONSink.encode($0, emitter: emitter)) }
    }

    public func write(_ prepared: PreparedRecord, origin: UnitOrigin) throws -> Emission {
        guard let encoded = prepared.payload as? Encoded else { return try write(prepared.record, origin: origin) }
        return try write(encoded)
    }

    /// The ordered half of `write`: appends the lines and indexes their ids.
    public func write(_ encoded: Encoded) throws -> Emission {
        for line in encoded.lines {
            let file = try file(for: line.type)
            file.buffer += line.bytes
            file.buffer.append(0x0A)
            let (high, low) = Self.idBits(line.id)
            try index.add(IndexEntry(high: high, low: low, type: typeIndex[line.type] ?? 0, line: file.lines))
            file.lines += 1
            if file.buffer.count >= Self.writeBuffer { try flush(file, final: false) }
        }
        return Emission(resources: encoded.counts, diagnostics: encoded.diagnostics)
    }

    /// Drops superseded lines, puts the files in place and removes an earlier run's other files.
    /// Returns the superseded lines as negative counts, so that the run's resource totals are the
    /// lines in the files. Idempotent.
    public func finish() throws -> Emission {
        guard !finished else { return .none }
        finished = true
        defer { try? FileManager.default.removeItem(at: spillDirectory) }
        for file in files { try flush(file, final: true) }
        for file in files { try file.handle.close() }
        let superseded = try supersededLines()
        var counts: [String: Int] = [:]
        for (number, file) in files.enumerated() {
            let final = directory.appendingPathComponent(file.type + fileSuffix)
            if let dropped = superseded[number], !dropped.isEmpty {
                let compacted = directory.appendingPathComponent(".\(file.type)\(fileSuffix).compact")
                let removed = try compact(file.partial, into: compacted, dropping: dropped)
                counts[file.type] = -removed
                try? FileManager.default.removeItem(at: file.partial)
                try Self.replace(final, with: compacted)
            } else {
                try Self.replace(final, with: file.partial)
            }
            outputs.append(.file(path: final.path))
        }
        try removeEarlierRunFiles(keeping: Set(files.map(\.type)))
        return Emission(resources: counts)
    }

    // MARK: - Files

    private func file(for type: String) throws -> TypeFile {
        if let number = typeIndex[type] { return files[Int(number)] }
        let partial = directory.appendingPathComponent(".\(type)\(fileSuffix).partial")
        try? FileManager.default.removeItem(at: partial)  // a killed run's
        guard
            FileManager.default.createFile(
                atPath: partial.path, contents: nil,
                attributes: sealingKey == nil ? nil : [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
        let file = TypeFile(type: type, handle: try FileHandle(forWritingTo: partial), partial: partial)
        if let sealingKey { try file.handle.write(contentsOf: SealedFile.header(sealingKey)) }
        typeIndex[type] = UInt16(files.count)
        files.append(file)
        return file
    }

    /// Writes the buffered lines (sealed in chunks of at most 1 MiB with a key); `final` adds the
    /// sealed file's final chunk.
    private func flush(_ file: TypeFile, final: Bool) throws {
        guard let sealingKey else {
            if !file.buffer.isEmpty { try file.handle.write(contentsOf: file.buffer) }
            file.buffer.removeAll(keepingCapacity: !final)
            return
        }
        try writeSealed(file.buffer, to: file.handle, chunkIndex: &file.chunkIndex, final: final, key: sealingKey)
        file.buffer.removeAll(keepingCapacity: !final)
    }

    private func writeSealed(
        _ bytes: [UInt8], to handle: FileHandle, chunkIndex: inout UInt64, final: Bool, key: DataKey
    ) throws {
        let header = SealedFile.header(key)
        var start = 0
        while start < bytes.count {
            let end = min(start + SealedFile.maxChunk, bytes.count)
            let isLast = final && end == bytes.count
            try handle.write(
                contentsOf: SealedFile.chunk(
                    Array(bytes[start..<end]), index: chunkIndex, final: isLast, header: header, key: key))
            chunkIndex += 1
            start = end
            if isLast { return }
        }
        if final {
            try handle.write(contentsOf: SealedFile.chunk([], index: chunkIndex, final: true, header: header, key: key))
            chunkIndex += 1
        }
    }

    /// Renames `source` over `destination` (an earlier run's file is replaced).
    static func replace(_ destination: URL, with source: URL) throws {
        if rename(source.path, destination.path) != 0 { throw CocoaError(.fileWriteUnknown) }
    }

    /// Removes `<Type>.ndjson` and `<Type>.ndjson.enc` files for types this run did not write, and
    /// this run's type files in the other form (plain after a sealed run, or the reverse).
    private func removeEarlierRunFiles(keeping types: Set<String>) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names {
            for suffix in [".ndjson", ".ndjson.enc"] where name.hasSuffix(suffix) {
                let type = String(name.dropLast(suffix.count))
                guard Self.isResourceTypeName(type), !(types.contains(type) && suffix == fileSuffix) else { continue }
                try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            }
        }
    }

    /// A FHIR resource type's shape: an uppercase ASCII letter, then ASCII letters.
    static func isResourceTypeName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else { return false }
        return name.utf8.allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
        }
    }

    // MARK: - Deduplication

    /// The id's 128 bits: the hex digits of a UUID-shaped id, else the first 16 bytes of its SHA-256.
    static func idBits(_ id: String) -> (UInt64, UInt64) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        var shaped = id.utf8.count == 36
        if shaped {
            for byte in id.utf8 {
                let value: UInt64
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt64(byte - 48)
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = UInt64(byte - 87)
                case UInt8(ascii: "-"): continue
                default:
                    shaped = false
                    value = 0
                }
                if !shaped { break }
                if digits < 16 { high = high << 4 | value } else { low = low << 4 | value }
                digits += 1
            }
        }
        if shaped && digits == 32 { return (high, low) }
        let digest = Array(SHA256.hash(data: Array(id.utf8)))
        high = digest[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = digest[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        // keep hashed ids apart from UUID-shaped ones: a UUID's version nibble is 5, set it to 0 here
        return (high & ~0xF000, low)
    }

    /// Per type file, the line numbers that a later line with the same id supersedes.
    private func supersededLines() throws -> [Int: LineSet] {
        var result: [Int: LineSet] = [:]
        var merged = try index.sorted()
        var previous: IndexEntry?
        while let entry = try merged.next() {
            if let before = previous, before.high == entry.high, before.low == entry.low, before.type == entry.type {
                // same id and type, later line: the earlier one is superseded
                let number = Int(before.type)
                result[number, default: LineSet(count: Int(files[number].lines))].insert(Int(before.line))
            }
            previous = entry
        }
        return result
    }

    /// A set of line numbers as bits.
    struct LineSet {
        var words: [UInt64]
        var isEmpty = true

        init(count: Int) { words = [UInt64](repeating: 0, count: (count + 63) / 64) }

        mutating func insert(_ line: Int) {
            words[line / 64] |= 1 << UInt64(line % 64)
            isEmpty = false
        }

        func contains(_ line: Int) -> Bool { words[line / 64] & (1 << UInt64(line % 64)) != 0 }
    }

    /// Copies `source` into `destination` without the `dropping` lines; returns how many were dropped.
    private func compact(_ source: URL, into destination: URL, dropping: LineSet) throws -> Int {
        try? FileManager.default.removeItem(at: destination)
        guard
            FileManager.default.createFile(
                atPath: destination.path, contents: nil,
                attributes: sealingKey == nil ? nil : [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
        let output = try FileHandle(forWritingTo: destination)
        defer { try? output.close() }
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        var sealedReader: SealedFile.Reader?
        if let sealingKey {
            sealedReader = try SealedFile.Reader(handle: input, key: sealingKey)
            try output.write(contentsOf: SealedFile.header(sealingKey))
        }
        var chunkIndex: UInt64 = 0
        var pending: [UInt8] = []  // a line cut by a chunk boundary
        var kept: [UInt8] = []
        var line = 0
        var dropped = 0
        func emit(final: Bool) throws {
            if let sealingKey {
                try writeSealed(kept, to: output, chunkIndex: &chunkIndex, final: final, key: sealingKey)
            } else if !kept.isEmpty {
                try output.write(contentsOf: kept)
            }
            kept.removeAll(keepingCapacity: true)
        }
        while true {
            let chunk: [UInt8]?
            if sealedReader != nil {
                chunk = try sealedReader?.next()
            } else {
                chunk = try input.read(upToCount: Self.writeBuffer).map { [UInt8]($0) }.flatMap {
                    $0.isEmpty ? nil : $0
                }
            }
            guard let chunk else { break }
            pending += chunk
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                if dropping.contains(line) {
                    dropped += 1
                } else {
                    kept += pending[start...newline]
                }
                line += 1
                start = newline + 1
            }
            pending.removeSubrange(0..<start)
            if kept.count >= Self.writeBuffer { try emit(final: false) }
        }
        kept += pending
        try emit(final: true)
        try output.synchronize()
        return dropped
    }
}
