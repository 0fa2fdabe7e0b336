import Crypto
import Foundation

/// A 256-bit key for encryption at rest and keyed pseudonyms, with its public key id.
///
/// Keys come from a key file or the `FHIRBRIDGE_KEY` environment variable, never from the command
/// line (a value there is visible to every user through the process list and lands in shell history).
public struct DataKey: Sendable {
    private let bytes: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: bytes) }
    /// The first 8 bytes of SHA-256 over `"fhirbridge key id v1|"` and the key: identifies which key
    /// sealed a file without revealing it.
    public let id: [UInt8]

    /// 32 bytes, given raw.
    public init(bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 32 else { throw KeyError(kind: .wrongLength) }
        self.bytes = bytes
        id = Array(SHA256.hash(data: Array("fhirbridge key id v1|".utf8) + bytes).prefix(8))
    }

    /// Base64 text of 32 bytes (surrounding whitespace ignored).
    public init(base64 text: String) throws(KeyError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: trimmed) else { throw KeyError(kind: .notBase64) }
        try self.init(bytes: Array(data))
    }

    /// A key file holds base64 text of 32 bytes, or exactly 32 raw bytes.
    public init(file path: String) throws(KeyError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw KeyError(kind: .unreadableFile) }
        if data.count == 32 {
            try self.init(bytes: Array(data))
        } else {
            try self.init(base64: String(decoding: data, as: UTF8.self))
        }
    }

    /// From `--key-file` when given, else from the environment variable `FHIRBRIDGE_KEY`.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(KeyError) -> DataKey
    {
        if let file { return try DataKey(file: file) }
        guard let text = environment["FHIRBRIDGE_KEY"], !text.isEmpty else { throw KeyError(kind: .missing) }
        return try DataKey(base64: text)
    }

    /// A fresh random key as base64 (for `fhirbridge decrypt --generate-key` style tooling and tests).
    public static func generateBase64() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// Lowercase hex HMAC-SHA256 of `bytes` under the key derived for `purpose`: a digest of
    /// sealed content that names it (an output file) without letting anyone without the key
    /// confirm a guess of the content.
    public func keyedDigest(_ bytes: [UInt8], purpose: String) -> String {
        hmac(purpose: purpose, bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// HMAC-SHA256 with a key derived from this one for `purpose`, so the encryption key is never
    /// used directly as a pseudonymisation key.
    func hmac(purpose: String, _ message: [UInt8]) -> [UInt8] {
        Self.hmac(key: derivedKey(purpose: purpose), message)
    }

    /// The HKDF-SHA256 key for a purpose (info `"fhirbridge <purpose> v1"`), as bytes.
    func derivedKey(purpose: String) -> [UInt8] {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Array("fhirbridge \(purpose) v1".utf8), outputByteCount: 32)
            .withUnsafeBytes { Array($0) }
    }

    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    public var idHex: String { id.map { String(format: "%02x", $0) }.joined() }
}

public struct KeyError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable { case missing, unreadableFile, notBase64, wrongLength }
    public var kind: Kind
    public var description: String {
        switch kind {
        case .missing: "no key: pass --key-file or set FHIRBRIDGE_KEY (base64 of 32 bytes)"
        case .unreadableFile: "cannot read the key file"
        case .notBase64: "the key is not base64"
        case .wrongLength: "the key must be 32 bytes (AES-256)"
        }
    }
}

/// Why a sealed file could not be opened. Says what failed, never any content.
public struct SealedFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case notSealed, unsupportedVersion, wrongKey, authenticationFailed, truncated, trailingData
    }
    public var kind: Kind
    /// 0-based chunk index where it failed, when it concerns a chunk.
    public var chunk: Int?
    public var description: String {
        let text: String
        switch kind {
        case .notSealed: text = "not a fhirbridge sealed file"
        case .unsupportedVersion: text = "unsupported sealed-file version"
        case .wrongKey: text = "sealed with another key (key ids differ)"
        case .authenticationFailed: text = "authentication failed: the file was modified, reordered or the key is wrong"
        case .truncated: text = "truncated: the final chunk is missing"
        case .trailingData: text = "data after the final chunk"
        }
        return chunk.map { "\(text) (chunk \($0))" } ?? text
    }
}

