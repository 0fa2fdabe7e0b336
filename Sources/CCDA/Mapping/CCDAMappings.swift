import Foundation
import MappingSpec
import Yams

/// What a section is read as. The section's templateId (or, failing that, its LOINC code) picks
/// the kind in `Mappings/ccda/templates.yaml`; the kind decides the category of what its entries
/// produce and whether its narrative is kept.
enum SectionKind: String, CaseIterable, Sendable {
    case allergies, medications, problems, pastMedicalHistory, diagnoses, healthConcerns
    case results, vitalSigns, socialHistory, immunizations, procedures, encounters
    case planOfTreatment, notes, imaging
    /// Narrative only (assessment, history of present illness, hospital course…): the section's
    /// text becomes a `DocumentNote`; entries, if any, are still read.
    case narrative
    /// Known and deliberately not mapped (the reason is written beside it in the mapping file).
    case ignored
}

/// What an entry (a child of `section/entry`, or one nested in another entry) is read as. The
/// entry's templateId picks the kind in `templates.yaml`; entries without a known templateId fall
/// back to `untemplatedEntries` by section kind and element name. Each kind is one Swift reader.
enum EntryKind: String, CaseIterable, Sendable {
    case problemConcern, problemObservation, diagnosisAct, healthConcern
    case allergyConcern, allergyObservation
    case medicationActivity, plannedMedication
    case immunizationActivity, plannedImmunization
    case resultOrganizer, vitalSignsOrganizer, observation
    case procedureActivity, plannedActivity, encounterActivity
    case noteActivity, instruction, imagingStudy
    /// Coverage Activity (payers section): each Policy Activity it holds is a Coverage.
    case coverageActivity
    /// An act that only wraps other entries (Discharge Medication): its `entryRelationship`s are read.
    case container
    /// Known and deliberately not mapped: reported as `entryNotMapped`.
    case ignored
}

/// The value maps in `Mappings/ccda/vocabulary.yaml`: HL7 v3 and SNOMED CT codes C-CDA uses for
/// statuses, uses and kinds, mapped to the FHIR R4 codes the canonical model holds. Maps whose
/// target is a required FHIR binding are checked against that code set when loaded.
enum Vocabulary: String, CaseIterable, Sendable {
    case administrativeGender, nameUse, addressUse, addressType, telecomUse, telecomSystem, telecomScheme
    case encounterStatus, concernClinicalStatus, statusObservationValue, allergyConcernClinicalStatus
    case observationStatus, diagnosticReportStatus, medicationStatus, medicationIntent, plannedIntent
    case requestStatus, procedureStatus, immunizationStatus
    case reactionSeverity, criticality, allergyType, allergyCategory, noKnownAllergy
    case dataAbsentReason, conditionCategory, observationCategory, coverageStatus, coverageRelationship

    /// The FHIR codes a target must be one of, or `nil` when any text is allowed.
    var allowedTargets: Set<String>? {
        switch self {
        case .administrativeGender: ["male", "female", "other", "unknown"]
        case .nameUse: ["usual", "official", "temp", "nickname", "anonymous", "old", "maiden"]
        case .addressUse: ["home", "work", "temp", "old", "billing"]
        case .addressType: ["postal", "physical", "both"]
        case .telecomUse: ["home", "work", "temp", "old", "mobile"]
        case .telecomSystem, .telecomScheme: ["phone", "fax", "email", "pager", "url", "sms", "other"]
        case .encounterStatus:
            [
                "planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error",
                "unknown",
            ]
        case .concernClinicalStatus, .statusObservationValue:
            ["active", "recurrence", "relapse", "inactive", "remission", "resolved"]
        case .allergyConcernClinicalStatus: ["active", "inactive", "resolved"]
        case .observationStatus:
            ["registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"]
        case .diagnosticReportStatus:
            [
                "registered", "partial", "preliminary", "final", "amended", "corrected", "appended", "cancelled",
                "entered-in-error", "unknown",
            ]
        case .medicationStatus:
            ["active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"]
        case .medicationIntent, .plannedIntent:
            ["proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"]
        case .requestStatus: ["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"]
        case .procedureStatus:
            [
                "preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error",
                "unknown",
            ]
        case .immunizationStatus: ["completed", "entered-in-error", "not-done"]
        case .reactionSeverity: ["mild", "moderate", "severe"]
        case .criticality: ["low", "high", "unable-to-assess"]
        case .allergyType: ["allergy", "intolerance"]
        case .allergyCategory: ["food", "medication", "environment", "biologic"]
        case .dataAbsentReason:
            [
                "unknown", "asked-unknown", "temp-unknown", "not-asked", "asked-declined", "masked", "not-applicable",
                "unsupported", "as-text", "error", "not-a-number", "negative-infinity", "positive-infinity",
                "not-performed", "not-permitted",
            ]
        case .coverageStatus: ["active", "cancelled", "draft", "entered-in-error"]
        case .coverageRelationship: ["child", "parent", "spouse", "common", "other", "self", "injured"]
        case .noKnownAllergy, .conditionCategory, .observationCategory: nil
        }
    }
}

