import ClinicalModel
import FHIRR4

/// The Bundle.type values fhirbridge writes (http://hl7.org/fhir/R4/valueset-bundle-type.html).
///
/// `document` is one C-CDA document as a FHIR document: the Composition first, then every resource
/// it and its sections reference, no `request`s (see `BundleBuilder.bundle(_:type:conditional:)`).
public enum BundleType: String, Hashable, Sendable, CaseIterable {
    case transaction, batch, collection, document

    /// Whether entries carry a `request` (transaction and batch).
    public var hasRequests: Bool { self == .transaction || self == .batch }
}

/// Turns canonical records into FHIR R4 Bundles or NDJSON resources, deterministically: no clock,
/// no randomness, entries in `ResourceKey` order, so the same records give the same bytes.
///
///     let (bundle, diagnostics) = BundleBuilder().bundle(records, type: .transaction)
///     JSONWriter(style: .pretty).bytes(.object(bundle))
///
/// See FHIRMapping.docc/Documentation.md for the reference scheme, entry requests and how duplicates merge.
public struct BundleBuilder: Sendable {
    public init() {}

    /// One Bundle holding every resource emitted from `records`, with one Provenance per record.
    ///
    /// - Parameters:
    ///   - type: `transaction` and `batch` entries carry a `request`; `collection` entries do not.
    ///   - conditional: for transaction and batch, a resource with a business identifier (one with
    ///     both `system` and `value`) is a conditional create, `POST Type` with
    ///     `ifNoneExist: identifier=<system>|<value>`, instead of `PUT Type/id`.
    /// - Returns: the Bundle and every diagnostic, once each, in record order.
    /// - Complexity: O(n log n) in the number of resources.
    ///
    /// A `document` bundle is made of one record holding one Composition (one C-CDA document): the
    /// Composition's entry comes first (bdl-11), `identifier` is the Composition's (else the
    /// bundle's own id as a `urn:uuid`, bdl-9) and `timestamp` its date when that is an instant
    /// (bdl-10). Records that are not one document are written as a `collection` and reported as
    /// `notADocument`.
    public func bundle(_ records: [ClinicalRecord], type: BundleType, conditional: Bool = false)
        -> (JSONObject, [Diagnostic])
    {
        if type == .document { return document(records) }
        let scheme = ReferenceScheme(present: Self.presentRefs(records), localURN: type != .batch)
        let (entries, diagnostics) = emit(records, scheme: scheme)
        let bundleKey =
            [type.rawValue, conditional ? "conditional" : "unconditional"]
            + records.map { FHIRMapper.provenanceID($0.document) }
        var bundle = ElementBuilder(
            resourceType: "Bundle", id: ResourceID.derive(resourceType: "Bundle", key: bundleKey.joined(separator: "|"))
        )
        bundle.set("type", .string(type.rawValue))
        bundle.set("entry", entries.map { Self.element($0, type: type, conditional: conditional) })
        return (bundle.object, diagnostics)
    }

    /// The Bundle's `entry` element for an entry: `fullUrl`, `resource` and, for transaction and
    /// batch, `request`.
    static func element(_ entry: Entry, type: BundleType, conditional: Bool) -> JSON? {
        var element = ElementBuilder()
        element.set("fullUrl", .string("urn:uuid:" + entry.key.id))
        element.set("resource", .object(entry.resource))
        if type.hasRequests {
            element.set("request", Self.request(entry, conditional: conditional))
        }
        return element.json
    }

    /// The `document` bundle of `bundle(_:type:conditional:)`.
    func document(_ records: [ClinicalRecord]) -> (JSONObject, [Diagnostic]) {
        let compositions = records.flatMap(\.compositions)
        guard records.count == 1, compositions.count == 1, let composition = compositions.first else {
            var (bundle, diagnostics) = self.bundle(records, type: .collection)
            let location = records.first.map { SourceLocation.input(name: $0.document.inputName, offset: nil) }
            diagnostics.insert(Diagnostic(.warning, .notADocument, at: location), at: 0)
            return (bundle, diagnostics)
        }
        let scheme = ReferenceScheme(present: Self.presentRefs(records), localURN: true)
        var (entries, diagnostics) = emit(records, scheme: scheme)
        let compositionKey = ResourceKey(resourceType: "Composition", id: scheme.id(composition.ref))
        if let index = entries.firstIndex(where: { $0.key == compositionKey }) {
            entries.insert(entries.remove(at: index), at: 0)
        }
        let bundleKey = ["document"] + records.map { FHIRMapper.provenanceID($0.document) }
        let id = ResourceID.derive(resourceType: "Bundle", key: bundleKey.joined(separator: "|"))
        var bundle = ElementBuilder(resourceType: "Bundle", id: id)
        var identifier = ElementBuilder()
        if let first = composition.identifiers.first, let system = first.system, first.value.hasContent {
            identifier.set("system", .string(system))
            identifier.set("value", .string(first.value))
        } else {
            identifier.set("system", .string("urn:ietf:rfc:3986"))
            identifier.set("value", .string("urn:uuid:" + id))
        }
        bundle.set("identifier", identifier.json)
        bundle.set("type", .string(BundleType.document.rawValue))
        if let date = composition.date, let instant = FHIRTemporal.instant(date) {
            bundle.set("timestamp", .string(instant))
        } else {
            diagnostics.append(
                Diagnostic(.warning, .missingRequiredElement, at: composition.source, code: "Bundle.timestamp"))
        }
        bundle.set("entry", entries.map { Self.element($0, type: .document, conditional: false) })
        return (bundle.object, diagnostics)
    }

