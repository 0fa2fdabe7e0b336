import ClinicalModel

// Every coded field of every entity kind, one function per kind. A new coded field in ClinicalModel
// needs a line here (RecordNormalizerTests builds a record with every field set and checks each).
extension RecordNormalizer.Pass {
    mutating func walk(_ record: inout ClinicalRecord) {
        for index in record.patients.indices { patient(&record.patients[index]) }
        for index in record.relatedPersons.indices { relatedPerson(&record.relatedPersons[index]) }
        for index in record.practitioners.indices {
            location = record.practitioners[index].source
            identifiers(&record.practitioners[index].identifiers)
            concepts(&record.practitioners[index].qualifications)
        }
        for index in record.organizations.indices {
            location = record.organizations[index].source
            identifiers(&record.organizations[index].identifiers)
            concept(&record.organizations[index].type)
        }
        for index in record.locations.indices {
            location = record.locations[index].source
            identifiers(&record.locations[index].identifiers)
            coding(&record.locations[index].physicalType)
        }
        for index in record.encounters.indices { encounter(&record.encounters[index]) }
        for index in record.conditions.indices {
            location = record.conditions[index].source
            identifiers(&record.conditions[index].identifiers)
            concept(&record.conditions[index].code)
            concept(&record.conditions[index].severity)
            concept(&record.conditions[index].diagnosisType)
        }
        for index in record.allergies.indices {
            location = record.allergies[index].source
            identifiers(&record.allergies[index].identifiers)
            concept(&record.allergies[index].code)
            for reaction in record.allergies[index].reactions.indices {
                concepts(&record.allergies[index].reactions[reaction].manifestations)
            }
        }
        for index in record.procedures.indices {
            location = record.procedures[index].source
            identifiers(&record.procedures[index].identifiers)
            concept(&record.procedures[index].code)
            participants(&record.procedures[index].performers)
            concept(&record.procedures[index].category)
            concepts(&record.procedures[index].bodySites)
            concepts(&record.procedures[index].reasons)
        }
        for index in record.immunizations.indices { immunization(&record.immunizations[index]) }
        for index in record.medications.indices {
            location = record.medications[index].source
            identifiers(&record.medications[index].identifiers)
            concept(&record.medications[index].code)
            quantity(&record.medications[index].doseQuantity)
            concept(&record.medications[index].route)
            quantity(&record.medications[index].dispenseQuantity)
            concepts(&record.medications[index].reasons)
        }
        for index in record.serviceRequests.indices {
            location = record.serviceRequests[index].source
            identifiers(&record.serviceRequests[index].identifiers)
            concept(&record.serviceRequests[index].code)
            concepts(&record.serviceRequests[index].reasons)
        }
        for index in record.specimens.indices {
            location = record.specimens[index].source
            identifiers(&record.specimens[index].identifiers)
            concept(&record.specimens[index].type)
            concept(&record.specimens[index].bodySite)
            concept(&record.specimens[index].collectionMethod)
            quantity(&record.specimens[index].quantity)
        }
        for index in record.observations.indices { observation(&record.observations[index]) }
        for index in record.diagnosticReports.indices {
            location = record.diagnosticReports[index].source
            identifiers(&record.diagnosticReports[index].identifiers)
            concepts(&record.diagnosticReports[index].categories)
            concept(&record.diagnosticReports[index].code)
        }
        for index in record.documents.indices {
            location = record.documents[index].source
            identifiers(&record.documents[index].identifiers)
            concept(&record.documents[index].type)
        }
        for index in record.appointments.indices {
            location = record.appointments[index].source
            identifiers(&record.appointments[index].identifiers)
            concepts(&record.appointments[index].serviceType)
            concept(&record.appointments[index].appointmentType)
            concepts(&record.appointments[index].reason)
        }
        for index in record.coverages.indices {
            location = record.coverages[index].source
            identifiers(&record.coverages[index].identifiers)
            concept(&record.coverages[index].type)
            concept(&record.coverages[index].relationship)
        }
        for index in record.carePlans.indices {
            location = record.carePlans[index].source
            identifiers(&record.carePlans[index].identifiers)
            concepts(&record.carePlans[index].categories)
            concepts(&record.carePlans[index].reasons)
            concepts(&record.carePlans[index].activities)
        }
        for index in record.imagingStudies.indices {
            location = record.imagingStudies[index].source
            identifiers(&record.imagingStudies[index].identifiers)
            for modality in record.imagingStudies[index].modalities.indices {
                coding(&record.imagingStudies[index].modalities[modality])
            }
            coding(&record.imagingStudies[index].bodySite)
            coding(&record.imagingStudies[index].sopClass)
            concept(&record.imagingStudies[index].procedureCode)
        }
        for index in record.patientLinks.indices {
            location = record.patientLinks[index].source
            identifiers(&record.patientLinks[index].mergedIdentifiers)
        }
        location = nil
    }

    private mutating func patient(_ patient: inout Patient) {
        location = patient.source
        identifiers(&patient.identifiers)
        coding(&patient.gender)
        concept(&patient.maritalStatus)
        concepts(&patient.races)
        concepts(&patient.ethnicities)
        concepts(&patient.languages)
        concept(&patient.religion)
    }

    private mutating func relatedPerson(_ person: inout RelatedPerson) {
        location = person.source
        identifiers(&person.identifiers)
        concepts(&person.relationship)
        coding(&person.gender)
    }

    private mutating func encounter(_ encounter: inout Encounter) {
        location = encounter.source
        identifiers(&encounter.identifiers)
        coding(&encounter.patientClass)
        concepts(&encounter.type)
        concept(&encounter.serviceType)
        concept(&encounter.priority)
        concepts(&encounter.reasons)
        participants(&encounter.participants)
        concept(&encounter.admitSource)
        concept(&encounter.dischargeDisposition)
        concept(&encounter.readmission)
        concepts(&encounter.diet)
        concepts(&encounter.specialCourtesy)
        concept(&encounter.hospitalService)
        quantity(&encounter.length)
    }

    private mutating func immunization(_ immunization: inout Immunization) {
        location = immunization.source
        identifiers(&immunization.identifiers)
        concept(&immunization.vaccine)
        concept(&immunization.statusReason)
        concept(&immunization.reportOrigin)
        quantity(&immunization.dose)
        concept(&immunization.route)
        concept(&immunization.site)
        participants(&immunization.performers)
        concept(&immunization.fundingSource)
        concepts(&immunization.programEligibility)
    }

    private mutating func observation(_ observation: inout Observation) {
        location = observation.source
        identifiers(&observation.identifiers)
        concept(&observation.code)
        value(&observation.value)
        concepts(&observation.interpretation)
        ranges(&observation.referenceRange)
        concept(&observation.method)
        concept(&observation.bodySite)
        for index in observation.components.indices {
            concept(&observation.components[index].code)
            value(&observation.components[index].value)
            concepts(&observation.components[index].interpretation)
            ranges(&observation.components[index].referenceRange)
        }
    }
}
