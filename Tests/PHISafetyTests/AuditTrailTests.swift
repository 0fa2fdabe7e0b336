import FHIRR4
import Foundation
import Testing

@testable import PHISafety

/// The audit trail detects edited, removed, reordered and truncated entries.
struct AuditTrailTests {
    /// A trail of `count` entries in a fresh folder.
    func trail(_ count: Int = 4) throws -> AuditTrail {
        let folder = try Support.temporaryFolder("audit")
        let trail = AuditTrail(path: folder.appendingPathComponent("runs.audit").path)
        for index in 1...count {
            let record = AuditRecord(
                command: "convert", options: ["format": "hl7v2"], user: "tester",
                started: Date(timeIntervalSince1970: Double(1_700_000_000 + index)),
                finished: Date(timeIntervalSince1970: Double(1_700_000_010 + index)), counts: ["units": index],
                inputs: [AuditFile(digest: String(repeating: "a", count: 64), size: index, role: "input")],
                outputs: [AuditFile(digest: String(repeating: "b", count: 64), size: index * 2, role: "output")])
            let (seq, hash) = try trail.append(record)
            #expect(seq == index)
            #expect(hash.count == 64)
        }
        return trail
    }

    func lines(_ trail: AuditTrail) throws -> [String] {
        try String(contentsOfFile: trail.path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], to trail: AuditTrail) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: trail.path, atomically: true, encoding: .utf8)
    }

    func failure(_ trail: AuditTrail) -> AuditVerificationError? {
        do {
            try trail.verify()
            return nil
        } catch {
            return error
        }
    }

    @Test func intactTrailVerifies() throws {
        let trail = try trail()
        #expect(try trail.verify() == 4)
        let first = try #require(try lines(trail).first)
        #expect(first.contains("\"prev\":\"\(AuditTrail.genesis)\""))
        #expect(first.contains("\"started\":\"2023-11-14T22:13:21.000Z\""))
    }

    @Test func editedEntryIsDetected() throws {
        let trail = try trail()
        var lines = try lines(trail)
        lines[1] = lines[1].replacingOccurrences(of: "\"units\":2", with: "\"units\":9")
        try write(lines, to: trail)
        #expect(failure(trail) == AuditVerificationError(kind: .hashMismatch, entry: 2))
    }

    @Test func editedEntryWithRecomputedHashBreaksTheNextLink() throws {
        let trail = try trail()
        var lines = try lines(trail)
        // an attacker who recomputes entry 2's hash still breaks entry 3's prev
        let object = try #require(try JSONReader.parse(lines[1]).objectValue)
        var edited = JSONObject()
        for member in object where member.key != "hash" {
            edited.append(member.key, member.key == "user" ? .string("someone-else") : member.value)
        }
        edited.append("hash", .string(AuditTrail.hash(of: edited)))
        lines[1] = String(decoding: JSONWriter(style: .compact).bytes(JSON.object(edited).sortedKeys()), as: UTF8.self)
        try write(lines, to: trail)
        #expect(failure(trail) == AuditVerificationError(kind: .brokenChain, entry: 3))
    }

    /// Found by FuzzAudit (Tests/RobustnessTests/Regressions/audit/space-inserted-in-entry): white
    /// space inside an entry left the parsed JSON, and so the hash, unchanged, and the trail verified.
    @Test func sameJSONInOtherBytesIsDetected() throws {
        let trail = try trail()
        let original = try lines(trail)
        let variants = [
            original[1].replacingOccurrences(of: "\"user\":", with: "\"user\": "),  // white space
            original[1].replacingOccurrences(of: "\"tester\"", with: "\"t\\u0065ster\""),  // an escape
            original[1] + "\r",  // a CR before the newline
        ]
        for variant in variants {
            var lines = original
            lines[1] = variant
            try write(lines, to: trail)
            #expect(failure(trail) == AuditVerificationError(kind: .hashMismatch, entry: 2), "\(variant.suffix(12))")
        }
        try write([original[0], "", original[1], original[2], original[3]], to: trail)
        #expect(failure(trail) == AuditVerificationError(kind: .malformedEntry, entry: 2))
        try write(original, to: trail)
        #expect(try trail.verify() == 4)
    }

    @Test func removedEntryIsDetected() throws {
        let trail = try trail()
        var lines = try lines(trail)
        lines.remove(at: 1)
        try write(lines, to: trail)
        #expect(failure(trail) == AuditVerificationError(kind: .sequenceGap, entry: 2))
    }

    @Test func reorderedEntriesAreDetected() throws {
        let trail = try trail()
        var lines = try lines(trail)
        lines.swapAt(1, 2)
        try write(lines, to: trail)
        #expect(failure(trail) == AuditVerificationError(kind: .sequenceGap, entry: 2))
    }

    @Test func removedLastEntryIsDetectedThroughTheHeadFile() throws {
        let trail = try trail()
        var lines = try lines(trail)
        lines.removeLast()
        try write(lines, to: trail)
        #expect(failure(trail) == AuditVerificationError(kind: .headMismatch, entry: 4))
    }

    @Test func removingTheLastEntryAndTheHeadFileIsDetected() throws {
        let trail = try trail()
        var lines = try lines(trail)
        lines.removeLast()
        try write(lines, to: trail)
        try FileManager.default.removeItem(atPath: trail.headPath)
        #expect(failure(trail) == AuditVerificationError(kind: .headMissing, entry: 3))
    }

    @Test func anEmptyTrailNeedsNoHead() throws {
        let folder = try Support.temporaryFolder("audit-empty")
        let trail = AuditTrail(path: folder.appendingPathComponent("runs.audit").path)
        try Data().write(to: URL(fileURLWithPath: trail.path))
        #expect(try trail.verify() == 0)
    }

    /// A trail cut short with its head rewritten to match passes on its own; the anchor, kept
    /// elsewhere, still names the entries that were removed.
    @Test func theAnchorFileCatchesATrailCutShortWithItsHeadRewritten() throws {
        let folder = try Support.temporaryFolder("audit-anchor")
        let anchor = folder.appendingPathComponent("elsewhere.anchor").path
        let trail = AuditTrail(path: folder.appendingPathComponent("runs.audit").path, anchorPath: anchor)
        var hashes: [String] = []
        for index in 1...3 {
            let record = AuditRecord(
                command: "convert", user: "tester", started: Date(timeIntervalSince1970: Double(index)),
                finished: Date(timeIntervalSince1970: Double(index + 1)))
            hashes.append(try trail.append(record).hash)
        }
        #expect(try trail.verify() == 3)
        #expect(
            try String(contentsOfFile: anchor, encoding: .utf8)
                == hashes.enumerated().map { "\($0.offset + 1) \($0.element)\n" }.joined())

        var lines = try lines(trail)
        lines.removeLast()
        try write(lines, to: trail)
        try "2 \(hashes[1])\n".write(toFile: trail.headPath, atomically: true, encoding: .utf8)
        #expect(try AuditTrail(path: trail.path).verify() == 2, "without the anchor the cut goes unseen")
        #expect(failure(trail) == AuditVerificationError(kind: .anchorMismatch, entry: 3))

        // a rewritten entry under an anchored sequence number is caught too
        try FileManager.default.removeItem(atPath: anchor)
        try "1 \(String(repeating: "f", count: 64))\n".write(toFile: anchor, atomically: true, encoding: .utf8)
        #expect(failure(trail) == AuditVerificationError(kind: .anchorMismatch, entry: 1))
        try "not an anchor line\n".write(toFile: anchor, atomically: true, encoding: .utf8)
        #expect(failure(trail) == AuditVerificationError(kind: .anchorMismatch, entry: 0))
        try FileManager.default.removeItem(atPath: anchor)
        #expect(failure(trail) == AuditVerificationError(kind: .anchorUnreadable, entry: 0))
    }

    @Test func truncatedLineIsDetected() throws {
        let trail = try trail()
        let text = try String(contentsOfFile: trail.path, encoding: .utf8)
        try String(text.dropLast(10)).write(toFile: trail.path, atomically: true, encoding: .utf8)
        #expect(failure(trail)?.entry == 4)
    }

    @Test func appendingContinuesTheChainAfterVerification() throws {
        let trail = try trail(2)
        try trail.verify()
        let record = AuditRecord(command: "reconcile", started: Date(), finished: Date())
        #expect(try trail.append(record).seq == 3)
        #expect(try trail.verify() == 3)
    }
}
