import Foundation
import PHISafety
import Testing

/// AES-256-GCM sealed files: round trips, and every kind of tampering fails.
struct SealedFileTests {
    static func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }

    @Test(arguments: [0, 1, 4096, SealedFile.maxChunk, SealedFile.maxChunk + 1, 2 * SealedFile.maxChunk + 5])
    func sealThenOpenGivesTheSameBytes(count: Int) throws {
        let plaintext = Self.bytes(count)
        let sealed = SealedFile.seal(plaintext, key: Support.key)
        #expect(Array(sealed.prefix(8)) == SealedFile.magic)
        #expect(try SealedFile.open(sealed, key: Support.key) == plaintext)
        let chunks = max(1, (count + SealedFile.maxChunk - 1) / SealedFile.maxChunk)
        #expect(sealed.count == SealedFile.headerSize + chunks * SealedFile.chunkOverhead + count)
    }

    @Test func sealingTwiceUsesFreshNonces() {
        let plaintext = Self.bytes(100)
        #expect(SealedFile.seal(plaintext, key: Support.key) != SealedFile.seal(plaintext, key: Support.key))
    }

    func openError(_ sealed: [UInt8], key: DataKey = Support.key) -> SealedFileError? {
        do {
            _ = try SealedFile.open(sealed, key: key)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyFlippedByteFailsAuthentication() {
        let sealed = SealedFile.seal(Self.bytes(64), key: Support.key)
        for index in SealedFile.headerSize..<sealed.count {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(openError(tampered) != nil, "byte \(index)")
        }
    }

    @Test func anotherKeyIsRefusedByKeyID() throws {
        let sealed = SealedFile.seal(Self.bytes(64), key: Support.key)
        let other = try DataKey(base64: Support.otherKeyBase64)
        #expect(openError(sealed, key: other)?.kind == .wrongKey)
        // forging the key id does not help: authentication still fails
        var forged = sealed
        forged.replaceSubrange(9..<17, with: other.id)
        #expect(openError(forged, key: other)?.kind == .authenticationFailed)
    }

    @Test func truncationIsDetected() {
        let sealed = SealedFile.seal(Self.bytes(SealedFile.maxChunk + 10), key: Support.key)
        // drop the final chunk entirely: the first chunk is intact but not final
        let firstChunkEnd = SealedFile.headerSize + SealedFile.chunkOverhead + SealedFile.maxChunk
        #expect(openError(Array(sealed.prefix(firstChunkEnd)))?.kind == .truncated)
        #expect(openError(Array(sealed.dropLast(3))) != nil)
        #expect(openError(Array(sealed.prefix(SealedFile.headerSize)))?.kind == .truncated)
    }

    @Test func reorderedChunksFailAuthentication() {
        let header = SealedFile.header(Support.key)
        let first = SealedFile.chunk(Array("a\n".utf8), index: 0, final: false, header: header, key: Support.key)
        let second = SealedFile.chunk(Array("b\n".utf8), index: 1, final: false, header: header, key: Support.key)
        let final = SealedFile.chunk([], index: 2, final: true, header: header, key: Support.key)
        #expect((try? SealedFile.open(header + first + second + final, key: Support.key)) == Array("a\nb\n".utf8))
        #expect(openError(header + second + first + final)?.kind == .authenticationFailed)
        #expect(openError(header + first + final + second) != nil)
        // a chunk removed from the middle
        #expect(openError(header + first + final)?.kind == .authenticationFailed)
    }

    @Test func appendPointContinuesAfterTheLastDataChunk() throws {
        let header = SealedFile.header(Support.key)
        let first = SealedFile.chunk(Array("a\n".utf8), index: 0, final: false, header: header, key: Support.key)
        let final = SealedFile.chunk([], index: 1, final: true, header: header, key: Support.key)
        let point = try SealedFile.appendPoint(header + first + final, key: Support.key)
        #expect(point.chunks == 1)
        #expect(point.size == header.count + first.count)
    }

    @Test func keysAreReadFromFilesOrTheEnvironmentAndValidated() throws {
        #expect(throws: KeyError.self) { try DataKey.load(file: nil, environment: [:]) }
        #expect(throws: KeyError.self) { try DataKey(base64: Data(count: 16).base64EncodedString()) }
        #expect(throws: KeyError.self) { try DataKey(base64: "not base64 !") }
        let fromEnvironment = try DataKey.load(file: nil, environment: ["FHIRBRIDGE_KEY": Support.keyBase64])
        #expect(fromEnvironment.id == Support.key.id)
        let folder = try Support.temporaryFolder("key")
        let file = folder.appendingPathComponent("key").path
        try (Support.keyBase64 + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try DataKey.load(file: file, environment: [:]).idHex == Support.key.idHex)
    }
}