    /// One record's entries of a bundle of many records, for writing such a bundle a record at a
    /// time: the same entries `bundle(_:type:conditional:)` holds for this record when `present` is
    /// every entity of the bundle. A writer that knows only the record's own entities passes
    /// `presentRefs([record])` and checks `unresolvedReference` in the diagnostics: without one, the
    /// entries are final whatever else the bundle holds.
    public func entries(
        _ record: ClinicalRecord, type: BundleType, conditional: Bool = false, present: Set<EntityRef>
    ) -> (entries: [(key: ResourceKey, element: JSON)], diagnostics: [Diagnostic]) {
        let scheme = ReferenceScheme(present: present, localURN: type != .batch)
        let (entries, diagnostics) = emit([record], scheme: scheme)
        return (entries.map { ($0.key, Self.element($0, type: type, conditional: conditional) ?? .null) }, diagnostics)
    }

    /// The Bundle's id, fed a record at a time in bundle order (as `bundle(_:type:conditional:)`
    /// derives it from the type, the conditional flag and every record's Provenance id).
    public struct BundleID {
        var deriver: ResourceID.Deriver

        public init(type: BundleType, conditional: Bool) {
            deriver = ResourceID.Deriver(resourceType: "Bundle")
            deriver.update(type.rawValue)
            deriver.update("|")
            deriver.update(conditional ? "conditional" : "unconditional")
        }

        public mutating func add(_ record: ClinicalRecord) {
            deriver.update("|")
            deriver.update(FHIRMapper.provenanceID(record.document))
        }

        public func finalize() -> String { deriver.finalize() }
    }

    /// The resources emitted from one record, for NDJSON: references are `Type/id`, targets missing
    /// from the record are reported as `unresolvedReference`.
    public func resources(_ record: ClinicalRecord) -> ([JSONObject], [Diagnostic]) {
        let scheme = ReferenceScheme(present: Self.presentRefs([record]), localURN: false)
        let (entries, diagnostics) = emit([record], scheme: scheme)
        return (entries.map(\.resource), diagnostics)
    }

    /// `resources(record)` as compact JSON lines (no trailing newline), one per resource.
    public func ndjsonLines(_ record: ClinicalRecord) -> [[UInt8]] {
        let writer = JSONWriter(style: .compact)
        return resources(record).0.map { writer.bytes(.object($0)) }
    }

    // MARK: - Emission

    struct Entry {
        var key: ResourceKey
        var resource: JSONObject
    }

    /// Entities that will be emitted: every record's refs except coverages without a payor.
    public static func presentRefs(_ records: [ClinicalRecord]) -> Set<EntityRef> {
        var refs = Set<EntityRef>()
        for record in records {
            refs.formUnion(record.allRefs)
            for coverage in record.coverages where coverage.payor == nil { refs.remove(coverage.ref) }
        }
        return refs
    }

    /// Maps every record, merges entries with the same type and id (a later record's resource
    /// replaces an earlier one's whole), and sorts them by `ResourceKey`.
    func emit(_ records: [ClinicalRecord], scheme: ReferenceScheme) -> ([Entry], [Diagnostic]) {
        let mapper = FHIRMapper(references: scheme)
        var merged: [ResourceKey: Entry] = [:]
        var diagnostics: [Diagnostic] = []
        var seen = Set<Diagnostic>()
        for record in records {
            let (entries, found) = emit(record, mapper: mapper)
            for entry in entries { merged[entry.key] = entry }
            for diagnostic in found where seen.insert(diagnostic).inserted { diagnostics.append(diagnostic) }
        }
        return (ResourceKey.sorted(merged.values, by: \.key), diagnostics)
    }

