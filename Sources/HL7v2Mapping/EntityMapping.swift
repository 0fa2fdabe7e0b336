import ClinicalModel
import HL7v2
import MappingSpec

/// How field maps reach one kind of canonical entity: its settable paths, where records of that
/// kind live, how they are keyed and linked, and the named converters data may ask for.
struct EntityMapping<E: ClinicalEntity> {
    typealias Converter = (inout E, HL7Segment, inout MappingContext, V2Converters) -> Void
    typealias MultiConverter = (HL7Segment, inout MappingContext, V2Converters) -> [E]

    let setters: [String: Setter<E>]
    let records: WritableKeyPath<ClinicalRecord, [E]>
    let make: (EntityRef, SourceLocation) -> E
    /// The business key once fields are set; `nil` falls back to the source position.
    let key: (E, HL7Segment, MappingContext) -> String?
    /// Sets references to the current patient, visit, order… from the context.
    let link: (inout E, MappingContext) -> Void
    /// Makes the new record current in the context (e.g. the current encounter).
    let didCreate: (inout MappingContext, EntityRef) -> Void
    /// The record an `augment` map writes into.
    let current: (MappingContext) -> EntityRef?
    var converters: [String: Converter] = [:]
    var multiConverters: [String: MultiConverter] = [:]
    /// A key from what the record *is* (what was observed and when), rather than from an
    /// identifier: two records with one identity in a message are one record, so the repeat is
    /// reported and dropped. Identifier keys that repeat get a position suffix instead, since
    /// senders reuse identifiers by mistake and dropping a record would lose data.
    var identity: ((E, HL7Segment, MappingContext) -> String?)?
}

/// Type-erased view used by the mapper and by load-time checks.
struct AnyEntityMapping {
    let kind: EntityKind
    let paths: [String: Set<String>]
    let converterNames: Set<String>
    let run: (HL7Segment, [ResolvedFieldRule], [String], SegmentEntityMap.Mode, inout MappingContext, V2Converters) -> Void

    init<E: ClinicalEntity>(_ mapping: EntityMapping<E>) {
        kind = E.kind
        paths = mapping.setters.mapValues(\.accepts)
        converterNames = Set(mapping.converters.keys).union(mapping.multiConverters.keys)
        run = { segment, rules, converterNames, mode, context, converters in
            let location = segment.location()
            var extending: EntityRef?
            if mode == .extend, let open = context.extendable, open.kind == E.kind {
                extending = open
                context.extendable = nil
            }
            if mode == .augment || extending != nil {
                guard let ref = extending ?? mapping.current(context),
                    let index = context.record[keyPath: mapping.records].firstIndex(where: { $0.ref == ref })
                else {
                    context.diagnose(.warning, "segmentWithoutContext", at: location)
                    return
                }
                var entity = context.record[keyPath: mapping.records][index]
                apply(rules, to: &entity, segment: segment, context: &context, converters: converters, mapping: mapping)
                for name in converterNames { mapping.converters[name]?(&entity, segment, &context, converters) }
                context.record[keyPath: mapping.records][index] = entity
                return
            }
            var produced: [E] = []
            let multi = converterNames.compactMap { mapping.multiConverters[$0] }
            if !multi.isEmpty {
                for converter in multi { produced += converter(segment, &context, converters) }
            } else {
                var entity = mapping.make(EntityRef(E.kind, key: ""), location)
                apply(rules, to: &entity, segment: segment, context: &context, converters: converters, mapping: mapping)
                for name in converterNames { mapping.converters[name]?(&entity, segment, &context, converters) }
                produced = [entity]
            }
            for (offset, var entity) in produced.enumerated() {
                mapping.link(&entity, context)
                let document = context.record.document
                let count = produced.count
                func position() -> String {
                    "\(document.controlID ?? document.digest ?? "")" + "|\(segment.id)[\(segment.occurrence)]"
                        + (count > 1 ? "#\(offset + 1)" : "")
                }
                let identity = entity.ref.key.isEmpty ? mapping.identity?(entity, segment, context) : nil
                if let identity, context.record[keyPath: mapping.records].contains(where: { $0.ref.key == identity }) {
                    context.diagnose(.information, "duplicateRecord", at: location)
                    continue
                }
                let business =
                    entity.ref.key.isEmpty ? identity ?? mapping.key(entity, segment, context) : entity.ref.key
                entity.ref = context.unique(EntityRef(E.kind, key: business ?? ""), position: position())
                if entity.source == nil { entity.source = location }
                context.record[keyPath: mapping.records].append(entity)
                mapping.didCreate(&context, entity.ref)
                context.lastCreated = entity.ref
                context.extendable = mode == .create ? entity.ref : nil
            }
        }
    }
}

/// A field rule checked against the registries, ready to run.
struct ResolvedFieldRule {
    let field: Int
    let component: Int?
    let target: String
    let dataType: V2DataType
    let table: String?
    let conceptMap: String?
    let use: String?
    let firstOnly: Bool
}

private func apply<E: ClinicalEntity>(
    _ rules: [ResolvedFieldRule], to entity: inout E, segment: HL7Segment, context: inout MappingContext,
    converters: V2Converters, mapping: EntityMapping<E>
) {
    for rule in rules {
        let field = segment[rule.field]
        if field.isEmpty { continue }
        guard let setter = mapping.setters[rule.target] else { continue }
        for (repIndex, repetition) in field.repetitions.enumerated() {
            if rule.firstOnly && repIndex > 0 { break }
            if repetition.isEmpty { continue }
            let location = segment.location(field: rule.field, repetition: repIndex + 1, component: rule.component)
            let values = converters.values(
                repetition, rule: rule, context: &context, location: location)
            for value in values { setter.apply(&entity, value) }
        }
    }
}
