import ClinicalModel
import FHIRR4

/// A resource's type and id: what a Bundle entry, a reference and a Provenance target name.
public struct ResourceKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var resourceType: String
    public var id: String

    public init(resourceType: String, id: String) {
        self.resourceType = resourceType
        self.id = id
    }

    public init(_ ref: EntityRef) {
        self.init(resourceType: ref.kind.fhirResourceType, id: ResourceID.derive(ref))
    }

    /// The order of entries in bundles and NDJSON: `resourceTypeOrder`, then id.
    public static func < (lhs: ResourceKey, rhs: ResourceKey) -> Bool {
        // same type (the usual case in a sort): no rank to look up
        lhs.resourceType == rhs.resourceType
            ? lhs.id < rhs.id : precedes(lhs, rank(lhs.resourceType), rhs, rank(rhs.resourceType))
    }

    /// The order itself, given each key's `rank`: by rank, then type name (unknown types), then id.
    private static func precedes(_ lhs: ResourceKey, _ lhsRank: Int, _ rhs: ResourceKey, _ rhsRank: Int) -> Bool {
        (lhsRank, lhs.resourceType, lhs.id) < (rhsRank, rhs.resourceType, rhs.id)
    }

    /// A type's position in bundle order (unknown types last, then by name): for writers that
    /// sort entries themselves.
    public static func bundleRank(_ resourceType: String) -> Int { rank(resourceType) }

    /// A type's position in `resourceTypeOrder` (unknown types last).
    static func rank(_ resourceType: String) -> Int { rankByType[resourceType] ?? resourceTypeOrder.count }

    /// `items` in `<` order of their keys, each type's rank looked up once rather than per comparison.
    static func sorted<Item>(_ items: some Sequence<Item>, by key: (Item) -> ResourceKey) -> [Item] {
        items.map { (rank: rank(key($0).resourceType), key: key($0), item: $0) }
            .sorted { precedes($0.key, $0.rank, $1.key, $1.rank) }
            .map(\.item)
    }

    /// Each type's position in `resourceTypeOrder`.
    static let rankByType: [String: Int] = Dictionary(
        resourceTypeOrder.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })

    /// Resource types in output order: the canonical kinds in `EntityKind` order, then the
    /// provenance resources and the MessageHeader.
    public static let resourceTypeOrder: [String] =
        EntityKind.allCases.map(\.fhirResourceType) + ["Device", "Provenance", "MessageHeader"]

    /// `Type/id`.
    public var description: String { resourceType + "/" + id }
}

extension FHIRMapper {
    /// The Provenance of one source document and the agents it names
    /// (http://hl7.org/fhir/R4/provenance.html).
    ///
    /// - `target`: every resource emitted from the document (`targets`, written in output order).
    /// - `recorded` (required instant): `document.recorded` when it is an instant. A date without a
    ///   time is completed to `T00:00:00Z` (year and month precision with `-01`), and the original
    ///   precision (`year`, `month`, `day`) is stated by the fhirbridge `recorded-precision`
    ///   extension on `_recorded`. Without a usable value `_recorded` holds a data-absent-reason.
    ///   The clock is never read: the same input gives the same bytes.
    /// - `activity`: v3-DataOperation `CREATE`.
    /// - `agent`: the sending application as a `Device` (`author`, on behalf of the sending facility
    ///   as an `Organization`), or the facility alone; and always fhirbridge itself as a `Device`
    ///   (`assembler`), so the required agent is never invented.
    /// - `entity`: role `source`; `what` is the SHA-256 digest of the input unit (system
    ///   `http://fhirbridge.dev/fhir/source-digest`) and a display such as
    ///   `hl7v2 message 3 of adt.hl7` (input names are file names, not patient data); the fhirbridge
    ///   `source-document` extension holds the `SourceDocument` facts Provenance has no element for.
    ///
    /// - Returns: the Provenance first, then the Device and Organization resources it references
    ///   (and for an HL7 v2 message its MessageHeader, `messageHeader(_:sender:)`);
    ///   no resource (and no diagnostic) when `targets` is empty, as `target` is required.
    public func provenance(_ document: SourceDocument, targets: [ResourceKey]) -> ([JSONObject], [Diagnostic]) {
        provenance(document, orderedTargets: targets.sorted())
    }

