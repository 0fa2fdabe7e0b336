// The fields of every record kind and part, by role: the one list that normalization,
// de-identification and reference rewriting walk (see `EntityFieldVisitor`), with each kind's subject
// and clinical date (see `ClinicalEntity`). A new field in `Entities.swift` or `DataTypes.swift` needs
// a line here. Coded fields keep their order, since normalization diagnostics follow it;
// RecordNormalizerTests sets every coded field and checks each.

extension Patient {
    public var subject: EntityRef? { ref }
    public var clinicalDate: ClinicalDateTime? { nil }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.names(&names)
        visitor.telecom(&telecom)
        visitor.coding(&gender)
        visitor.birthDate(&birthDate)
        visitor.date(&deceasedAt)
        visitor.addresses(&addresses)
        visitor.concept(&maritalStatus)
        visitor.concepts(&races)
        visitor.concepts(&ethnicities)
        visitor.concepts(&languages)
        visitor.concept(&religion)
        visitor.relativeName(&mothersMaidenName)
        visitor.freeText(&birthPlace)
        visitor.references(&generalPractitioners)
        visitor.reference(&managingOrganization)
        visitor.date(&lastUpdated)
    }
}

extension RelatedPerson {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { nil }

    /// Identifiers come first, as in every kind (normalization diagnostics follow this order).
    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.requiredReference(&patient)
        visitor.concepts(&relationship)
        visitor.names(&names)
        visitor.telecom(&telecom)
        visitor.addresses(&addresses)
        visitor.coding(&gender)
        visitor.birthDate(&birthDate)
        visitor.period(&period)
    }
}

extension Practitioner {
    public var subject: EntityRef? { nil }
    public var clinicalDate: ClinicalDateTime? { nil }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.names(&names)
        visitor.telecom(&telecom)
        visitor.addresses(&addresses)
        visitor.concepts(&qualifications)
    }
}

extension Organization {
    public var subject: EntityRef? { nil }
    public var clinicalDate: ClinicalDateTime? { nil }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.concept(&type)
        visitor.telecom(&telecom)
        visitor.addresses(&addresses)
    }
}

extension Location {
    public var subject: EntityRef? { nil }
    public var clinicalDate: ClinicalDateTime? { nil }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.coding(&physicalType)
        visitor.reference(&partOf)
        visitor.address(&address)
        visitor.reference(&managingOrganization)
        visitor.freeText(&description)
    }
}

extension Encounter {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { period?.start ?? period?.end }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.coding(&patientClass)
        visitor.concepts(&type)
        visitor.concept(&serviceType)
        visitor.concept(&priority)
        visitor.period(&period)
        visitor.concepts(&reasons)
        visitor.participants(&participants)
        visitor.references(&locations)
        visitor.reference(&priorLocation)
        visitor.concept(&admitSource)
        visitor.concept(&dischargeDisposition)
        visitor.concept(&readmission)
        visitor.reference(&serviceProvider)
        visitor.concepts(&diet)
        visitor.concepts(&specialCourtesy)
        visitor.concept(&hospitalService)
        visitor.quantity(&length)
    }
}

extension Condition {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { onset ?? recordedDate }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.concept(&code)
        visitor.concept(&severity)
        visitor.date(&onset)
        visitor.date(&abatement)
        visitor.date(&recordedDate)
        visitor.reference(&recorder)
        visitor.notes(&note)
        visitor.concept(&diagnosisType)
    }
}

extension Allergy {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { onset ?? recordedDate }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.concept(&code)
        visitor.date(&onset)
        visitor.date(&recordedDate)
        for index in reactions.indices { reactions[index].visitFields(&visitor) }
    }
}

extension Procedure {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { performed?.start ?? performed?.end }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.concept(&code)
        visitor.period(&performed)
        visitor.participants(&performers)
        visitor.concept(&category)
        visitor.concepts(&bodySites)
        visitor.concepts(&reasons)
        visitor.notes(&note)
    }
}

extension Immunization {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { occurrence ?? recorded }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.concept(&vaccine)
        visitor.concept(&statusReason)
        visitor.date(&occurrence)
        visitor.date(&recorded)
        visitor.concept(&reportOrigin)
        visitor.quantity(&dose)
        visitor.lotNumber(&lotNumber)
        visitor.date(&expirationDate)
        visitor.reference(&manufacturer)
        visitor.concept(&route)
        visitor.concept(&site)
        visitor.participants(&performers)
        visitor.concept(&fundingSource)
        visitor.concepts(&programEligibility)
        visitor.notes(&note)
    }
}

extension Medication {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { authoredOn ?? period?.start }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.concept(&code)
        visitor.date(&authoredOn)
        visitor.reference(&requester)
        visitor.quantity(&doseQuantity)
        visitor.concept(&route)
        visitor.period(&period)
        visitor.quantity(&dispenseQuantity)
        visitor.concepts(&reasons)
        visitor.notes(&note)
    }
}