/// `Mappings/ccda`, loaded and checked: templateIds and codes to document, section and entry
/// kinds, and the vocabulary maps. See `Mappings/ccda/README.md` for the format.
struct CCDAMappings: Sendable {
    static let templatesFile = "templates.yaml"
    static let vocabularyFile = "vocabulary.yaml"
    static let accountFile = "account.yaml"

    /// Document templateId root → document type name (`CCD`, `DischargeSummary`, …).
    var documentTypes: [String: String] = [:]
    /// Document LOINC code → document type name, when no templateId is known.
    var documentCodes: [String: String] = [:]
    /// Section templateId root → kind.
    var sections: [String: SectionKind] = [:]
    /// Section LOINC code → kind, for sections without a known templateId.
    var sectionCodes: [String: SectionKind] = [:]
    /// Entry templateId root → kind.
    var entries: [String: EntryKind] = [:]
    /// `<section kind>/<element name>` → kind, for entries without a known templateId.
    var untemplatedEntries: [String: EntryKind] = [:]
    var vocabulary: [Vocabulary: [String: String]] = [:]
    /// Element paths declared not carried, with their reasons (`account.yaml`).
    var declarations = AccountDeclarations()

    /// The target of `code` in a vocabulary map, or `nil`.
    func translate(_ map: Vocabulary, _ code: String?) -> String? {
        guard let code else { return nil }
        return vocabulary[map]?[code]
    }

