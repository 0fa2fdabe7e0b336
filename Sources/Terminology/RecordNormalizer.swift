public import ClinicalModel

/// Normalizes every coded value of a `ClinicalRecord` before emission: code systems to canonical URIs,
/// codes checked (and respelled, `E119` → `E11.9`) against the code system tables, displays checked,
/// translations added from the IG, local and GEM maps, and units rewritten to UCUM.
///
///     let normalizer = RecordNormalizer(store: store)
///     let (normalized, diagnostics) = normalizer.normalize(record)
///     var report = TerminologyReport()
///     report.add(diagnostics)
///
/// Nothing is dropped: a code the tables do not know keeps its system and is reported (a code missing
/// from a complete HL7 v2 table moves to that table's local system, `…:HL70277-local`); a source display
/// that disagrees with an authoritative code system is kept as the concept's text when the concept has
/// none. Diagnostics carry the system and code (terminology, not patient data) and never a display.
///
/// | kind | severity | when |
/// |---|---|---|
/// | `unknownCode` | warning / information | a complete table lacks the code / a subset table lacks it |
/// | `malformedCode` | warning | the code breaks its system's syntax or check digit |
/// | `codeSystemNotLoaded` | information | the system has a URI but no table (CPT, NDC, local OIDs…) |
/// | `unknownCodeSystem` | information | a system name that is neither a URI, an OID nor a known v2 name |
/// | `localCode` | information | a code without a system, or in a local v2 system (`L`, `99zzz`) |
/// | `displayMismatch` | information | the source display differs from the code system's |
/// | `unitNotUCUM` | information | a unit that is neither UCUM nor a known alias (kept as text) |
public struct RecordNormalizer: Sendable {
    public struct Options: Hashable, Sendable {
        /// Compare displays with authoritative code systems and report `displayMismatch`.
        public var checkDisplays = true
        /// Replace a mismatching display with the code system's (the source display goes to `Concept.text`
        /// when the concept has no text).
        public var replaceDisplays = true
        /// Give a coding without a display the display of an authoritative code system.
        public var fillMissingDisplays = true
        /// Append equivalent codings from the IG v2-table maps, `Mappings/terminology/` and exact GEM entries.
        public var addTranslations = true
        /// Rewrite quantity units to UCUM (`mg/dl` → `mg/dL`, `beats/min` → `/min`).
        public var normalizeUnits = true

        public init() {}
    }

    public let store: TerminologyStore
    public let options: Options
    /// Results for codings and translations already met (see `NormalizationCache`).
    let cache: NormalizationCache

    public init(store: TerminologyStore, options: Options = Options()) {
        self.store = store
        self.options = options
        self.cache = NormalizationCache()
    }

    /// The record with every Coding, Concept and Quantity normalized, and what was found on the way.
    public func normalize(_ record: ClinicalRecord) -> (ClinicalRecord, [Diagnostic]) {
        var pass = Pass(normalizer: self)
        var record = record
        record.visitFields(&pass)
        return (record, pass.diagnostics)
    }

    /// One concept, normalized as inside a record.
    public func normalize(_ concept: Concept, at location: SourceLocation? = nil) -> (Concept, [Diagnostic]) {
        var pass = Pass(normalizer: self)
        pass.location = location
        var concept = concept
        pass.concept(&concept)
        return (concept, pass.diagnostics)
    }

    /// One coding, normalized as inside a record (no translations: a bare coding has no room for them).
    public func normalize(_ coding: Coding, at location: SourceLocation? = nil) -> (Coding, [Diagnostic]) {
        var pass = Pass(normalizer: self)
        pass.location = location
        var coding = coding
        pass.coding(&coding)
        return (coding, pass.diagnostics)
    }

    /// One quantity, its unit rewritten to UCUM where possible.
    public func normalize(_ quantity: Quantity, at location: SourceLocation? = nil) -> (Quantity, [Diagnostic]) {
        var pass = Pass(normalizer: self)
        pass.location = location
        var quantity = quantity
        pass.quantity(&quantity)
        return (quantity, pass.diagnostics)
    }
}

/// Unit system names HL7 v2 senders put in CE.3 of a unit (table 0396), meaning "UCUM or close to it".
private let unitSystemNames: Set<String> = ["UCUM", "ISO+", "ISO", "ANS+", "ISO2955", "ANSI"]

extension RecordNormalizer {
    /// One walk over a record (the coded roles of `EntityFieldVisitor`); collects diagnostics at the
    /// current entity's location. Concepts in lists and optionals, participants' roles and reference
    /// ranges' quantities reach `concept(_:)` and `quantity(_:)` through the visitor's defaults.
    struct Pass: EntityFieldVisitor {
        let normalizer: RecordNormalizer
        var diagnostics: [Diagnostic] = []
        var location: SourceLocation?

