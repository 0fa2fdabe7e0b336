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

    /// Number of records of each kind (zero counts left out).
    public var counts: [EntityKind: Int] {
        var counts: [EntityKind: Int] = [:]
        func add(_ kind: EntityKind, _ count: Int) { if count > 0 { counts[kind] = count } }
        add(.patient, patients.count)
        add(.relatedPerson, relatedPersons.count)
        add(.practitioner, practitioners.count)
        add(.organization, organizations.count)
        add(.location, locations.count)
        add(.encounter, encounters.count)
        add(.condition, conditions.count)
        add(.allergy, allergies.count)
        add(.procedure, procedures.count)
        add(.immunization, immunizations.count)
        add(.medication, medications.count)
        add(.serviceRequest, serviceRequests.count)
        add(.specimen, specimens.count)
        add(.observation, observations.count)
        add(.diagnosticReport, diagnosticReports.count)
        add(.document, documents.count)
        add(.appointment, appointments.count)
        add(.coverage, coverages.count)
        add(.carePlan, carePlans.count)
        add(.imagingStudy, imagingStudies.count)
        add(.patientLink, patientLinks.count)
        return counts
    }

    /// Every reference held by a record, with the referring record: for referential checks.
    public var allRefs: Set<EntityRef> {
        var refs = Set<EntityRef>()
        refs.formUnion(patients.map(\.ref))
        refs.formUnion(relatedPersons.map(\.ref))
        refs.formUnion(practitioners.map(\.ref))
        refs.formUnion(organizations.map(\.ref))
        refs.formUnion(locations.map(\.ref))
        refs.formUnion(encounters.map(\.ref))
        refs.formUnion(conditions.map(\.ref))
        refs.formUnion(allergies.map(\.ref))
        refs.formUnion(procedures.map(\.ref))
        refs.formUnion(immunizations.map(\.ref))
        refs.formUnion(medications.map(\.ref))
        refs.formUnion(serviceRequests.map(\.ref))
        refs.formUnion(specimens.map(\.ref))
        refs.formUnion(observations.map(\.ref))
        refs.formUnion(diagnosticReports.map(\.ref))
        refs.formUnion(documents.map(\.ref))
        refs.formUnion(appointments.map(\.ref))
        refs.formUnion(coverages.map(\.ref))
        refs.formUnion(carePlans.map(\.ref))
        refs.formUnion(imagingStudies.map(\.ref))
        refs.formUnion(patientLinks.map(\.ref))
        return refs
    }
}
