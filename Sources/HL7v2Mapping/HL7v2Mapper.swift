import ClinicalModel
import Foundation
import HL7v2
import MappingSpec
import Terminology

/// Maps parsed HL7 v2 messages to canonical `ClinicalRecord`s, driven by `Mappings/hl7v2`:
/// the message manifest chosen by MSH-9 names the segments that produce records, and each
/// segment's map names the fields, data types, tables and concept maps. Logic that data cannot
/// express lives in named converters (see `Registry`).
public struct HL7v2Mapper: @unchecked Sendable {
    public let spec: HL7v2MappingSpec
    let terminology: TerminologyStore
    let converters: V2Converters
    /// segment id -> entity name -> the segment map bound to its entity kind
    let compiled: [String: [String: AnyEntityMapping.Runner]]
    /// segment id -> entity name -> fields its rules and converters read (for the unused-data trace)
    let fieldsRead: [String: [String: Set<Int>]]
    /// What is declared not carried, by segment and data type (`Mappings/hl7v2/declared.yaml` and
    /// each segment map's `declared`).
    let declarations: DeclarationIndex

    /// Checks every map against the canonical model and the terminology store: unknown paths,
    /// data types that cannot fill a path, unknown concept maps or converters are `file:line` errors.
    public init(spec: HL7v2MappingSpec, terminology: TerminologyStore, defaultZone: String = "+00:00")
        throws(MappingLoadError)
    {
        self.spec = spec
        self.terminology = terminology
        self.converters = V2Converters(terminology: terminology, defaultZone: defaultZone)
        let registry = Registry.all()
        var compiled: [String: [String: AnyEntityMapping.Runner]] = [:]
        var fields: [String: [String: Set<Int>]] = [:]
        for map in spec.segmentMaps.values.sorted(by: { $0.segment < $1.segment }) {
            for produce in map.produces {
                guard let kind = EntityKind(rawValue: produce.entity), let entity = registry[kind] else {
                    throw MappingLoadError(file: map.file, line: produce.line, "unknown entity '\(produce.entity)'")
                }
                var rules: [ResolvedFieldRule] = []
                for rule in produce.fields {
                    guard let accepts = entity.paths[rule.target] else {
                        throw MappingLoadError(
                            file: map.file, line: rule.line,
                            "\(produce.entity) has no path '\(rule.target)' (known: \(entity.paths.keys.sorted().joined(separator: ", ")))"
                        )
                    }
                    guard let dataType = V2DataType(rawValue: rule.dataType) else {
                        throw MappingLoadError(
                            file: map.file, line: rule.line, "unknown HL7 v2 data type '\(rule.dataType)'")
                    }
                    // one component of a field is text, unless the type's value is a single code, number,
                    // time or identifier (an EI held in one component, its parts as subcomponents)
                    let kind: FieldValue.Kind =
                        rule.component == nil
                            || [.coding, .decimal, .dateTime, .identifier].contains(dataType.valueKind)
                        ? dataType.valueKind : .text
                    guard accepts.contains(kind) else {
                        throw MappingLoadError(
                            file: map.file, line: rule.line,
                            "\(rule.dataType) gives a \(kind.rawValue) but \(produce.entity).\(rule.target) takes \(accepts.sorted().map(\.rawValue).joined(separator: "/"))"
                        )
                    }
                    if let mapID = rule.conceptMap, terminology.conceptMap(id: mapID) == nil {
                        throw MappingLoadError(file: map.file, line: rule.line, "unknown concept map '\(mapID)'")
                    }
                    rules.append(
                        ResolvedFieldRule(
                            field: rule.field, component: rule.component, target: rule.target, dataType: dataType,
                            table: rule.table, conceptMap: rule.conceptMap, use: rule.use, firstOnly: rule.firstOnly))
                }
                let extensions = try Self.resolveExtensions(produce, map: map)
                var read = Set(rules.map(\.field)).union(extensions.map(\.field))
                for name in produce.converters {
                    guard let fields = entity.converterFields[name] else {
                        throw MappingLoadError(
                            file: map.file, line: produce.line, "unknown converter '\(name)' for \(produce.entity)")
                    }
                    read.formUnion(fields)
                }
                if map.setID { read.insert(1) }
                fields[map.segment, default: [:]][produce.entity] = read
                compiled[map.segment, default: [:]][produce.entity] = entity.bind(
                    rules, extensions, produce.converters, produce.mode)
            }
        }
        self.compiled = compiled
        self.fieldsRead = fields
        self.declarations = try DeclarationIndex(spec: spec)
    }

