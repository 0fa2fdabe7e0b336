import Foundation

extension TerminologyStore {
    /// Folder of the generated v2-to-FHIR concept maps, relative to `Terminology/`.
    public static let conceptMapFolder = "v2-to-fhir"
    public static let v2CodingSystemsFile = "systems/v2-coding-systems.json"
    public static let oidRegistryFile = "systems/oid-uri.json"
    /// HL7 table 0354 (message structure).
    public static let messageStructureFile = "v2-tables/v2-0354-message-structure.json"
    /// Local-code concept maps, relative to the folder holding `Terminology/` and `Mappings/`.
    public static let localConceptMapFolder = "Mappings/terminology"

    /// Finds the `Terminology/` folder with `TerminologyLocator` and loads it.
    ///
    /// - Throws: `TerminologyLoadError` of kind `missingDirectory` when no folder is found.
    public static func locateAndLoad(startingAt start: URL? = nil) throws -> TerminologyStore {
        guard let directory = TerminologyLocator.findDirectory(startingAt: start) else {
            throw TerminologyLoadError(
                .missingDirectory, file: "Terminology",
                "not found; set \(TerminologyLocator.homeVariable) to the folder holding Terminology/ and Mappings/")
        }
        return try load(from: directory)
    }

    /// Loads every file of a `Terminology/` folder: `v2-to-fhir/*.json` (checked against its `index.json`),
    /// `systems/v2-coding-systems.json`, `systems/oid-uri.json`, HL7 table 0354 in
    /// `v2-tables/v2-0354-message-structure.json`, the code system index
    /// (`codesystems/index.json`, `imported/index.json`; the tables themselves are read at first use),
    /// the UCUM tables in `units/`, and the local concept maps in the sibling `Mappings/terminology/`.
    ///
    /// - Throws: `TerminologyLoadError` naming the file and a line or JSON path. Bad data never traps.
    public static func load(from directory: URL) throws -> TerminologyStore {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TerminologyLoadError(.missingDirectory, file: directory.path, "no such folder")
        }
        var sources: [String: TerminologySource] = [:]
        let decoder = JSONDecoder()

        func read<T: Decodable>(_ type: T.Type, _ relativePath: String) throws -> T {
            let url = directory.appendingPathComponent(relativePath)
            guard fileManager.fileExists(atPath: url.path) else {
                throw TerminologyLoadError(.missingFile, file: relativePath, "file not found")
            }
            let data: Data
            do { data = try Data(contentsOf: url) } catch {
                throw TerminologyLoadError(.unreadableFile, file: relativePath, "cannot read the file")
            }
            do { return try decoder.decode(T.self, from: data) } catch {
                throw TerminologyLoadError.decoding(error, file: relativePath, data: data)
            }
        }

        // Code systems.
        let codingSystems = try read(V2CodingSystemsFile.self, v2CodingSystemsFile)
        sources[v2CodingSystemsFile] = codingSystems.source
        let oidFile = try read(OIDRegistryFile.self, oidRegistryFile)
        sources[oidRegistryFile] = oidFile.source
        let registry = try makeRegistry(codingSystems, oidFile)
        let structureFile = try read(MessageStructureFile.self, messageStructureFile)
        sources[messageStructureFile] = structureFile.source
        let messageStructures = try structureFile.table(file: messageStructureFile)

