import Foundation
import Terminology
import Testing

/// Broken data gives a `TerminologyLoadError` naming the file and a line or JSON path, never a trap.
@Suite("Load errors")
struct TerminologyLoadErrorTests {
    static let mapFile = "v2-to-fhir/v2-0001--administrative-gender.json"

    func loadError(_ change: (URL) throws -> Void) throws -> TerminologyLoadError {
        let folder = try Fixtures.scratchCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        try change(folder)
        do {
            _ = try TerminologyStore.load(from: folder)
        } catch let error as TerminologyLoadError {
            return error
        }
        throw CancellationError()  // loading unexpectedly succeeded
    }

    func rewrite(_ folder: URL, _ file: String, _ edit: (String) -> String) throws {
        let url = folder.appendingPathComponent(file)
        try edit(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func syntaxErrorNamesFileAndLine() throws {
        let error = try loadError { folder in
            try rewrite(folder, Self.mapFile) { text in
                var lines = text.components(separatedBy: "\n")
                lines[11] += " @@"  // line 12
                return lines.joined(separator: "\n")
            }
        }
        #expect(error.kind == .invalidJSON)
        #expect(error.file == Self.mapFile)
        #expect(error.line == 12, "\(error)")
        #expect(error.description.hasPrefix(Self.mapFile + ":12"))
    }

    @Test func missingFieldNamesJSONPath() throws {
        let error = try loadError { folder in
            try rewrite(folder, Self.mapFile) { $0.replacingOccurrences(of: "\"code\": \"female\",", with: "") }
        }
        #expect(error.file == Self.mapFile)
        #expect(error.jsonPath == "$.map.F.code", "\(error)")
    }

    @Test func wrongTypeNamesJSONPath() throws {
        let error = try loadError { folder in
            try rewrite(folder, Self.mapFile) { $0.replacingOccurrences(of: "\"code\": \"male\"", with: "\"code\": 7") }
        }
        #expect(error.jsonPath == "$.map.M.code", "\(error)")
    }

    @Test func idMustMatchFileName() throws {
        let error = try loadError { folder in
            try rewrite(folder, Self.mapFile) {
                $0.replacingOccurrences(of: "\"id\": \"v2-0001--administrative-gender\"", with: "\"id\": \"other\"")
            }
        }
        #expect(error.jsonPath == "$.id")
    }

    @Test func missingSystemsFileIsNamed() throws {
        let error = try loadError { folder in
            try FileManager.default.removeItem(at: folder.appendingPathComponent("systems/oid-uri.json"))
        }
        #expect(error.kind == .missingFile)
        #expect(error.file == "systems/oid-uri.json")
    }

    @Test func indexMustListEveryMap() throws {
        let error = try loadError { folder in
            try FileManager.default.removeItem(at: folder.appendingPathComponent(Self.mapFile))
        }
        #expect(error.file == "v2-to-fhir/index.json")
        #expect(error.jsonPath?.hasPrefix("$.maps[") == true, "\(error)")
    }

    @Test func badOIDIsRejected() throws {
        let error = try loadError { folder in
            try rewrite(folder, "systems/oid-uri.json") {
                $0.replacingOccurrences(of: "\"oid\": \"2.16.840.1.113883.6.96\"", with: "\"oid\": \"2..16\"")
            }
        }
        #expect(error.file == "systems/oid-uri.json")
        #expect(error.jsonPath == "$.entries[0].oid")
    }

    @Test func missingFolderIsAnError() {
        #expect(throws: TerminologyLoadError.self) {
            try TerminologyStore.load(from: URL(fileURLWithPath: "/nonexistent/Terminology"))
        }
    }
}
