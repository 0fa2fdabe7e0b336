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
    /// One segment map bound to its entity kind, run once per segment.
    typealias Runner = (HL7Segment, inout MappingContext, V2Converters) -> Void

    let kind: EntityKind
    let paths: [String: Set<String>]
    let converterNames: Set<String>
    /// Binds a segment map's checked rules, named converters and mode: setters and converters are
    /// looked up here, once at load, not for every segment.
    let bind: ([ResolvedFieldRule], [String], SegmentEntityMap.Mode) -> Runner

    init<E: ClinicalEntity>(_ mapping: EntityMapping<E>) {
        kind = E.kind
        paths = mapping.setters.mapValues(\.accepts)
        converterNames = Set(mapping.converters.keys).union(mapping.multiConverters.keys)
        bind = { rules, names, mode in
            let bound = BoundRules(
                rules: rules.compactMap { rule in mapping.setters[rule.target].map { (rule, $0) } },
                converters: names.compactMap { mapping.converters[$0] },
                multiConverters: names.compactMap { mapping.multiConverters[$0] })
            return { segment, context, converters in
                bound.run(segment, mode: mode, mapping: mapping, context: &context, converters: converters)
            }
        }
    }
}

/// A segment map's rules with their setters, and its converters, for entities of one kind.
private struct BoundRules<E: ClinicalEntity> {
    let rules: [(ResolvedFieldRule, Setter<E>)]
    let converters: [EntityMapping<E>.Converter]
    let multiConverters: [EntityMapping<E>.MultiConverter]

    func run(
        _ segment: HL7Segment, mode: SegmentEntityMap.Mode, mapping: EntityMapping<E>, context: inout MappingContext,
        converters v2: V2Converters
    ) {
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
            fill(&entity, segment, &context, v2)
            context.record[keyPath: mapping.records][index] = entity
            return
        }
        var produced: [E] = []
        if !multiConverters.isEmpty {
            for converter in multiConverters { produced += converter(segment, &context, v2) }
        } else {
            var entity = mapping.make(EntityRef(E.kind, key: ""), location)
            fill(&entity, segment, &context, v2)
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

    /// Applies the field rules, then the converters, to one entity.
    private func fill(_ entity: inout E, _ segment: HL7Segment, _ context: inout MappingContext, _ v2: V2Converters) {
        for (rule, setter) in rules {
            let field = segment[rule.field]
            if field.isEmpty { continue }
            // counted, then read one by one: most fields have one repetition, and no array is built
            let count = rule.firstOnly ? 1 : field.repetitionCount
            for repIndex in 0..<count {
                let repetition = repIndex == 0 ? field.first : field.repetition(repIndex + 1)
                if repetition.isEmpty { continue }
                let location = segment.location(field: rule.field, repetition: repIndex + 1, component: rule.component)
                for value in v2.values(repetition, rule: rule, context: &context, location: location) {
                    setter.apply(&entity, value)
                }
            }
        }
        for converter in converters { converter(&entity, segment, &context, v2) }
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
