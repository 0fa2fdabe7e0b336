import CCDA
import Foundation
import MappingSpec
import Testing

/// `Mappings/ccda` loads, and each kind of mistake in it is a `ccda/<file>:<line>` error.
struct MappingLoadTests {
    /// A scratch copy of `Mappings/ccda` with `file` edited by `edit`; removed afterwards.
    func loadError(_ file: String, _ edit: (String) -> String) throws -> MappingLoadError? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ccda-mappings-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.mappings.appendingPathComponent("ccda"), to: folder.appendingPathComponent("ccda"))
        let url = folder.appendingPathComponent("ccda/" + file)
        try edit(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try CCDAReader(terminology: Fixtures.terminology, mappingsDirectory: folder)
            return nil
        } catch {
            return error
        }
    }

    func line(of needle: String, in file: String) throws -> Int? {
        let text = try String(contentsOf: Fixtures.mappings.appendingPathComponent("ccda/" + file), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) }.map {
            $0 + 1
        }
    }

    @Test func shippedMappingsLoad() throws {
        _ = try CCDAReader(terminology: Fixtures.terminology, mappingsDirectory: Fixtures.mappings)
        _ = try CCDAReader(
            terminology: Fixtures.terminology, mappingsDirectory: Fixtures.mappings.appendingPathComponent("ccda"))
    }

    @Test func unknownSectionKindIsAnErrorAtItsLine() throws {
        let needle = "2.16.840.1.113883.10.20.22.2.6.1: allergies"
        let error = try #require(
            try loadError("templates.yaml") {
                $0.replacingOccurrences(of: needle, with: "2.16.840.1.113883.10.20.22.2.6.1: allergy")
            })
        #expect(error.file == "ccda/templates.yaml")
        #expect(error.line == (try line(of: needle, in: "templates.yaml")))
        #expect(error.message.contains("unknown kind 'allergy'"))
    }

    @Test func keyThatIsNotAnOIDIsAnError() throws {
        let needle = "2.16.840.1.113883.10.20.22.4.30: allergyConcern"
        let error = try #require(
            try loadError("templates.yaml") {
                $0.replacingOccurrences(of: needle, with: "allergy-concern: allergyConcern")
            })
        #expect(error.line == (try line(of: needle, in: "templates.yaml")))
        #expect(error.message.contains("not an OID"))
    }

    @Test func duplicateKeyIsAnError() throws {
        let error = try #require(
            try loadError("vocabulary.yaml") {
                $0.replacingOccurrences(of: "  F: female\n", with: "  F: female\n  F: male\n")
            })
        #expect(error.file == "ccda/vocabulary.yaml")
        #expect(error.line == (try line(of: "  F: female", in: "vocabulary.yaml")).map { $0 + 1 })
        #expect(error.message.contains("appears twice"))
    }

    @Test func targetOutsideItsFHIRCodeSetIsAnError() throws {
        let error = try #require(
            try loadError("vocabulary.yaml") { $0.replacingOccurrences(of: "  M: male\n", with: "  M: man\n") })
        #expect(error.line == (try line(of: "  M: male", in: "vocabulary.yaml")))
        #expect(error.message.contains("'man'"))
    }

    @Test func missingMapIsAnError() throws {
        let error = try #require(
            try loadError("vocabulary.yaml") { $0.replacingOccurrences(of: "criticality:\n", with: "criticalities:\n") }
        )
        #expect(error.message.contains("unknown map 'criticalities'"))
    }

    @Test func tabIndentationIsAnError() throws {
        let error = try #require(
            try loadError("vocabulary.yaml") { $0.replacingOccurrences(of: "  M: male\n", with: "\tM: male\n") })
        #expect(error.message.contains("tab"))
    }

    @Test func missingFileIsAnError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ccda-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: MappingLoadError.self) {
            try CCDAReader(terminology: Fixtures.terminology, mappingsDirectory: folder)
        }
    }

    @Test func accountRuleThatIsNotAnElementPathIsAnErrorAtItsLine() throws {
        let needle = "section/id/@root: "
        let error = try #require(
            try loadError("account.yaml") { $0.replacingOccurrences(of: needle, with: "section[1]/id/@root: ") })
        #expect(error.file == "ccda/account.yaml")
        #expect(error.line == (try line(of: needle, in: "account.yaml")))
        #expect(error.message.contains("not an element path"))
    }

    @Test func accountSubtreeRuleNamingAnAttributeIsAnError() throws {
        let needle = "/ClinicalDocument/informant: "
        let error = try #require(
            try loadError("account.yaml") {
                $0.replacingOccurrences(of: needle, with: "/ClinicalDocument/informant/@typeCode: ")
            })
        #expect(error.line == (try line(of: needle, in: "account.yaml")))
        #expect(error.message.contains("a subtree rule names an element"))
    }
}
