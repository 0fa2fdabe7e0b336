import ClinicalModel
import Foundation
import Testing

/// Issue kinds are typed constants whose text is what summaries, reports and tests have always
/// printed: the catalogue names each kind after its raw value, once, and kinds serialise as plain
/// strings.
struct IssueKindTests {
    static let catalogue = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/ClinicalModel/IssueKind+Catalogue.swift")

    @Test func everyConstantIsNamedAfterItsRawValueOnce() throws {
        let text = try String(contentsOf: Self.catalogue, encoding: .utf8)
        let declarations = text.split(separator: "\n").filter { $0.contains("public static let") }
        #expect(declarations.count > 90)
        var seen: Set<Substring> = []
        for line in declarations {
            let name = line.split(separator: "let ")[1].prefix { $0 != " " }
            let raw = line.split(separator: "\"")[1]
            #expect(name == raw, "\(line)")
            #expect(seen.insert(raw).inserted, "\(raw) twice")
        }
    }

    @Test func kindsPrintAndSerialiseAsTheirText() throws {
        let diagnostic = Diagnostic(.warning, .invalidTimestamp, at: .input(name: "a.hl7", offset: nil))
        #expect(diagnostic.description.hasPrefix("warning: invalidTimestamp at "))
        #expect(SourceError(.unsupportedMessageType, at: nil).description == "unsupportedMessageType")
        let json = try JSONEncoder().encode(SourceError(.unmappedCode, at: nil))
        #expect(String(decoding: json, as: UTF8.self).contains(#""kind":"unmappedCode""#))
        #expect(try JSONDecoder().decode(SourceError.self, from: json).kind == .unmappedCode)
    }

    @Test func kindsSortByTheirText() {
        #expect(
            [IssueKind.unmappedCode, .fieldNotMapped, .invalidValue].sorted() == [
                .fieldNotMapped, .invalidValue, .unmappedCode,
            ])
    }
}