    /// The record kinds a site's Z-segment map produces, for a Z-segment the manifest does not list:
    /// a site adds its segment with one map in its `--mappings` folder, without replacing the
    /// shipped manifests.
    func siteSegmentRoles(_ id: String) -> [String]? {
        guard id.hasPrefix("Z"), let map = spec.segmentMaps[id], !map.produces.isEmpty else { return nil }
        return map.produces.map(\.entity)
    }

    /// The extension rules of one segment map entry, checked: a known data type whose value an
    /// extension can hold (text, code, concept, identifier, date/time, decimal) and a site URL
    /// (`SiteExtension.isSiteURL`).
    static func resolveExtensions(_ produce: SegmentEntityMap, map: SegmentMap) throws(MappingLoadError)
        -> [ResolvedFieldRule]
    {
        var resolved: [ResolvedFieldRule] = []
        for rule in produce.extensions {
            guard SiteExtension.isSiteURL(rule.url) else {
                throw MappingLoadError(
                    file: map.file, line: rule.line,
                    "extension url must be an absolute http(s) or urn: URL outside hl7.org/fhir and fhirbridge.dev")
            }
            guard let dataType = V2DataType(rawValue: rule.dataType) else {
                throw MappingLoadError(file: map.file, line: rule.line, "unknown HL7 v2 data type '\(rule.dataType)'")
            }
            let kind: FieldValue.Kind =
                rule.component == nil || [.coding, .decimal, .dateTime, .identifier].contains(dataType.valueKind)
                ? dataType.valueKind : .text
            guard SiteExtensionValue.kinds.contains(kind) else {
                throw MappingLoadError(
                    file: map.file, line: rule.line,
                    "\(rule.dataType) gives a \(kind.rawValue), which an extension cannot hold (allowed: \(SiteExtensionValue.kinds.sorted().map(\.rawValue).joined(separator: "/")))"
                )
            }
            resolved.append(
                ResolvedFieldRule(
                    field: rule.field, component: rule.component, target: rule.url, dataType: dataType,
                    table: rule.table, conceptMap: nil, use: nil, firstOnly: rule.firstOnly))
        }
        return resolved
    }

    /// The message type with its structure derived from HL7 table 0354 (in `Terminology/`) when
    /// MSH-9.3 names none.
    public func derivingStructure(_ type: HL7MessageType) -> HL7MessageType {
        type.deriving { terminology.messageStructures.structure(code: $0, event: $1) }
    }

    /// The manifest for a message type: MSH-9.3 (or the structure table 0354 gives) when it names a
    /// known structure, else MSH-9.1^9.2.
    public func manifest(for type: HL7MessageType) -> MessageManifest? {
        let type = derivingStructure(type)
        let trigger = type.event.map { "\(type.code)^\($0)" } ?? type.code
        if let structure = spec.structureByTrigger[trigger], let manifest = spec.manifests[structure] {
            return manifest
        }
        if let structure = type.structure, let manifest = spec.manifests[structure] { return manifest }
        return spec.structureByTrigger[type.code].flatMap { spec.manifests[$0] }
    }

    /// Maps one message. Throws for messages that cannot be converted at all (an unsupported type);
    /// everything less is a diagnostic returned with the record.
    ///
    /// With `traceUnused`, every non-empty field with an element neither carried nor declared is
    /// reported as `fieldNotMapped` (position only): the unused-data trace of a reconciliation.
    public func map(_ message: HL7Message, inputName: String, digest: String?, traceUnused: Bool = false)
        throws(SourceError) -> (ClinicalRecord, [Diagnostic])
    {
        let mapped = try mapAccounting(message, inputName: inputName, digest: digest, traceUnused: traceUnused)
        return (mapped.record, mapped.diagnostics)
    }

    /// One message mapped: its record, the diagnostics, and what became of every non-empty element
    /// of the message (carried into the record, declared not carried with a reason, unaccounted).
    public struct Mapped: Sendable {
        public var record: ClinicalRecord
        public var diagnostics: [Diagnostic]
        public var account: SourceAccount
    }

