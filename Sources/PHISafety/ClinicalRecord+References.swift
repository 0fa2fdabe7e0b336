public import ClinicalModel

extension ClinicalRecord {
    /// Every reference a record holds to another record (records' own refs not included).
    public var referencedRefs: Set<EntityRef> {
        final class Collector {
            var refs = Set<EntityRef>()
        }
        let collector = Collector()
        _ = rewriting(own: false) { ref in
            collector.refs.insert(ref)
            return ref
        }
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
        rewriting(own: true, transform)
    }

    func rewriting(own includeOwn: Bool, _ transform: (EntityRef) -> EntityRef?) -> ClinicalRecord {
        func own(_ ref: EntityRef) -> EntityRef { includeOwn ? transform(ref) ?? ref : ref }
        func one(_ ref: EntityRef?) -> EntityRef? { ref.flatMap(transform) }
        func required(_ ref: EntityRef) -> EntityRef { transform(ref) ?? ref }
        func many(_ refs: [EntityRef]) -> [EntityRef] { refs.compactMap(transform) }
        func participants(_ list: [Participant]) -> [Participant] {
            list.compactMap { participant in
                guard let who = transform(participant.who) else { return nil }
                var copy = participant
                copy.who = who
                return copy
            }
        }
        func notes(_ list: [Annotation]) -> [Annotation] {
            list.map { note in
                var copy = note
                copy.author = one(note.author)
                return copy
            }
        }
        var copy = self
        copy.patients = patients.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.generalPractitioners = many(entity.generalPractitioners)
            entity.managingOrganization = one(entity.managingOrganization)
            return entity
        }
        copy.relatedPersons = relatedPersons.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = required(entity.patient)
            return entity
        }
        copy.practitioners = practitioners.map {
            var entity = $0
            entity.ref = own(entity.ref)
            return entity
        }
        copy.organizations = organizations.map {
            var entity = $0
            entity.ref = own(entity.ref)
            return entity
        }
        copy.locations = locations.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.partOf = one(entity.partOf)
            entity.managingOrganization = one(entity.managingOrganization)
            return entity
        }
        copy.encounters = encounters.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.participants = participants(entity.participants)
            entity.locations = many(entity.locations)
            entity.priorLocation = one(entity.priorLocation)
            entity.serviceProvider = one(entity.serviceProvider)
            return entity
        }
        copy.conditions = conditions.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.encounter = one(entity.encounter)
            entity.recorder = one(entity.recorder)
            entity.note = notes(entity.note)
            return entity
        }
        copy.allergies = allergies.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            return entity
        }
        copy.procedures = procedures.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.encounter = one(entity.encounter)
            entity.performers = participants(entity.performers)
            entity.note = notes(entity.note)
            return entity
        }
        copy.immunizations = immunizations.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.encounter = one(entity.encounter)
            entity.manufacturer = one(entity.manufacturer)
            entity.performers = participants(entity.performers)
            entity.note = notes(entity.note)
            return entity
        }
        copy.medications = medications.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.encounter = one(entity.encounter)
            entity.requester = one(entity.requester)
            entity.note = notes(entity.note)
            return entity
        }
        copy.serviceRequests = serviceRequests.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.encounter = one(entity.encounter)
            entity.requester = one(entity.requester)
            entity.specimens = many(entity.specimens)
            entity.note = notes(entity.note)
            return entity
        }
        copy.specimens = specimens.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            return entity
        }
        copy.observations = observations.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.encounter = one(entity.encounter)
            entity.performers = many(entity.performers)
            entity.specimen = one(entity.specimen)
            entity.basedOn = many(entity.basedOn)
            entity.note = notes(entity.note)
            entity.members = many(entity.members)
            return entity
        }
        copy.diagnosticReports = diagnosticReports.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.encounter = one(entity.encounter)
            entity.performers = many(entity.performers)
            entity.results = many(entity.results)
            entity.basedOn = many(entity.basedOn)
            entity.specimens = many(entity.specimens)
            return entity
        }
        copy.documents = documents.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.encounter = one(entity.encounter)
            entity.authors = many(entity.authors)
            return entity
        }
        copy.appointments = appointments.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.practitioners = many(entity.practitioners)
            entity.locations = many(entity.locations)
            return entity
        }
        copy.coverages = coverages.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.payor = one(entity.payor)
            return entity
        }
        copy.carePlans = carePlans.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.encounter = one(entity.encounter)
            entity.note = notes(entity.note)
            return entity
        }
        copy.imagingStudies = imagingStudies.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.patient = one(entity.patient)
            entity.encounter = one(entity.encounter)
            return entity
        }
        copy.patientLinks = patientLinks.map {
            var entity = $0
            entity.ref = own(entity.ref)
            entity.survivor = required(entity.survivor)
            entity.merged = required(entity.merged)
            return entity
        }
        return copy
    }
}