/// The sealed-file container (AES-256-GCM), version 1.
///
/// ```text
/// header   magic "FHBRSEAL" (8 bytes) | version 0x01 | key id (8 bytes)            = 17 bytes
/// chunk    flags (1 byte: 0x01 = final) | length n (4 bytes, big-endian) |
///          nonce (12 bytes, random) | ciphertext (n bytes) | tag (16 bytes)
/// ```
/// Each chunk's additional authenticated data is the 17-byte header, the chunk index (8 bytes,
/// big-endian, from 0) and the flags byte. So an edited byte, a chunk moved to another position or
/// file, a flipped final flag or a file sealed under another key id fails authentication, and a file
/// that ends without a final chunk is `truncated`. A bundle is sealed as chunks of at most 1 MiB;
/// an NDJSON file grows by one chunk per appended batch of lines and gets its final (empty) chunk when
/// the writer closes it; appending again later removes that final chunk and continues the index.
public enum SealedFile {
    public static let magic: [UInt8] = Array("FHBRSEAL".utf8)
    public static let version: UInt8 = 1
    public static let headerSize = 17
    public static let chunkOverhead = 1 + 4 + 12 + 16
    public static let maxChunk = 1 << 20
    /// The bytes of an empty final chunk.
    public static let finalChunkSize = chunkOverhead

    public static func header(_ key: DataKey) -> [UInt8] { magic + [version] + key.id }

    /// One chunk.
    public static func chunk(_ plaintext: [UInt8], index: UInt64, final: Bool, header: [UInt8], key: DataKey) -> [UInt8]
    {
        let flags: UInt8 = final ? 1 : 0
        let aad = header + bigEndian(index, bytes: 8) + [flags]
        // swift-crypto only throws here for invalid nonce sizes, which a fresh nonce never has.
        guard let box = try? AES.GCM.seal(plaintext, using: key.key, nonce: AES.GCM.Nonce(), authenticating: aad)
        else { preconditionFailure("AES-GCM seal failed") }
        return [flags] + bigEndian(UInt64(plaintext.count), bytes: 4) + Array(box.nonce) + Array(box.ciphertext)
            + Array(box.tag)
    }

    /// A complete sealed file of `plaintext`.
    public static func seal(_ plaintext: [UInt8], key: DataKey) -> [UInt8] {
        let header = header(key)
        var output = header
        var index: UInt64 = 0
        var start = 0
        repeat {
            let end = min(start + maxChunk, plaintext.count)
            output += chunk(
                Array(plaintext[start..<end]), index: index, final: end == plaintext.count, header: header, key: key)
            index += 1
            start = end
        } while start < plaintext.count
        return output
    }

    /// Opens a complete sealed file.
    public static func open(_ sealed: [UInt8], key: DataKey) throws(SealedFileError) -> [UInt8] {
        let header = try checkHeader(sealed, key: key)
        var output: [UInt8] = []
        var offset = headerSize
        var index: UInt64 = 0
        while offset < sealed.count {
            guard sealed.count - offset >= chunkOverhead else {
                throw SealedFileError(kind: .truncated, chunk: Int(index))
            }
            let flags = sealed[offset]
            let length = Int(readBigEndian(sealed[(offset + 1)..<(offset + 5)]))
            guard flags <= 1, length <= maxChunk, sealed.count - offset - chunkOverhead >= length else {
                throw SealedFileError(kind: flags <= 1 ? .truncated : .authenticationFailed, chunk: Int(index))
            }
            let nonceStart = offset + 5
            let cipherStart = nonceStart + 12
            let tagStart = cipherStart + length
            let aad = header + bigEndian(index, bytes: 8) + [flags]
            do {
                let box = try AES.GCM.SealedBox(
                    nonce: AES.GCM.Nonce(data: sealed[nonceStart..<cipherStart]),
                    ciphertext: sealed[cipherStart..<tagStart],
                    tag: sealed[tagStart..<(tagStart + 16)])
                output += Array(try AES.GCM.open(box, using: key.key, authenticating: aad))
            } catch {
                throw SealedFileError(kind: .authenticationFailed, chunk: Int(index))
            }
            offset = tagStart + 16
            if flags == 1 {
                guard offset == sealed.count else { throw SealedFileError(kind: .trailingData, chunk: Int(index)) }
                return output
            }
            index += 1
        }
        throw SealedFileError(kind: .truncated, chunk: Int(index))
    }