extension ServiceRequest {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { authoredOn ?? occurrence }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.concept(&code)
        visitor.date(&authoredOn)
        visitor.date(&occurrence)
        visitor.reference(&requester)
        visitor.concepts(&reasons)
        visitor.references(&specimens)
        visitor.notes(&note)
    }
}

extension Specimen {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { collected?.start ?? received }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.concept(&type)
        visitor.period(&collected)
        visitor.date(&received)
        visitor.concept(&bodySite)
        visitor.concept(&collectionMethod)
        visitor.quantity(&quantity)
    }
}

extension Observation {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { effective ?? issued }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.concept(&code)
        visitor.value(&value, absentReason: &dataAbsentReason)
        visitor.concepts(&interpretation)
        for index in referenceRange.indices { referenceRange[index].visitFields(&visitor) }
        visitor.date(&effective)
        visitor.date(&issued)
        visitor.references(&performers)
        visitor.concept(&method)
        visitor.concept(&bodySite)
        visitor.reference(&specimen)
        visitor.references(&basedOn)
        for index in components.indices { components[index].visitFields(&visitor) }
        visitor.notes(&note)
        visitor.references(&members)
    }
}

extension DiagnosticReport {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { effective?.start ?? issued }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.concepts(&categories)
        visitor.concept(&code)
        visitor.period(&effective)
        visitor.date(&issued)
        visitor.references(&performers)
        visitor.references(&results)
        visitor.references(&basedOn)
        visitor.references(&specimens)
        visitor.freeText(&conclusion)
    }
}

extension DocumentNote {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { date }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.concept(&type)
        visitor.date(&date)
        visitor.references(&authors)
        visitor.freeText(&text)
        visitor.freeText(&title)
    }
}

extension Appointment {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { start }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.concepts(&serviceType)
        visitor.concept(&appointmentType)
        visitor.concepts(&reason)
        visitor.date(&start)
        visitor.date(&end)
        visitor.freeText(&description)
        visitor.freeText(&comment)
        visitor.references(&practitioners)
        visitor.references(&locations)
    }
}

extension Coverage {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { nil }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.concept(&type)
        visitor.reference(&payor)
        visitor.identifierValue(&subscriberId)
        visitor.concept(&relationship)
        visitor.period(&period)
        visitor.identifierValue(&groupNumber)
    }
}

extension PatientLink {
    public var subject: EntityRef? { survivor }
    public var clinicalDate: ClinicalDateTime? { nil }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&mergedIdentifiers)
        visitor.requiredReference(&survivor)
        visitor.requiredReference(&merged)
    }
}

extension CarePlan {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { period?.start ?? period?.end }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.concepts(&categories)
        visitor.period(&period)
        visitor.concepts(&reasons)
        visitor.concepts(&activities)
        visitor.notes(&note)
    }
}

extension ImagingStudy {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { started }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.date(&started)
        visitor.codings(&modalities)
        visitor.coding(&bodySite)
        visitor.coding(&sopClass)
        visitor.concept(&procedureCode)
        visitor.freeText(&description)
    }
}

extension Composition {
    public var subject: EntityRef? { patient }
    public var clinicalDate: ClinicalDateTime? { date }

    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.record(&ref, at: source)
        visitor.identifiers(&identifiers)
        visitor.reference(&patient)
        visitor.reference(&encounter)
        visitor.concept(&type)
        visitor.date(&date)
        visitor.references(&authors)
        visitor.freeText(&title)
        visitor.reference(&custodian)
        visitor.reference(&legalAuthenticator)
        visitor.date(&legalAuthenticationTime)
        for index in sections.indices { sections[index].visitFields(&visitor) }
    }
}

// MARK: - Parts

extension DocumentSection {
    /// The title and narrative as free text, the code, the entries, then the subsections.
    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.freeText(&title)
        visitor.concept(&code)
        visitor.freeText(&text)
        visitor.references(&entries)
        for index in sections.indices { sections[index].visitFields(&visitor) }
    }
}

extension Participant {
    /// The role, the participant and the period.
    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.concept(&role)
        visitor.requiredReference(&who)
        visitor.period(&period)
    }
}

extension AllergyReaction {
    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.concepts(&manifestations)
        visitor.date(&onset)
        visitor.freeText(&description)
    }
}

extension ObservationComponent {
    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.concept(&code)
        visitor.value(&value, absentReason: &dataAbsentReason)
        visitor.concepts(&interpretation)
        for index in referenceRange.indices { referenceRange[index].visitFields(&visitor) }
    }
}

extension ReferenceRange {
    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.quantity(&low)
        visitor.quantity(&high)
        visitor.freeText(&text)
    }
}

extension Annotation {
    /// The time and the author; the text is left to `EntityFieldVisitor.notes(_:)`.
    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitor.date(&time)
        visitor.reference(&author)
    }
}
