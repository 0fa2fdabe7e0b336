import Foundation

/// The code system tables of `Terminology/`: HL7 v2 tables, v3/THO and FHIR R4 code systems, DICOM,
/// ICD-10-CM, ICD-9-CM, CVX, and LOINC / SNOMED CT / RxNorm subsets (or full releases a user imported),
/// plus UCUM units and the ICD-9-CM → ICD-10-CM GEMs.
///
/// Only `codesystems/index.json` (and `imported/index.json`) is read when the store loads; each table
/// file is read and indexed the first time one of its systems is asked for, then kept.
///
///     let codes = store.codeSystems
///     codes.lookup(system: "http://loinc.org", code: "718-7")?.display   // "Hemoglobin [Mass/volume] in Blood"
///     codes.validate(system: "http://hl7.org/fhir/sid/icd-10-cm", code: "E119").status   // .valid (canonical E11.9)
///     codes.units?.ucumCode(for: "mg/dl")                                 // "mg/dL"
public final class CodeSystemStore: @unchecked Sendable {
    // @unchecked: the mutable caches below are only touched under `lock`; everything else is immutable.

    public static let indexFile = "codesystems/index.json"
    public static let importedIndexFile = "imported/index.json"

    /// The `Terminology/` folder, when loaded from disk.
    public let directory: URL?
    /// Canonical system URI → table file (relative to `Terminology/`); imported tables win.
    let fileBySystem: [String: String]
    /// Systems whose codes are the union of other tables (CDC Race & Ethnicity = v3 Race + Ethnicity).
    let compositeSystems: [String: [String]]
    let mapFiles: [(file: String, source: String, target: String)]
    let essenceFile: String?

    private let lock = NSLock()
    private var files: [String: Result<CodeTableFile, TerminologyLoadError>] = [:]
    private var loadedUnits: Result<UCUMUnits, TerminologyLoadError>?
    private var gems: [String: Result<GEMTable, TerminologyLoadError>] = [:]

    init(
        directory: URL?, fileBySystem: [String: String], compositeSystems: [String: [String]] = [:],
        mapFiles: [(file: String, source: String, target: String)] = [], essenceFile: String? = nil
    ) {
        self.directory = directory
        self.fileBySystem = fileBySystem
        self.compositeSystems = compositeSystems
        self.mapFiles = mapFiles
        self.essenceFile = essenceFile
    }

    /// A store with no tables (every system reports `systemNotLoaded`).
    public static let empty = CodeSystemStore(directory: nil, fileBySystem: [:])

    // MARK: Systems

    /// Every system URI with a table, sorted.
    public var systems: [String] { Set(fileBySystem.keys).union(compositeSystems.keys).sorted() }

    /// Whether a table holds this system's codes (canonical URI).
    public func hasTable(for system: String) -> Bool {
        fileBySystem[system] != nil || compositeSystems[system] != nil
    }

    /// The metadata of a system's table, loading the table if needed.
    public func info(for system: String) -> CodeSystemInfo? {
        if let parts = compositeSystems[system] {
            let infos = parts.compactMap { info(for: $0) }
            guard var first = infos.first else { return nil }
            first.uri = system
            first.count = infos.reduce(0) { $0 + $1.count }
            first.name = infos.compactMap(\.name).joined(separator: " + ")
            return first
        }
        guard let (table, index) = section(for: system) else { return nil }
        return table.sections[index].info
    }

    /// The concept for a code, after the code system's spelling rules (`E119` → `E11.9`).
    ///
    /// - Returns: `nil` when the system has no table or the table has no such code.
    /// - Complexity: O(log n) once the table is loaded.
    public func lookup(system: String, code: String) -> CodeSystemConcept? {
        if let parts = compositeSystems[system] {
            for part in parts {
                if var concept = lookup(system: part, code: code) {
                    concept.system = system
                    return concept
                }
            }
            return nil
        }
        guard let (table, index) = section(for: system) else { return nil }
        let canonical = CodeSyntax.canonical(code, system: system)
        if let concept = table.lookup(canonical, section: index) { return concept }
        if !table.sections[index].info.caseSensitive {
            let upper = canonical.uppercased()
            if upper != canonical, let concept = table.lookup(upper, section: index) { return concept }
        }
        return nil
    }