        init(normalizer: RecordNormalizer) { self.normalizer = normalizer }

        var store: TerminologyStore { normalizer.store }
        var options: Options { normalizer.options }

        mutating func record(_: inout EntityRef, at source: SourceLocation?) { location = source }

        mutating func report(_ kind: IssueKind, _ severity: Diagnostic.Severity, system: String?, code: String?) {
            diagnostics.append(Diagnostic(severity, kind, at: location, system: system, code: code))
        }

        // MARK: Codings

        /// Normalizes one coding in place. Returns the source display when it was replaced.
        /// - Parameter inConcept: the coding belongs to a concept whose text can keep a replaced display;
        ///   a bare coding keeps its own display (a mismatch is still reported).
        @discardableResult
        mutating func coding(_ coding: inout Coding, inConcept: Bool = false) -> String? {
            let key = NormalizationCache.CodingKey(coding: coding, inConcept: inConcept)
            if let known = normalizer.cache.codings[key] {
                coding = known.coding
                for finding in known.findings {
                    report(finding.kind, finding.severity, system: finding.system, code: finding.code)
                }
                return known.replacedDisplay
            }
            let before = diagnostics.count
            let replaced = normalizeCoding(&coding, inConcept: inConcept)
            let findings = diagnostics[before...].map {
                NormalizationCache.Finding(kind: $0.kind, severity: $0.severity, system: $0.system, code: $0.code)
            }
            normalizer.cache.codings[key] = NormalizationCache.CodingResult(
                coding: coding, replacedDisplay: replaced, findings: findings)
            return replaced
        }

        /// The local system for a site value of an HL7 v2 table: `urn:fhirbridge:v2-coding-system:HL70277-local`
        /// for a code that THO's complete `v2-0277` lacks. HL7 v2 lets sites extend their tables, but FHIR
        /// cannot call such a code a `v2-0277` code; the local system keeps the code and says which table
        /// the source used.
        static func localTableSystem(_ uri: String) -> String? {
            let prefix = "http://terminology.hl7.org/CodeSystem/v2-"
            guard uri.hasPrefix(prefix) else { return nil }
            return CodingSystemURN.uri(forName: "HL7" + uri.dropFirst(prefix.count) + "-local")
        }

        /// `coding(_:inConcept:)` without the cache.
        private mutating func normalizeCoding(_ coding: inout Coding, inConcept: Bool) -> String? {
            guard let code = coding.code?.trimmingWhitespace(), !code.isEmpty else {
                coding.code = nil
                return nil
            }
            coding.code = code
            guard let raw = coding.system?.trimmingWhitespace(), !raw.isEmpty else {
                coding.system = nil
                if inConcept { report(.localCode, .information, system: nil, code: code) }
                return nil
            }
            guard let uri = store.normalizeSystem(raw) else {
                // Not a URI: kept as written (the emitter reports it), never dropped.
                coding.system = raw
                if store.isLocalV2Name(raw) {
                    report(.localCode, .information, system: raw, code: code)
                } else {
                    report(.unknownCodeSystem, .information, system: raw, code: code)
                }
                return nil
            }
            coding.system = uri
            let validation = store.codeSystems.validate(system: uri, code: code, display: coding.display)
            switch validation.status {
            case .valid:
                guard let concept = validation.concept else { return nil }
                coding.code = concept.code
                return display(
                    &coding, concept: concept, info: validation.info, matches: validation.displayMatches,
                    replace: inConcept)
            case .unknown:
                report(.unknownCode, .warning, system: uri, code: code)
                if let local = Self.localTableSystem(uri) { coding.system = local }
            case .notInSubset:
                report(.unknownCode, .information, system: uri, code: code)
            case .malformed:
                report(.malformedCode, .warning, system: uri, code: code)
            case .systemNotLoaded:
                report(.codeSystemNotLoaded, .information, system: uri, code: code)
            }
            return nil
        }

        private mutating func display(
            _ coding: inout Coding, concept: CodeSystemConcept, info: CodeSystemInfo?, matches: Bool?, replace: Bool
        ) -> String? {
            guard info?.displays == .authoritative, let official = concept.display else { return nil }
            guard let display = coding.display, !display.trimmingWhitespace().isEmpty else {
                if options.fillMissingDisplays { coding.display = official }
                return nil
            }
            if matches == true, options.replaceDisplays,
                let spelling = CodeSystemStore.officialSpelling(of: display, concept), spelling != display
            {
                // the same words as the code system's, spelt otherwise (`MOTHER` for `mother`): the
                // code system's spelling, since FHIR validators compare displays as written
                coding.display = spelling
                return nil
            }
            guard options.checkDisplays, matches == false else { return nil }
            report(.displayMismatch, .information, system: concept.system, code: concept.code)
            guard options.replaceDisplays, replace else { return nil }
            coding.display = official
            return display
        }

