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
    /// Bundle names written in this run.
    private var written: Set<String> = []
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
        let name = fileName(record, origin: origin)
        let (bundle, diagnostics) = emitter.bundle([record])
        var bytes = JSONWriter(style: .pretty).bytes(.object(bundle))
        if let sealingKey { bytes = SealedFile.seal(bytes, key: sealingKey) }
        let url = directory.appendingPathComponent(name + (sealingKey == nil ? "" : ".enc"))
        try Data(bytes).write(to: url, options: .atomic)
        outputs.append(.file(path: url.path))
        return Emission(resources: FHIREmitter.resourceCounts(.object(bundle)), diagnostics: diagnostics)
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
            while written.contains(name) {
                name = "\(base)-\(counter).json"
                counter += 1
            }
            written.insert(name)
            return name
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
