import ClinicalModel
import FHIRR4
import Foundation
import PHISafety

/// One pretty-printed bundle file per unit, written atomically (a run killed half-way leaves no
/// truncated bundle; a delta run rewrites it on restart). With a key the bundle is sealed in
/// memory first (`SealedFile`), so the atomic write's temporary file holds ciphertext only, and
/// the file is `<name>.json.enc`.
public final class BundleFileSink: RecordSink {
    /// How bundle files are named.
    public enum Naming: Sendable {
        /// `<stem>.json`, or `<stem>.<n>.json` for inputs of several units; `-2`, `-3`… when two
        /// inputs share a name (`a/CCD.xml`, `b/CCD.xml`) in one run.
        case byInput
        /// `<MSH-10, file-safe>-<first 16 hex digits of the unit digest>.json`: a resent message
        /// overwrites its own file and two senders' equal control ids do not collide (`serve`).
        case byMessage
    }

    let directory: URL
    let emitter: FHIREmitter
    let sealingKey: DataKey?
    let naming: Naming
    /// Bundle names written in this run, to tell inputs whose names collide apart: `<stem>.<n>.json`
    /// names as a set of numbers per stem (ranges: a million units of one input take a few bytes),
    /// every other name as it is.
    private var written: Set<String> = []
    private var numbered: [String: IndexSet] = [:]
    public private(set) var outputs: [SinkOutput] = []
    /// Whether `outputs` lists every file (for the audit trail); without it, a run of a million
    /// units does not hold a million paths.
    public var keepsOutputs = true

    /// - Throws: when the folder cannot be created.
    public init(directory: URL, emitter: FHIREmitter, sealingKey: DataKey? = nil, naming: Naming = .byInput) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.emitter = emitter
        self.sealingKey = sealingKey
        self.naming = naming
    }

    public func write(_ record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        try write(Self.encode(record, emitter: emitter, sealingKey: sealingKey), record: record, origin: origin)
    }

    /// A unit's bundle file bytes (sealed with a key), made on any thread (`convert --jobs`).
    struct Encoded: Sendable {
        var bytes: [UInt8]
        var emission: Emission
    }

    static func encode(_ record: ClinicalRecord, emitter: FHIREmitter, sealingKey: DataKey?) -> Encoded {
        let (bundle, diagnostics) = emitter.bundle([record])
        var bytes = JSONWriter(style: .pretty).bytes(.object(bundle))
        if let sealingKey { bytes = SealedFile.seal(bytes, key: sealingKey) }
        return Encoded(
            bytes: bytes,
            emission: Emission(resources: FHIREmitter.resourceCounts(.object(bundle)), diagnostics: diagnostics))
    }

    public var preparer: (@Sendable (ClinicalRecord) -> PreparedRecord)? {
        let (emitter, sealingKey) = (emitter, sealingKey)
        return { PreparedRecord($0, payload: BundleFileSink.encode($0, emitter: emitter, sealingKey: sealingKey)) }
    }

    public func write(_ prepared: PreparedRecord, origin: UnitOrigin) throws -> Emission {
        guard let encoded = prepared.payload as? Encoded else { return try write(prepared.record, origin: origin) }
        return try write(encoded, record: prepared.record, origin: origin)
    }

    /// Names the unit's file and writes it (in unit order: names depend on the units before).
    func write(_ encoded: Encoded, record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        let name = fileName(record, origin: origin)
        let url = directory.appendingPathComponent(name + (sealingKey == nil ? "" : ".enc"))
        try Data(encoded.bytes).write(to: url, options: .atomic)
        if keepsOutputs { outputs.append(.file(path: url.path)) }
        return encoded.emission
    }

    public func finish() throws -> Emission { .none }

    func fileName(_ record: ClinicalRecord, origin: UnitOrigin) -> String {
        switch naming {
        case .byMessage:
            return Self.messageFileName(for: record)
        case .byInput:
            let base = origin.isOnlyUnit ? origin.stem : "\(origin.stem).\(origin.index)"
            var name = "\(base).json"
            var counter = 2
            while isWritten(name) {
                name = "\(base)-\(counter).json"
                counter += 1
            }
            if counter == 2, !origin.isOnlyUnit {
                numbered[origin.stem, default: IndexSet()].insert(origin.index)
            } else {
                written.insert(name)
            }
            return name
        }
    }

    /// Whether this run wrote `name` (`<stem>.<n>.json` is looked up in `numbered`).
    func isWritten(_ name: String) -> Bool {
        if written.contains(name) { return true }
        let base = name.dropLast(".json".count)
        guard let dot = base.lastIndex(of: "."), let number = Int(base[base.index(after: dot)...]),
            base[base.index(after: dot)...].allSatisfy(\.isASCII), number > 0,
            String(number) == base[base.index(after: dot)...]
        else { return false }
        return numbered[String(base[..<dot])]?.contains(number) == true
    }

    /// `<control id, file-safe>-<first 16 hex digits of the message digest>.json`.
    public static func messageFileName(for record: ClinicalRecord) -> String {
        let control = String(
            (record.document.controlID ?? "").unicodeScalars.prefix(64).map { scalar in
                scalar.isASCII
                    && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_" || scalar == ".")
                    ? Character(scalar) : "_"
            })
        let digest = String((record.document.digest ?? "").prefix(16))
        let stem = [control.hasPrefix(".") ? "_" + String(control.dropFirst()) : control, digest].filter { !$0.isEmpty }
        return (stem.isEmpty ? "message" : stem.joined(separator: "-")) + ".json"
    }
}
