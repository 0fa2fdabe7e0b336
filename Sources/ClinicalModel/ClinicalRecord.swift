/// What kind of source a record was read from.
public enum SourceFormat: String, Hashable, Sendable, Codable, CaseIterable {
    case hl7v2, ccda, csv, fhir
}

/// Facts about the source unit (one HL7 v2 message, one C-CDA document, one CSV patient) that
/// are not clinical data: used for Provenance and for run reports.
public struct SourceDocument: Hashable, Sendable, Codable {
    public var format: SourceFormat
    /// The input's name (file name without directory, or `stdin`), never its content.
    public var inputName: String
    /// 1-based position of this unit in its input (message number in a batch file).
    public var index: Int
    /// The source's own id for the unit: MSH-10 message control id, ClinicalDocument/id.
    public var controlID: String?
    /// e.g. `ADT^A01^ADT_A01`, a C-CDA document type code, a CSV profile name.
    public var type: String?
    public var version: String?
    public var recorded: ClinicalDateTime?
    public var sendingApplication: String?
    public var sendingFacility: String?
    /// SHA-256 of the unit's bytes, hex: ties output to input without revealing it.
    public var digest: String?

    public init(format: SourceFormat, inputName: String, index: Int) {
        self.format = format
        self.inputName = inputName
        self.index = index
    }
}

/// All canonical records read from one source unit. Every later stage (normalization, FHIR
/// emission, hashing, rendering) works on this value and knows nothing of the source format.
public struct ClinicalRecord: Hashable, Sendable, Codable {
    public var document: SourceDocument
    public var patients: [Patient] = []
    public var relatedPersons: [RelatedPerson] = []
    public var practitioners: [Practitioner] = []
    public var organizations: [Organization] = []
    public var locations: [Location] = []
    public var encounters: [Encounter] = []
    public var conditions: [Condition] = []
    public var allergies: [Allergy] = []
    public var procedures: [Procedure] = []
    public var immunizations: [Immunization] = []
    public var medications: [Medication] = []
    public var serviceRequests: [ServiceRequest] = []
    public var specimens: [Specimen] = []
    public var observations: [Observation] = []
    public var diagnosticReports: [DiagnosticReport] = []
    public var documents: [DocumentNote] = []
    public var appointments: [Appointment] = []
    public var coverages: [Coverage] = []
    public var carePlans: [CarePlan] = []
    public var imagingStudies: [ImagingStudy] = []
    public var patientLinks: [PatientLink] = []

    public init(document: SourceDocument) { self.document = document }

    /// Every record of every kind, in `EntityKind` order.
    public var entities: [any ClinicalEntity] {
        var all: [any ClinicalEntity] = []
        all += patients as [any ClinicalEntity]
        all += relatedPersons as [any ClinicalEntity]
        all += practitioners as [any ClinicalEntity]
        all += organizations as [any ClinicalEntity]
        all += locations as [any ClinicalEntity]
        all += encounters as [any ClinicalEntity]
        all += conditions as [any ClinicalEntity]
        all += allergies as [any ClinicalEntity]
        all += procedures as [any ClinicalEntity]
        all += immunizations as [any ClinicalEntity]
        all += medications as [any ClinicalEntity]
        all += serviceRequests as [any ClinicalEntity]
        all += specimens as [any ClinicalEntity]
        all += observations as [any ClinicalEntity]
        all += diagnosticReports as [any ClinicalEntity]
        all += documents as [any ClinicalEntity]
        all += appointments as [any ClinicalEntity]
        all += coverages as [any ClinicalEntity]
        all += carePlans as [any ClinicalEntity]
        all += imagingStudies as [any ClinicalEntity]
        all += patientLinks as [any ClinicalEntity]
        return all
    }

    /// Number of records of each kind (zero counts left out).
    public var counts: [EntityKind: Int] {
        var counts: [EntityKind: Int] = [:]
        for entity in entities { counts[type(of: entity).kind, default: 0] += 1 }
        return counts
    }

    /// The references of every record to itself.
    public var allRefs: Set<EntityRef> { Set(entities.map(\.ref)) }
}

extension ClinicalRecord {
    /// The same record holding only the records whose references are in `refs` (delta runs).
    public func keeping(_ refs: Set<EntityRef>) -> ClinicalRecord {
        var copy = self
        copy.patients.removeAll { !refs.contains($0.ref) }
        copy.relatedPersons.removeAll { !refs.contains($0.ref) }
        copy.practitioners.removeAll { !refs.contains($0.ref) }
        copy.organizations.removeAll { !refs.contains($0.ref) }
        copy.locations.removeAll { !refs.contains($0.ref) }
        copy.encounters.removeAll { !refs.contains($0.ref) }
        copy.conditions.removeAll { !refs.contains($0.ref) }
        copy.allergies.removeAll { !refs.contains($0.ref) }
        copy.procedures.removeAll { !refs.contains($0.ref) }
        copy.immunizations.removeAll { !refs.contains($0.ref) }
        copy.medications.removeAll { !refs.contains($0.ref) }
        copy.serviceRequests.removeAll { !refs.contains($0.ref) }
        copy.specimens.removeAll { !refs.contains($0.ref) }
        copy.observations.removeAll { !refs.contains($0.ref) }
        copy.diagnosticReports.removeAll { !refs.contains($0.ref) }
        copy.documents.removeAll { !refs.contains($0.ref) }
        copy.appointments.removeAll { !refs.contains($0.ref) }
        copy.coverages.removeAll { !refs.contains($0.ref) }
        copy.carePlans.removeAll { !refs.contains($0.ref) }
        copy.imagingStudies.removeAll { !refs.contains($0.ref) }
        copy.patientLinks.removeAll { !refs.contains($0.ref) }
        return copy
    }
}