        /// Normalizes every coding of a concept, then adds translations.
        mutating func concept(_ concept: inout Concept) {
            guard !concept.codings.isEmpty else { return }
            var replacedDisplay: String?
            for index in concept.codings.indices {
                let replaced = coding(&concept.codings[index], inConcept: true)
                if replacedDisplay == nil { replacedDisplay = replaced }
            }
            if concept.text == nil || concept.text?.isEmpty == true, let replacedDisplay {
                concept.text = replacedDisplay
            }
            if options.addTranslations { addTranslations(&concept) }
        }

        mutating func coding(_ coding: inout Coding?) {
            guard var value = coding else { return }
            self.coding(&value)
            coding = value
        }

        mutating func codings(_ codings: inout [Coding]) {
            for index in codings.indices { coding(&codings[index]) }
        }

        /// Appends codings that maps say are equivalent or equal and that the concept lacks.
        mutating func addTranslations(_ concept: inout Concept) {
            let key = NormalizationCache.TranslationKey(
                codings: concept.codings.map { NormalizationCache.SystemCode(system: $0.system, code: $0.code) })
            if let known = normalizer.cache.translations[key] {
                concept.codings += known
                return
            }
            let added = translations(of: concept)
            normalizer.cache.translations[key] = added
            concept.codings += added
        }

        /// The codings `addTranslations` appends, found in the maps.
        private func translations(of concept: Concept) -> [Coding] {
            var added: [Coding] = []
            for source in concept.codings {
                guard let system = source.system, let code = source.code else { continue }
                for translation in store.translate(system: system, code: code)
                where translation.equivalence.isUsableAsCoding {
                    let target = translation.target
                    guard !target.code.isEmpty, target.system != system else { continue }
                    let present = (concept.codings + added).contains {
                        $0.system == target.system && $0.code == target.code
                    }
                    guard !present else { continue }
                    // Several candidates into one system (a GEM scenario): none is taken.
                    let rivals = store.translate(system: system, code: code, target: target.system).filter {
                        $0.equivalence.isUsableAsCoding && $0.target.code != target.code
                    }
                    guard rivals.isEmpty else { continue }
                    let display = target.display ?? store.codeSystems.display(system: target.system, code: target.code)
                    added.append(Coding(system: target.system, code: target.code, display: display))
                }
            }
            return added
        }

        // MARK: Quantities

        mutating func quantity(_ quantity: inout Quantity) {
            guard normalizer.options.normalizeUnits else { return }
            let declared = quantity.system?.trimmingWhitespace()
            let declaredURI = declared.flatMap { store.normalizeSystem($0) }
            if let declared, !declared.isEmpty, declaredURI != CodeSyntax.ucum,
                !unitSystemNames.contains(declared.uppercased())
            {
                return  // another unit system (a URI we keep as is)
            }
            guard let written = (quantity.code ?? quantity.unit)?.trimmingWhitespace(), !written.isEmpty else {
                if declaredURI == CodeSyntax.ucum, quantity.code == nil { quantity.system = nil }
                return
            }
            guard let units = store.codeSystems.units else { return }
            if let code = units.ucumCode(for: written) {
                quantity.system = CodeSyntax.ucum
                quantity.code = code
                if quantity.unit == nil || quantity.unit?.isEmpty == true { quantity.unit = written }
                return
            }
            // Not UCUM: keep the text as the unit, with no UCUM claim.
            if quantity.unit == nil || quantity.unit?.isEmpty == true { quantity.unit = written }
            quantity.system = nil
            quantity.code = nil
            report(.unitNotUCUM, .information, system: CodeSyntax.ucum, code: String(written.prefix(40)))
        }

        mutating func quantity(_ quantity: inout Quantity?) {
            guard var value = quantity else { return }
            self.quantity(&value)
            quantity = value
        }

        mutating func value(_ value: inout ObservationValue?, absentReason _: inout String?) {
            guard let current = value else { return }
            switch current {
            case .quantity(var q):
                quantity(&q)
                value = .quantity(q)
            case .concept(var c):
                concept(&c)
                value = .concept(c)
            case .ratio(var numerator, var denominator):
                quantity(&numerator)
                quantity(&denominator)
                value = .ratio(numerator: numerator, denominator: denominator)
            case .range(var low, var high):
                quantity(&low)
                quantity(&high)
                value = .range(low: low, high: high)
            case .string, .dateTime, .boolean, .integer, .period:
                break
            }
        }

        mutating func identifiers(_ identifiers: inout [Identifier]) {
            for index in identifiers.indices { concept(&identifiers[index].type) }
        }
    }
}
