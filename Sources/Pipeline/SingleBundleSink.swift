import ClinicalModel
import Crypto
import FHIRMapping
import FHIRR4
import Foundation
import PHISafety

/// One bundle of every unit's records: `convert` without `--out` (pretty JSON and a newline on
/// standard output, sealed with a key) and the HTTP `/convert` response (compact JSON, kept in
/// `bytes`). Nothing is written when no unit had records.
///
/// The bundle is the one `BundleBuilder.bundle(_:type:conditional:)` builds from all records (same
/// bytes), but it is made a record at a time so that memory stays bounded whatever the input's
/// size. Each record's entries are written as JSON when the record arrives; an entry's key and
/// where its bytes are go to an index sorted in runs on disk when large (`ExternalSorter`), and its
/// bytes to a spill file once more than `memoryBudget` bytes are held. `finish()` merges the index
/// in bundle order, keeps the last record's version of an entry that several records share (as
/// the one-shot bundle does), and writes the bundle entry by entry.
///
/// A record whose references all point at its own entities is final when it arrives. A record that
/// references an entity it does not hold (a merge names patients that may be elsewhere in the
/// input) is kept back until `finish()`, when the index says which of those entities the bundle
/// holds, and is then written as the one-shot bundle would write it. Emitter diagnostics are
/// counted per record (the other sinks do the same), not once per bundle.
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
    /// Entry bytes held in memory before they go to a spill file.
    let memoryBudget: Int
    /// Where spill files go (a fresh folder under it, removed by `finish()`).
    let spillParent: URL

    /// The bundle's bytes once `finish()` has run, for `.memory` (as written, sealed with a key).
    public private(set) var bytes: [UInt8]?
    public private(set) var outputs: [SinkOutput] = []

    private var records = 0
    private var bundleID: BundleBuilder.BundleID
    private var store: EntryStore
    private var index: ExternalSorter<IndexEntry>
    private var heldBack: [(sequence: UInt64, record: ClinicalRecord, foreign: [ResourceKey])] = []
    private let spillDirectory: URL
    private var finished = false

    public init(
        emitter: FHIREmitter, destination: Destination, sealingKey: DataKey? = nil, memoryBudget: Int = 32 << 20,
        spillDirectory: URL = FileManager.default.temporaryDirectory
    ) {
        self.emitter = emitter
        self.destination = destination
        self.sealingKey = sealingKey
        self.memoryBudget = memoryBudget
        self.spillParent = spillDirectory
        self.spillDirectory = spillDirectory.appendingPathComponent("fhirbridge-bundle-\(UUID().uuidString)")
        bundleID = BundleBuilder.BundleID(type: emitter.bundleType, conditional: emitter.conditionalReferences)
        store = EntryStore(budget: memoryBudget, url: self.spillDirectory.appendingPathComponent("entries"))
        index = ExternalSorter(
            directory: self.spillDirectory,
            runCapacity: max(1024, memoryBudget / 4 / MemoryLayout<IndexEntry>.stride))
    }

    deinit { try? FileManager.default.removeItem(at: spillDirectory) }

    var pretty: Bool { destination == .standardOutput }

    /// A record's entries as JSON, made on any thread (`convert --jobs`).
    public struct Encoded: Sendable {
        var record: ClinicalRecord
        var entries: [(key: ResourceKey, bytes: [UInt8])]
        /// Entities the record holds that have no entry (they still count as present).
        var markers: [ResourceKey]
        var diagnostics: [Diagnostic]
        /// References to entities the record does not hold: the record waits for `finish()`.
        var foreign: [ResourceKey]?
    }

    public func write(_ record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        try write(encode(record))
    }

    /// The pure half of `write`.
    public func encode(_ record: ClinicalRecord) -> Encoded {
        Self.encode(
            record, emitter: emitter, pretty: pretty, present: BundleBuilder.presentRefs([record]), final: false)
    }

    static func encode(
        _ record: ClinicalRecord, emitter: FHIREmitter, pretty: Bool, present: Set<EntityRef>, final: Bool
    ) -> Encoded {
        let (entries, diagnostics) = emitter.builder.entries(
            record, type: emitter.bundleType, conditional: emitter.conditionalReferences, present: present)
        var foreign: [ResourceKey]?
        if !final, diagnostics.contains(where: { $0.kind == .unresolvedReference }) {
            let own = BundleBuilder.presentRefs([record])
            foreign = record.referencedRefs.subtracting(own).map { ResourceKey($0) }
        }
        let writer = JSONWriter(style: pretty ? .pretty : .compact)
        let keys = Set(entries.map(\.key))
        let markers = present.map { ResourceKey($0) }.filter { !keys.contains($0) }
        return Encoded(
            record: record, entries: entries.map { ($0.key, writer.bytes($0.element, depth: 2)) }, markers: markers,
            diagnostics: diagnostics, foreign: foreign)
    }

    public var preparer: (@Sendable (ClinicalRecord) -> PreparedRecord)? {
        let (emitter, pretty) = (emitter, pretty)
        return { record in
            PreparedRecord(
                record,
                payload: SingleBundleSink.encode(
                    record, emitter: emitter, pretty: pretty, present: BundleBuilder.presentRefs([record]), final: false
                ))
        }
    }

    public func write(_ prepared: PreparedRecord, origin: UnitOrigin) throws -> Emission {
        guard let encoded = prepared.payload as? Encoded else { return try write(prepared.record, origin: origin) }
        return try write(encoded)
    }

    /// The ordered half of `write`: stores the entries, or keeps the record back.
    public func write(_ encoded: Encoded) throws -> Emission {
        let sequence = UInt64(records)
        records += 1
        bundleID.add(encoded.record)
        if let foreign = encoded.foreign {
            // its own entities are present for the others' sake now; its entries come at the end
            for entry in encoded.entries { try index.add(IndexEntry(entry.key, sequence: sequence, marker: true)) }
            for key in encoded.markers { try index.add(IndexEntry(key, sequence: sequence, marker: true)) }
            heldBack.append((sequence, encoded.record, foreign))
            return .none
        }
        try store(encoded, sequence: sequence)
        return Emission(diagnostics: encoded.diagnostics)
    }

    private func store(_ encoded: Encoded, sequence: UInt64) throws {
        for entry in encoded.entries {
            let offset = try store.append(entry.bytes)
            try index.add(IndexEntry(entry.key, sequence: sequence, offset: offset, length: entry.bytes.count))
        }
        for key in encoded.markers { try index.add(IndexEntry(key, sequence: sequence, marker: true)) }
    }

    public func finish() throws -> Emission {
        guard !finished else { return .none }
        finished = true
        defer { try? FileManager.default.removeItem(at: spillDirectory) }
        guard records > 0 else { return .none }
        var diagnostics: [Diagnostic] = []
        if !heldBack.isEmpty {
            // which of the entities the kept-back records reference does the bundle hold?
            var wanted = Set(heldBack.flatMap(\.foreign).map(IndexKey.init))
            var found = Set<IndexKey>()
            var scan = try index.sorted()
            while !wanted.isEmpty, let entry = try scan.next() {
                let key = entry.key
                if wanted.remove(key) != nil { found.insert(key) }
            }
            for held in heldBack {
                var present = BundleBuilder.presentRefs([held.record])
                for ref in held.record.referencedRefs where found.contains(IndexKey(ResourceKey(ref))) {
                    present.insert(ref)
                }
                let encoded = Self.encode(held.record, emitter: emitter, pretty: pretty, present: present, final: true)
                try store(encoded, sequence: held.sequence)
                diagnostics += encoded.diagnostics
            }
            heldBack = []
        }
        var output = BundleOutput(destination: destination, sealingKey: sealingKey)
        let id = bundleID.finalize()
        let (head, tail) = frame(id: id)
        let separator: [UInt8] = pretty ? Array(",\n    ".utf8) : [UInt8(ascii: ",")]
        var counts: [String: Int] = [:]
        var merged = try index.sorted()
        var winner: IndexEntry?
        var first = true
        func emit(_ entry: IndexEntry) throws {
            try output.write(first ? head : separator)
            first = false
            try output.write(try store.read(offset: entry.offset, length: Int(entry.length)))
            counts[entry.typeName, default: 0] += 1
        }
        var current: IndexKey?
        while let entry = try merged.next() {
            let key = entry.key
            if key != current {
                if let winner { try emit(winner) }
                winner = nil
                current = key
            }
            if !entry.isMarker { winner = entry }  // the last record's version wins
        }
        if let winner { try emit(winner) }
        // FHIR JSON has no empty arrays: a bundle without entries (an ACK's) has no `entry`
        try output.write(first ? emptyBundle(id: id) : tail)
        let written = try output.finish()
        if destination == .memory { bytes = written.bytes }
        outputs.append(.stream(digest: written.digest, size: written.size))
        return Emission(resources: counts, diagnostics: diagnostics)
    }

    /// A bundle without entries, as the writer lays it out.
    func emptyBundle(id: String) -> [UInt8] {
        let bundle = JSONObject([
            "resourceType": .string("Bundle"), "id": .string(id), "type": .string(emitter.bundleType.rawValue),
        ])
        var bytes = JSONWriter(style: pretty ? .pretty : .compact).bytes(.object(bundle))
        if pretty { bytes.append(0x0A) }
        return bytes
    }

    /// The bundle's bytes before the first entry and after the last, as the writer lays them out.
    func frame(id: String) -> (head: [UInt8], tail: [UInt8]) {
        let placeholder = "\u{1}entries\u{1}"
        let bundle = JSONObject([
            "resourceType": .string("Bundle"), "id": .string(id), "type": .string(emitter.bundleType.rawValue),
            "entry": .array([.string(placeholder)]),
        ])
        let bytes = JSONWriter(style: pretty ? .pretty : .compact).bytes(.object(bundle))
        let marker = Array("\"\\u0001entries\\u0001\"".utf8)
        guard let start = bytes.firstRange(of: marker) else { return (bytes, []) }
        var tail = Array(bytes[start.upperBound...])
        if pretty { tail.append(0x0A) }
        return (Array(bytes[..<start.lowerBound]), tail)
    }

    // MARK: - Index

    /// An entry's place in bundle order: type rank, type name and id as big-endian packed bytes.
    struct IndexKey: Hashable, Comparable, BitwiseCopyable {
        var rank: UInt16
        var type: (UInt64, UInt64, UInt64)
        var id: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

        init(_ key: ResourceKey) {
            rank = UInt16(ResourceKey.bundleRank(key.resourceType))
            let t = Self.pack(key.resourceType, words: 3)
            type = (t[0], t[1], t[2])
            let i = Self.pack(key.id, words: 8)
            id = (i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7])
        }

        static func pack(_ text: String, words: Int) -> [UInt64] {
            var result = [UInt64](repeating: 0, count: words)
            for (offset, byte) in text.utf8.prefix(words * 8).enumerated() {
                result[offset / 8] |= UInt64(byte) << UInt64(56 - 8 * (offset % 8))
            }
            return result
        }

        var typeName: String {
            var bytes: [UInt8] = []
            for word in [type.0, type.1, type.2] {
                for shift in stride(from: 56, through: 0, by: -8) {
                    let byte = UInt8(truncatingIfNeeded: word >> UInt64(shift))
                    if byte != 0 { bytes.append(byte) }
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        static func == (lhs: IndexKey, rhs: IndexKey) -> Bool {
            lhs.rank == rhs.rank && lhs.type == rhs.type && lhs.id.0 == rhs.id.0 && lhs.id.1 == rhs.id.1
                && lhs.id.2 == rhs.id.2 && lhs.id.3 == rhs.id.3 && lhs.id.4 == rhs.id.4 && lhs.id.5 == rhs.id.5
                && lhs.id.6 == rhs.id.6 && lhs.id.7 == rhs.id.7
        }

        static func < (lhs: IndexKey, rhs: IndexKey) -> Bool {
            let left = (lhs.rank, lhs.type.0, lhs.type.1, lhs.type.2)
            let right = (rhs.rank, rhs.type.0, rhs.type.1, rhs.type.2)
            if left != right { return left < right }
            let a = (lhs.id.0, lhs.id.1, lhs.id.2, lhs.id.3, lhs.id.4)
            let b = (rhs.id.0, rhs.id.1, rhs.id.2, rhs.id.3, rhs.id.4)
            if a != b { return a < b }
            return (lhs.id.5, lhs.id.6, lhs.id.7) < (rhs.id.5, rhs.id.6, rhs.id.7)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(rank)
            hasher.combine(type.0)
            hasher.combine(id.0)
            hasher.combine(id.1)
            hasher.combine(id.4)
        }
    }

    struct IndexEntry: Comparable, BitwiseCopyable {
        var key: IndexKey
        var sequence: UInt64
        var offset: UInt64
        var length: UInt32
        var isMarker: Bool

        init(_ key: ResourceKey, sequence: UInt64, offset: UInt64 = 0, length: Int = 0, marker: Bool = false) {
            self.key = IndexKey(key)
            self.sequence = sequence
            self.offset = offset
            self.length = UInt32(length)
            self.isMarker = marker
        }

        var typeName: String { key.typeName }

        static func == (lhs: IndexEntry, rhs: IndexEntry) -> Bool {
            lhs.key == rhs.key && lhs.sequence == rhs.sequence && lhs.isMarker == rhs.isMarker
        }

        /// Bundle order, then record order; within a record, markers first.
        static func < (lhs: IndexEntry, rhs: IndexEntry) -> Bool {
            if lhs.key != rhs.key { return lhs.key < rhs.key }
            if lhs.sequence != rhs.sequence { return lhs.sequence < rhs.sequence }
            return lhs.isMarker && !rhs.isMarker
        }
    }

    /// Entry bytes: in memory up to a budget, then all in a spill file.
    struct EntryStore {
        let budget: Int
        let url: URL
        var memory: [UInt8] = []
        var handle: FileHandle?
        var size: UInt64 = 0
        var pendingWrite: [UInt8] = []

        init(budget: Int, url: URL) {
            self.budget = budget
            self.url = url
        }

        mutating func append(_ bytes: [UInt8]) throws -> UInt64 {
            let offset = size
            size += UInt64(bytes.count)
            if handle == nil, memory.count + bytes.count <= budget {
                memory += bytes
                return offset
            }
            if handle == nil {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                guard
                    FileManager.default.createFile(
                        atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
                else { throw CocoaError(.fileWriteUnknown) }
                handle = try FileHandle(forUpdating: url)
                pendingWrite = memory
                memory = []
            }
            pendingWrite += bytes
            if pendingWrite.count >= 1 << 20 { try flush() }
            return offset
        }

        mutating func flush() throws {
            guard let handle, !pendingWrite.isEmpty else { return }
            try handle.seekToEnd()
            try handle.write(contentsOf: pendingWrite)
            pendingWrite.removeAll(keepingCapacity: true)
        }

        mutating func read(offset: UInt64, length: Int) throws -> [UInt8] {
            guard let handle else { return Array(memory[Int(offset)..<(Int(offset) + length)]) }
            try flush()
            try handle.seek(toOffset: offset)
            return [UInt8](try handle.read(upToCount: length) ?? Data())
        }
    }

    /// The bundle's bytes on their way out: buffered, sealed in 1 MiB chunks with a key (the
    /// layout `SealedFile.seal` gives), hashed for the audit trail, and written to standard output
    /// or kept.
    struct BundleOutput {
        let destination: Destination
        let sealingKey: DataKey?
        var buffer: [UInt8] = []
        var kept: [UInt8] = []
        var hasher = SHA256()
        var size = 0
        var chunkIndex: UInt64 = 0
        var sealedHeaderWritten = false

        init(destination: Destination, sealingKey: DataKey?) {
            self.destination = destination
            self.sealingKey = sealingKey
        }

        mutating func write(_ bytes: [UInt8]) throws {
            buffer += bytes
            let threshold = sealingKey == nil ? 1 << 20 : SealedFile.maxChunk
            while buffer.count > threshold {
                try emit(Array(buffer[..<threshold]), final: false)
                buffer.removeSubrange(..<threshold)
            }
        }

        mutating func finish() throws -> (bytes: [UInt8], digest: String, size: Int) {
            try emit(buffer, final: true)
            buffer = []
            return (kept, lowercaseHex(hasher.finalize()), size)
        }

        private mutating func emit(_ plaintext: [UInt8], final: Bool) throws {
            var out: [UInt8]
            if let sealingKey {
                out = sealedHeaderWritten ? [] : SealedFile.header(sealingKey)
                sealedHeaderWritten = true
                out += SealedFile.chunk(
                    plaintext, index: chunkIndex, final: final, header: SealedFile.header(sealingKey), key: sealingKey)
                chunkIndex += 1
            } else {
                out = plaintext
            }
            hasher.update(data: out)
            size += out.count
            switch destination {
            case .standardOutput: if !out.isEmpty { try FileHandle.standardOutput.write(contentsOf: out) }
            case .memory: kept += out
            }
        }
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
