import ArgumentParser
import ClinicalModel
import Foundation
import Logging
import PHISafety
import Pipeline

/// PHI options of `convert`: input names, encryption at rest, and the record policy
/// (de-identification and minimum-necessary limits). Keys are read from files or the environment,
/// never from the command line.
struct SafetyOptions: ParsableArguments {
    @Flag(
        help:
            "Show inputs as input-<digest of the path> in positions, logs, reports and output names (for file names that carry patient data)."
    )
    var redactInputNames = false

    @OptionGroup var encryption: EncryptionOptions
    @OptionGroup var records: RecordPolicyOptions

    /// The encryption key when `--encrypt` is set; a missing or malformed key is a usage error.
    func sealingKey() throws -> DataKey? { try encryption.sealingKey() }

    /// Limits and de-identification for the run.
    func policy() throws -> RecordPolicy { try records.policy(keyFile: encryption.keyFile) }

    /// Options recorded in the audit trail: no paths, no key material (the key id is public).
    func auditOptions() -> [String: String] {
        var options = records.auditOptions()
        if encryption.encrypt { options["encrypt"] = "true" }
        if let key = try? sealingKey() { options["keyId"] = key.idHex }
        return options
    }

    static func loadKey(file: String?) throws -> DataKey { try EncryptionOptions.loadKey(file: file) }
}

/// `--encrypt` and `--key-file`, for `convert` and `serve`.
struct EncryptionOptions: ParsableArguments {
    @Flag(help: "Encrypt every output (AES-256-GCM, .enc files) with the key from --key-file or FHIRBRIDGE_KEY.")
    var encrypt = false

    @Option(
        help: "File holding the key: base64 of 32 bytes (default: the FHIRBRIDGE_KEY environment variable).",
        completion: .file())
    var keyFile: String?

    /// The encryption key when `--encrypt` is set; a missing or malformed key is a usage error.
    func sealingKey() throws -> DataKey? {
        guard encrypt else { return nil }
        return try Self.loadKey(file: keyFile)
    }

    static func loadKey(file: String?) throws -> DataKey {
        do {
            return try DataKey.load(file: file)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw Exit.usage
        }
    }
}

/// The record policy, applied to every record before it is emitted (`convert` and `serve`):
/// de-identification and the minimum-necessary limits.
struct RecordPolicyOptions: ParsableArguments {
    @Flag(help: "De-identify outputs (HIPAA Safe Harbor) with keyed pseudonyms, for dry runs.")
    var deidentify = false

    @Option(
        help: "Key file for de-identification pseudonyms (default: --key-file or FHIRBRIDGE_KEY).", completion: .file())
    var deidKeyFile: String?

    @Option(help: "De-identified dates: shift (keyed offset per patient) or year.")
    var deidDates: Deidentifier.DateMode = .shift

    @Option(help: "Only these FHIR resource types, comma-separated; a referenced Patient is always kept.")
    var types: String?

    @Option(help: "Drop clinical records dated before this day (YYYY-MM-DD); patients are kept.")
    var since: String?

    @Option(help: "Drop clinical records dated after this day (YYYY-MM-DD); patients are kept.")
    var until: String?

    func validate() throws {
        if deidKeyFile != nil && !deidentify { throw ValidationError("--deid-key-file needs --deidentify.") }
        do {
            _ = try filter()
        } catch {
            throw ValidationError("\(error).")
        }
    }

    func filter() throws(RecordFilterError) -> RecordFilter? {
        let filter = try RecordFilter(
            types: types.map { $0.split(separator: ",").map(String.init) }, since: since, until: until)
        return filter.isEmpty ? nil : filter
    }

    /// The policy; the de-identification key comes from `--deid-key-file`, else `keyFile`, else
    /// FHIRBRIDGE_KEY.
    func policy(keyFile: String?) throws -> RecordPolicy {
        var policy = RecordPolicy(filter: try? filter())
        if deidentify {
            let key = try EncryptionOptions.loadKey(file: deidKeyFile ?? keyFile)
            policy.deidentifier = Deidentifier(key: key, dates: deidDates)
        }
        return policy
    }

    /// Options recorded in the audit trail.
    func auditOptions() -> [String: String] {
        var options: [String: String] = [:]
        if deidentify { options["deidentify"] = deidDates.rawValue }
        if let types { options["types"] = types }
        if let since { options["since"] = since }
        if let until { options["until"] = until }
        return options
    }
}

/// `--audit FILE` (default: the FHIRBRIDGE_AUDIT environment variable).
struct AuditOptions: ParsableArguments {
    @Option(
        help: "Append an entry for this run to a hash-chained audit trail (default: FHIRBRIDGE_AUDIT).",
        completion: .file())
    var audit: String?

    @Option(
        help: """
            Also append each entry's sequence number and hash to this file, kept where the trail's writer \
            cannot rewrite it (default: FHIRBRIDGE_AUDIT_ANCHOR); 'audit verify --anchor' checks the trail against it.
            """,
        completion: .file())
    var auditAnchor: String?

    var path: String? {
        audit ?? ProcessInfo.processInfo.environment["FHIRBRIDGE_AUDIT"].flatMap { $0.isEmpty ? nil : $0 }
    }

    var anchorPath: String? {
        auditAnchor ?? ProcessInfo.processInfo.environment["FHIRBRIDGE_AUDIT_ANCHOR"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Appends the entry; a failure is printed (no path, no content) and returned as `false`.
    func append(_ record: AuditRecord, logger: Logger) -> Bool {
        guard let path else { return true }
        do {
            let (seq, _) = try AuditTrail(path: path, anchorPath: anchorPath).append(record)
            logger.info("audit.appended", metadata: ["seq": "\(seq)"])
            return true
        } catch {
            logger.error("audit.failed")
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return false
        }
    }

    /// Digests of the files behind source inputs (a CSV folder: each file in it); standard input
    /// by size only.
    static func files(of inputs: [SourceInput], stdinBytes: Int) -> [AuditFile] {
        var files: [AuditFile] = []
        for input in inputs {
            switch input {
            case .file(let file):
                if let url = file.url {
                    files += AuditFile.hashing(path: url.path, role: "input").map { [$0] } ?? []
                } else {
                    files.append(AuditFile(digest: nil, size: stdinBytes, role: "stdin"))
                }
            case .csv(let url, _):
                files += folderFiles(url.path).compactMap { AuditFile.hashing(path: $0, role: "input") }
            case .memory(_, let bytes):
                files.append(AuditFile(digest: sha256Hex(bytes), size: bytes.count, role: "input"))
            }
        }
        return files
    }

    static func folderFiles(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { (path as NSString).appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }
}

/// `--log-level`: events (kinds, positions, counts, digests) on standard error through `SafeLogHandler`.
struct LogOptions: ParsableArguments {
    @Option(help: "Log level for events on standard error.")
    var logLevel: LogLevel = .warning

    func logger(_ label: String) -> Logger {
        SafeLogging.bootstrap(level: logLevel.level, label: label)
    }
}

/// `--log-level trace|debug|info|notice|warning|error|critical`: swift-log's levels, checked (and
/// listed in `--help`) by the argument parser.
enum LogLevel: String, CaseIterable, ExpressibleByArgument {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}

extension Logger.Metadata {
    /// Metadata for a source error: its kind and position.
    static func error(_ error: SourceError) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["kind": "\(error.kind)"]
        if let location = error.location { metadata["position"] = "\(location.description)" }
        return metadata
    }
}
