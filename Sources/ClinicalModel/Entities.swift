// The canonical clinical model. One struct per kind of record; every field is optional or a
// collection because sources are partial. Codes stay as the source gave them until
// `Terminology` normalizes them; nothing here knows HL7 v2, CSV or C-CDA. Each kind's fields are
// listed by role in `Entities+Fields.swift`: a new field needs a line there too.

public struct Patient: ClinicalEntity {
    public static let kind = EntityKind.patient
    public var ref: EntityRef
    public var source: SourceLocation?
    public var identifiers: [Identifier] = []
    public var names: [HumanName] = []
    public var telecom: [ContactPoint] = []
    /// FHIR administrative-gender code (`male`, `female`, `other`, `unknown`) after normalization;
    /// the source code before it.
    public var gender: Coding?
    public var birthDate: ClinicalDateTime?
    public var deceased: Bool?
    public var deceasedAt: ClinicalDateTime?
    public var addresses: [Address] = []
    public var maritalStatus: Concept?
    public var races: [Concept] = []
    public var ethnicities: [Concept] = []
    public var languages: [Concept] = []
    public var religion: Concept?
    public var multipleBirth: Bool?
    public var birthOrder: Int?
    public var mothersMaidenName: HumanName?
    public var birthPlace: String?
    public var generalPractitioners: [EntityRef] = []
    public var managingOrganization: EntityRef?
    public var lastUpdated: ClinicalDateTime?

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

/// A next of kin, guarantor or other contact person of a patient.
public struct RelatedPerson: ClinicalEntity {
    public static let kind = EntityKind.relatedPerson
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef
    public var relationship: [Concept] = []
    public var names: [HumanName] = []
    public var telecom: [ContactPoint] = []
    public var addresses: [Address] = []
    public var gender: Coding?
    public var birthDate: ClinicalDateTime?
    public var period: Period?
    public var identifiers: [Identifier] = []

    public init(ref: EntityRef, patient: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.patient = patient
        self.source = source
    }
}

public struct Practitioner: ClinicalEntity {
    public static let kind = EntityKind.practitioner
    public var ref: EntityRef
    public var source: SourceLocation?
    public var identifiers: [Identifier] = []
    public var names: [HumanName] = []
    public var telecom: [ContactPoint] = []
    public var addresses: [Address] = []
    public var qualifications: [Concept] = []

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

public struct Organization: ClinicalEntity {
    public static let kind = EntityKind.organization
    public var ref: EntityRef
    public var source: SourceLocation?
    public var identifiers: [Identifier] = []
    public var name: String?
    public var type: Concept?
    public var telecom: [ContactPoint] = []
    public var addresses: [Address] = []

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

public struct Location: ClinicalEntity {
    public static let kind = EntityKind.location
    public var ref: EntityRef
    public var source: SourceLocation?
    public var name: String?
    public var identifiers: [Identifier] = []
    /// FHIR location-physical-type code: `si` site, `bu` building, `wi` wing, `lvl` floor, `ro` room, `bd` bed…
    public var physicalType: Coding?
    public var partOf: EntityRef?
    public var address: Address?
    public var managingOrganization: EntityRef?
    public var description: String?

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

/// A role a practitioner plays in an encounter, order or result.
public struct Participant: Hashable, Sendable, Codable {
    public var role: Concept?
    public var who: EntityRef
    public var period: Period?

    public init(role: Concept? = nil, who: EntityRef, period: Period? = nil) {
        self.role = role
        self.who = who
        self.period = period
    }
}

public struct Encounter: ClinicalEntity {
    public static let kind = EntityKind.encounter
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var identifiers: [Identifier] = []
    /// FHIR encounter-status code.
    public var status: String?
    /// Patient class (v2 table 0004 before normalization, v3 ActCode after).
    public var patientClass: Coding?
    public var type: [Concept] = []
    public var serviceType: Concept?
    public var priority: Concept?
    public var period: Period?
    public var reasons: [Concept] = []
    public var participants: [Participant] = []
    public var locations: [EntityRef] = []
    public var priorLocation: EntityRef?
    public var admitSource: Concept?
    public var dischargeDisposition: Concept?
    public var readmission: Concept?
    public var serviceProvider: EntityRef?
    public var diet: [Concept] = []
    public var specialCourtesy: [Concept] = []
    public var hospitalService: Concept?
    public var length: Quantity?

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

public struct Condition: ClinicalEntity {
    public static let kind = EntityKind.condition
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    public var identifiers: [Identifier] = []
    public var code: Concept?
    /// FHIR condition-category code: `problem-list-item`, `encounter-diagnosis`, …
    public var category: String?
    /// FHIR condition-clinical code (`active`, `resolved`, …).
    public var clinicalStatus: String?
    /// FHIR condition-ver-status code.
    public var verificationStatus: String?
    public var severity: Concept?
    public var onset: ClinicalDateTime?
    public var abatement: ClinicalDateTime?
    public var recordedDate: ClinicalDateTime?
    public var recorder: EntityRef?
    public var note: [Annotation] = []
    /// Diagnosis type / priority as given by the source (e.g. v2 table 0052 admitting, working, final).
    public var diagnosisType: Concept?
    public var rank: Int?

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

public struct AllergyReaction: Hashable, Sendable, Codable {
    public var manifestations: [Concept]
    /// FHIR reaction severity: `mild`, `moderate`, `severe`.
    public var severity: String?
    public var onset: ClinicalDateTime?
    public var description: String?