    /// `provenance(_:targets:)` with the targets in the given order: bundles list them in record
    /// order (each kind's records in their array order, duplicates once), which the reverse mapping
    /// uses to rebuild the record's arrays in order.
    func provenance(_ document: SourceDocument, orderedTargets targets: [ResourceKey]) -> ([JSONObject], [Diagnostic]) {
        guard !targets.isEmpty else { return ([], []) }
        var context = context(.input(name: document.inputName, offset: nil))
        var resource = ElementBuilder(resourceType: "Provenance", id: Self.provenanceID(document))
        var seen = Set<ResourceKey>(minimumCapacity: targets.count)
        resource.set("target", targets.filter { seen.insert($0).inserted }.map { reference($0) })
        let recordedWritten = setRecorded(document.recorded, into: &resource, context: &context)
        resource.set(
            "activity",
            concept(system: FHIRURL.v3DataOperation, code: "CREATE", display: "create"))

        var agentResources: [JSONObject] = []
        var agents: [JSON?] = []
        var facility: ResourceKey?
        if let name = document.sendingFacility, name.hasContent {
            let key = ResourceKey(resourceType: "Organization", id: Self.sendingFacilityID(name))
            var organization = ElementBuilder(resourceType: key.resourceType, id: key.id)
            organization.set("name", name)
            agentResources.append(organization.object)
            facility = key
        }
        if let name = document.sendingApplication, name.hasContent {
            let key = ResourceKey(
                resourceType: "Device", id: Self.sendingApplicationID(name, facility: document.sendingFacility))
            var device = ElementBuilder(resourceType: key.resourceType, id: key.id)
            device.set("deviceName", [deviceName(name)])
            device.set("owner", facility.map(reference))
            agentResources.insert(device.object, at: 0)
            agents.append(agent("author", "Author", who: key, onBehalfOf: facility))
        } else if let facility {
            agents.append(agent("author", "Author", who: facility, onBehalfOf: nil))
        }
        let assembler = ResourceKey(resourceType: "Device", id: Self.assemblerID)
        var device = ElementBuilder(resourceType: assembler.resourceType, id: assembler.id)
        device.set("deviceName", [deviceName("fhirbridge")])
        agentResources.append(device.object)
        agents.append(agent("assembler", "Assembler", who: assembler, onBehalfOf: nil))
        if let header = messageHeader(document, sender: facility) { agentResources.append(header) }
        resource.set("agent", agents)

        var what = ElementBuilder()
        if let digest = document.digest, digest.hasContent {
            what.set(
                "identifier",
                .object(JSONObject(["system": .string(FHIRURL.sourceDigest), "value": .string(digest)])))
        }
        what.set("display", Self.sourceDisplay(document))
        var entity = ElementBuilder()
        entity.set("extension", [sourceDocumentExtension(document, recordedWritten: recordedWritten)])
        entity.set("role", .string("source"))
        entity.set("what", what.json)
        resource.set("entity", [entity.json])
        return ([resource.object] + agentResources, context.diagnostics)
    }

    /// The Provenance id: derived from the document's format, input name, index and digest.
    public static func provenanceID(_ document: SourceDocument) -> String {
        ResourceID.derive(
            resourceType: "Provenance",
            key: [document.format.rawValue, document.inputName, String(document.index), document.digest ?? ""]
                .joined(separator: "|"))
    }

    static func sendingApplicationID(_ name: String, facility: String?) -> String {
        ResourceID.derive(resourceType: "Device", key: "sending-application|" + name + "|" + (facility ?? ""))
    }

    static func sendingFacilityID(_ name: String) -> String {
        ResourceID.derive(resourceType: "Organization", key: "sending-facility|" + name)
    }

