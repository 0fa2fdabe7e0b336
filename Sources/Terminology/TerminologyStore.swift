import ClinicalModel
import Foundation

/// The code systems and concept maps in `Terminology/`, loaded once and read from any thread.
///
///     let store = try TerminologyStore.load(from: TerminologyLocator.findDirectory()!)
///     store.translate(table: "0001", code: "F")      // http://hl7.org/fhir/administrative-gender|female
///     store.systemURI(forV2Name: "LN")               // "http://loinc.org"
///     store.normalizeSystem("urn:oid:2.16.840.1.113883.6.96")   // "http://snomed.info/sct"
public struct TerminologyStore: Sendable {
    /// The `Terminology/` folder this store was loaded from, if it came from disk.
    public let directory: URL?
    private let mapsByID: [String: ConceptMap]
    /// Table id → maps, the table's default map first (see `translate(table:code:target:)`).
    private let mapsByTable: [String: [ConceptMap]]
    let registry: SystemRegistry
    /// Header of every loaded file, keyed by its path relative to `Terminology/`.
    public let sources: [String: TerminologySource]

    /// Code system tables, UCUM units and GEMs (see `CodeSystemStore`).
    public let codeSystems: CodeSystemStore
    /// HL7 table 0354: the message structure of an MSH-9 code and trigger event.
    public let messageStructures: MessageStructureTable
    /// Local-code concept maps from `Mappings/terminology/`, sorted by id.
    public let localConceptMaps: [LocalConceptMap]
    /// Source system (as written, and as canonical URI) → maps from it.
    let localMapsBySystem: [String: [LocalConceptMap]]
    /// `normalizeSystem` and `maps(forTable:target:)` results: every message asks about the same few
    /// systems and tables, and each answer costs trimming, case folding and scans.
    private let memos = Memos()

    private final class Memos: Sendable {
        /// Raw system → URI (`nil` for a local system). Keys come from input data, so bounded.
        let systems = BoundedMemo<String, String?>(capacity: 4096)
        /// Table and target as written → the maps `translate` tries, in order.
        let tableMaps = BoundedMemo<TableTarget, [ConceptMap]>(capacity: 1024)
    }

    private struct TableTarget: Hashable {
        var table: String
        var target: String?
    }

    init(
        directory: URL?, maps: [ConceptMap], registry: SystemRegistry, sources: [String: TerminologySource],
        codeSystems: CodeSystemStore = .empty, localMaps: [LocalConceptMap] = [],
        messageStructures: MessageStructureTable = .empty
    ) {
        self.directory = directory
        self.messageStructures = messageStructures
        self.registry = registry
        self.sources = sources
        self.codeSystems = codeSystems
        self.localConceptMaps = localMaps.sorted { $0.id < $1.id }
        var bySystem: [String: [LocalConceptMap]] = [:]
        for map in self.localConceptMaps {
            var keys: Set<String> = [map.sourceSystem.trimmingWhitespace()]
            if let uri = registry.normalizeSystem(map.sourceSystem) { keys.insert(uri) }
            for key in keys { bySystem[key, default: []].append(map) }
        }
        self.localMapsBySystem = bySystem
        var byID: [String: ConceptMap] = [:]
        var byTable: [String: [ConceptMap]] = [:]
        for map in maps {
            byID[map.id] = map
            if let table = map.sourceTable { byTable[table, default: []].append(map) }
        }
        self.mapsByID = byID
        self.mapsByTable = byTable.mapValues { maps in
            maps.sorted { ($0.targetElement == nil ? 0 : 1, $0.id) < ($1.targetElement == nil ? 0 : 1, $1.id) }
        }
    }

    // MARK: Concept maps

    /// All concept map ids, sorted.
    public var conceptMapIDs: [String] { mapsByID.keys.sorted() }

    /// The map with this id, e.g. `v2-0001--administrative-gender`.
    public func conceptMap(id: String) -> ConceptMap? { mapsByID[id] }

    /// The maps from one v2 table, the default map first. Accepts `0001`, `HL70001`, `HL7-0001`, `v2-0001`
    /// or the THO URI.
    public func conceptMaps(forTable table: String) -> [ConceptMap] {
        V2Table.normalize(table).flatMap { mapsByTable[$0] } ?? []
    }

    /// Translates a v2 table code into FHIR.
    ///
    /// With `targetSystem` (a URI, an OID, a v2 name or a map id), only maps whose target system,
    /// entry systems or id match are used, in default order. Without it, only the table's default map is
    /// used: the one whose IG name has no bracketed element, else the first by id (for table 0004,
    /// `v2-0004--encounter-class`).
    ///
    ///     store.translate(table: "0004", code: "I")                                   // v3-ActCode|IMP
    ///     store.translate(table: "0004", code: "I", target: "http://hl7.org/fhir/encounter-status")  // in-progress
    /// - Returns: `nil` when the table has no map or the chosen maps have no unconditional entry for the code.
    public func translate(table: String, code: String, target targetSystem: String? = nil) -> MappedCoding? {
        for map in maps(forTable: table, target: targetSystem) {
            if let mapped = map.translate(code) { return mapped }
        }
        return nil
    }

