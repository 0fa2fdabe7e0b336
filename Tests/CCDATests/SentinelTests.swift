import CCDA
import ClinicalModel
import Foundation
import Testing

/// No document content in any error or diagnostic: a sentinel is written into every text node and
/// every value-bearing attribute of our samples (and of broken variants of them), and must not
/// appear in anything the reader reports.
struct SentinelTests {
    static let sentinel = "ZZSENTINEL"

    /// Every text node, and `value`, `extension`, `code`, `displayName`, `unit` and `id/@root`,
    /// becomes the sentinel; templateIds, namespaces and `xsi:type` stay so the document routes.
    static func seeded(_ text: String) throws -> String {
        var result = text
        let rules: [(String, String)] = [
            (#">[^<>]*[^\s<>][^<>]*<"#, ">\(sentinel)<"),
            (#"\b(value|extension|code|displayName|unit|ID)="[^"]*""#, "$1=\"\(sentinel)\""),
            (#"<id root="[^"]*""#, "<id root=\"\(sentinel)\""),
        ]
        for (pattern, template) in rules {
            let expression = try NSRegularExpression(pattern: pattern)
            result = expression.stringByReplacingMatches(
                in: result, range: NSRange(result.startIndex..., in: result), withTemplate: template)
        }
        return result
    }

    @Test func sentinelAppearsInNoDiagnosticOrError() throws {
        var texts: [String] = []
        var documents: [String] = []
        for url in Fixtures.files(under: Fixtures.samples, extensions: ["xml"]) {
            let seeded = try Self.seeded(try String(contentsOf: url, encoding: .utf8))
            documents.append(seeded)
            documents.append(seeded.replacingOccurrences(of: "</title>", with: "</titel>"))
            documents.append(seeded.replacingOccurrences(of: "<section>", with: "<section><\(Self.sentinel)>"))
            documents.append("<!DOCTYPE x [<!ENTITY \(Self.sentinel) \"\(Self.sentinel)\">]>" + seeded)
        }
        var read = 0
        for document in documents {
            do {
                let (record, diagnostics) = try Fixtures.read(document)
                read += record.patients.count
                texts += diagnostics.map(\.description)
                texts += diagnostics.compactMap { $0.location?.description }
            } catch {
                texts.append(error.description)
            }
        }
        #expect(read >= 2)
        #expect(texts.count > 10)
        for text in texts { #expect(!text.contains(Self.sentinel), "sentinel leaked into: \(text)") }
    }
}