        // Concept maps.
        let folder = directory.appendingPathComponent(conceptMapFolder)
        let names: [String]
        do {
            names = try fileManager.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".json") && $0 != "index.json" }.sorted()
        } catch {
            throw TerminologyLoadError(.missingDirectory, file: conceptMapFolder, "no such folder")
        }
        var maps: [ConceptMap] = []
        var seen: [String: String] = [:]
        for name in names {
            let relativePath = conceptMapFolder + "/" + name
            let file = try read(ConceptMapFile.self, relativePath)
            let map = try file.conceptMap(file: relativePath, expectedID: String(name.dropLast(5)))
            if let other = seen[map.id] {
                throw TerminologyLoadError(
                    .duplicateID, file: relativePath, jsonPath: "$.id", "id also used by \(other)")
            }
            seen[map.id] = relativePath
            sources[relativePath] = file.source
            maps.append(map)
        }

        let indexPath = conceptMapFolder + "/index.json"
        if fileManager.fileExists(atPath: folder.appendingPathComponent("index.json").path) {
            let index = try read(ConceptMapIndex.self, indexPath)
            sources[indexPath] = index.source
            for (position, entry) in index.maps.enumerated() where seen[entry.id] == nil {
                throw TerminologyLoadError(
                    .invalidContent, file: indexPath, jsonPath: "$.maps[\(position)].id", "no map file \(entry.id).json"
                )
            }
            let listed = Set(index.maps.map(\.id))
            if let missing = maps.first(where: { !listed.contains($0.id) }) {
                throw TerminologyLoadError(
                    .invalidContent, file: indexPath, jsonPath: "$.maps", "\(missing.id) is not listed")
            }
        }
        let codeSystems = try loadCodeSystems(from: directory, sources: &sources)
        let localMaps = try loadLocalConceptMaps(
            from: directory.deletingLastPathComponent().appendingPathComponent(localConceptMapFolder))
        return TerminologyStore(
            directory: directory, maps: maps, registry: registry, sources: sources, codeSystems: codeSystems,
            localMaps: localMaps, messageStructures: messageStructures)
    }

    private static func makeRegistry(_ systems: V2CodingSystemsFile, _ oids: OIDRegistryFile) throws -> SystemRegistry {
        var registry = SystemRegistry()
        for (position, system) in systems.systems.enumerated() {
            guard isURI(system.uri) else {
                throw TerminologyLoadError(
                    .invalidContent, file: v2CodingSystemsFile, jsonPath: "$.systems[\(position)].uri", "not a URI")
            }
            for (namePosition, name) in system.names.enumerated() {
                let key = name.trimmingWhitespace().uppercased()
                if let other = registry.uriByV2Name[key], other != system.uri {
                    throw TerminologyLoadError(
                        .duplicateID, file: v2CodingSystemsFile,
                        jsonPath: "$.systems[\(position)].names[\(namePosition)]", "\(name) already maps to \(other)")
                }
                registry.uriByV2Name[key] = system.uri
            }
        }
        registry.localNames = Set((systems.local?.names ?? []).map { $0.trimmingWhitespace().uppercased() })
        registry.localPrefixes = (systems.local?.prefixes ?? []).map { $0.trimmingWhitespace().uppercased() }

        for (position, entry) in oids.entries.enumerated() {
            let path = "$.entries[\(position)]"
            guard SystemRegistry.isOID(entry.oid) else {
                throw TerminologyLoadError(
                    .invalidContent, file: oidRegistryFile, jsonPath: path + ".oid", "not an OID")
            }
            guard isURI(entry.uri) else {
                throw TerminologyLoadError(.invalidContent, file: oidRegistryFile, jsonPath: path + ".uri", "not a URI")
            }
            if registry.uriByOID[entry.oid] != nil {
                throw TerminologyLoadError(.duplicateID, file: oidRegistryFile, jsonPath: path + ".oid", "listed twice")
            }
            registry.uriByOID[entry.oid] = entry.uri
            if let name = entry.name, registry.nameByURI[entry.uri] == nil {
                registry.nameByURI[entry.uri] = name
                if let short = entry.short { registry.shortNameByURI[entry.uri] = short }
            }
            if entry.reverse ?? true {
                if let other = registry.oidByURI[entry.uri] {
                    throw TerminologyLoadError(
                        .duplicateID, file: oidRegistryFile, jsonPath: path + ".uri",
                        "URI already reverses to \(other); mark one entry \"reverse\": false")
                }
                registry.oidByURI[entry.uri] = entry.oid
            }
        }
        for (alias, canonical) in oids.uriAliases ?? [:] {
            guard isURI(alias), isURI(canonical) else {
                throw TerminologyLoadError(
                    .invalidContent, file: oidRegistryFile, jsonPath: "$.uriAliases", "not a URI: \(alias)")
            }
            registry.canonicalByAlias[alias] = canonical
        }
        // names from the OID registry win; a v2 coding system's title names a system it lacks
        for system in systems.systems {
            if let title = system.title, registry.nameByURI[system.uri] == nil {
                registry.nameByURI[system.uri] = title
            }
        }
        return registry
    }

    static func isURI(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex
        else { return false }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isLetter else { return false }
        return scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
            && !text.contains(where: \.isWhitespace)
    }
}

