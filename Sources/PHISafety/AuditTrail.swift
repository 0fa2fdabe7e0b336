import Crypto
import FHIRR4
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One file a run read or wrote, named by digest: paths can carry patient names, so the entry holds
/// the SHA-256 of the content, its size and (optionally) the SHA-256 of the path.
public struct AuditFile: Hashable, Sendable {
    public var digest: String?
    public var size: Int
    public var pathDigest: String?
    public var role: String

    public init(digest: String?, size: Int, pathDigest: String? = nil, role: String) {
        self.digest = digest
        self.size = size
        self.pathDigest = pathDigest
        self.role = role
    }

    /// Reads and hashes a file; `nil` when it cannot be read.
    public static func hashing(path: String, role: String) -> AuditFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return AuditFile(
            digest: sha256Hex(Array(data)), size: data.count,
            pathDigest: sha256Hex(Array(URL(fileURLWithPath: path).standardizedFileURL.path.utf8)), role: role)
    }

    var json: JSON {
        var object = JSONObject()
        if let digest { object.append("digest", .string(digest)) }
        if let pathDigest { object.append("pathDigest", .string(pathDigest)) }
        object.append("role", .string(role))
        object.append("size", .int(size))
        return .object(object)
    }
}

/// What one run did, before it is chained into the trail.
public struct AuditRecord: Sendable {
    public var command: String
    /// Options that are not paths or secrets (`--format`, `--types`, `--encrypt`, …) as given.
    public var options: [String: String]
    public var user: String
    public var started: Date
    public var finished: Date
    public var counts: [String: Int]
    public var inputs: [AuditFile]
    public var outputs: [AuditFile]
    public var exitCode: Int

    public init(
        command: String, options: [String: String] = [:], user: String = AuditRecord.currentUser(), started: Date,
        finished: Date, counts: [String: Int] = [:], inputs: [AuditFile] = [], outputs: [AuditFile] = [],
        exitCode: Int = 0
    ) {
        self.command = command
        self.options = options
        self.user = user
        self.started = started
        self.finished = finished
        self.counts = counts
        self.inputs = inputs
        self.outputs = outputs
        self.exitCode = exitCode
    }

    /// `FHIRBRIDGE_AUDIT_USER`, else `USER`, else `LOGNAME`, else the numeric uid.
    public static func currentUser() -> String {
        let environment = ProcessInfo.processInfo.environment
        for name in ["FHIRBRIDGE_AUDIT_USER", "USER", "LOGNAME"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return "uid:\(getuid())"
    }
}

/// The problem `AuditTrail.verify` found: the 1-based number of the first bad entry and why.
public struct AuditVerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case unreadable, malformedEntry, sequenceGap, brokenChain, hashMismatch, truncatedLine, headMismatch
    }
    public var kind: Kind
    /// 1-based entry (line) number; for `headMismatch`, the entry the head file names.
    public var entry: Int
    public var description: String { "\(kind.rawValue) at entry \(entry)" }
}

/// An append-only, hash-chained audit trail in JSON lines.
///
/// Each line is one JSON object with sorted keys. `hash` is the SHA-256 (hex) of the same object
/// without `hash`, written compactly with sorted keys; `prev` is the previous line's `hash`
/// (64 zeros for the first entry); `seq` counts from 1. Editing any entry breaks its hash, removing
/// or reordering entries breaks `seq` or `prev`. A `FILE.head` file holds the latest `seq` and `hash`,
/// so removing the last entries (truncation) is detected too, unless the head file is rewritten as well.
///
///     let trail = AuditTrail(path: "runs.audit")
///     try trail.append(record)
///     try trail.verify()   // throws AuditVerificationError(kind: .hashMismatch, entry: 3)
public struct AuditTrail: Sendable {
    public let path: String
    public var headPath: String { path + ".head" }
    public static let genesis = String(repeating: "0", count: 64)

    public init(path: String) { self.path = path }