    public init(
        manifestations: [Concept] = [], severity: String? = nil, onset: ClinicalDateTime? = nil,
        description: String? = nil
    ) {
        self.manifestations = manifestations
        self.severity = severity
        self.onset = onset
        self.description = description
    }
}

public struct Allergy: ClinicalEntity {
    public static let kind = EntityKind.allergy
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var identifiers: [Identifier] = []
    public var code: Concept?
    /// FHIR allergy-intolerance-type: `allergy` or `intolerance`.
    public var type: String?
    /// FHIR allergy-intolerance-category codes: `food`, `medication`, `environment`, `biologic`.
    public var categories: [String] = []
    /// FHIR allergy-intolerance-criticality: `low`, `high`, `unable-to-assess`.
    public var criticality: String?
    public var clinicalStatus: String?
    public var verificationStatus: String?
    public var onset: ClinicalDateTime?
    public var recordedDate: ClinicalDateTime?
    public var reactions: [AllergyReaction] = []
    /// Set when the source states there is no known allergy: not an allergy, a statement.
    public var noKnownAllergy: Bool = false

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

public struct Procedure: ClinicalEntity {
    public static let kind = EntityKind.procedure
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    public var identifiers: [Identifier] = []
    public var code: Concept?
    /// FHIR event-status code.
    public var status: String = "completed"
    public var performed: Period?
    public var performers: [Participant] = []
    public var category: Concept?
    public var bodySites: [Concept] = []
    public var reasons: [Concept] = []
    public var note: [Annotation] = []

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

public struct Immunization: ClinicalEntity {
    public static let kind = EntityKind.immunization
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    public var identifiers: [Identifier] = []
    public var vaccine: Concept?
    /// FHIR immunization-status: `completed`, `entered-in-error`, `not-done`.
    public var status: String = "completed"
    public var statusReason: Concept?
    public var occurrence: ClinicalDateTime?
    public var recorded: ClinicalDateTime?
    public var primarySource: Bool?
    public var reportOrigin: Concept?
    public var dose: Quantity?
    public var lotNumber: String?
    public var expirationDate: ClinicalDateTime?
    public var manufacturer: EntityRef?
    public var route: Concept?
    public var site: Concept?
    public var performers: [Participant] = []
    public var fundingSource: Concept?
    /// Funding program eligibility (FHIR Immunization.programEligibility).
    public var programEligibility: [Concept] = []
    public var note: [Annotation] = []

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

/// A medication order or statement (emitted as a MedicationRequest).
public struct Medication: ClinicalEntity {
    public static let kind = EntityKind.medication
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    public var identifiers: [Identifier] = []
    public var code: Concept?
    /// FHIR medicationrequest-status.
    public var status: String = "active"
    /// FHIR medicationrequest-intent.
    public var intent: String = "order"
    /// FHIR request-priority code (`routine`, `urgent`, `asap`, `stat`).
    public var priority: String?
    public var authoredOn: ClinicalDateTime?
    public var requester: EntityRef?
    public var dosageText: String?
    public var doseQuantity: Quantity?
    public var route: Concept?
    public var timing: String?
    public var period: Period?
    public var dispenseQuantity: Quantity?
    public var refills: Int?
    public var reasons: [Concept] = []
    public var note: [Annotation] = []

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

/// An order for a test, procedure or service (ORC/OBR in HL7 v2).
public struct ServiceRequest: ClinicalEntity {
    public static let kind = EntityKind.serviceRequest
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    public var identifiers: [Identifier] = []
    public var code: Concept?
    /// FHIR request-status.
    public var status: String = "unknown"
    /// FHIR request-intent.
    public var intent: String = "order"
    public var priority: String?
    public var authoredOn: ClinicalDateTime?
    public var occurrence: ClinicalDateTime?
    public var requester: EntityRef?
    public var reasons: [Concept] = []
    public var specimens: [EntityRef] = []
    public var note: [Annotation] = []

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

public struct Specimen: ClinicalEntity {
    public static let kind = EntityKind.specimen
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var identifiers: [Identifier] = []
    public var type: Concept?
    public var collected: Period?
    public var received: ClinicalDateTime?
    public var bodySite: Concept?
    public var collectionMethod: Concept?
    public var quantity: Quantity?

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

/// The value of an observation, as typed by its source (HL7 v2 OBX-2, C-CDA xsi:type, CSV TYPE).
public enum ObservationValue: Hashable, Sendable, Codable {
    case quantity(Quantity)
    case concept(Concept)
    case string(String)
    case dateTime(ClinicalDateTime)
    case ratio(numerator: Quantity, denominator: Quantity)
    case range(low: Quantity?, high: Quantity?)
    case boolean(Bool)
    case integer(Int)
    case period(Period)
}

public struct ObservationComponent: Hashable, Sendable, Codable {
    public var code: Concept
    public var value: ObservationValue?
    public var interpretation: [Concept] = []
    public var referenceRange: [ReferenceRange] = []
    public var dataAbsentReason: String?

