public import ClinicalModel

extension ClinicalRecord {
    /// Every reference a record holds to another record (records' own refs not included).
    public var referencedRefs: Set<EntityRef> {
        var collector = ReferenceCollector()
        var copy = self
        copy.visitFields(&collector)
        return collector.refs
    }

    /// The same record with every reference passed through `transform`: each record's own `ref` and
    /// every reference it holds to another record. `nil` removes an optional reference or an element
    /// of a list (a participant whose `who` is removed goes too); a required reference
    /// (`RelatedPerson.patient`, `PatientLink.survivor`/`merged`) and a record's own `ref` keep their
    /// old value when `transform` returns `nil`.
    ///
    ///     record.rewritingReferences { $0.kind == .practitioner ? nil : $0 }   // drops links to practitioners
    public func rewritingReferences(_ transform: (EntityRef) -> EntityRef?) -> ClinicalRecord {
        withoutActuallyEscaping(transform) { transform in
            var rewriter = ReferenceRewriter(transform: transform)
            var copy = self
            copy.visitFields(&rewriter)
            // a site extension follows its record, as the record's own ref does
            for index in copy.siteExtensions.indices {
                copy.siteExtensions[index].target =
                    transform(copy.siteExtensions[index].target)
                    ?? copy.siteExtensions[index].target
            }
            return copy
        }
    }
}

/// Passes the reference roles of `EntityFieldVisitor` through a transform, as
/// `ClinicalRecord.rewritingReferences(_:)` describes (a note's author is an optional reference, through
/// the visitor's default for notes).
struct ReferenceRewriter: EntityFieldVisitor {
    let transform: (EntityRef) -> EntityRef?

    mutating func record(_ ref: inout EntityRef, at _: SourceLocation?) { ref = transform(ref) ?? ref }
    mutating func reference(_ ref: inout EntityRef?) { ref = ref.flatMap(transform) }
    mutating func requiredReference(_ ref: inout EntityRef) { ref = transform(ref) ?? ref }
    mutating func references(_ refs: inout [EntityRef]) { refs = refs.compactMap(transform) }

    mutating func participants(_ participants: inout [Participant]) {
        participants = participants.compactMap { participant in
            guard let who = transform(participant.who) else { return nil }
            var copy = participant
            copy.who = who
            return copy
        }
    }
}

/// Collects every reference to another record (participants' `who` and notes' authors through the
/// visitor's defaults).
struct ReferenceCollector: EntityFieldVisitor {
    var refs = Set<EntityRef>()

    mutating func reference(_ ref: inout EntityRef?) { if let ref { refs.insert(ref) } }
    mutating func requiredReference(_ ref: inout EntityRef) { refs.insert(ref) }
    mutating func references(_ refs: inout [EntityRef]) { self.refs.formUnion(refs) }
}
