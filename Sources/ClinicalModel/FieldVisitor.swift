/// Something done to each list of records of a `ClinicalRecord` (see `ClinicalRecord.visitLists(_:)`).
public protocol EntityListVisitor {
    /// Called once for each kind of record, in `EntityKind` order, with the list of that kind (possibly empty).
    mutating func visit<Entity: ClinicalEntity>(_ entities: inout [Entity])
}

/// A pass over the fields of canonical records, by role.
///
/// Every record kind knows its own fields: `visitFields(_:)` hands each one to the callback for its
/// role (a reference, a concept, a date, free text…), so a pass over every record is written once per
/// role and never per kind. `RecordNormalizer` normalizes the coded roles, `Deidentifier` applies
/// Safe Harbor to the personal ones, and `rewritingReferences(_:)` rewrites the references.
///
///     struct DateCounter: EntityFieldVisitor {
///         var count = 0
///         mutating func date(_ date: inout ClinicalDateTime?) { if date != nil { count += 1 } }
///     }
///     var counter = DateCounter()
///     record.visitFields(&counter)
///
/// Each record begins with `record(_:at:)`; its fields follow in declaration order (identifiers
/// first). The order is behaviour: normalization diagnostics come out in it. Fields no role covers
/// (status codes, flags, counts, labels such as an organization's name or a dosage text) are not
/// passed. Every callback does nothing by default, except that an optional concept or a list of
/// concepts goes to `concept(_:)` one concept at a time and participants and notes are visited part
/// by part; a visitor implements the roles it acts on. A new field of an existing role needs one line
/// in `Entities+Fields.swift` and nothing elsewhere; a field with a new role also needs a callback
/// here, and a decision in each visitor (in `Deidentifier` above all).
///
/// The walk is generic and inlinable: a concrete visitor gets its own specialized copy, with no
/// existential and no closure per field.
public protocol EntityFieldVisitor: EntityListVisitor {
    /// The start of a record: its own reference and where it was read.
    mutating func record(_ ref: inout EntityRef, at source: SourceLocation?)

    // MARK: References

    /// A reference to another record that may be absent.
    mutating func reference(_ ref: inout EntityRef?)
    /// A reference the record cannot do without (`RelatedPerson.patient`, `PatientLink.survivor` and
    /// `merged`, `Participant.who`).
    mutating func requiredReference(_ ref: inout EntityRef)
    /// A list of references to other records.
    mutating func references(_ refs: inout [EntityRef])
    /// The people acting in an encounter or performing a procedure or immunization; by default each
    /// participant's role, `who` and period.
    mutating func participants(_ participants: inout [Participant])
    /// Free-text notes; by default each note's time and author (its text is seen only by a visitor
    /// that implements this callback).
    mutating func notes(_ notes: inout [Annotation])

    // MARK: Codes and measurements

    /// A record's business identifiers (each with a value, system, type, assigner and period).
    mutating func identifiers(_ identifiers: inout [Identifier])
    mutating func concept(_ concept: inout Concept)
    mutating func concept(_ concept: inout Concept?)
    mutating func concepts(_ concepts: inout [Concept])
    /// A bare coding (not inside a concept): a gender, a patient class, a DICOM code.
    mutating func coding(_ coding: inout Coding?)
    mutating func codings(_ codings: inout [Coding])
    mutating func quantity(_ quantity: inout Quantity?)
    /// An observation's (or component's) value, with the reason it is absent.
    mutating func value(_ value: inout ObservationValue?, absentReason: inout String?)

    // MARK: About a person

    /// The names of the person the record is about.
    mutating func names(_ names: inout [HumanName])
    /// The name of someone else held by the record: a mother's maiden name.
    mutating func relativeName(_ name: inout HumanName?)
    mutating func addresses(_ addresses: inout [Address])
    mutating func address(_ address: inout Address?)
    /// Phone numbers, fax numbers, email addresses, URLs.
    mutating func telecom(_ telecom: inout [ContactPoint])
    /// The birth date of the person the record is about (a patient or related person).
    mutating func birthDate(_ date: inout ClinicalDateTime?)
    /// Any other point in time.
    mutating func date(_ date: inout ClinicalDateTime?)
    mutating func period(_ period: inout Period?)
    /// An identifier held as a bare string: a coverage's subscriber id or group number.
    mutating func identifierValue(_ value: inout String?)
    /// A product's lot number.
    mutating func lotNumber(_ value: inout String?)
    /// Text that may say anything about a person: descriptions, titles, conclusions, reference-range
    /// text, a document's text, a birth place.
    mutating func freeText(_ text: inout String?)
}

extension EntityFieldVisitor {
    /// Visits the fields of every record in the list.
    @inlinable public mutating func visit<Entity: ClinicalEntity>(_ entities: inout [Entity]) {
        for index in entities.indices { entities[index].visitFields(&self) }
    }

    @inlinable public mutating func record(_ ref: inout EntityRef, at source: SourceLocation?) {}
    @inlinable public mutating func reference(_ ref: inout EntityRef?) {}
    @inlinable public mutating func requiredReference(_ ref: inout EntityRef) {}
    @inlinable public mutating func references(_ refs: inout [EntityRef]) {}

    @inlinable public mutating func participants(_ participants: inout [Participant]) {
        for index in participants.indices { participants[index].visitFields(&self) }
    }

    @inlinable public mutating func notes(_ notes: inout [Annotation]) {
        for index in notes.indices { notes[index].visitFields(&self) }
    }

    @inlinable public mutating func identifiers(_ identifiers: inout [Identifier]) {}
    @inlinable public mutating func concept(_ concept: inout Concept) {}

    @inlinable public mutating func concept(_ concept: inout Concept?) {
        guard var value = concept else { return }
        self.concept(&value)
        concept = value
    }

    @inlinable public mutating func concepts(_ concepts: inout [Concept]) {
        for index in concepts.indices { concept(&concepts[index]) }
    }

    @inlinable public mutating func coding(_ coding: inout Coding?) {}
    @inlinable public mutating func codings(_ codings: inout [Coding]) {}
    @inlinable public mutating func quantity(_ quantity: inout Quantity?) {}
    @inlinable public mutating func value(_ value: inout ObservationValue?, absentReason: inout String?) {}
    @inlinable public mutating func names(_ names: inout [HumanName]) {}
    @inlinable public mutating func relativeName(_ name: inout HumanName?) {}
    @inlinable public mutating func addresses(_ addresses: inout [Address]) {}
    @inlinable public mutating func address(_ address: inout Address?) {}
    @inlinable public mutating func telecom(_ telecom: inout [ContactPoint]) {}
    @inlinable public mutating func birthDate(_ date: inout ClinicalDateTime?) {}
    @inlinable public mutating func date(_ date: inout ClinicalDateTime?) {}
    @inlinable public mutating func period(_ period: inout Period?) {}
    @inlinable public mutating func identifierValue(_ value: inout String?) {}
    @inlinable public mutating func lotNumber(_ value: inout String?) {}
    @inlinable public mutating func freeText(_ text: inout String?) {}
}
