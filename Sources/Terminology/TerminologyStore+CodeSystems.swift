import Foundation

extension TerminologyStore {
    /// Loads `codesystems/index.json` and `imported/index.json` (tables a user imported win over the
    /// shipped subsets), checks that every table they list exists, and loads the UCUM tables.
    /// A folder without `codesystems/index.json` gives an empty code system store.
    static func loadCodeSystems(from directory: URL, sources: inout [String: TerminologySource]) throws
        -> CodeSystemStore
    {
        let fileManager = FileManager.default
        var fileBySystem: [String: String] = [:]
        var composites: [String: [String]] = [:]
        var maps: [(file: String, source: String, target: String)] = []
        var essence: String?
        var anyIndex = false
        for indexFile in [CodeSystemStore.indexFile, CodeSystemStore.importedIndexFile] {
            let url = directory.appendingPathComponent(indexFile)
            guard let data = fileManager.contents(atPath: url.path) else { continue }
            anyIndex = true
            let index: CodeSystemIndexFile
            do { index = try JSONDecoder().decode(CodeSystemIndexFile.self, from: data) } catch {
                throw TerminologyLoadError.decoding(error, file: indexFile, data: data)
            }
            sources[indexFile] = index.source
            for (position, entry) in index.files.enumerated() {
                let path = "$.files[\(position)]"
                guard fileManager.fileExists(atPath: directory.appendingPathComponent(entry.file).path) else {
                    throw TerminologyLoadError(
                        .missingFile, file: indexFile, jsonPath: path + ".file", "no table \(entry.file)")
                }
                for (systemPosition, system) in entry.systems.enumerated() {
                    guard isURI(system) else {
                        throw TerminologyLoadError(
                            .invalidContent, file: indexFile, jsonPath: path + ".systems[\(systemPosition)]",
                            "not a URI")
                    }
                    fileBySystem[system] = entry.file
                }
                sources[entry.file] = entry.source
            }
            for (system, parts) in index.composites ?? [:] { composites[system] = parts }
            for map in index.maps ?? [] {
                guard fileManager.fileExists(atPath: directory.appendingPathComponent(map.file).path) else {
                    throw TerminologyLoadError(.missingFile, file: indexFile, jsonPath: "$.maps", "no map \(map.file)")
                }
                maps.append((map.file, map.source, map.target))
            }
            if let file = index.essence { essence = file }
        }
        guard anyIndex else { return .empty }
        let store = CodeSystemStore(
            directory: directory, fileBySystem: fileBySystem, compositeSystems: composites, mapFiles: maps,
            essenceFile: essence)
        if essence != nil {
            let (units, unitSources) = try UCUMUnits.load(from: directory)
            sources.merge(unitSources) { first, _ in first }
            store.preload(units: units)
        }
        for map in maps {
            sources[map.file] = try GEMTable.readSource(
                url: directory.appendingPathComponent(map.file), relativePath: map.file)
        }
        return store
    }

    /// Every `*.json` of `Mappings/terminology/` as a local concept map; none when the folder is missing.
    static func loadLocalConceptMaps(from folder: URL) throws -> [LocalConceptMap] {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: folder.path) else { return [] }
        var maps: [LocalConceptMap] = []
        var seen: [String: String] = [:]
        for name in names.filter({ $0.hasSuffix(".json") }).sorted() {
            let relativePath = localConceptMapFolder + "/" + name
            let url = folder.appendingPathComponent(name)
            guard let data = fileManager.contents(atPath: url.path) else {
                throw TerminologyLoadError(.unreadableFile, file: relativePath, "cannot read the file")
            }
            let file: LocalConceptMapFile
            do { file = try JSONDecoder().decode(LocalConceptMapFile.self, from: data) } catch {
                throw TerminologyLoadError.decoding(error, file: relativePath, data: data)
            }
            let map = try file.map(file: relativePath)
            guard map.id + ".json" == name else {
                throw TerminologyLoadError(
                    .invalidContent, file: relativePath, jsonPath: "$.id", "id \(map.id) does not match the file name")
            }
            if let other = seen[map.id] {
                throw TerminologyLoadError(
                    .duplicateID, file: relativePath, jsonPath: "$.id", "id also used by \(other)")
            }
            seen[map.id] = relativePath
            maps.append(map)
        }
        return maps
    }
}

struct CodeSystemIndexFile: Codable {
    struct File: Codable {
        var file: String
        var source: TerminologySource
        var systems: [String]
    }
    struct Map: Codable {
        var file: String
        var source: String
        var target: String
    }
    var source: TerminologySource
    var generatedBy: String?
    var files: [File]
    var essence: String?
    var maps: [Map]?
    var composites: [String: [String]]?
}
