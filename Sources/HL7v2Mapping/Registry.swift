import ClinicalModel
import HL7v2

/// Business keys: an identifier's namespace and value. Practitioner-free, position-free.
func identifierKey(_ identifiers: [Identifier], preferType: String? = nil) -> String? {
    let preferred =
        preferType.flatMap { type in identifiers.first(where: { $0.type?.first?.code == type }) } ?? identifiers.first
    guard let identifier = preferred else { return nil }
    return [identifier.system ?? identifier.assigner ?? "", identifier.value].joined(separator: "|")
}

/// The entity registries: every kind the HL7 v2 maps can produce.
enum Registry {
    /// A key within the current patient: records of different patients never share a key.
    static func scoped(_ context: MappingContext, _ key: String?) -> String? {
        key.map { [context.patient?.key ?? "", $0].joined(separator: "|") }
    }

    static func all() -> [EntityKind: AnyEntityMapping] {
        let mappings: [AnyEntityMapping] = [
            AnyEntityMapping(patient), AnyEntityMapping(relatedPerson), AnyEntityMapping(encounter),
            AnyEntityMapping(condition), AnyEntityMapping(allergy), AnyEntityMapping(procedure),
            AnyEntityMapping(immunization), AnyEntityMapping(medication), AnyEntityMapping(serviceRequest),
            AnyEntityMapping(specimen), AnyEntityMapping(observation), AnyEntityMapping(diagnosticReport),
            AnyEntityMapping(document), AnyEntityMapping(appointment), AnyEntityMapping(coverage),
            AnyEntityMapping(patientLink), AnyEntityMapping(practitioner), AnyEntityMapping(organization),
        ]
        return Dictionary(uniqueKeysWithValues: mappings.map { ($0.kind, $0) })
    }

    static var patient: EntityMapping<Patient> {
        var mapping = EntityMapping<Patient>(
            setters: Setters.bound(CanonicalPaths.patient),
            records: \.patients, make: { Patient(ref: $0, source: $1) },
            key: { patient, _, _ in identifierKey(patient.identifiers, preferType: "MR") },
            link: { _, _ in },
            didCreate: { context, ref in
                context.patient = ref
                context.encounter = nil
                // SIU: the SCH (the appointment) comes before the PID; the patient is its participant
                for index in context.record.appointments.indices where context.record.appointments[index].patient == nil
                {
                    context.record.appointments[index].patient = ref
                }
            },
            current: { $0.patient })
        mapping.converters["nationalIdentifiers"] = Named(reads: [19, 20]) { patient, segment, context, converters in
            // HL7 v2-to-FHIR IG PID[Patient]: PID-19 social security number (ST) is an identifier of
            // system us-ssn, type SS; PID-20 driver's licence (DLN: number^issuing state^expiration) one
            // of type DL, the issuing state its assigner, the expiration the end of its period
            let type0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
            if let ssn = segment[19].value?.trimmingSpaces(), !ssn.isEmpty {
                let identifier = Identifier(
                    system: "http://hl7.org/fhir/sid/us-ssn", value: ssn,
                    type: Concept(Coding(system: type0203, code: "SS")))
                if !patient.identifiers.contains(identifier) { patient.identifiers.append(identifier) }
                context.carry(segment[19])
            }
            let licence = segment[20].first
            if let number = licence[1].value?.trimmingSpaces(), !number.isEmpty {
                var identifier = Identifier(
                    value: number, type: Concept(Coding(system: type0203, code: "DL")), assigner: licence[2].value)
                context.carry(licence, components: [1, 2])
                if let expires = converters.dateTime(
                    licence[3].value, context: &context, location: segment.location(field: 20, component: 3))
                {
                    identifier.period = Period(end: expires)
                    context.carry(licence, 3)
                }
                if !patient.identifiers.contains(identifier) { patient.identifiers.append(identifier) }
            }
        }
        return mapping
    }

    static var relatedPerson: EntityMapping<RelatedPerson> {
        EntityMapping(
            setters: Setters.bound(CanonicalPaths.relatedPerson),
            records: \.relatedPersons,
            make: { RelatedPerson(ref: $0, patient: EntityRef(.patient, key: ""), source: $1) },
            key: { person, _, context in
                scoped(context, identifierKey(person.identifiers))
            },
            link: { person, context in if let patient = context.patient { person.patient = patient } },
            didCreate: { _, _ in }, current: { _ in nil })
    }

    static var practitioner: EntityMapping<Practitioner> {
        EntityMapping(
            setters: Setters.bound(CanonicalPaths.practitioner),
            records: \.practitioners, make: { Practitioner(ref: $0, source: $1) },
            key: { practitioner, _, _ in identifierKey(practitioner.identifiers) },
            link: { _, _ in }, didCreate: { _, _ in }, current: { _ in nil })
    }

    static var organization: EntityMapping<Organization> {
        EntityMapping(
            setters: Setters.bound(CanonicalPaths.organization),
            records: \.organizations, make: { Organization(ref: $0, source: $1) },
            key: { organization, _, _ in
                identifierKey(organization.identifiers) ?? organization.name.map { "name|\($0)" }
            },
            link: { _, _ in }, didCreate: { _, _ in }, current: { _ in nil })
    }

