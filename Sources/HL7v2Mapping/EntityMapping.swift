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
    var converters: [String: Named<Converter>] = [:]
    var multiConverters: [String: Named<MultiConverter>] = [:]
    /// A key from what the record *is* (what was observed and when), rather than from an
    /// identifier: two records with one identity in a message are one record, so the repeat is
    /// reported and dropped. Identifier keys that repeat get a position suffix instead, since
    /// senders reuse identifiers by mistake and dropping a record would lose data.
    var identity: ((E, HL7Segment, MappingContext) -> String?)?
}

/// A named converter with the fields of its segment it reads, declared together so that no
/// converter can be added without them (the unused-data trace counts those fields as read).
struct Named<Body> {
    let reads: Set<Int>
    let body: Body

    init(reads: Set<Int>, _ body: Body) {
        self.reads = reads
        self.body = body
    }
}

/// Type-erased view used by the mapper and by load-time checks.
struct AnyEntityMapping {
    /// One segment map bound to its entity kind, run once per segment.
    typealias Runner = (HL7Segment, inout MappingContext, V2Converters) -> Void

    let kind: EntityKind
    let paths: [String: Set<FieldValue.Kind>]
    /// Converter name -> the fields it reads.
    let converterFields: [String: Set<Int>]
    /// Binds a segment map's checked rules, named converters and mode: setters and converters are
    /// looked up here, once at load, not for every segment.
    let bind: ([ResolvedFieldRule], [ResolvedFieldRule], [String], SegmentEntityMap.Mode) -> Runner

    init<E: ClinicalEntity>(_ mapping: EntityMapping<E>) {
        kind = E.kind
        paths = mapping.setters.mapValues(\.accepts)
        converterFields = mapping.converters.mapValues(\.reads).merging(mapping.multiConverters.mapValues(\.reads)) {
            $0.union($1)
        }
        bind = { rules, extensions, names, mode in
            let bound = BoundRules(
                rules: rules.compactMap { rule in mapping.setters[rule.target].map { (rule, $0) } },
                extensions: extensions,
                converters: names.compactMap { mapping.converters[$0]?.body },
                multiConverters: names.compactMap { mapping.multiConverters[$0]?.body })
            return { segment, context, converters in
                bound.run(segment, mode: mode, mapping: mapping, context: &context, converters: converters)
            }
        }
    }
}