    public init(code: Concept, value: ObservationValue?) {
        self.code = code
        self.value = value
    }
}

public struct Observation: ClinicalEntity {
    public static let kind = EntityKind.observation
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    public var identifiers: [Identifier] = []
    /// FHIR observation-status.
    public var status: String = "unknown"
    /// FHIR observation-category codes (`laboratory`, `vital-signs`, `social-history`, …).
    public var categories: [String] = []
    public var code: Concept
    public var value: ObservationValue?
    public var dataAbsentReason: String?
    public var interpretation: [Concept] = []
    public var referenceRange: [ReferenceRange] = []
    public var effective: ClinicalDateTime?
    public var issued: ClinicalDateTime?
    public var performers: [EntityRef] = []
    public var method: Concept?
    public var bodySite: Concept?
    public var specimen: EntityRef?
    public var basedOn: [EntityRef] = []
    public var components: [ObservationComponent] = []
    public var note: [Annotation] = []
    /// Observations this one groups (a panel).
    public var members: [EntityRef] = []

    public init(ref: EntityRef, code: Concept, source: SourceLocation? = nil) {
        self.ref = ref
        self.code = code
        self.source = source
    }
}

public struct DiagnosticReport: ClinicalEntity {
    public static let kind = EntityKind.diagnosticReport
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    public var identifiers: [Identifier] = []
    /// FHIR diagnostic-report-status.
    public var status: String = "unknown"
    public var categories: [Concept] = []
    public var code: Concept
    public var effective: Period?
    public var issued: ClinicalDateTime?
    public var performers: [EntityRef] = []
    public var results: [EntityRef] = []
    public var basedOn: [EntityRef] = []
    public var specimens: [EntityRef] = []
    public var conclusion: String?

    public init(ref: EntityRef, code: Concept, source: SourceLocation? = nil) {
        self.ref = ref
        self.code = code
        self.source = source
    }
}

/// A clinical document or note (MDM TXA, C-CDA notes), emitted as a DocumentReference.
public struct DocumentNote: ClinicalEntity {
    public static let kind = EntityKind.document
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    public var identifiers: [Identifier] = []
    /// FHIR document-reference-status.
    public var status: String = "current"
    /// FHIR composition-status (`preliminary`, `final`, …) for docStatus.
    public var docStatus: String?
    public var type: Concept?
    public var date: ClinicalDateTime?
    public var authors: [EntityRef] = []
    public var contentType: String = "text/plain"
    public var text: String?
    public var title: String?

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

public struct Appointment: ClinicalEntity {
    public static let kind = EntityKind.appointment
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var identifiers: [Identifier] = []
    /// FHIR appointmentstatus.
    public var status: String = "booked"
    public var serviceType: [Concept] = []
    public var appointmentType: Concept?
    public var reason: [Concept] = []
    public var start: ClinicalDateTime?
    public var end: ClinicalDateTime?
    public var minutesDuration: Int?
    public var description: String?
    /// Free-text comments (HL7 v2 NTE after SCH or AIS; FHIR `Appointment.comment`).
    public var comment: String?
    public var practitioners: [EntityRef] = []
    public var locations: [EntityRef] = []

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

public struct Coverage: ClinicalEntity {
    public static let kind = EntityKind.coverage
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var identifiers: [Identifier] = []
    public var status: String = "active"
    public var type: Concept?
    public var payor: EntityRef?
    public var subscriberId: String?
    public var relationship: Concept?
    public var period: Period?
    public var planName: String?
    public var groupNumber: String?

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

/// A statement that two patient records are the same person (HL7 v2 merge events A40/A41/A47).
public struct PatientLink: ClinicalEntity {
    public static let kind = EntityKind.patientLink
    public var ref: EntityRef
    public var source: SourceLocation?
    /// The surviving record.
    public var survivor: EntityRef
    /// The record merged into the survivor.
    public var merged: EntityRef
    public var mergedIdentifiers: [Identifier] = []

