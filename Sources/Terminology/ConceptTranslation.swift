import Foundation

/// How a target concept relates to its source (FHIR R4 ConceptMapEquivalence,
/// http://hl7.org/fhir/R4/valueset-concept-map-equivalence.html).
public enum ConceptMapEquivalence: String, Hashable, Sendable, Codable, CaseIterable {
    case relatedto, equivalent, equal, wider, subsumes, narrower, specializes, inexact, unmatched, disjoint

    /// Whether a record may carry the target as another coding of the same concept.
    public var isUsableAsCoding: Bool { self == .equivalent || self == .equal }
}

/// One answer of `TerminologyStore.translate(system:code:target:)`: a target coding, how it relates
/// to the source, and which map said so.
///
///     store.translate(system: "http://hl7.org/fhir/sid/icd-9-cm", code: "250.00")
///     // [ConceptTranslation(target: icd-10-cm|E11.9, equivalence: .equivalent, map: "maps/icd-9-cm--icd-10-cm.tsv")]
public struct ConceptTranslation: Hashable, Sendable {
    public var target: MappedCoding
    public var equivalence: ConceptMapEquivalence
    /// The map file or id the answer comes from.
    public var map: String
    /// GEM flags, the map's comment, or nil.
    public var comment: String?

    public init(target: MappedCoding, equivalence: ConceptMapEquivalence, map: String, comment: String? = nil) {
        self.target = target
        self.equivalence = equivalence
        self.map = map
        self.comment = comment
    }
}

/// A CMS General Equivalence Mapping (ICD-9-CM → ICD-10-CM), from `Terminology/maps/…gem.tsv`.
///
/// GEM flags are five digits: approximate, no map, combination, scenario, choice list. An exact
/// one-to-one entry (`00000`) is `equivalent`; approximate or combination entries are `inexact`
/// (a combination needs every target of its scenario and choice lists); `no map` is `unmatched`.
struct GEMTable: Sendable {
    struct Row: Hashable, Sendable {
        var target: String
        var flags: String
    }

    let file: String
    let sourceSystem: String
    let targetSystem: String
    let rows: [String: [Row]]
    let source: TerminologySource

    static func load(url: URL, relativePath: String) throws -> GEMTable {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TerminologyLoadError(.missingFile, file: relativePath, "file not found")
        }
        var header: [String: String] = [:]
        var systems: (String, String)?
        var rows: [String: [Row]] = [:]
        var lineNumber = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            guard !line.isEmpty else { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if line.hasPrefix("#") {
                if fields.count >= 2 { header[String(fields[0].dropFirst())] = fields[1] }
                continue
            }
            if line.hasPrefix("@map") {
                guard fields.count == 3 else {
                    throw TerminologyLoadError(
                        .invalidContent, file: relativePath, line: lineNumber, "expected @map<TAB>source<TAB>target")
                }
                systems = (fields[1], fields[2])
                continue
            }
            guard systems != nil, fields.count == 3, fields[2].count == 5,
                fields[2].allSatisfy({ $0 == "0" || $0 == "1" || $0.isASCIIDigit })
            else {
                throw TerminologyLoadError(
                    .invalidContent, file: relativePath, line: lineNumber, "expected source<TAB>target<TAB>flags")
            }
            rows[fields[0], default: []].append(Row(target: fields[1], flags: fields[2]))
        }
        guard let systems, let name = header["source.name"], let url = header["source.url"],
            let version = header["source.version"], let licence = header["source.licence"]
        else {
            throw TerminologyLoadError(.invalidContent, file: relativePath, "missing @map or #source.* header lines")
        }
        return GEMTable(
            file: relativePath, sourceSystem: systems.0, targetSystem: systems.1, rows: rows,
            source: TerminologySource(name: name, url: url, version: version, licence: licence))
    }

    /// The `#source.*` header of a map file, without reading its rows (the map itself loads at first use).
    static func readSource(url: URL, relativePath: String) throws -> TerminologySource {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw TerminologyLoadError(.missingFile, file: relativePath, "file not found")
        }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 8192)) ?? Data(), as: UTF8.self)
        var header: [String: String] = [:]
        for line in head.split(separator: "\n") where line.hasPrefix("#") {
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            if fields.count == 2 { header[String(fields[0].dropFirst())] = fields[1] }
        }
        guard let name = header["source.name"], let url = header["source.url"], let version = header["source.version"],
            let licence = header["source.licence"]
        else {
            throw TerminologyLoadError(.invalidContent, file: relativePath, "missing #source.* header lines")
        }
        return TerminologySource(name: name, url: url, version: version, licence: licence)
    }

    func translate(_ code: String) -> [ConceptTranslation] {
        guard let entries = rows[code] else { return [] }
        return entries.map { row in
            let flags = Array(row.flags)
            let noMap = flags.count > 1 && flags[1] == "1"
            let approximate = flags.first == "1"
            let combination = flags.count > 2 && flags[2] == "1"
            let equivalence: ConceptMapEquivalence =
                noMap || row.target.isEmpty ? .unmatched : (approximate || combination ? .inexact : .equivalent)
            return ConceptTranslation(
                target: MappedCoding(system: targetSystem, code: row.target.isEmpty ? "" : row.target),
                equivalence: equivalence, map: file, comment: "GEM flags \(row.flags)")
        }
    }
}