    private func emit(_ record: ClinicalRecord, mapper: FHIRMapper) -> ([Entry], [Diagnostic]) {
        var entries: [Entry] = []
        var diagnostics: [Diagnostic] = []
        // a site's Z-segment fields, by the record they belong to (`SiteExtension`)
        let siteExtensions = Dictionary(grouping: record.siteExtensions, by: \.target)
        func add(_ ref: EntityRef, _ mapped: consuming (JSONObject?, [Diagnostic])) {
            diagnostics += mapped.1
            if var resource = mapped.0 {
                mapped.0 = nil  // the resource is held once, so stamping it does not copy it
                let key = ResourceKey(resourceType: ref.kind.fhirResourceType, id: mapper.references.id(ref))
                if let site = siteExtensions[ref] {
                    let (extensions, found) = mapper.siteExtensions(
                        site, location: .input(name: record.document.inputName, offset: nil))
                    diagnostics += found
                    resource.appendExtensions(extensions)
                }
                Self.stampRecordKey(&resource, ref)
                entries.append(Entry(key: key, resource: resource))
            }
        }
        var survivors: [EntityRef: EntityRef] = [:]
        for link in record.patientLinks { survivors[link.merged] = link.survivor }

        for patient in record.patients {
            add(patient.ref, mapper.patient(patient, replacedBy: survivors[patient.ref]))
        }
        // A merge message's patients live on the target server: the Linkage references them by
        // their derived ids and no stub Patient is written (a PUT would overwrite the server's).
        for value in record.relatedPersons { add(value.ref, mapper.relatedPerson(value)) }
        for value in record.practitioners { add(value.ref, mapper.practitioner(value)) }
        for value in record.organizations { add(value.ref, mapper.organization(value)) }
        for value in record.locations { add(value.ref, mapper.location(value)) }
        for value in record.encounters { add(value.ref, mapper.encounter(value)) }
        for value in record.conditions { add(value.ref, mapper.condition(value)) }
        for value in record.allergies { add(value.ref, mapper.allergyIntolerance(value)) }
        for value in record.procedures { add(value.ref, mapper.procedure(value)) }
        for value in record.immunizations { add(value.ref, mapper.immunization(value)) }
        for value in record.medications { add(value.ref, mapper.medicationRequest(value)) }
        for value in record.serviceRequests { add(value.ref, mapper.serviceRequest(value)) }
        for value in record.specimens { add(value.ref, mapper.specimen(value)) }
        for value in record.observations { add(value.ref, mapper.observation(value)) }
        for value in record.diagnosticReports { add(value.ref, mapper.diagnosticReport(value)) }
        for value in record.documents { add(value.ref, mapper.documentReference(value)) }
        for value in record.appointments { add(value.ref, mapper.appointment(value)) }
        for value in record.coverages { add(value.ref, mapper.coverage(value)) }
        for value in record.carePlans { add(value.ref, mapper.carePlan(value)) }
        for value in record.imagingStudies { add(value.ref, mapper.imagingStudy(value)) }
        for value in record.patientLinks { add(value.ref, mapper.linkage(value)) }
        for value in record.compositions { add(value.ref, mapper.composition(value)) }

        let (provenance, found) = mapper.provenance(record.document, orderedTargets: entries.map(\.key))
        diagnostics += found
        for resource in provenance {
            guard let type = resource["resourceType"]?.stringValue, let id = resource["id"]?.stringValue else {
                continue
            }
            entries.append(Entry(key: ResourceKey(resourceType: type, id: id), resource: resource))
        }
        return (entries, diagnostics)
    }

    /// Puts the entity's business key in the resource's fhirbridge `record-key` extension (last in
    /// `extension`): the id is a hash of the key, and the reverse mapping needs the key itself. An
    /// empty key is left out; the reverse mapping recognises its id.
    static func stampRecordKey(_ resource: inout JSONObject, _ ref: EntityRef) {
        guard ref.key.hasContent else { return }
        let key = JSONObject(["url": .string(FHIRURL.recordKey), "valueString": .string(ref.key)])
        resource.appendExtensions([.object(key)])
    }

    // MARK: - Requests

    static func request(_ entry: Entry, conditional: Bool) -> JSON {
        var request = ElementBuilder()
        if conditional, let identifier = businessIdentifier(entry.resource) {
            request.set("method", .string("POST"))
            request.set("url", .string(entry.key.resourceType))
            request.set(
                "ifNoneExist",
                .string("identifier=" + searchValue(identifier.system) + "|" + searchValue(identifier.value)))
        } else {
            request.set("method", .string("PUT"))
            request.set("url", .string(entry.key.description))
        }
        return request.json ?? .null
    }

    /// The first identifier with both a system and a value.
    static func businessIdentifier(_ resource: JSONObject) -> (system: String, value: String)? {
        for identifier in resource["identifier"]?.arrayValue ?? [] {
            if let system = identifier["system"]?.stringValue, let value = identifier["value"]?.stringValue {
                return (system, value)
            }
        }
        return nil
    }

    /// A token search value part: FHIR's search escapes (`\` before `\`, `|`, `,`, `$`;
    /// http://hl7.org/fhir/R4/search.html#escaping), then RFC 3986 percent-encoding of every byte
    /// outside the unreserved set and `:/@`.
    static func searchValue(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\|,$".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in escaped.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "@"):
                output.append(byte)
            default:
                output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
