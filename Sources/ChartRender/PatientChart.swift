import CanonicalHash
import ClinicalModel

/// Everything recorded about one patient, gathered from any number of source units (or FHIR read
/// back), ready to render. A later unit's version of a record (same record key) replaces an
/// earlier one, as it does in the FHIR output.
public struct PatientChart: Sendable {
    /// The page id: a one-way derivation of the patient's record key, safe in file names.
    public var id: String
    /// The patient record; a bare record (reference only) when records name a patient that no unit holds.
    public var patient: Patient
    /// Whether a Patient record was present (false when only other records referred to it).
    public var hasPatientRecord: Bool
    public var allergies: [Allergy] = []
    public var conditions: [Condition] = []
    public var medications: [Medication] = []
    public var observations: [Observation] = []
    public var diagnosticReports: [DiagnosticReport] = []
    public var immunizations: [Immunization] = []
    public var procedures: [Procedure] = []
    public var encounters: [Encounter] = []
    /// Records of the patient the chart does not draw (notes, orders, coverage, …), kept for comparison.
    public var otherRecords: [any ClinicalEntity] = []
    /// The source units the records came from.
    public var documents: [SourceDocument] = []

    public init(id: String, patient: Patient, hasPatientRecord: Bool = true) {
        self.id = id
        self.patient = patient
        self.hasPatientRecord = hasPatientRecord
    }

    /// The patient and every record of the patient, in `EntityKind` order.
    public var entities: [any ClinicalEntity] {
        var all: [any ClinicalEntity] = hasPatientRecord ? [patient] : []
        all += encounters as [any ClinicalEntity]
        all += conditions as [any ClinicalEntity]
        all += allergies as [any ClinicalEntity]
        all += procedures as [any ClinicalEntity]
        all += immunizations as [any ClinicalEntity]
        all += medications as [any ClinicalEntity]
        all += observations as [any ClinicalEntity]
        all += diagnosticReports as [any ClinicalEntity]
        all += otherRecords
        return all.sorted { $0.ref < $1.ref }
    }
}

/// Records that are not the patient's own but that charts name: clinicians, places, organizations.
public struct ChartDirectory: Sendable {
    public var practitioners: [EntityRef: Practitioner] = [:]
    public var organizations: [EntityRef: Organization] = [:]
    public var locations: [EntityRef: Location] = [:]

    public init() {}
}

/// The charts of a set of records.
public struct ChartBook: Sendable {
    /// One chart per patient, sorted by page id (stable, and reveals nothing about the order of names).
    public var charts: [PatientChart]
    public var directory: ChartDirectory
    /// Patient-linked records whose patient could not be determined (no patient reference and a
    /// unit with zero or several patients).
    public var unattributed: Int

    /// Groups records by patient.
    ///
    /// - Parameters:
    ///   - records: canonical records, in input order (later versions win).
    ///   - pageID: the page id for a patient reference; the default is `ChartBook.defaultPageID`.
    /// - Complexity: O(n log n) in the number of records.
    public init(_ records: [ClinicalRecord], pageID: (EntityRef) -> String = ChartBook.defaultPageID) {
        var latest: [EntityRef: (entity: any ClinicalEntity, patient: EntityRef?, unit: Int)] = [:]
        var order: [EntityRef] = []
        var directory = ChartDirectory()
        var unattributed = 0
        for (unit, record) in records.enumerated() {
            let soleOwner = record.patients.count == 1 ? record.patients[0].ref : nil
            for entity in record.entities {
                switch entity {
                case let practitioner as Practitioner: directory.practitioners[practitioner.ref] = practitioner
                case let organization as Organization: directory.organizations[organization.ref] = organization
                case let location as Location: directory.locations[location.ref] = location
                default:
                    guard let owner = entity.subject ?? soleOwner else {
                        if !(entity is PatientLink) { unattributed += 1 }
                        continue
                    }
                    if latest[entity.ref] == nil { order.append(entity.ref) }
                    latest[entity.ref] = (entity, owner, unit)
                }
            }
        }
        var charts: [EntityRef: PatientChart] = [:]
        var units: [EntityRef: Set<Int>] = [:]
        func chart(_ ref: EntityRef) -> PatientChart {
            charts[ref] ?? PatientChart(id: pageID(ref), patient: Patient(ref: ref), hasPatientRecord: false)
        }
        for ref in order {
            guard case (let entity, let owner?, let unit)? = latest[ref] else { continue }
            var target = chart(owner)
            units[owner, default: []].insert(unit)
            switch entity {
            case let patient as Patient:
                target.patient = patient
                target.hasPatientRecord = true
            case let allergy as Allergy: target.allergies.append(allergy)
            case let condition as Condition: target.conditions.append(condition)
            case let medication as Medication: target.medications.append(medication)
            case let observation as Observation: target.observations.append(observation)
            case let report as DiagnosticReport: target.diagnosticReports.append(report)
            case let immunization as Immunization: target.immunizations.append(immunization)
            case let procedure as Procedure: target.procedures.append(procedure)
            case let encounter as Encounter: target.encounters.append(encounter)
            default: target.otherRecords.append(entity)
            }
            charts[owner] = target
        }
        for (ref, unitSet) in units {
            charts[ref]?.documents = unitSet.sorted().map { records[$0].document }
        }
        self.charts = charts.values.sorted { $0.id < $1.id }
        self.directory = directory
        self.unattributed = unattributed
    }

    /// A page id from the record key alone: the first 32 hex digits of a SHA-256, so file names
    /// carry no identifier. The CLI passes the FHIR Patient id instead, which is derived the same way.
    public static func defaultPageID(_ ref: EntityRef) -> String {
        String(CanonicalHasher.rollup(["chart-page|\(ref.kind.rawValue)|\(ref.key)"]).prefix(32))
    }
}