    /// The display the code system gives a code.
    public func display(system: String, code: String) -> String? { lookup(system: system, code: code)?.display }

    /// Checks a code (and optionally a display) against its code system.
    ///
    ///     codes.validate(system: "http://loinc.org", code: "718-7", display: "Hgb").displayMatches   // false
    public func validate(system: String, code: String, display: String? = nil) -> CodeValidation {
        guard hasTable(for: system), let info = info(for: system) else {
            let wellFormed = CodeSyntax.isWellFormed(CodeSyntax.canonical(code, system: system), system: system)
            return CodeValidation(
                status: wellFormed == false ? .malformed : .systemNotLoaded, concept: nil, info: nil,
                displayMatches: nil)
        }
        if let concept = lookup(system: system, code: code) {
            let matches = display.map { Self.displayMatches($0, concept) }
            return CodeValidation(status: .valid, concept: concept, info: info, displayMatches: matches)
        }
        let canonical = CodeSyntax.canonical(code, system: system)
        if CodeSyntax.isWellFormed(canonical, system: system) == false {
            return CodeValidation(status: .malformed, concept: nil, info: info, displayMatches: nil)
        }
        return CodeValidation(
            status: info.content == .complete ? .unknown : .notInSubset, concept: nil, info: info, displayMatches: nil)
    }

    /// Displays match when they are equal ignoring case, spaces and punctuation, against the display or
    /// any designation.
    static func displayMatches(_ display: String, _ concept: CodeSystemConcept) -> Bool {
        let key = displayKey(display)
        return key.isEmpty || spelling(matching: key, concept) != nil
    }

    /// The code system's own spelling of a display that matches (see `displayMatches`): the display or
    /// designation with the same letters and digits, or `nil` when none matches.
    static func officialSpelling(of display: String, _ concept: CodeSystemConcept) -> String? {
        let key = displayKey(display)
        return key.isEmpty ? nil : spelling(matching: key, concept)
    }

    private static func spelling(matching key: String, _ concept: CodeSystemConcept) -> String? {
        ([concept.display].compactMap { $0 } + concept.designations).first { displayKey($0) == key }
    }