    /// Maps one message and accounts for its source elements (see `map`).
    public func mapAccounting(
        _ message: HL7Message, inputName: String, digest: String?, traceUnused: Bool = false
    ) throws(SourceError) -> Mapped {
        var fates = AccountingFates()
        let (record, diagnostics) = try map(
            message, inputName: inputName, digest: digest, traceUnused: traceUnused, fates: &fates)
        return Mapped(record: record, diagnostics: diagnostics, account: fates.account)
    }

    /// Every non-empty element of a message with its fate: carried, or declared with the reason,
    /// or unaccounted (`nil` reason and not carried). For tests that check what is claimed carried.
    public func elementFates(_ message: HL7Message, inputName: String = "fates") throws(SourceError)
        -> [ElementFate]
    {
        var fates = AccountingFates(keepElements: true)
        _ = try map(message, inputName: inputName, digest: nil, traceUnused: false, fates: &fates)
        return fates.elements
    }

    func map(
        _ message: HL7Message, inputName: String, digest: String?, traceUnused: Bool, fates: inout AccountingFates
    ) throws(SourceError) -> (ClinicalRecord, [Diagnostic]) {
        let type = derivingStructure(message.messageType)
        guard let manifest = manifest(for: type) else {
            // the refusal names the type when it has the shape of one (ADT^A17, RSP^K22^RSP_K21):
            // anything else in MSH-9 could be free text, and is not repeated
            let name = type.description
            let shown =
                name.range(
                    of: #"^[A-Z][A-Z0-9]{2}(\^[A-Z0-9]{3}(\^[A-Z0-9]{3}_[A-Z0-9]{3})?)?$"#, options: .regularExpression)
                != nil
            throw SourceError(
                .unsupportedMessageType, at: message.header.location(field: 9),
                input: "\(inputName) message \(message.index)" + (shown ? " (type \(name))" : ""))
        }
        var document = SourceDocument(format: .hl7v2, inputName: inputName, index: message.index)
        document.controlID = message.controlID
        document.type = type.description
        document.version = message.version
        document.digest = digest
        let header = message.header
        document.sendingApplication = header[3].value
        document.sendingFacility = header[4].value
        var context = MappingContext(record: ClinicalRecord(document: document))
        document.recorded = converters.dateTime(header[7].value, context: &context, location: header.location(field: 7))
        context.record.document = document
        // the header: what reaches the record's SourceDocument
        context.carry(header[3])
        context.carry(header[4])
        if document.recorded != nil { context.carry(header[7]) }
        context.carry(header[9], 1)
        context.carry(header[9], 2)
        context.carry(header[9], 3)
        context.carry(header[10])
        context.carry(header[12])
        context.carried.commit()
        let trigger = type.event.map { "\(type.code)^\($0)" } ?? type.code
        context.settings = manifest.events.first(where: { $0.trigger == trigger })?.settings ?? [:]
        context.diagnostics.append(contentsOf: message.diagnostics)

        for segment in message.segments where segment.id != "MSH" {
            if segment.id == "OBX", attachToImmunizationOrSkip(segment, context: &context) {
                context.carried.commit()
                continue
            }
            guard let roles = manifest.entities(for: segment.id) ?? siteSegmentRoles(segment.id) else {
                let kind: IssueKind = segment.id.hasPrefix("Z") ? .customSegmentNotMapped : .segmentNotMapped
                if !manifest.ignored.contains(segment.id) || segment.id.hasPrefix("Z") {
                    context.diagnose(.information, kind, at: segment.location())
                }
                continue
            }
            // a segment listed for several kinds that adds to a current record (TQ1 after an ORC or
            // after an RXE) is without context only when none of them has a current record
            let before = context.diagnostics.count
            var withoutContext = 0
            for role in roles {
                let start = context.diagnostics.count
                if role == "note" {
                    attachNote(segment, context: &context)
                } else if let run = compiled[segment.id]?[role] {
                    run(segment, &context, converters)
                }
                if context.diagnostics[start...].contains(where: { $0.kind == .segmentWithoutContext }) {
                    withoutContext += 1
                }
                context.carried.commit()
            }
            if withoutContext > 0, withoutContext < roles.count {
                let kept = context.diagnostics[before...].filter { $0.kind != .segmentWithoutContext }
                context.diagnostics.removeSubrange(before...)
                context.diagnostics.append(contentsOf: kept)
            }
        }
        account(message, manifest: manifest, context: &context, traceUnused: traceUnused, fates: &fates)
        return (context.record, context.diagnostics)
    }

    /// OBX that are not observations of their own: encapsulated data (OBX-2 ED/RP: a document,
    /// reported), and in an immunization's order group the funding source (LOINC 30963-3) and
    /// funding eligibility (64994-7) that describe the immunization (CDC IIS HL7 v2.5.1 IG).
    func attachToImmunizationOrSkip(_ segment: HL7Segment, context: inout MappingContext) -> Bool {
        let type = segment[2].value?.uppercased()
        if type == "ED" || type == "RP" {
            context.diagnose(.information, .encapsulatedDataNotMapped, at: segment.location(field: 5))
            context.declare(segment, .encapsulatedData)
            return true
        }
        context.carried.discard()
        guard let ref = context.immunization, let code = segment[3].value, code == "64994-7" || code == "30963-3",
            let index = context.record.immunizations.firstIndex(where: { $0.ref == ref }),
            let value = segment[5].repetitions.first,
            let concept = converters.concept(value, table: nil, context: &context, location: segment.location(field: 5))
        else {
            context.carried.discard()
            return false
        }
        // the code says which field of the immunization the value fills
        context.carry(segment[3])
        context.declare(segment, .immunizationFunding)
        if code == "30963-3" {
            if context.record.immunizations[index].fundingSource == nil {
                context.record.immunizations[index].fundingSource = concept
            }
        } else {
            context.record.immunizations[index].programEligibility.append(concept)
        }
        return true
    }

    /// NTE-3 comment (FT, repeating) becomes a note on the record the previous segment created.
    func attachNote(_ segment: HL7Segment, context: inout MappingContext) {
        var lines: [String] = []
        for repetition in segment[3].repetitions {
            guard let line = repetition.joinedText() else { continue }
            lines.append(line)
            context.carry(repetition, components: 1...max(repetition.componentCount, 1))
        }
        guard !lines.isEmpty else { return }
        // an appointment's comment is text only (FHIR Appointment.comment): NTE-5/6 are not carried
        if let target = context.lastCreated, target.kind == .appointment,
            let index = context.record.appointments.firstIndex(where: { $0.ref == target })
        {
            let text = lines.joined(separator: "\n")
            let comment = context.record.appointments[index].comment
            context.record.appointments[index].comment = comment.map { $0 + "\n" + text } ?? text
            return
        }
        var note = Annotation(text: lines.joined(separator: "\n"))
        // NTE-5 entered by (XCN), NTE-6 entered date/time: the note's author and time
        if let enteredBy = segment[5].repetitions.first(where: { !$0.isEmpty }) {
            note.author = converters.practitioner(
                xcn: enteredBy, context: &context, location: segment.location(field: 5))
        }
        note.time = converters.dateTime(segment[6].value, context: &context, location: segment.location(field: 6))
        if note.time != nil { context.carry(segment[6]) }
        guard let target = context.lastCreated else {
            context.carried.discard()
            context.diagnose(.information, .noteWithoutContext, at: segment.location())
            return
        }
        func add<E: ClinicalEntity>(
            _ path: WritableKeyPath<ClinicalRecord, [E]>, _ notes: WritableKeyPath<E, [Annotation]>
        ) -> Bool {
            guard let index = context.record[keyPath: path].firstIndex(where: { $0.ref == target }) else {
                return false
            }
            context.record[keyPath: path][index][keyPath: notes].append(note)
            return true
        }
        let attached: Bool
        switch target.kind {
        case .observation: attached = add(\.observations, \.note)
        case .serviceRequest: attached = add(\.serviceRequests, \.note)
        case .condition: attached = add(\.conditions, \.note)
        case .procedure: attached = add(\.procedures, \.note)
        case .immunization: attached = add(\.immunizations, \.note)
        case .medication: attached = add(\.medications, \.note)
        default: attached = false
        }
        if !attached {
            context.carried.discard()
            context.diagnose(.information, .noteNotMapped, at: segment.location())
        }
    }
}