    /// Loads `templates.yaml` and `vocabulary.yaml` from `directory` (the `Mappings/ccda` folder).
    ///
    /// - Throws: `MappingLoadError` with `ccda/<file>:<line>` for a missing file, a syntax error, a
    ///   key that is not an OID where one is expected, an unknown kind or map, or a target outside
    ///   its FHIR code set.
    static func load(from directory: URL) throws(MappingLoadError) -> CCDAMappings {
        let templates = try read(directory, templatesFile)
        let vocabulary = try read(directory, vocabularyFile)
        let account = try read(directory, accountFile)
        var mappings = CCDAMappings()
        let known: Set<String> = [
            "documents", "documentCodes", "sections", "sectionCodes", "entries", "untemplatedEntries",
        ]
        for map in templates.maps where !known.contains(map.name) {
            throw MappingLoadError(
                file: templates.file, line: map.line,
                "unknown map '\(map.name)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        for entry in try entries(templates, "documents") {
            try checkOID(entry, templates.file)
            mappings.documentTypes[entry.key] = entry.value
        }
        for entry in try entries(templates, "documentCodes", required: false) {
            mappings.documentCodes[entry.key] = entry.value
        }
        for entry in try entries(templates, "sections") {
            try checkOID(entry, templates.file)
            mappings.sections[entry.key] = try kind(entry, templates.file)
        }
        for entry in try entries(templates, "sectionCodes", required: false) {
            mappings.sectionCodes[entry.key] = try kind(entry, templates.file)
        }
        for entry in try entries(templates, "entries") {
            try checkOID(entry, templates.file)
            mappings.entries[entry.key] = try kind(entry, templates.file)
        }
        for entry in try entries(templates, "untemplatedEntries", required: false) {
            let parts = entry.key.split(separator: "/")
            guard parts.count == 2, SectionKind(rawValue: String(parts[0])) != nil, !parts[1].isEmpty else {
                throw MappingLoadError(
                    file: templates.file, line: entry.line, "expected '<section kind>/<element>', got '\(entry.key)'")
            }
            mappings.untemplatedEntries[entry.key] = try kind(entry, templates.file)
        }
        let names = Set(Vocabulary.allCases.map(\.rawValue))
        for map in vocabulary.maps {
            guard let name = Vocabulary(rawValue: map.name) else {
                throw MappingLoadError(
                    file: vocabulary.file, line: map.line,
                    "unknown map '\(map.name)' (known: \(names.sorted().joined(separator: ", ")))")
            }
            var values: [String: String] = [:]
            for entry in map.entries {
                if let allowed = name.allowedTargets, !allowed.contains(entry.value) {
                    let codes = allowed.sorted().joined(separator: ", ")
                    throw MappingLoadError(
                        file: vocabulary.file, line: entry.line,
                        "'\(entry.value)' is not a code of \(map.name)'s target (allowed: \(codes))")
                }
                values[entry.key] = entry.value
            }
            mappings.vocabulary[name] = values
        }
        for name in Vocabulary.allCases where mappings.vocabulary[name] == nil {
            throw MappingLoadError(file: vocabulary.file, line: nil, "missing map '\(name.rawValue)'")
        }
        try loadAccount(account, into: &mappings)
        return mappings
    }

    /// `account.yaml`: `declared` (element path rule -> reason).
    private static func loadAccount(_ account: Maps, into mappings: inout CCDAMappings) throws(MappingLoadError) {
        let known: Set<String> = ["declared", "declaredSubtrees"]
        for map in account.maps where !known.contains(map.name) {
            throw MappingLoadError(
                file: account.file, line: map.line,
                "unknown map '\(map.name)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        for entry in try entries(account, "declared") {
            try checkPathRule(entry, account.file)
            _ = mappings.declarations.add(entry.key, reason: entry.value)
        }
        for entry in try entries(account, "declaredSubtrees") {
            try checkPathRule(entry, account.file)
            if entry.key.split(separator: "/").last?.hasPrefix("@") == true {
                throw MappingLoadError(
                    file: account.file, line: entry.line, "'\(entry.key)': a subtree rule names an element")
            }
            _ = mappings.declarations.addSubtree(entry.key, reason: entry.value)
        }
    }

    /// A path rule: element names and at most one final `@attribute`, separated by `/`, no
    /// positions or predicates.
    private static func checkPathRule(_ entry: Maps.Entry, _ file: String) throws(MappingLoadError) {
        let body = entry.key.hasPrefix("/") ? String(entry.key.dropFirst()) : entry.key
        let steps = body.split(separator: "/", omittingEmptySubsequences: false)
        for (index, step) in steps.enumerated() {
            var name = Substring(step)
            if name.hasPrefix("@") {
                guard index == steps.count - 1 else {
                    throw MappingLoadError(
                        file: file, line: entry.line, "'\(entry.key)': an attribute must be the last step")
                }
                name = name.dropFirst()
            }
            let valid =
                !name.isEmpty
                && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." || $0 == ":" }
            guard valid else {
                throw MappingLoadError(
                    file: file, line: entry.line, "'\(entry.key)' is not an element path (names, '/', a final '@name')")
            }
        }
    }

    private static func read(_ directory: URL, _ name: String) throws(MappingLoadError) -> Maps {
        let file = "ccda/" + name
        let root = try composeYAML(directory.appendingPathComponent(name), name: file)
        return try Maps(root, file: file)
    }

    private static func entries(_ maps: Maps, _ name: String, required: Bool = true) throws(MappingLoadError)
        -> [Maps.Entry]
    {
        guard let map = maps.map(name) else {
            if required { throw MappingLoadError(file: maps.file, line: nil, "missing map '\(name)'") }
            return []
        }
        return map.entries
    }

    private static func checkOID(_ entry: Maps.Entry, _ file: String) throws(MappingLoadError) {
        let parts = entry.key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else {
            throw MappingLoadError(file: file, line: entry.line, "'\(entry.key)' is not an OID")
        }
    }

    private static func kind<Kind: RawRepresentable & CaseIterable>(_ entry: Maps.Entry, _ file: String)
        throws(MappingLoadError) -> Kind where Kind.RawValue == String
    {
        guard let kind = Kind(rawValue: entry.value) else {
            let known = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw MappingLoadError(file: file, line: entry.line, "unknown kind '\(entry.value)' (known: \(known))")
        }
        return kind
    }
}

/// A mapping file's named maps of scalar keys to scalar values (`sections:` then indented
/// `templateId: kind` lines), read from its YAML nodes with the line of every map and entry.
/// Anything nested deeper, a duplicate map or key and an empty value are errors.
struct Maps {
    struct Entry: Hashable {
        var key: String
        var value: String
        var line: Int?
    }

    struct Map {
        var name: String
        var line: Int?
        var entries: [Entry]
    }

    var file: String
    var maps: [Map] = []

    func map(_ name: String) -> Map? { maps.first { $0.name == name } }

    init(_ root: Node, file: String) throws(MappingLoadError) {
        self.file = file
        let reader = Reader(file: file)
        for (nameNode, mapNode) in try reader.mapping(root, "the file") {
            let name = try reader.scalar(nameNode, "a map name")
            guard map(name) == nil else { throw reader.error(nameNode, "map '\(name)' appears twice") }
            var entries: [Entry] = []
            // a map with no entries yet reads as an empty value
            if case .scalar(let scalar) = mapNode, scalar.string.isEmpty {
                maps.append(Map(name: name, line: nameNode.mark?.line, entries: []))
                continue
            }
            var keys: Set<String> = []
            for (keyNode, valueNode) in try reader.mapping(mapNode, "'\(name)'") {
                let key = try reader.scalar(keyNode, "a key")
                let value = try reader.scalar(valueNode, "'\(key)'")
                guard !value.isEmpty else { throw reader.error(keyNode, "'\(key)' has no value") }
                guard keys.insert(key).inserted else {
                    throw reader.error(keyNode, "key '\(key)' appears twice in '\(name)'")
                }
                entries.append(Entry(key: key, value: value, line: keyNode.mark?.line))
            }
            maps.append(Map(name: name, line: nameNode.mark?.line, entries: entries))
        }
    }

    private struct Reader: YAMLNodeReading {
        let file: String
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
