import ClinicalModel

extension ClinicalRecord {
    /// The record with every entity's `source` set to `nil`: what the reverse mapping can give back is
    /// compared without where each value was read.
    ///
    ///     FHIRReader().records(from: BundleBuilder().resources(r).0).0 == [r.withoutSourceLocations()]
    public func withoutSourceLocations() -> ClinicalRecord {
        var record = self
        func clear<Entity: ClinicalEntity>(_ entities: inout [Entity]) {
            for offset in entities.indices { entities[offset].source = nil }
        }
        clear(&record.patients)
        clear(&record.relatedPersons)
        clear(&record.practitioners)
        clear(&record.organizations)
        clear(&record.locations)
        clear(&record.encounters)
        clear(&record.conditions)
        clear(&record.allergies)
        clear(&record.procedures)
        clear(&record.immunizations)
        clear(&record.medications)
        clear(&record.serviceRequests)
        clear(&record.specimens)
        clear(&record.observations)
        clear(&record.diagnosticReports)
        clear(&record.documents)
        clear(&record.appointments)
        clear(&record.coverages)
        clear(&record.carePlans)
        clear(&record.imagingStudies)
        clear(&record.patientLinks)
        clear(&record.compositions)
        return record
    }
}