    public init(ref: EntityRef, survivor: EntityRef, merged: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.survivor = survivor
        self.merged = merged
        self.source = source
    }
}

/// A plan of care (C-CDA plan of treatment, Synthea careplans), emitted as a CarePlan.
public struct CarePlan: ClinicalEntity {
    public static let kind = EntityKind.carePlan
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    public var identifiers: [Identifier] = []
    /// FHIR request-status (`active`, `completed`, …).
    public var status: String = "unknown"
    /// FHIR care-plan-intent.
    public var intent: String = "plan"
    public var categories: [Concept] = []
    public var title: String?
    public var period: Period?
    public var reasons: [Concept] = []
    /// Planned activities, each a coded description.
    public var activities: [Concept] = []
    public var note: [Annotation] = []

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

/// An imaging study (Synthea imaging_studies, DICOM-derived), emitted as an ImagingStudy.
public struct ImagingStudy: ClinicalEntity {
    public static let kind = EntityKind.imagingStudy
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    public var identifiers: [Identifier] = []
    /// FHIR imagingstudy-status.
    public var status: String = "available"
    public var started: ClinicalDateTime?
    /// DICOM modality codes (`http://dicom.nema.org/resources/ontology/DCM`).
    public var modalities: [Coding] = []
    public var bodySite: Coding?
    /// DICOM SOP class of the instances.
    public var sopClass: Coding?
    public var procedureCode: Concept?
    public var description: String?

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}

/// A section of a clinical document (a C-CDA `section`), emitted as a `Composition.section`: its
/// title and code, the records its entries became, its subsections, and its narrative where no
/// entry carries it.
public struct DocumentSection: Hashable, Sendable, Codable {
    public var title: String?
    /// The kind of section (a LOINC section code).
    public var code: Concept?
    /// The section's narrative as plain text lines (see the C-CDA reader's `NarrativeText`), kept
    /// only when the section's entries gave no record: otherwise the entries carry what it says.
    public var text: String?
    /// The records the section's entries became, in reading order.
    public var entries: [EntityRef] = []
    public var sections: [DocumentSection] = []

    public init(title: String? = nil, code: Concept? = nil, text: String? = nil) {
        self.title = title
        self.code = code
        self.text = text
    }

    /// Whether the section holds nothing but its title and code.
    public var isEmpty: Bool { text == nil && entries.isEmpty && sections.isEmpty }
}

/// A clinical document as a whole (a C-CDA `ClinicalDocument`), emitted as a Composition: its
/// type, date, authors, custodian and legal authenticator, and its sections, each referencing the
/// records its entries became.
public struct Composition: ClinicalEntity {
    public static let kind = EntityKind.composition
    public var ref: EntityRef
    public var source: SourceLocation?
    public var patient: EntityRef?
    public var encounter: EntityRef?
    /// The document's id (`ClinicalDocument/id`); FHIR allows one.
    public var identifiers: [Identifier] = []
    /// FHIR composition-status.
    public var status: String = "final"
    public var type: Concept?
    public var date: ClinicalDateTime?
    public var authors: [EntityRef] = []
    public var title: String?
    /// v3 Confidentiality code (`N`, `R`, `V`…).
    public var confidentiality: String?
    public var custodian: EntityRef?
    /// The legal authenticator (an attester in `legal` mode) and when they signed.
    public var legalAuthenticator: EntityRef?
    public var legalAuthenticationTime: ClinicalDateTime?
    public var sections: [DocumentSection] = []

    public init(ref: EntityRef, source: SourceLocation? = nil) {
        self.ref = ref
        self.source = source
    }
}