    /// Appends one entry under an exclusive lock (`flock`), with `O_APPEND` and `fsync`, then
    /// rewrites the head file atomically. Returns the entry's sequence number and hash.
    @discardableResult
    public func append(_ record: AuditRecord) throws -> (seq: Int, hash: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditIOError(operation: "open") }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw AuditIOError(operation: "lock") }
        defer { flock(fd, LOCK_UN) }
        let existing = FileManager.default.contents(atPath: path).map { Array($0) } ?? []
        var seq = 1
        var prev = Self.genesis
        if let last = Self.lines(existing).last {
            guard let object = try? JSONReader.parse(Array(last)).objectValue,
                let lastSeq = object["seq"]?.numberLexical.flatMap({ Int($0) }), let lastHash = object["hash"]?.stringValue
            else { throw AuditIOError(operation: "read the last entry") }
            seq = lastSeq + 1
            prev = lastHash
        }
        let (line, hash) = Self.entry(record, seq: seq, prev: prev)
        let bytes = line + [0x0A]
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw AuditIOError(operation: "write") }
        do {
            try Data("\(seq) \(hash)\n".utf8).write(to: URL(fileURLWithPath: headPath), options: .atomic)
        } catch {
            throw AuditIOError(operation: "write the head file")
        }
        return (seq, hash)
    }

    /// Checks every entry: well-formed, `seq` 1, 2, 3…, `prev` equal to the previous `hash`, `hash`
    /// equal to the recomputed one, each line exactly the bytes that hash covers (no blank lines, no
    /// white space or escapes changed), the file ends with a newline, and the head file (when
    /// present) names the last entry. Returns the number of entries.
    @discardableResult
    public func verify() throws(AuditVerificationError) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditVerificationError(kind: .unreadable, entry: 0)
        }
        let bytes = Array(data)
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // after the last entry's newline
        var prev = Self.genesis
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            guard let object = try? JSONReader.parse(Array(line)).objectValue,
                let seq = object["seq"]?.numberLexical.flatMap({ Int($0) }), let stored = object["hash"]?.stringValue,
                let storedPrev = object["prev"]?.stringValue
            else { throw AuditVerificationError(kind: .malformedEntry, entry: number) }
            guard seq == number else { throw AuditVerificationError(kind: .sequenceGap, entry: number) }
            guard storedPrev == prev else { throw AuditVerificationError(kind: .brokenChain, entry: number) }
            guard Self.hash(of: object) == stored,
                JSONWriter(style: .compact).bytes(JSON.object(object).sortedKeys()).elementsEqual(line)
            else { throw AuditVerificationError(kind: .hashMismatch, entry: number) }
            prev = stored
        }
        if let last = bytes.last, last != 0x0A {
            throw AuditVerificationError(kind: .truncatedLine, entry: lines.count)
        }
        if let head = FileManager.default.contents(atPath: headPath) {
            let fields = String(decoding: head, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard fields.count == 2, let headSeq = Int(fields[0]) else {
                throw AuditVerificationError(kind: .headMismatch, entry: lines.count)
            }
            if headSeq != lines.count || String(fields[1]) != prev {
                throw AuditVerificationError(kind: .headMismatch, entry: min(headSeq, lines.count + 1))
            }
        }
        return lines.count
    }

    // MARK: - Canonical form

    /// The entry line (sorted keys, compact) and its hash.
    static func entry(_ record: AuditRecord, seq: Int, prev: String) -> (line: [UInt8], hash: String) {
        var object = JSONObject()
        object.append("command", .string(record.command))
        var counts = JSONObject()
        for (key, value) in record.counts { counts.append(key, .int(value)) }
        object.append("counts", .object(counts))
        object.append("exitCode", .int(record.exitCode))
        object.append("finished", .string(Self.utc(record.finished)))
        object.append("inputs", .array(record.inputs.map(\.json)))
        var options = JSONObject()
        for (key, value) in record.options { options.append(key, .string(value)) }
        object.append("options", .object(options))
        object.append("outputs", .array(record.outputs.map(\.json)))
        object.append("prev", .string(prev))
        object.append("seq", .int(seq))
        object.append("started", .string(Self.utc(record.started)))
        object.append("user", .string(record.user))
        let hash = Self.hash(of: object)
        object.append("hash", .string(hash))
        return (JSONWriter(style: .compact).bytes(JSON.object(object).sortedKeys()), hash)
    }

    /// SHA-256 over the compact, key-sorted serialisation of the object without `hash`.
    static func hash(of object: JSONObject) -> String {
        var without = JSONObject()
        for member in object where member.key != "hash" { without.append(member.key, member.value) }
        return sha256Hex(JSONWriter(style: .compact).bytes(JSON.object(without).sortedKeys()))
    }

    static func utc(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Complete lines (without the newline); a last line without a newline is included too.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).filter { !$0.isEmpty }
    }
}

/// A failure writing the trail: names the operation, never a path or content.
public struct AuditIOError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var description: String { "cannot \(operation) (audit trail)" }
}

/// Lowercase hex SHA-256.
public func sha256Hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    var hasher = SHA256()
    hasher.update(data: Array(bytes))
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
}
