import ClinicalModel
import Foundation
import HL7v2
import Pipeline
import Testing

/// No patient data in any error, diagnostic or summary: a sentinel is written into every field of
/// every sample message (valid and deliberately broken) and must not appear in anything we print.
struct SentinelTests {
    static let sentinel = "ZZSENTINEL"

    /// Replaces every field value (every component) after MSH-2 with the sentinel, keeping MSH-9,
    /// MSH-12 and MSH-18 so the message still routes.
    static func seeded(_ message: String) -> String {
        message.split(separator: "\r", omittingEmptySubsequences: true).map { line -> String in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard let id = fields.first else { return String(line) }
            return fields.enumerated().map { index, field -> String in
                if index == 0 { return field }
                if id == "MSH" && [1, 8, 11, 17].contains(index) { return field }
                if field.isEmpty { return sentinel }
                return field.split(separator: "^", omittingEmptySubsequences: false)
                    .map { _ in sentinel }.joined(separator: "^")
            }.joined(separator: "|")
        }.joined(separator: "\r") + "\r"
    }

    static var seededSamples: [String] {
        ["adt-a01-basic", "oru-r01-lab", "vxu-v04-immunization"].compactMap { name in
            (try? String(contentsOf: Support.samples.appendingPathComponent("\(name).hl7"), encoding: .utf8)).map(
                seeded)
        }
    }

    @Test func sentinelAppearsInNoDiagnosticErrorOrSummary() throws {
        var summary = RunSummary()
        var texts: [String] = []
        var broken = Self.seededSamples
        // also break them: a bad segment id, an unterminated escape, an invalid time
        broken += Self.seededSamples.map { $0.replacingOccurrences(of: "\rPID|", with: "\rP!D|") }
        broken += Self.seededSamples.map { $0.replacingOccurrences(of: "ZZSENTINEL", with: "ZZSENTINEL\\X4") }
        broken += [
            "MSH|^~\\&|ZZSENTINEL|ZZSENTINEL|||ZZSENTINEL||ZZSENTINEL^ZZSENTINEL|ZZSENTINEL|P|2.5.1\rPID|1||ZZSENTINEL\r"
        ]
        for text in broken {
            let units = Support.engine.convertHL7v2(Array(text.utf8), inputName: "seeded.hl7")
            for unit in units {
                summary.record(unit: unit)
                texts += unit.diagnostics.map(\.description)
                if let error = unit.error { texts.append(error.description) }
                if let record = unit.record {
                    let (_, diagnostics) = Support.engine.bundleJSON([record])
                    texts += diagnostics.map(\.description)
                }
            }
        }
        texts.append(summary.text())
        texts.append(String(decoding: summary.json(), as: UTF8.self))
        #expect(summary.units > 0)
        for text in texts { #expect(!text.contains(Self.sentinel), "sentinel leaked into: \(text)") }
    }

    /// libxml2 prints encoding failures with the offending input bytes on standard error unless a
    /// handler takes them; the CLI must print only the positioned error.
    @Test func libxml2PrintsNothingOfAnUnconvertibleDocument() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("enc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes = Array(
            "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>".utf8)
        bytes += [0x81, 0xFF, 0xFE, 0xFD] + Array("\(Self.sentinel)</title></ClinicalDocument>\n".utf8)
        let file = folder.appendingPathComponent("enc.xml")
        try Data(bytes).write(to: file)
        let (status, _, err) = try CLITests.run(["convert", file.path])
        #expect(status == 65)
        #expect(err.contains("xmlNotWellFormed"))
        #expect(!err.contains("0x81") && !err.contains("0xFF") && !err.contains("encoding error"), "\(err)")
        #expect(!err.contains(Self.sentinel))
    }

    @Test func parseErrorsNameThePositionOnly() throws {
        let text = "MSH|^~\\&|ZZSENTINEL\rP1D|ZZSENTINEL\r"
        let units = Support.engine.convertHL7v2(Array(text.utf8), inputName: "bad.hl7")
        let error = try #require(units.first?.error)
        #expect(error.location != nil)
        #expect(!error.description.contains(Self.sentinel))
    }
}
