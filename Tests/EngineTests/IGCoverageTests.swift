import Foundation
import MappingSpec
import TestSupport
import Testing
import Yams

/// `Mappings/hl7v2/ig-coverage.yaml`, our statement of what we do with each map of the HL7 v2-to-FHIR
/// IG: checked against the IG's inventories in the corpus (every message map and segment map has an
/// entry) and against our own maps (every `map` and `manifest` claim is true). With
/// `FHIRBRIDGE_IG_REPO` naming a checkout (or bare clone) of the IG source, the field lists are
/// checked against the IG's segment maps too.
struct IGCoverageTests {
    static let dispositions = ["map", "declared", "outOfScope", "notYet", "manifest"]

    static func coverage() throws -> [String: Any] {
        let text = try String(contentsOf: Repository.url("Mappings/hl7v2/ig-coverage.yaml"), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    static let spec: HL7v2MappingSpec = {
        do { return try HL7v2MappingSpec.load(from: Repository.url("Mappings")) } catch {
            fatalError("mappings failed to load: \(error)")
        }
    }()

    /// The map names (first column) of one of the IG's inventory CSVs, without the `HL7 X - FHIR R4: ` prefix.
    static func inventory(_ kind: String) throws -> [String] {
        let url = TestCorpus.url("v2-to-fhir-maps/v2-to-FHIR Map Inventory - \(kind).csv")
        let rows = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        let prefix = "HL7 \(kind) - FHIR R4: "
        return rows.compactMap { row in
            let name = row.split(separator: ",", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !name.isEmpty else { return nil }
            return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
        }
    }

    /// The one disposition of an entry, with its text; `nil` when it has none or several.
    static func disposition(_ entry: Any?) -> (String, String)? {
        guard let entry = entry as? [String: Any] else { return nil }
        let found = dispositions.compactMap { key in (entry[key] as? String).map { (key, $0) } }
        guard found.count == 1, let only = found.first, !only.1.trimmingCharacters(in: .whitespaces).isEmpty else {
            return nil
        }
        return only
    }

    @Test(.needsCorpus) func everyIGMapIsImplementedOrDeclared() throws {
        let coverage = try Self.coverage()
        let messages = try #require(coverage["messages"] as? [String: Any])
        let segments = try #require(coverage["segments"] as? [String: Any])
        for name in try Self.inventory("Message") {
            let entry = Self.disposition(messages[name])
            #expect(entry != nil, "message map \(name): no entry, or not exactly one disposition")
            if let entry, entry.0 == "manifest" {
                #expect(Self.spec.manifests[entry.1] != nil, "message map \(name): no manifest \(entry.1)")
            }
        }
        for name in try Self.inventory("Segment") {
            let entry = segments[name] as? [String: Any]
            if let fields = entry?["fields"] as? [String: Any] {
                #expect(!fields.isEmpty, "segment map \(name): an empty field list")
            } else {
                #expect(Self.disposition(entry) != nil, "segment map \(name): no fields and no disposition")
            }
        }
    }

    @Test func everyFieldClaimHolds() throws {
        let segments = try #require(try Self.coverage()["segments"] as? [String: Any])
        var checked = 0
        for (name, entry) in segments {
            guard let fields = (entry as? [String: Any])?["fields"] as? [String: Any] else { continue }
            let segment = String(name.prefix(while: { $0 != "[" }))
            for (field, value) in fields {
                let disposition = Self.disposition(value)
                #expect(disposition != nil, "\(name) \(field): not exactly one disposition")
                guard let disposition else { continue }
                let (key, text) = disposition
                let number = Int(field.split(separator: "-").last ?? "") ?? 0
                let map = Self.spec.segmentMaps[segment]
                switch key {
                case "map":
                    checked += 1
                    #expect(Self.holds(text, segment: segment, field: number, map: map), "\(name) \(field): \(text)")
                case "declared":
                    let reasons = (map?.declared ?? []).filter { $0.field == number }.map(\.reason)
                    #expect(reasons.contains(text), "\(name) \(field): declared, but not in segments/\(segment).yaml")
                case "manifest":
                    Issue.record("\(name) \(field): `manifest` is for message maps")
                default: break
                }
            }
        }
        #expect(checked > 150)
    }

    /// Whether our maps do what a `map` entry says: `kind.path` (a rule of the field to that path),
    /// `kind converter NAME` (the converter on that kind), `note` (NTE's text, author, time) or the
    /// source document (MSH fields).
    static func holds(_ claim: String, segment: String, field: Int, map: SegmentMap?) -> Bool {
        if claim == "note" { return segment == "NTE" }
        if claim.hasPrefix("document (") { return segment == "MSH" }
        let parts = claim.split(separator: " ")
        if parts.count == 3, parts[1] == "converter" {
            return map?.produces.contains { $0.entity == parts[0] && $0.converters.contains(String(parts[2])) } == true
        }
        guard let dot = claim.firstIndex(of: ".") else { return false }
        let kind = String(claim[..<dot])
        let path = String(claim[claim.index(after: dot)...])
        return map?.produces.contains { produce in
            produce.entity == kind && produce.fields.contains { $0.field == field && $0.target == path }
        } == true
    }

    // MARK: Against the IG source

    static let igRepo = ProcessInfo.processInfo.environment["FHIRBRIDGE_IG_REPO"].flatMap { $0.isEmpty ? nil : $0 }

    @Test(.enabled(if: igRepo != nil, "set FHIRBRIDGE_IG_REPO to a clone of github.com/HL7/v2-to-fhir"))
    func fieldListsMatchTheIG() throws {
        let repo = try #require(Self.igRepo)
        let segments = try #require(try Self.coverage()["segments"] as? [String: Any])
        let listing = try Self.git(repo, ["ls-tree", "-r", "--name-only", "HEAD", "mappings/segments/"])
        let prefix = "HL7 Segment - FHIR R4_ "
        var files: [String: String] = [:]
        for path in listing.split(separator: "\n").map(String.init) {
            let base = path.split(separator: "/").last.map(String.init) ?? ""
            guard base.hasPrefix(prefix), base.hasSuffix(".csv"), let dash = base.range(of: " - ", options: .backwards)
            else { continue }
            files[String(base[base.index(base.startIndex, offsetBy: prefix.count)..<dash.lowerBound])] = path
        }
        var compared = 0
        for (name, entry) in segments {
            guard let fields = (entry as? [String: Any])?["fields"] as? [String: Any] else { continue }
            let path = try #require(files[name], "\(name): no segment map in the IG source")
            let rows = Self.csvRows(try Self.git(repo, ["show", "HEAD:\(path)"]))
            var mapped: Set<String> = []
            for row in rows.dropFirst(2) where row.count > 10 {
                let id = row[1].trimmingCharacters(in: .whitespaces)
                guard let number = id.split(separator: "-").last, Int(number) != nil else { continue }
                let target = row[9].trimmingCharacters(in: .whitespaces) + row[10].trimmingCharacters(in: .whitespaces)
                if !target.isEmpty { mapped.insert(id) }
            }
            #expect(Set(fields.keys) == mapped, "\(name): our field list differs from the IG's")
            compared += 1
        }
        #expect(compared > 20)
    }

    static func git(_ repo: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", repo] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks.
    static func csvRows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character?
        while let char = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if char == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            cell.append("\"")
                        } else {
                            quoted = false
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(char)
                }
            } else if char == "\"" {
                quoted = true
            } else if char == "," {
                row.append(cell)
                cell = ""
            } else if char == "\n" || char == "\r\n" || char == "\r" {
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
            } else {
                cell.append(char)
            }
        }
        if !cell.isEmpty || !row.isEmpty {
            row.append(cell)
            rows.append(row)
        }
        return rows
    }
}
