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
/// Names come from content, never from positions, so a folder can be reused: a rerun writes an
/// unchanged unit's bundle under its old name with the same bytes, a bundle with other content
/// under a new name, and never replaces the file of another unit (or another version of a unit,
/// such as a delta run's part of it). Files of units no longer in the source are left alone.
public final class BundleFileSink: RecordSink {
    /// How bundle files are named.
    public enum Naming: Sendable {
        /// `<stem>.<first 16 hex digits of SHA-256 of the bundle>.json`: the input's name (without
        /// its extension) and a digest of the bytes written (before sealing; keyed with the sealing
        /// key when there is one, so a name confirms no guess of sealed content).
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

    /// - Throws: when the folder cannot be created.
    public init(directory: URL, emitter: FHIREmitter, sealingKey: DataKey? = nil, naming: Naming = .byInput) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.emitter = emitter
        self.sealingKey = sealingKey
        self.naming = naming
    }

    public func write(_ record: ClinicalRecord, origin: UnitOrigin) throws -> Emission {
        let (bundle, diagnostics) = emitter.bundle([record])
        var bytes = JSONWriter(style: .pretty).bytes(.object(bundle))
        let name = fileName(record, origin: origin, bytes: bytes)
        if let sealingKey { bytes = SealedFile.seal(bytes, key: sealingKey) }
        let url = directory.appendingPathComponent(name + (sealingKey == nil ? "" : ".enc"))
        try Data(bytes).write(to: url, options: .atomic)
        outputs.append(.file(path: url.path))
        return Emission(resources: FHIREmitter.resourceCounts(.object(bundle)), diagnostics: diagnostics)
    }

    public func finish() throws -> Emission { .none }

    func fileName(_ record: ClinicalRecord, origin: UnitOrigin, bytes: [UInt8]) -> String {
        switch naming {
        case .byMessage:
            return Self.messageFileName(for: record)
        case .byInput:
            let digest =
                sealingKey?.keyedDigest(bytes, purpose: "output name") ?? lowercaseHex(SHA256.hash(data: bytes))
            return "\(origin.stem).\(digest.prefix(16)).json"
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