    /// Checks magic, version and key id; returns the header.
    static func checkHeader(_ sealed: [UInt8], key: DataKey) throws(SealedFileError) -> [UInt8] {
        guard sealed.count >= headerSize, Array(sealed[0..<8]) == magic else { throw SealedFileError(kind: .notSealed) }
        guard sealed[8] == version else { throw SealedFileError(kind: .unsupportedVersion) }
        guard Array(sealed[9..<17]) == key.id else { throw SealedFileError(kind: .wrongKey) }
        return Array(sealed[0..<headerSize])
    }

    /// For appending to an existing sealed file: the number of chunks before its final chunk, and the
    /// file size without that final chunk (where appending continues). Reads lengths only.
    public static func appendPoint(_ sealed: [UInt8], key: DataKey) throws(SealedFileError) -> (
        chunks: UInt64, size: Int
    ) {
        _ = try checkHeader(sealed, key: key)
        var offset = headerSize
        var index: UInt64 = 0
        while offset < sealed.count {
            guard sealed.count - offset >= chunkOverhead else {
                throw SealedFileError(kind: .truncated, chunk: Int(index))
            }
            let length = Int(readBigEndian(sealed[(offset + 1)..<(offset + 5)]))
            let next = offset + chunkOverhead + length
            guard next <= sealed.count else { throw SealedFileError(kind: .truncated, chunk: Int(index)) }
            if sealed[offset] == 1 {
                guard next == sealed.count else { throw SealedFileError(kind: .trailingData, chunk: Int(index)) }
                return (index, offset)
            }
            offset = next
            index += 1
        }
        return (index, offset)
    }

    static func bigEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    static func readBigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { ($0 << 8) | UInt64($1) }
    }
}

extension SealedFile {
    /// Reads a sealed file chunk by chunk from a file handle, so a file of any size is opened with
    /// one chunk (at most 1 MiB) in memory: the same checks as `open(_:key:)`, in order.
    ///
    ///     var reader = try SealedFile.Reader(handle: handle, key: key)
    ///     while let plaintext = try reader.next() { … }      // nil after the final chunk
    public struct Reader {
        let handle: FileHandle
        let key: DataKey
        let header: [UInt8]
        var index: UInt64 = 0
        var finished = false

        /// - Throws: `SealedFileError` for a header that is not ours or another key's.
        public init(handle: FileHandle, key: DataKey) throws {
            self.handle = handle
            self.key = key
            let head = try Self.read(handle, SealedFile.headerSize)
            header = try SealedFile.checkHeader(head, key: key)
        }

        /// The next chunk's plaintext, or `nil` after the final chunk.
        /// - Throws: `SealedFileError` (truncated, edited, reordered, trailing data) or an I/O error.
        public mutating func next() throws -> [UInt8]? {
            guard !finished else { return nil }
            let prefix = try Self.read(handle, 5)
            guard prefix.count == 5 else { throw SealedFileError(kind: .truncated, chunk: Int(index)) }
            let flags = prefix[0]
            let length = Int(SealedFile.readBigEndian(prefix[1..<5]))
            guard flags <= 1, length <= SealedFile.maxChunk else {
                throw SealedFileError(kind: .authenticationFailed, chunk: Int(index))
            }
            let body = try Self.read(handle, 12 + length + 16)
            guard body.count == 12 + length + 16 else { throw SealedFileError(kind: .truncated, chunk: Int(index)) }
            let aad = header + SealedFile.bigEndian(index, bytes: 8) + [flags]
            let plaintext: [UInt8]
            do {
                let box = try AES.GCM.SealedBox(
                    nonce: AES.GCM.Nonce(data: body[0..<12]), ciphertext: body[12..<(12 + length)],
                    tag: body[(12 + length)...])
                plaintext = Array(try AES.GCM.open(box, using: key.key, authenticating: aad))
            } catch {
                throw SealedFileError(kind: .authenticationFailed, chunk: Int(index))
            }
            index += 1
            if flags == 1 {
                finished = true
                guard try Self.read(handle, 1).isEmpty else {
                    throw SealedFileError(kind: .trailingData, chunk: Int(index - 1))
                }
            }
            return plaintext
        }

        static func read(_ handle: FileHandle, _ count: Int) throws -> [UInt8] {
            var bytes: [UInt8] = []
            while bytes.count < count, let data = try handle.read(upToCount: count - bytes.count), !data.isEmpty {
                bytes += data
            }
            return bytes
        }
    }
}