    static func displayKey(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII: letters lowercased, digits kept, everything else dropped
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            for byte in text.utf8 {
                if byte >= 0x41 && byte <= 0x5A {
                    bytes.append(byte | 0x20)
                } else if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) {
                    bytes.append(byte)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(
            text.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    // MARK: Units and maps

    /// UCUM units (essence, common units, aliases), or `nil` when `Terminology/units/` is missing or broken.
    public var units: UCUMUnits? { try? loadUnits() }

    func preload(units: UCUMUnits) {
        lock.lock()
        defer { lock.unlock() }
        loadedUnits = .success(units)
    }

    /// Loads the UCUM tables, throwing the load error (for `validate-mappings` and tests).
    public func loadUnits() throws -> UCUMUnits {
        lock.lock()
        defer { lock.unlock() }
        if let loadedUnits { return try loadedUnits.get() }
        let result: Result<UCUMUnits, TerminologyLoadError>
        if let directory, essenceFile != nil {
            result = Self.attempt(UCUMUnits.essenceFile) { try UCUMUnits.load(from: directory).0 }
        } else {
            result = .failure(TerminologyLoadError(.missingFile, file: UCUMUnits.essenceFile, "no UCUM tables"))
        }
        loadedUnits = result
        return try result.get()
    }

    /// GEM-style translations from one system to another (ICD-9-CM → ICD-10-CM).
    func mapTranslations(system: String, code: String, target: String?) -> [ConceptTranslation] {
        var results: [ConceptTranslation] = []
        for map in mapFiles where map.source == system && (target == nil || target == map.target) {
            guard let table = try? gemTable(map.file) else { continue }
            results += table.translate(CodeSyntax.canonical(code, system: system))
        }
        return results
    }

    func gemTable(_ file: String) throws -> GEMTable {
        lock.lock()
        defer { lock.unlock() }
        if let cached = gems[file] { return try cached.get() }
        let result: Result<GEMTable, TerminologyLoadError>
        if let directory {
            result = Self.attempt(file) {
                try GEMTable.load(url: directory.appendingPathComponent(file), relativePath: file)
            }
        } else {
            result = .failure(TerminologyLoadError(.missingFile, file: file, "no folder"))
        }
        gems[file] = result
        return try result.get()
    }

    // MARK: Loading tables

    /// Reads every table, the UCUM files and the maps now, so that broken data fails here with
    /// `file:line` rather than at first use (`fhirbridge validate-mappings`, tests).
    public func loadAll() throws {
        for file in Set(fileBySystem.values).sorted() { _ = try table(file) }
        if essenceFile != nil { _ = try loadUnits() }
        for map in mapFiles { _ = try gemTable(map.file) }
    }

    /// Every concept of a system (for the CLI and tests); empty when the system has no table.
    public func allConcepts(system: String) -> [CodeSystemConcept] {
        if let parts = compositeSystems[system] { return parts.flatMap { allConcepts(system: $0) } }
        guard let (table, index) = section(for: system) else { return [] }
        return table.concepts(section: index)
    }

    /// Tables that could not be read, by file, with their error (each is then treated as missing).
    public var loadFailures: [String: TerminologyLoadError] {
        lock.lock()
        defer { lock.unlock() }
        var failures: [String: TerminologyLoadError] = [:]
        for (file, result) in files { if case .failure(let error) = result { failures[file] = error } }
        return failures
    }

    private func section(for system: String) -> (CodeTableFile, Int)? {
        guard let file = fileBySystem[system], let table = try? table(file) else { return nil }
        guard let index = table.sections.firstIndex(where: { $0.info.uri == system }) else { return nil }
        return (table, index)
    }

    func table(_ file: String) throws -> CodeTableFile {
        lock.lock()
        defer { lock.unlock() }
        if let cached = files[file] { return try cached.get() }
        let result: Result<CodeTableFile, TerminologyLoadError>
        if let directory {
            result = Self.attempt(file) {
                try CodeTableFile(url: directory.appendingPathComponent(file), relativePath: file)
            }
        } else {
            result = .failure(TerminologyLoadError(.missingFile, file: file, "no folder"))
        }
        files[file] = result
        return try result.get()
    }

    private static func attempt<T>(_ file: String, _ body: () throws -> T) -> Result<T, TerminologyLoadError> {
        do { return .success(try body()) } catch let error as TerminologyLoadError { return .failure(error) } catch {
            return .failure(TerminologyLoadError(.invalidContent, file: file, "\(error)"))
        }
    }
}

/// The result of `CodeSystemStore.validate(system:code:display:)`.
public struct CodeValidation: Hashable, Sendable {
    public enum Status: String, Hashable, Sendable {
        /// The code is in the system's table.
        case valid
        /// The table is complete and has no such code.
        case unknown
        /// The table is a subset and has no such code; the code is well-formed as far as known.
        case notInSubset
        /// The code breaks the system's syntax or check digit (LOINC, SNOMED CT, ICD-10-CM, CVX, RxNorm).
        case malformed
        /// No table holds this system.
        case systemNotLoaded
    }

    public var status: Status
    /// The concept, with the canonical code spelling, when valid.
    public var concept: CodeSystemConcept?
    public var info: CodeSystemInfo?
    /// Whether the given display matches the code system's (nil: no display given, or not valid).
    public var displayMatches: Bool?
}