    static let assemblerID = ResourceID.derive(resourceType: "Device", key: "fhirbridge")

    static func sourceDisplay(_ document: SourceDocument) -> String {
        let unit: String
        switch document.format {
        case .hl7v2: unit = "message"
        case .ccda: unit = "document"
        case .csv: unit = "patient"
        case .fhir: unit = "resource"
        }
        return "\(document.format.rawValue) \(unit) \(document.index) of \(document.inputName)"
    }

    /// The fhirbridge `source-document` extension on the source entity: the `SourceDocument` facts
    /// that Provenance has no element for (`format`, `inputName`, `index`, `controlID`, `type`,
    /// `version`), and `recorded` when `Provenance.recorded` does not give it back as it was.
    private func sourceDocumentExtension(_ document: SourceDocument, recordedWritten: Bool) -> JSON? {
        var parts: [JSON?] = [
            part("format", "valueCode", .string(document.format.rawValue)),
            part("inputName", "valueString", .string(document.inputName)),
            part("index", "valueInteger", .int(document.index)),
            part("controlID", "valueString", document.controlID.map(JSON.string)),
            part("type", "valueString", document.type.map(JSON.string)),
            part("version", "valueString", document.version.map(JSON.string)),
        ]
        if let recorded = document.recorded, !recordedWritten {
            parts.append(part("recorded", "valueString", .string(recorded.fhir)))
        }
        var element = ElementBuilder()
        element.set("extension", parts)
        element.set("url", .string(FHIRURL.sourceDocument))
        return element.json
    }

    private func part(_ url: String, _ valueKey: String, _ value: JSON?) -> JSON? {
        guard let value = value.flatMap(JSON.pruned) else { return nil }
        return .object(JSONObject(["url": .string(url), valueKey: value]))
    }

    /// Sets `recorded`; returns whether it (with `recorded-precision`) gives the value back unchanged.
    @discardableResult
    private func setRecorded(
        _ recorded: ClinicalDateTime?, into resource: inout ElementBuilder, context: inout MappingContext
    ) -> Bool {
        if let recorded, let instant = FHIRTemporal.instant(recorded) {
            resource.set("recorded", .string(instant))
            return instant == recorded.fhir
        }
        if let recorded, !recorded.fhir.contains("T"), let date = FHIRTemporal.date(recorded) {
            let precision: String
            var padded = date
            switch date.utf8.count {
            case 4:
                precision = "year"
                padded += "-01-01"
            case 7:
                precision = "month"
                padded += "-01"
            default: precision = "day"
            }
            resource.setPrimitive(
                "recorded", .string(padded + "T00:00:00Z"),
                extensions: [
                    .object(
                        JSONObject([
                            "url": .string(FHIRURL.recordedPrecision), "valueCode": .string(precision),
                        ]))
                ])
            return date == recorded.fhir
        }
        if recorded == nil { context.reportMissing("Provenance.recorded") } else { context.report(.invalidDateTime) }
        resource.setPrimitive("recorded", nil, extensions: [context.absentReasonExtension()])
        return recorded == nil
    }

    private func reference(_ key: ResourceKey) -> JSON {
        references.reference(type: key.resourceType, id: key.id, present: true)
    }

    private func agent(_ code: String, _ display: String, who: ResourceKey, onBehalfOf: ResourceKey?) -> JSON? {
        var element = ElementBuilder()
        element.set("type", concept(system: FHIRURL.provenanceParticipantType, code: code, display: display))
        element.set("who", reference(who))
        element.set("onBehalfOf", onBehalfOf.map(reference))
        return element.json
    }

    private func deviceName(_ name: String) -> JSON {
        .object(JSONObject(["name": .string(name), "type": .string("user-friendly-name")]))
    }

    private func concept(system: String, code: String, display: String) -> JSON {
        let coding = JSONObject(["system": .string(system), "code": .string(code), "display": .string(display)])
        return .object(JSONObject(["coding": .array([.object(coding)])]))
    }
}
