import CanonicalHash
import ClinicalModel
import Terminology

/// The state of reading one C-CDA document into one `ClinicalRecord`: the record being built, the
/// diagnostics, the current patient and document encounter, and the indexes that keep keys unique
/// and recognise an entry met twice. One reader per document, used on one thread.
final class DocumentReader {
    let document: XMLDocument
    let xpath: XPathContext
    let mappings: CCDAMappings
    let terminology: TerminologyStore
    let defaultZone: String
    let inputName: String

    var record: ClinicalRecord
    var diagnostics: [Diagnostic] = []
    /// The patient of the document (the first `recordTarget`); every clinical record refers to it.
    var patient: EntityRef?
    /// `componentOf/encompassingEncounter`, which encounter-scoped diagnoses refer to.
    var documentEncounter: EntityRef?
    /// Practitioners who authored the document.
    var documentAuthors: [EntityRef] = []
    /// The custodian organization and the legal authenticator (with the signing time), for the
    /// Composition.
    var documentCustodian: EntityRef?
    var legalAuthenticator: EntityRef?
    var legalAuthenticationTime: ClinicalDateTime?
    /// The records added while each open section's entries are read, innermost last: what the
    /// section's `Composition.section.entry` references.
    var sectionEntries: [[EntityRef]] = []
    /// Narrative elements by `@ID`, built on first use.
    lazy var narrative = NarrativeIndex(document)
    /// Code system URIs by OID (documents repeat a handful of OIDs thousands of times).
    var systemCache: [String: String?] = [:]

    /// Reasons of the subtrees tagged not carried (`declareSubtree`), by index, and their indexes.
    private(set) var subtreeReasons: [String] = []
    private var subtreeReasonIndex: [String: Int] = [:]

    /// Index of every record in its kind's array, by reference.
    private var positions: [EntityRef: Int] = [:]
    /// Keys already used in this document (see `UnitKeys`).
    private var keys = UnitKeys()
    /// Observations by what was observed, when, and the value: the same result listed in two
    /// sections (Results and Vital Signs) is one record.
    private var observationClaims: [String: [ObservationClaim]] = [:]
    /// Numbers sections in reading order, for `observationClaims`.
    private(set) var sectionSerial = 0

    private struct ObservationClaim {
        var ref: EntityRef
        var section: Int
        var matched: Bool
    }

    init(
        document: XMLDocument, mappings: CCDAMappings, terminology: TerminologyStore, defaultZone: String,
        inputName: String, digest: String?
    ) {
        self.document = document
        self.xpath = XPathContext(document)
        self.mappings = mappings
        self.terminology = terminology
        self.defaultZone = defaultZone
        self.inputName = inputName
        var source = SourceDocument(format: .ccda, inputName: inputName, index: 1)
        source.digest = digest
        self.record = ClinicalRecord(document: source)
    }

    // MARK: Diagnostics

    func diagnose(
        _ severity: Diagnostic.Severity, _ kind: IssueKind, at location: SourceLocation?, system: String? = nil,
        code: String? = nil
    ) {
        diagnostics.append(Diagnostic(severity, kind, at: location, system: system, code: code))
    }

    func diagnose(_ severity: Diagnostic.Severity, _ kind: IssueKind, at node: XMLNode) {
        diagnose(severity, kind, at: node.location)
    }

    /// The next section number (see `observationClaims`).
    func beginSection() -> Int {
        sectionSerial += 1
        return sectionSerial
    }

    // MARK: Accounting

    /// Declares what `node`'s subtree holds and the reader did not consume not carried, for
    /// `reason` (mapping data, never a value). A tag on a descendant replaces it there.
    func declareSubtree(_ node: XMLNode, reason: String) {
        let index: Int
        if let known = subtreeReasonIndex[reason] {
            index = known
        } else {
            index = subtreeReasons.count
            subtreeReasons.append(reason)
            subtreeReasonIndex[reason] = index
        }
        SourceMark.tag(node.pointer, reason: index)
    }

    /// The document's account, once it is read (see `DocumentAccountant`).
    func account() -> SourceAccount {
        DocumentAccountant(declarations: mappings.declarations, subtreeReasons: subtreeReasons).account(document)
    }

    // MARK: Keys

    /// `root|extension` (or `root`) of the element's first usable `id`: the business key C-CDA
    /// gives every act, and what `EntityRef` keys are built from.
    func idKey(_ node: XMLNode) -> String? {
        for id in node.children("id") where id.nullFlavor == nil {
            guard let root = id.value("root") else { continue }
            if let extensionValue = id.value("extension") { return root + "|" + extensionValue }
            return root
        }
        return nil
    }

    /// A key within the current patient: records of different patients never share a key.
    func scoped(_ key: String?) -> String? {
        key.map { [patient?.key ?? "", $0].joined(separator: "|") }
    }

    /// The fallback key of an element without a business id: the document's id (or digest) and
    /// the element's positional XPath, stable for the same input bytes.
    func positionKey(_ node: XMLNode) -> String {
        (record.document.controlID ?? record.document.digest ?? inputName) + "|" + node.xpath
    }