/// A segment map's rules with their setters, and its converters, for entities of one kind.
private struct BoundRules<E: ClinicalEntity> {
    let rules: [(ResolvedFieldRule, Setter<E>)]
    /// Extension rules: `target` is the site's extension URL.
    let extensions: [ResolvedFieldRule]
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
                context.diagnose(.warning, .segmentWithoutContext, at: location)
                return
            }
            var entity = context.record[keyPath: mapping.records][index]
            fill(&entity, segment, &context, v2)
            context.record[keyPath: mapping.records][index] = entity
            attach(siteValues(segment, &context, v2), to: ref, context: &context)
            // an NTE after this segment is about the record it added to (an AIS's note is the
            // appointment's, not the record an earlier segment created)
            context.lastCreated = ref
            return
        }
        if multiConverters.isEmpty {
            // the usual case, one record per segment: built and kept in place, never in a list
            var entity = mapping.make(EntityRef(E.kind, key: ""), location)
            fill(&entity, segment, &context, v2)
            let values = siteValues(segment, &context, v2)
            if keep(&entity, number: nil, segment, location, mode: mode, mapping: mapping, context: &context) {
                attach(values, to: entity.ref, context: &context)
            }
            return
        }
        var produced: [E] = []
        for converter in multiConverters { produced += converter(segment, &context, v2) }
        for index in produced.indices {
            let number = produced.count > 1 ? index + 1 : nil
            keep(&produced[index], number: number, segment, location, mode: mode, mapping: mapping, context: &context)
        }
    }

    /// Links, keys and appends one record made from `segment`; `number` tells apart several
    /// records from one segment in the position key. A record whose identity is already in the
    /// message is dropped, as `duplicateRecord`, only when it is identical to the one kept (nothing
    /// of it is lost); one that differs is kept as its own record under a position key.
    @discardableResult
    private func keep(
        _ entity: inout E, number: Int?, _ segment: HL7Segment, _ location: SourceLocation,
        mode: SegmentEntityMap.Mode, mapping: EntityMapping<E>, context: inout MappingContext
    ) -> Bool {
        mapping.link(&entity, context)
        let identity = entity.ref.key.isEmpty ? mapping.identity?(entity, segment, context) : nil
        if let identity, let kept = context.record[keyPath: mapping.records].first(where: { $0.ref.key == identity }) {
            var repeated = entity
            repeated.ref = kept.ref
            repeated.source = kept.source
            if repeated == kept {
                context.diagnose(.information, .duplicateRecord, at: location)
                return false
            }
        }
        let business = entity.ref.key.isEmpty ? identity ?? mapping.key(entity, segment, context) : entity.ref.key
        let unit = context.record.document.controlID ?? context.record.document.digest ?? ""
        entity.ref = context.unique(
            EntityRef(E.kind, key: business ?? ""),
            position: unit + "|\(segment.id)[\(segment.occurrence)]" + (number.map { "#\($0)" } ?? ""))
        if entity.source == nil { entity.source = location }
        context.record[keyPath: mapping.records].append(entity)
        mapping.didCreate(&context, entity.ref)
        context.lastCreated = entity.ref
        context.extendable = mode == .create ? entity.ref : nil
        return true
    }

    /// The values of the extension rules, as `SiteExtension` values with their URLs; what they
    /// carry counts once a value is read.
    private func siteValues(_ segment: HL7Segment, _ context: inout MappingContext, _ v2: V2Converters)
        -> [(url: String, value: SiteExtension.Value)]
    {
        var values: [(url: String, value: SiteExtension.Value)] = []
        for rule in extensions {
            let field = segment[rule.field]
            if field.isEmpty { continue }
            let count = rule.firstOnly ? 1 : field.repetitionCount
            for repIndex in 0..<count {
                let repetition = repIndex == 0 ? field.first : field.repetition(repIndex + 1)
                if repetition.isEmpty { continue }
                let location = segment.location(field: rule.field, repetition: repIndex + 1, component: rule.component)
                context.carried.discard()
                if let value = v2.value(repetition, rule: rule, context: &context, location: location).flatMap(
                    SiteExtensionValue.init)
                {
                    context.carried.commit()
                    values.append((rule.target, value.value))
                } else {
                    context.carried.discard()
                }
            }
        }
        return values
    }

    private func attach(
        _ values: [(url: String, value: SiteExtension.Value)], to ref: EntityRef, context: inout MappingContext
    ) {
        for (url, value) in values {
            context.record.siteExtensions.append(SiteExtension(target: ref, url: url, value: value))
        }
    }

    /// Applies the field rules, then the converters, to one entity.
    private func fill(_ entity: inout E, _ segment: HL7Segment, _ context: inout MappingContext, _ v2: V2Converters) {
        // required codes written by this segment: the first rule that writes one wins
        var written: Set<String> = []
        for (rule, setter) in rules {
            let field = segment[rule.field]
            if field.isEmpty { continue }
            if setter.overwrites, written.contains(rule.target) { continue }
            // counted, then read one by one: most fields have one repetition, and no array is built
            let count = rule.firstOnly ? 1 : field.repetitionCount
            for repIndex in 0..<count {
                let repetition = repIndex == 0 ? field.first : field.repetition(repIndex + 1)
                if repetition.isEmpty { continue }
                let location = segment.location(field: rule.field, repetition: repIndex + 1, component: rule.component)
                // what the value carries counts only once the entity holds it
                context.carried.discard()
                if let value = v2.value(repetition, rule: rule, context: &context, location: location),
                    setter.apply(&entity, value)
                {
                    context.carried.commit()
                    if setter.overwrites { written.insert(rule.target) }
                } else {
                    context.carried.discard()
                }
            }
        }
        for converter in converters {
            converter(&entity, segment, &context, v2)
            context.carried.commit()
        }
    }
}

/// A field value an extension can hold (`SiteExtension.Value`).
struct SiteExtensionValue {
    /// The kinds of field value an extension takes.
    static let kinds: Set<FieldValue.Kind> = [.text, .coding, .concept, .identifier, .dateTime, .decimal]

    let value: SiteExtension.Value

    init?(_ field: FieldValue) {
        switch field {
        case .text(let text): value = .text(text)
        case .coding(let coding): value = .coding(coding)
        case .concept(let concept): value = .concept(concept)
        case .identifier(let identifier): value = .identifier(identifier)
        case .dateTime(let dateTime): value = .dateTime(dateTime)
        case .decimal(let decimal): value = .decimal(decimal)
        default: return nil
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