// MARK: File formats

struct V2CodingSystemsFile: Decodable {
    struct System: Decodable {
        var uri: String
        var title: String?
        var names: [String]
    }
    struct Local: Decodable {
        var names: [String]?
        var prefixes: [String]?
    }
    var source: TerminologySource
    var systems: [System]
    var local: Local?
}

struct OIDRegistryFile: Decodable {
    struct Entry: Decodable {
        var oid: String
        var uri: String
        var name: String?
        var short: String?
        var reverse: Bool?
    }
    var source: TerminologySource
    var entries: [Entry]
    var uriAliases: [String: String]?
}

struct ConceptMapIndex: Decodable {
    struct Entry: Decodable {
        var id: String
        var table: String?
    }
    var source: TerminologySource
    var maps: [Entry]
}

struct ConceptMapFile: Decodable {
    struct Target: Decodable {
        var code: String
        var display: String?
        var system: String?
    }
    struct Conditional: Decodable {
        var code: String
        var condition: [String: String]
        var target: Target?
        var comment: String?
    }
    var source: TerminologySource
    var id: String
    var name: String
    var targetElement: String?
    var sourceTable: String?
    var sourceSystem: String
    var targetSystem: String?
    var map: [String: Target]
    var unmapped: [String: String]?
    var conditional: [Conditional]?

    func conceptMap(file: String, expectedID: String) throws -> ConceptMap {
        func fail(_ path: String, _ message: String) -> TerminologyLoadError {
            TerminologyLoadError(.invalidContent, file: file, jsonPath: path, message)
        }
        guard id == expectedID else { throw fail("$.id", "id \(id) does not match the file name") }
        var table: String?
        if let sourceTable {
            guard let normalized = V2Table.normalize(sourceTable) else {
                throw fail("$.sourceTable", "not a v2 table id")
            }
            table = normalized
        }
        guard TerminologyStore.isURI(sourceSystem) else { throw fail("$.sourceSystem", "not a URI") }
        let target = targetSystem ?? ""
        if !target.isEmpty, !TerminologyStore.isURI(target) { throw fail("$.targetSystem", "not a URI") }

        var entries: [String: MappedCoding] = [:]
        for (rawCode, entry) in map {
            let code = rawCode.trimmingWhitespace()
            let path = "$.map." + rawCode
            guard !code.isEmpty else { throw fail(path, "empty source code") }
            guard !entry.code.trimmingWhitespace().isEmpty else { throw fail(path + ".code", "empty target code") }
            let system = entry.system ?? target
            guard TerminologyStore.isURI(system) else {
                throw fail(path + (entry.system == nil ? "" : ".system"), "no target system URI")
            }
            entries[code] = MappedCoding(system: system, code: entry.code, display: entry.display)
        }
        var unmappedCodes: [String: String] = [:]
        for (code, reason) in unmapped ?? [:] { unmappedCodes[code.trimmingWhitespace()] = reason }
        var conditionalByCode: [String: [ConditionalMapping]] = [:]
        for (position, row) in (conditional ?? []).enumerated() {
            var mapped: MappedCoding?
            if let rowTarget = row.target {
                let system = rowTarget.system ?? target
                guard TerminologyStore.isURI(system) else {
                    throw fail("$.conditional[\(position)].target.system", "no target system URI")
                }
                mapped = MappedCoding(system: system, code: rowTarget.code, display: rowTarget.display)
            }
            let code = row.code.trimmingWhitespace()
            conditionalByCode[code, default: []].append(
                ConditionalMapping(code: code, condition: row.condition, target: mapped, comment: row.comment))
        }
        // JSON objects are unordered once decoded; list source codes in a stable order.
        let codes = Set(entries.keys).union(unmappedCodes.keys).union(conditionalByCode.keys).sorted()
        return ConceptMap(
            id: id, name: name, sourceTable: table, sourceSystem: sourceSystem, targetSystem: target,
            targetElement: targetElement, source: source, entries: entries, unmapped: unmappedCodes,
            conditional: conditionalByCode, sourceCodes: codes)
    }
}