/// A site's local codes mapped to standard ones, from `Mappings/terminology/<id>.json`.
///
///     { "source": { … }, "id": "lab-local--loinc", "sourceSystem": "99LAB",
///       "targetSystem": "http://loinc.org",
///       "entries": [ { "code": "GLU", "display": "Glucose",
///                      "target": { "code": "2345-7", "display": "Glucose [Mass/volume] in Serum or Plasma" },
///                      "equivalence": "equivalent" } ] }
///
/// `sourceSystem` is a URI, an OID or a local name as the source writes it (`99LAB`, `L`); entries are
/// matched on the system as written and on its canonical URI.
public struct LocalConceptMap: Sendable {
    public let id: String
    public let sourceSystem: String
    public let targetSystem: String
    public let source: TerminologySource
    /// Relative to the `Mappings/` folder.
    public let file: String
    let entries: [String: [ConceptTranslation]]

    /// Every mapped source code, sorted.
    public var sourceCodes: [String] { entries.keys.sorted() }

    /// Translations of one code (trimmed, matched exactly).
    public func translate(_ code: String) -> [ConceptTranslation] { entries[code.trimmingWhitespace()] ?? [] }
}

struct LocalConceptMapFile: Decodable {
    struct Target: Decodable {
        var system: String?
        var code: String
        var display: String?
    }
    struct Entry: Decodable {
        var code: String
        var display: String?
        var target: Target?
        var equivalence: ConceptMapEquivalence
        var comment: String?
    }
    var source: TerminologySource
    var id: String
    var sourceSystem: String
    var targetSystem: String
    var entries: [Entry]

    func map(file: String) throws -> LocalConceptMap {
        func fail(_ path: String, _ message: String) -> TerminologyLoadError {
            TerminologyLoadError(.invalidContent, file: file, jsonPath: path, message)
        }
        guard !sourceSystem.trimmingWhitespace().isEmpty else { throw fail("$.sourceSystem", "empty") }
        guard TerminologyStore.isURI(targetSystem) else { throw fail("$.targetSystem", "not a URI") }
        var entries: [String: [ConceptTranslation]] = [:]
        for (position, entry) in self.entries.enumerated() {
            let path = "$.entries[\(position)]"
            let code = entry.code.trimmingWhitespace()
            guard !code.isEmpty else { throw fail(path + ".code", "empty source code") }
            let target: MappedCoding
            if let mapped = entry.target {
                let system = mapped.system ?? targetSystem
                guard TerminologyStore.isURI(system) else { throw fail(path + ".target.system", "not a URI") }
                guard !mapped.code.trimmingWhitespace().isEmpty else { throw fail(path + ".target.code", "empty") }
                target = MappedCoding(system: system, code: mapped.code, display: mapped.display)
            } else {
                guard entry.equivalence == .unmatched else {
                    throw fail(path + ".target", "missing (only unmatched entries may omit it)")
                }
                target = MappedCoding(system: targetSystem, code: "")
            }
            entries[code, default: []].append(
                ConceptTranslation(target: target, equivalence: entry.equivalence, map: id, comment: entry.comment))
        }
        return LocalConceptMap(
            id: id, sourceSystem: sourceSystem, targetSystem: targetSystem, source: source, file: file, entries: entries
        )
    }
}