    /// The IG's reason for leaving a code unmapped, from the same maps `translate(table:code:target:)` uses.
    public func unmappedReason(table: String, code: String, target targetSystem: String? = nil) -> String? {
        for map in maps(forTable: table, target: targetSystem) {
            if let reason = map.unmappedReason(code) { return reason }
        }
        return nil
    }

    func maps(forTable table: String, target: String?) -> [ConceptMap] {
        memos.tableMaps.value(for: TableTarget(table: table, target: target)) {
            chooseMaps(forTable: table, target: target)
        }
    }

    private func chooseMaps(forTable table: String, target: String?) -> [ConceptMap] {
        let maps = conceptMaps(forTable: table)
        guard let target = target?.trimmingWhitespace(), !target.isEmpty else { return Array(maps.prefix(1)) }
        if let map = mapsByID[target] { return maps.contains { $0.id == map.id } ? [map] : [] }
        let uri = normalizeSystem(target) ?? target
        let primary = maps.filter { $0.targetSystem == uri }
        if !primary.isEmpty { return primary }
        return maps.filter { map in map.entries.values.contains { $0.system == uri } }
    }

    // MARK: Code systems

    /// The URI for an HL7 v2 table 0396 coding system name, case-insensitive and trimmed.
    ///
    ///     store.systemURI(forV2Name: "LN")        // "http://loinc.org"
    ///     store.systemURI(forV2Name: "HL70005")   // "http://terminology.hl7.org/CodeSystem/v2-0005"
    ///     store.systemURI(forV2Name: "99ZZZ")     // nil: a local code system
    public func systemURI(forV2Name name: String) -> String? { registry.systemURI(forV2Name: name) }

    /// Whether a v2 coding system name denotes a site-defined (local) code system: `L`, `LB`, `99zzz`.
    public func isLocalV2Name(_ name: String) -> Bool { registry.isLocal(name) }

    /// The URI for an OID (bare or `urn:oid:`), or `nil` when the registry does not know it (callers then
    /// write `urn:oid:<oid>`). `2.16.840.1.113883.12.N` is HL7 v2 table N.
    ///
    ///     store.systemURI(forOID: "2.16.840.1.113883.6.96")     // "http://snomed.info/sct"
    ///     store.systemURI(forOID: "2.16.840.1.113883.12.4")     // "http://terminology.hl7.org/CodeSystem/v2-0004"
    public func systemURI(forOID oid: String) -> String? { registry.systemURI(forOID: oid) }

    /// The OID registered for a code system URI, or `nil`.
    ///
    ///     store.oid(forSystemURI: "http://loinc.org")   // "2.16.840.1.113883.6.1"
    public func oid(forSystemURI uri: String) -> String? { registry.oid(forSystemURI: uri) }

    /// The name of a code system, by its canonical URI, as the registry files give it (the OID
    /// registry first, then the v2 coding systems' titles), or `nil` for a system they do not list.
    ///
    ///     store.systemName(forURI: "http://loinc.org")          // "LOINC"
    ///     store.systemName(forURI: "http://nucc.org/provider-taxonomy")   // "NUCC Health Care Provider Taxonomy"
    public func systemName(forURI uri: String) -> String? { registry.nameByURI[uri] }

    /// `systemName(forURI:)`, or the registry's shorter name where it gives one: for displays with
    /// little room.
    ///
    ///     store.systemShortName(forURI: "http://hl7.org/fhir/sid/cvx")   // "CVX"
    public func systemShortName(forURI uri: String) -> String? {
        registry.shortNameByURI[uri] ?? registry.nameByURI[uri]
    }

    /// Any spelling of a code system (v2 name, OID, `urn:oid:…`, URI) as its canonical URI.
    ///
    /// Known OIDs and aliases become their URI, unknown OIDs `urn:oid:<oid>`, unknown URIs pass through
    /// unchanged, and unknown or local v2 names give `nil`.
    ///
    ///     store.normalizeSystem("SCT")                                  // "http://snomed.info/sct"
    ///     store.normalizeSystem("http://hl7.org/fhir/v2/0203")          // "http://terminology.hl7.org/CodeSystem/v2-0203"
    ///     store.normalizeSystem("L")                                    // nil
    public func normalizeSystem(_ raw: String?) -> String? {
        guard let raw else { return nil }
        return memos.systems.value(for: raw) { registry.normalizeSystem(raw) }
    }
}
