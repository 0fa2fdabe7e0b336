public import ClinicalModel

/// Rewrites codings into canonical form: code systems to URIs, v2 table codes to their FHIR targets.
///
///     let normalizer = CodeNormalizer(store: store)
///     normalizer.normalize(Coding(system: "LN", code: "718-7"))          // system http://loinc.org
///     normalizer.translate(Coding(code: "F"), table: "0001", target: nil)
///     // (Coding(system: "http://hl7.org/fhir/administrative-gender", code: "female", display: "Female"), nil)
public struct CodeNormalizer: Sendable {
    public let store: TerminologyStore

    public init(store: TerminologyStore) {
        self.store = store
    }

    /// The coding with its system as a canonical URI and its code trimmed. A local or unknown v2 name
    /// (`L`, `99ABC`, a misspelling) leaves no system, since FHIR needs a URI there.
    public func normalize(_ coding: Coding) -> Coding {
        normalizeReportingUnknownSystem(coding).coding
    }

    /// `normalize(_:)` plus an `unknownCodeSystem` information diagnostic when a non-local system name
    /// was dropped. The diagnostic carries the system name, never the display text.
    public func normalizeReportingUnknownSystem(_ coding: Coding) -> (coding: Coding, diagnostic: Diagnostic?) {
        var result = coding
        result.code = coding.code.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        guard let raw = coding.system?.trimmingWhitespace(), !raw.isEmpty else {
            result.system = nil
            return (result, nil)
        }
        result.system = store.normalizeSystem(raw)
        if result.system == nil, !store.isLocalV2Name(raw) {
            return (result, Diagnostic(.information, .unknownCodeSystem, at: nil, system: raw, code: result.code))
        }
        return (result, nil)
    }

    /// Every coding of a concept normalized; the text is kept.
    public func normalize(_ concept: Concept) -> Concept {
        Concept(codings: concept.codings.map(normalize), text: concept.text)
    }

    /// Translates a coding from a v2 table into the FHIR code system the table maps to.
    ///
    /// The coding is translated when its system is empty or names the table (`HL70001`, the THO URI).
    /// A coding already in the target system, or in another system, is only normalized.
    /// - Parameters:
    ///   - table: the v2 table the field is bound to, in any spelling (`0001`, `HL70001`).
    ///   - target: a target system URI or map id choosing among the table's maps (`nil`: the default map).
    /// - Returns: the translated coding, or the source coding with the table's THO system and an
    ///   `unmappedCode` warning when the map has no entry for the code.
    public func translate(_ coding: Coding, table: String, target: String?) -> (Coding, Diagnostic?) {
        let normalized = normalize(coding)
        guard let tableSystem = V2Table.systemURI(table), let code = normalized.code else {
            return (normalized, nil)
        }
        if let system = normalized.system, system != tableSystem {
            return (normalized, nil)
        }
        if let mapped = store.translate(table: table, code: code, target: target) {
            let display = mapped.display ?? (mapped.code == code ? coding.display : nil)
            return (Coding(system: mapped.system, code: mapped.code, display: display), nil)
        }
        var source = normalized
        source.system = tableSystem
        return (source, Diagnostic(.warning, .unmappedCode, at: nil, system: tableSystem, code: code))
    }
}
