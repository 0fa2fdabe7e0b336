import ClinicalModel
import Crypto
import FHIRR4
import Foundation
import PHISafety

/// One pretty-printed bundle file per unit, written atomically (a run killed half-way leaves no
/// truncated bundle; a delta run rewrites it on restart). With a key the bundle is sealed in
/// memory first (`SealedFile`), so the atomic write's temporary file holds ciphertext only, and
/// the file is `<name>.json.enc`.
///
/// Names come from content as well as position, so a folder can be reused: a rerun writes an
/// unchanged unit's bundle under its old name with the same bytes, a bundle with other content
/// under a new name, and never replaces the file of another unit (or another version of a unit,
/// such as a delta run's part of it). Files of units no longer in the source are left alone. The
/// position keeps the files of one input in source order (`x.2.…` before `x.10.…`), which is the
/// order `reconcile` reads them in when two bundles hold one shared resource.
public final class BundleFileSink: RecordSink {
    /// How bundle files are named.
    public enum Naming: Sendable {
        /// `<stem>.<digest>.json`, or `<stem>.<n>.<digest>.json` for the n-th unit of an input of
        /// several units, where the digest is the first 16 hex digits of SHA-256 of the bundle bytes
        /// (before sealing; keyed with the sealing key when there is one, so a name confirms no
        /// guess of sealed content). Two inputs sharing a name (`a/CCD.xml`, `b/CCD.xml`) differ by
        /// content, or write the same bytes.
        case byInput
        /// `<MSH-10, file-safe>-<first 16 hex digits of the unit digest>.json`: a resent message
        /// overwrites its own file and two senders' equal control ids do not collide (`serve`).
        case byMessage
    }

    let directory: URL
    let emitter: FHIREmitter
    let sealingKey: DataKey?
    let naming: Naming
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
        /// The first 16 hex digits of the digest of the bundle before sealing (the file name's).
        var digest: Substring
        var emission: Emission
    }

    static func encode(_ record: ClinicalRecord, emitter: FHIREmitter, sealingKey: DataKey?) -> Encoded {
        let (bundle, diagnostics) = emitter.bundle([record])
        var bytes = JSONWriter(style: .pretty).bytes(.object(bundle))
        let digest =
            sealingKey?.keyedDigest(bytes, purpose: "output name") ?? lowercaseHex(SHA256.hash(data: bytes))
        if let sealingKey { bytes = SealedFile.seal(bytes, key: sealingKey) }
        return Encoded(
            bytes: bytes, digest: digest.prefix(16),
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

    /// Names the unit's file and writes it.
    func write(_ encoded: Encoded, record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        let name = fileName(record, origin: origin, digest: encoded.digest)
        let url = directory.appendingPathComponent(name + (sealingKey == nil ? "" : ".enc"))
        try Data(encoded.bytes).write(to: url, options: .atomic)
        if keepsOutputs { outputs.append(.file(path: url.path)) }
        return encoded.emission
    }

    public func finish() throws -> Emission { .none }

    func fileName(_ record: ClinicalRecord, origin: UnitOrigin, digest: Substring) -> String {
        switch naming {
        case .byMessage:
            return Self.messageFileName(for: record)
        case .byInput:
            return origin.isOnlyUnit ? "\(origin.stem).\(digest).json" : "\(origin.stem).\(origin.index).\(digest).json"
        }
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