    // MARK: Adding records

    /// Appends `entity` under its business key (or the element's position when `key` is `nil`).
    ///
    /// An entity whose key is already taken by a record with the same canonical form (the same
    /// digest, `CanonicalHasher`) is the same entry met again (a medication listed in two
    /// sections): it is reported as `duplicateRecord` and the existing reference is returned. Any
    /// other clash (two entries that share an id but differ in a time, a status or a category, as
    /// a problem-list entry and an encounter diagnosis with one id) keeps the new entry as its own
    /// record, under a position-suffixed key: a merge never drops a difference. `firstWins` is for
    /// the header's patient and encounter, which are one by their key: a later mention is reported
    /// and refers to the first.
    @discardableResult
    func add<E: ClinicalEntity>(
        _ entity: E, to path: WritableKeyPath<ClinicalRecord, [E]>, key: String?, node: XMLNode,
        firstWins: Bool = false
    ) -> EntityRef {
        let base = EntityRef(E.kind, key: key ?? positionKey(node))
        if key != nil, let index = positions[base],
            firstWins || Self.isIdentical(record[keyPath: path][index], entity)
        {
            diagnose(.information, .duplicateRecord, at: node)
            noteSectionEntry(base)
            return base
        }
        var entity = entity
        // the XPath (ancestors and their earlier siblings) is only built when the key clashes
        entity.ref = keys.unique(base, position: node.xpath)
        if entity.source == nil { entity.source = node.location }
        positions[entity.ref] = record[keyPath: path].count
        record[keyPath: path].append(entity)
        noteSectionEntry(entity.ref)
        return entity.ref
    }

    /// Adds a record to the innermost open section's entries (once).
    func noteSectionEntry(_ ref: EntityRef) {
        guard let last = sectionEntries.indices.last, !sectionEntries[last].contains(ref) else { return }
        sectionEntries[last].append(ref)
    }

    /// Whether `new` has the canonical form of `existing` once it takes the existing record's
    /// reference and source position: provably the same record.
    static func isIdentical<E: ClinicalEntity>(_ existing: E, _ new: E) -> Bool {
        var candidate = new
        candidate.ref = existing.ref
        candidate.source = existing.source
        return CanonicalHasher.digest(candidate).digest == CanonicalHasher.digest(existing).digest
    }

    /// Changes a record added earlier.
    func update<E: ClinicalEntity>(
        _ ref: EntityRef, in path: WritableKeyPath<ClinicalRecord, [E]>, _ change: (inout E) -> Void
    ) {
        guard let index = positions[ref], index < record[keyPath: path].count, record[keyPath: path][index].ref == ref
        else { return }
        change(&record[keyPath: path][index])
    }

    /// Adds a practitioner, organization or location once per key, merging what a later mention adds.
    @discardableResult
    func upsert<E: ClinicalEntity>(
        _ entity: E, to path: WritableKeyPath<ClinicalRecord, [E]>, key: String, merge: (inout E, E) -> Void
    ) -> EntityRef {
        let ref = EntityRef(E.kind, key: key)
        if let index = positions[ref] {
            merge(&record[keyPath: path][index], entity)
            return ref
        }
        var entity = entity
        entity.ref = ref
        keys.take(ref)
        positions[ref] = record[keyPath: path].count
        record[keyPath: path].append(entity)
        return ref
    }

    // MARK: Observation identity

    /// What an observation is, for recognising it in another section: code, time and value.
    static func contentKey(_ observation: Observation) -> String? {
        guard let code = observation.code.first?.code, let time = observation.effective?.fhir else { return nil }
        let value: String
        switch observation.value {
        case .quantity(let quantity)?:
            value = "q|" + (quantity.value?.lexical ?? "") + "|" + (quantity.unit ?? "")
        case .concept(let concept)?:
            value = "c|" + (concept.first?.system ?? "") + "|" + (concept.first?.code ?? concept.text ?? "")
        case .string(let text)?:
            value = "s|" + text
        case .integer(let number)?:
            value = "i|\(number)"
        case .boolean(let flag)?:
            value = "b|\(flag)"
        default:
            return nil
        }
        return [observation.patient?.key ?? "", observation.code.first?.system ?? "", code, time, value]
            .joined(separator: "|")
    }

    /// An observation already read from another section with the same content and not yet
    /// matched, which `observation` (from section `section`) repeats; it is matched once.
    func repeatedObservation(_ observation: Observation, section: Int) -> EntityRef? {
        guard let key = Self.contentKey(observation), var claims = observationClaims[key] else { return nil }
        guard let index = claims.firstIndex(where: { $0.section != section && !$0.matched }) else { return nil }
        claims[index].matched = true
        observationClaims[key] = claims
        return claims[index].ref
    }

    func claim(_ observation: Observation, section: Int) {
        guard let key = Self.contentKey(observation) else { return }
        observationClaims[key, default: []].append(
            ObservationClaim(ref: observation.ref, section: section, matched: false))
    }
}
