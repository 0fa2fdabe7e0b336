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
                    // one component of a field is text, unless the type's value is a single code, number or time
                    let kind: FieldValue.Kind =
                        rule.component == nil || [.coding, .decimal, .dateTime].contains(dataType.valueKind)
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
                var read = Set(rules.map(\.field))
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
                    rules, produce.converters, produce.mode)
            }
        }
        self.compiled = compiled
        self.fieldsRead = fields
    }

    /// MSH fields that reach the record's `SourceDocument` or steer the parse.
    static let headerFieldsRead: Set<Int> = [1, 2, 3, 4, 7, 9, 10, 12, 18]

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
    /// With `traceUnused`, every non-empty field of a mapped segment that no rule or converter
    /// reads is reported as `fieldNotMapped` (position only): the unused-data trace of a
    /// reconciliation.
    public func map(_ message: HL7Message, inputName: String, digest: String?, traceUnused: Bool = false)
        throws(SourceError) -> (ClinicalRecord, [Diagnostic])
    {
        let type = derivingStructure(message.messageType)
        guard let manifest = manifest(for: type) else {
            throw SourceError(
                .unsupportedMessageType, at: message.header.location(field: 9),
                input: "\(inputName) message \(message.index)")
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
        let trigger = type.event.map { "\(type.code)^\($0)" } ?? type.code
        context.settings = manifest.events.first(where: { $0.trigger == trigger })?.settings ?? [:]
        context.diagnostics.append(contentsOf: message.diagnostics)

        for segment in message.segments where segment.id != "MSH" {
            if segment.id == "OBX", attachToImmunizationOrSkip(segment, context: &context) { continue }
            guard let roles = manifest.entities(for: segment.id) else {
                let kind: IssueKind = segment.id.hasPrefix("Z") ? .customSegmentNotMapped : .segmentNotMapped
                if !manifest.ignored.contains(segment.id) || segment.id.hasPrefix("Z") {
                    context.diagnose(.information, kind, at: segment.location())
                }
                continue
            }
            if traceUnused {
                var read: Set<Int> = []
                for role in roles {
                    // NTE: the set id and the comment reach the note.
                    read.formUnion(role == "note" ? [1, 3] : fieldsRead[segment.id]?[role] ?? [])
                }
                reportUnusedFields(segment, read: read, context: &context)
            }
            for role in roles {
                if role == "note" {
                    attachNote(segment, context: &context)
                    continue
                }
                guard let run = compiled[segment.id]?[role] else { continue }
                run(segment, &context, converters)
            }
        }
        if traceUnused { reportUnusedFields(header, read: Self.headerFieldsRead, context: &context) }
        return (context.record, context.diagnostics)
    }

    func reportUnusedFields(_ segment: HL7Segment, read: Set<Int>, context: inout MappingContext) {
        guard segment.fieldCount > 0 else { return }
        for field in 1...segment.fieldCount where !read.contains(field) && !segment[field].isEmpty {
            context.diagnose(.information, .fieldNotMapped, at: segment.location(field: field))
        }
    }

    /// OBX that are not observations of their own: encapsulated data (OBX-2 ED/RP: a document,
    /// reported), and in an immunization's order group the funding source (LOINC 30963-3) and
    /// funding eligibility (64994-7) that describe the immunization (CDC IIS HL7 v2.5.1 IG).
    func attachToImmunizationOrSkip(_ segment: HL7Segment, context: inout MappingContext) -> Bool {
        let type = segment[2].value?.uppercased()
        if type == "ED" || type == "RP" {
            context.diagnose(.information, .encapsulatedDataNotMapped, at: segment.location(field: 5))
            return true
        }
        guard let ref = context.immunization, let code = segment[3].value, code == "64994-7" || code == "30963-3",
            let index = context.record.immunizations.firstIndex(where: { $0.ref == ref }),
            let value = segment[5].repetitions.first,
            let concept = converters.concept(value, table: nil, context: &context, location: segment.location(field: 5))
        else { return false }
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
        let lines = segment[3].repetitions.compactMap { $0.joinedText() }
        guard !lines.isEmpty else { return }
        let note = Annotation(text: lines.joined(separator: "\n"))
        guard let target = context.lastCreated else {
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
        if !attached { context.diagnose(.information, .noteNotMapped, at: segment.location()) }
    }
}
