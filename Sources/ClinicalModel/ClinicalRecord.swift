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
    public var compositions: [Composition] = []
    /// Values a site's map carries for fields the model has no place for, each on a record above
    /// (see `SiteExtension`): emitted as FHIR extensions on that record's resource.
    public var siteExtensions: [SiteExtension] = []

    public init(document: SourceDocument) { self.document = document }

    /// Passes the list of each kind to `visitor`, in `EntityKind` order: the one place that lists them.
    @inlinable public mutating func visitLists<Visitor: EntityListVisitor>(_ visitor: inout Visitor) {
        visitor.visit(&patients)
        visitor.visit(&relatedPersons)
        visitor.visit(&practitioners)
        visitor.visit(&organizations)
        visitor.visit(&locations)
        visitor.visit(&encounters)
        visitor.visit(&conditions)
        visitor.visit(&allergies)
        visitor.visit(&procedures)
        visitor.visit(&immunizations)
        visitor.visit(&medications)
        visitor.visit(&serviceRequests)
        visitor.visit(&specimens)
        visitor.visit(&observations)
        visitor.visit(&diagnosticReports)
        visitor.visit(&documents)
        visitor.visit(&appointments)
        visitor.visit(&coverages)
        visitor.visit(&carePlans)
        visitor.visit(&imagingStudies)
        visitor.visit(&patientLinks)
        visitor.visit(&compositions)
    }

    /// Passes every field of every record to `visitor` by role, record by record in `EntityKind` order
    /// (see `EntityFieldVisitor`). The source document is not visited.
    @inlinable public mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor) {
        visitLists(&visitor)
    }

    /// Every record of every kind, in `EntityKind` order.
    public var entities: [any ClinicalEntity] {
        struct Collector: EntityListVisitor {
            var all: [any ClinicalEntity] = []
            mutating func visit<Entity: ClinicalEntity>(_ entities: inout [Entity]) {
                all += entities as [any ClinicalEntity]
            }
        }
        var collector = Collector()
        var copy = self
        copy.visitLists(&collector)
        return collector.all
    }

    /// Number of records of each kind (zero counts left out).
    public var counts: [EntityKind: Int] {
        struct Counter: EntityListVisitor {
            var counts: [EntityKind: Int] = [:]
            mutating func visit<Entity: ClinicalEntity>(_ entities: inout [Entity]) {
                if !entities.isEmpty { counts[Entity.kind, default: 0] += entities.count }
            }
        }
        var counter = Counter()
        var copy = self
        copy.visitLists(&counter)
        return counter.counts
    }

    /// The references of every record to itself. Read list by list: boxing every record as
    /// `any ClinicalEntity` (as `entities` does) would copy each one.
    public var allRefs: Set<EntityRef> {
        struct Collector: EntityListVisitor {
            var refs = Set<EntityRef>()
            mutating func visit<Entity: ClinicalEntity>(_ entities: inout [Entity]) {
                for entity in entities { refs.insert(entity.ref) }
            }
        }
        var collector = Collector()
        var copy = self
        copy.visitLists(&collector)
        return collector.refs
    }
}

extension ClinicalRecord {
    /// The same record holding only the records whose references are in `refs` (delta runs).
    public func keeping(_ refs: Set<EntityRef>) -> ClinicalRecord {
        struct Filter: EntityListVisitor {
            let refs: Set<EntityRef>
            mutating func visit<Entity: ClinicalEntity>(_ entities: inout [Entity]) {
                entities.removeAll { !refs.contains($0.ref) }
            }
        }
        var filter = Filter(refs: refs)
        var copy = self
        copy.visitLists(&filter)
        copy.siteExtensions.removeAll { !refs.contains($0.target) }
        return copy
    }
}
