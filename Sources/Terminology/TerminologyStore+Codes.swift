extension TerminologyStore {
    /// The concept for a code in any spelling of its system (v2 name, OID, URI).
    ///
    ///     store.lookup(system: "LN", code: "718-7")?.display          // "Hemoglobin [Mass/volume] in Blood"
    ///     store.lookup(system: "I10", code: "E119")?.code             // "E11.9"
    ///     store.lookup(system: "HL70001", code: "F")?.display         // "Female"
    /// - Returns: `nil` when the system is unknown, has no table, or the table has no such code.
    public func lookup(system: String, code: String) -> CodeSystemConcept? {
        guard let uri = normalizeSystem(system) else { return nil }
        return codeSystems.lookup(system: uri, code: code)
    }

    /// Checks a code and optional display against its code system (any spelling of the system).
    public func validate(system: String, code: String, display: String? = nil) -> CodeValidation {
        guard let uri = normalizeSystem(system) else {
            return CodeValidation(status: .systemNotLoaded, concept: nil, info: nil, displayMatches: nil)
        }
        return codeSystems.validate(system: uri, code: code, display: display)
    }

    /// Translations of a code into other systems, from every map that has one: the v2-to-FHIR IG maps
    /// (for an HL7 v2 table system), the local concept maps in `Mappings/terminology/`, and the CMS GEMs
    /// (ICD-9-CM → ICD-10-CM).
    ///
    ///     store.translate(system: "HL70001", code: "F")
    ///     // [administrative-gender|female, equivalent, map v2-0001--administrative-gender]
    ///     store.translate(system: "http://hl7.org/fhir/sid/icd-9-cm", code: "25000", target: "I10")
    ///     // [icd-10-cm|E11.9, equivalent, GEM flags 00000]
    /// - Parameter target: a system (any spelling) to keep only translations into it.
    public func translate(system: String, code: String, target: String? = nil) -> [ConceptTranslation] {
        let raw = system.trimmingWhitespace()
        let uri = normalizeSystem(raw)
        let targetURI = target.flatMap { normalizeSystem($0) ?? $0 }
        var results: [ConceptTranslation] = []
        let trimmedCode = code.trimmingWhitespace()
        if let uri, uri.hasPrefix(V2Table.systemPrefix), let table = V2Table.normalize(uri) {
            for map in conceptMaps(forTable: table) {
                if let mapped = map.translate(trimmedCode) {
                    results.append(ConceptTranslation(target: mapped, equivalence: .equivalent, map: map.id))
                } else if let reason = map.unmappedReason(trimmedCode) {
                    results.append(
                        ConceptTranslation(
                            target: MappedCoding(system: map.targetSystem, code: ""), equivalence: .unmatched,
                            map: map.id,
                            comment: reason))
                }
            }
        }
        var seenMaps: Set<String> = []
        for key in [raw, uri].compactMap({ $0 }) {
            for map in localMapsBySystem[key] ?? [] where seenMaps.insert(map.id).inserted {
                results += map.translate(trimmedCode)
            }
        }
        if let uri { results += codeSystems.mapTranslations(system: uri, code: trimmedCode, target: nil) }
        if let targetURI { results = results.filter { $0.target.system == targetURI } }
        return results
    }
}
