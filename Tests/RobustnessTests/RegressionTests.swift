import CCDA
import CSVSource
import ClinicalModel
import Foundation
import HL7v2
import MLLP
import NIOCore
import PHISafety
import Pipeline
import Testing

/// Replays every input the fuzzers found to crash, hang or trip the sanitizer (Regressions/<target>/,
/// minimised, one file each; see Regressions/README.md) through the parser it broke, and through the
/// engine, which must answer each with results or positioned errors, never a crash.
@Suite struct RegressionTests {
    static func inputs(_ target: String) -> [URL] {
        let folder = Robustness.regressions.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted().map {
            folder.appendingPathComponent($0)
        }
    }

    static let all: [String] = ["hl7v2", "mllp", "csv", "ccda", "audit"].flatMap { target in
        inputs(target).map { "\(target)/\($0.lastPathComponent)" }
    }

    @Test func everyRegressionHasItsNote() throws {
        let readme = try String(
            contentsOf: Robustness.regressions.appendingPathComponent("README.md"), encoding: .utf8)
        for name in Self.all { #expect(readme.contains(name), "\(name) is not described in Regressions/README.md") }
    }

    @Test(arguments: all)
    func replays(_ name: String) throws {
        let url = Robustness.regressions.appendingPathComponent(name)
        let bytes = try Robustness.bytes(url)
        switch name.split(separator: "/").first {
        case "hl7v2":
            let parsed = HL7Parser.parseAll(
                bytes, limits: HL7Limits(maxMessageBytes: 8192, maxFieldBytes: 1024, maxSegments: 64))
            for case .success(let message) in parsed.messages {
                for segment in message.segments {
                    for field in segment.fields { _ = field.repetitions.map { $0.components.map(\.subcomponents) } }
                }
            }
            let units = Robustness.engine.convert(bytes, inputName: "regression.hl7", format: .hl7v2)
            #expect(units.allSatisfy { $0.record != nil || $0.error?.location != nil })
        case "mllp":
            // As FuzzMLLP: byte 0 picks the chunkings, byte 1 the frame limit; whole and chunked agree.
            let seed = Int(bytes.first ?? 0)
            let limit = 1 + Int(bytes.dropFirst().first ?? 0) * 8
            let stream = Array(bytes.dropFirst(2))
            let whole = Self.decode(stream, chunkSizes: [max(1, stream.count)], maxFrameBytes: limit)
            let chunked = Self.decode(
                stream, chunkSizes: [1 + seed % 7, 1 + seed % 13, 1 + seed, 3], maxFrameBytes: limit)
            #expect(whole == chunked)
            for size in [1, 2, 5, 64] {
                #expect(Self.decode(stream, chunkSizes: [size], maxFrameBytes: limit) == whole, "chunks of \(size)")
            }
            // As FuzzMLLP: each frame's acknowledgement reads back as one message.
            for frame in whole {
                let ack: [UInt8]
                switch frame {
                case .message(let content):
                    let bytes = Array(content.readableBytesView)
                    let issues = HL7Parser.parseAll(bytes).errors.map { HL7AcknowledgementIssue($0.sourceError) }
                    ack = HL7Acknowledgement(issues: issues).bytes(
                        replyingTo: HL7InboundHeader(scanning: bytes), controlID: "A1", timestamp: "20240101000000+0000"
                    )
                case .oversized(let prefix, _):
                    ack = HL7Acknowledgement(code: .reject).bytes(
                        replyingTo: HL7InboundHeader(scanning: prefix.readableBytesView), controlID: "A1",
                        timestamp: "20240101000000+0000")
                }
                let reply = HL7Parser.parseAll(ack)
                #expect(reply.messages.count == 1 && reply.errors.isEmpty, "the acknowledgement reads back")
            }
        case "csv":
            var reader = CSVReader(bytes: bytes, chunkSize: Int(bytes.first ?? 0) + 1, maxRecordBytes: 4096)
            while reader.readRecord() != nil {}
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "regression-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("input.csv")
            try Data(bytes).write(to: file)
            let units = Robustness.engine.convertCSV(file, profile: Robustness.labProfile)
            #expect(units.allSatisfy { $0.record != nil || $0.error != nil })
        case "ccda":
            let units = Robustness.engine.convert(bytes, inputName: "regression.xml", format: .ccda)
            #expect(units.count == 1)
            #expect(units[0].record != nil || units[0].error?.location != nil)
        case "audit":
            // A trail changed after it was written (no head file): it must not verify.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "regression-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let trail = AuditTrail(path: folder.appendingPathComponent("runs.audit").path)
            try Data(bytes).write(to: URL(fileURLWithPath: trail.path))
            #expect(throws: AuditVerificationError.self) { try trail.verify() }
        default:
            Issue.record("unknown regression folder for \(name)")
        }
    }

    static func decode(_ stream: [UInt8], chunkSizes: [Int], maxFrameBytes: Int) -> [MLLPFrame] {
        var decoder = MLLPFrameDecoder(maxFrameBytes: maxFrameBytes, keptPrefixBytes: 16)
        var buffer = ByteBuffer()
        var frames: [MLLPFrame] = []
        var offset = 0
        var turn = 0
        while offset < stream.count {
            let end = min(stream.count, offset + chunkSizes[turn % chunkSizes.count])
            turn += 1
            buffer.writeBytes(stream[offset..<end])
            offset = end
            while let frame = decoder.readFrame(from: &buffer) { frames.append(frame) }
            buffer.discardReadBytes()
        }
        if let last = decoder.finish(&buffer) { frames.append(last) }
        return frames
    }
}
