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
        /// The trail has entries but its head file is gone (removed, perhaps with the last entries).
        case headMissing
        /// An entry the anchor file names is missing from the trail or has another hash, or a line of
        /// the anchor file is not `seq hash` (entry 0).
        case anchorMismatch
        /// The anchor file cannot be read.
        case anchorUnreadable
    }
    public var kind: Kind
    /// 1-based entry (line) number; for `headMismatch` and `anchorMismatch`, the entry the head or
    /// anchor names (at most one past the last entry).
    public var entry: Int
    public var description: String { "\(kind.rawValue) at entry \(entry)" }
}

/// An append-only, hash-chained audit trail in JSON lines.
///
/// Each line is one JSON object with sorted keys. `hash` is the SHA-256 (hex) of the same object
/// without `hash`, written compactly with sorted keys; `prev` is the previous line's `hash`
/// (64 zeros for the first entry); `seq` counts from 1. Editing any entry breaks its hash, removing
/// or reordering entries breaks `seq` or `prev`.
///
/// The last entry is anchored in two places, so that removing it is detected too:
/// - `FILE.head` holds the latest `seq` and `hash`; every append rewrites it, so a trail with
///   entries and no head file fails (`headMissing`), as does a head that names another entry
///   (`headMismatch`): deleting the last entries *and* the head file is detected.
/// - An anchor file (optional, `anchorPath`) gets one `seq hash` line per append. Kept where the
///   writer of the trail cannot rewrite it (another volume, a WORM or log-shipped store), it
///   catches what the head cannot: a trail cut short with its head file rewritten to match. It
///   may lag behind the trail (runs appended without it), never run ahead of it.
///
///     let trail = AuditTrail(path: "runs.audit", anchorPath: "/mnt/worm/runs.anchor")
///     try trail.append(record)
///     try trail.verify()   // throws AuditVerificationError(kind: .hashMismatch, entry: 3)
public struct AuditTrail: Sendable {
    public let path: String
    /// A second place where each append writes `seq hash`, or `nil`.
    public let anchorPath: String?
    public var headPath: String { path + ".head" }
    public static let genesis = String(repeating: "0", count: 64)

    public init(path: String, anchorPath: String? = nil) {
        self.path = path
        self.anchorPath = anchorPath
    }

    /// Appends one entry under an exclusive lock (`flock`), with `O_APPEND` and `fsync`, then
    /// rewrites the head file atomically and appends `seq hash` to the anchor file (with `fsync`)
    /// when there is one. Returns the entry's sequence number and hash.
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
                let lastSeq = object["seq"]?.numberLexical.flatMap({ Int($0) }),
                let lastHash = object["hash"]?.stringValue
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
        if let anchorPath { try Self.appendLine(Array("\(seq) \(hash)\n".utf8), to: anchorPath) }
        return (seq, hash)
    }

    /// Appends bytes with `O_APPEND` and `fsync`s them.
    static func appendLine(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditIOError(operation: "open the anchor file") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw AuditIOError(operation: "write the anchor file") }
    }

    /// Checks every entry: well-formed, `seq` 1, 2, 3…, `prev` equal to the previous `hash`, `hash`
    /// equal to the recomputed one, each line exactly the bytes that hash covers (no blank lines, no
    /// white space or escapes changed), the file ends with a newline, the head file is there (once
    /// the trail has an entry) and names the last entry, and every line of the anchor file (when
    /// `anchorPath` is set) names an entry of the trail with its hash. Returns the number of entries.
    @discardableResult
    public func verify() throws(AuditVerificationError) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditVerificationError(kind: .unreadable, entry: 0)
        }
        let bytes = Array(data)
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // after the last entry's newline
        var prev = Self.genesis
        var hashes: [String] = []
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
            hashes.append(stored)
        }
        if let last = bytes.last, last != 0x0A {
            throw AuditVerificationError(kind: .truncatedLine, entry: lines.count)
        }
        if let head = FileManager.default.contents(atPath: headPath) {
            guard let (headSeq, headHash) = Self.anchorLine(Array(head)) else {
                throw AuditVerificationError(kind: .headMismatch, entry: lines.count)
            }
            if headSeq != lines.count || headHash != prev {
                throw AuditVerificationError(kind: .headMismatch, entry: min(max(headSeq, 1), lines.count + 1))
            }
        } else if !lines.isEmpty {
            // every append writes the head: entries without one mean it was removed
            throw AuditVerificationError(kind: .headMissing, entry: lines.count)
        }
        if let anchorPath { try Self.verify(anchorPath: anchorPath, against: hashes) }
        return lines.count
    }

    /// Every `seq hash` line of the anchor file names an entry of the trail with that hash.
    static func verify(anchorPath: String, against hashes: [String]) throws(AuditVerificationError) {
        guard let data = FileManager.default.contents(atPath: anchorPath) else {
            throw AuditVerificationError(kind: .anchorUnreadable, entry: 0)
        }
        for line in lines(Array(data)) {
            guard let (seq, hash) = anchorLine(Array(line)), seq >= 1 else {
                throw AuditVerificationError(kind: .anchorMismatch, entry: 0)
            }
            guard seq <= hashes.count, hashes[seq - 1] == hash else {
                throw AuditVerificationError(kind: .anchorMismatch, entry: min(seq, hashes.count + 1))
            }
        }
    }

    /// `seq hash` (a head file or an anchor line), or `nil` when it is not that shape.
    static func anchorLine(_ bytes: [UInt8]) -> (seq: Int, hash: String)? {
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 2, let seq = Int(fields[0]) else { return nil }
        return (seq, String(fields[1]))
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