    static var encounter: EntityMapping<Encounter> {
        var mapping = EntityMapping<Encounter>(
            setters: Setters.bound(CanonicalPaths.encounter),
            records: \.encounters, make: { Encounter(ref: $0, source: $1) },
            key: { encounter, _, context in
                scoped(context, identifierKey(encounter.identifiers))
            },
            link: { encounter, context in
                encounter.patient = context.patient
                // events whose status the IG takes from the event itself (MSH[Encounter] with the
                // Event[EncounterStatus] map: A11 cancel admit), whatever PV1 says
                if let status = context.settings["eventEncounterStatus"] { encounter.status = status }
                if encounter.status == nil { encounter.status = context.settings["encounterStatus"] }
                if encounter.status == nil {
                    encounter.status =
                        encounter.period?.end != nil
                        ? "finished" : (encounter.period?.start != nil ? "in-progress" : "unknown")
                }
            },
            didCreate: { context, ref in context.encounter = ref },
            current: { $0.encounter })
        mapping.converters["encounterStatus"] = Named(reads: [2, 45]) { encounter, segment, context, converters in
            // HL7 v2-to-FHIR IG PV1[Encounter]: PV1-45 discharge date/time valued -> finished; else the
            // patient class PV1-2 through the IG's PatientClass[EncounterStatus] map
            guard encounter.status == nil else { return }
            if encounter.period?.end != nil {
                encounter.status = "finished"
            } else if let code = segment[2].first[1].value?.uppercased(),
                let mapped = converters.terminology.conceptMap(id: "v2-0004--encounter-status")?.translate(code)
            {
                encounter.status = mapped.code
            }
        }
        return mapping
    }

    static var condition: EntityMapping<Condition> {
        EntityMapping(
            setters: Setters.bound(CanonicalPaths.condition),
            records: \.conditions, make: { Condition(ref: $0, source: $1) },
            key: { condition, _, context in
                scoped(context, identifierKey(condition.identifiers))
            },
            link: { condition, context in
                condition.patient = context.patient
                condition.encounter = context.encounter
                if condition.category == nil {
                    condition.category = context.settings["conditionCategory"] ?? "encounter-diagnosis"
                }
            },
            didCreate: { _, _ in }, current: { _ in nil })
    }

    static var allergy: EntityMapping<Allergy> {
        var mapping = EntityMapping<Allergy>(
            setters: Setters.bound(CanonicalPaths.allergy),
            records: \.allergies, make: { Allergy(ref: $0, source: $1) },
            key: { allergy, _, context in
                let code = allergy.code?.first?.code ?? allergy.code?.text
                return scoped(
                    context, code.map { ["allergy", allergy.code?.first?.system ?? "", $0].joined(separator: "|") })
            },
            link: { allergy, context in allergy.patient = context.patient },
            didCreate: { _, _ in }, current: { _ in nil })
        // the allergen is what the record is: a repeated AL1 of one allergen that says the same is one
        // allergy (reported as `duplicateRecord`), one that differs is kept under a position key
        mapping.identity = mapping.key
        mapping.converters["allergyReaction"] = Named(reads: [4, 5]) { allergy, segment, context, _ in
            // AL1-5 reaction (ST, repeating); AL1-4 severity (table 0128) -> reaction severity.
            let severityCode = segment[4].value?.uppercased()
            let severity: String? =
                switch severityCode {
                case "SV": "severe"
                case "MO": "moderate"
                case "MI": "mild"
                default: nil
                }
            if severityCode == "SV" { allergy.criticality = allergy.criticality ?? "high" }
            if severity != nil { context.carry(segment[4]) }
            for repetition in segment[5].repetitions where !repetition.isEmpty {
                if let text = repetition.joinedText() {
                    allergy.reactions.append(
                        AllergyReaction(manifestations: [Concept(text: text)], severity: severity))
                    context.carry(repetition, components: 1...max(repetition.componentCount, 1))
                }
            }
            if allergy.reactions.isEmpty, let severity {
                allergy.reactions.append(AllergyReaction(manifestations: [], severity: severity))
            }
        }
        return mapping
    }

    static var procedure: EntityMapping<Procedure> {
        EntityMapping(
            setters: Setters.bound(CanonicalPaths.procedure),
            records: \.procedures, make: { Procedure(ref: $0, source: $1) },
            key: { procedure, _, context in
                scoped(context, identifierKey(procedure.identifiers))
            },
            link: { procedure, context in
                procedure.patient = context.patient
                procedure.encounter = context.encounter
            },
            didCreate: { _, _ in }, current: { _ in nil })
    }

    static var coverage: EntityMapping<Coverage> {
        EntityMapping(
            setters: Setters.bound(CanonicalPaths.coverage),
            records: \.coverages, make: { Coverage(ref: $0, source: $1) },
            key: { coverage, _, context in
                let plan = identifierKey(coverage.identifiers)
                let member = coverage.subscriberId
                guard plan != nil || member != nil else { return nil }
                return scoped(context, [plan ?? "", member ?? ""].joined(separator: "|"))
            },
            link: { coverage, context in coverage.patient = context.patient },
            didCreate: { _, _ in }, current: { _ in nil })
    }
}
