/// A v2-table-to-FHIR vocabulary map loaded from `Terminology/v2-to-fhir/<table>--<target>.json`.
///
///     let sex = store.conceptMap(id: "v2-0001--administrative-gender")!
///     sex.translate("F")          // http://hl7.org/fhir/administrative-gender|female
///     sex.unmappedReason("X")     // nil: not in the table
public struct ConceptMap: Sendable {
    /// `v2-<table>--<target>`, the file name without `.json`.
    public let id: String
    /// The IG's map name, e.g. `PatientClass[EncounterClass]`.
    public let name: String
    /// The four-digit HL7 v2 table id, e.g. `0001`.
    public let sourceTable: String?
    public let sourceSystem: String
    /// The primary target system; single entries may carry another one. Empty when the IG map maps no code.
    public let targetSystem: String
    /// The FHIR element the IG names in brackets, e.g. `EncounterClass`, when it names one.
    public let targetElement: String?
    public let source: TerminologySource

    let entries: [String: MappedCoding]
    let unmapped: [String: String]
    let conditional: [String: [ConditionalMapping]]
    /// Every source code the map mentions (mapped, unmapped or conditional), sorted.
    public let sourceCodes: [String]

    init(
        id: String, name: String, sourceTable: String?, sourceSystem: String, targetSystem: String,
        targetElement: String?, source: TerminologySource, entries: [String: MappedCoding],
        unmapped: [String: String], conditional: [String: [ConditionalMapping]], sourceCodes: [String]
    ) {
        self.id = id
        self.name = name
        self.sourceTable = sourceTable
        self.sourceSystem = sourceSystem
        self.targetSystem = targetSystem
        self.targetElement = targetElement
        self.source = source
        self.entries = entries
        self.unmapped = unmapped
        self.conditional = conditional
        self.sourceCodes = sourceCodes
    }

    /// Translates a source code into the target system, or returns `nil` when the map has no
    /// unconditional entry for it. The code is trimmed and matched exactly (v2 codes are case-sensitive).
    ///
    ///     map.translate("F")   // MappedCoding(system: "http://hl7.org/fhir/administrative-gender", code: "female")
    /// - Complexity: O(1).
    public func translate(_ code: String) -> MappedCoding? {
        entries[code] ?? entries[code.trimmingWhitespace()]
    }

    /// Why the IG leaves a code of this table unmapped (its comment, or `no FHIR code in IG map`);
    /// `nil` when the code is mapped or is not in the table.
    public func unmappedReason(_ code: String) -> String? {
        let key = code.trimmingWhitespace()
        guard entries[key] == nil else { return nil }
        return unmapped[key]
    }

    /// The IG rows for this code whose mapping depends on a condition the data cannot decide
    /// (e.g. table 0206 `U` → `PUT` or `PATCH` by local assessment). `translate(_:)` never uses them.
    public func conditionalMappings(for code: String) -> [ConditionalMapping] {
        conditional[code.trimmingWhitespace()] ?? []
    }

    /// Number of source codes with an unconditional mapping.
    public var mappedCount: Int { entries.count }
    /// Number of source codes the IG leaves unmapped.
    public var unmappedCount: Int { unmapped.count }
}

/// One IG row whose mapping applies only under a condition, kept with the condition as the IG states it.
public struct ConditionalMapping: Hashable, Sendable {
    public var code: String
    /// `narrative`, `antlr` and/or `fhirpath` texts from the IG's condition columns.
    public var condition: [String: String]
    /// `nil` when the row maps to nothing under the condition (e.g. `IF NOT MAPPED ERROR`).
    public var target: MappedCoding?
    public var comment: String?

    public init(code: String, condition: [String: String], target: MappedCoding?, comment: String? = nil) {
        self.code = code
        self.condition = condition
        self.target = target
        self.comment = comment
    }
}
