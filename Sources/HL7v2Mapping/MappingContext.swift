import ClinicalModel

/// State while one message is mapped: the record being built, the entities that later segments
/// attach to (the current patient, visit, order, report, observation) and the diagnostics.
struct MappingContext {
    var record: ClinicalRecord
    var diagnostics: [Diagnostic] = []
    var settings: [String: String] = [:]
    /// The source elements that reached the record (the source accounting).
    var carried = CarriedElements()

    var patient: EntityRef?
    var encounter: EntityRef?
    var serviceRequest: EntityRef?
    var diagnosticReport: EntityRef?
    var specimen: EntityRef?
    /// The medication order of the current order group (RXO/RXE), which RXR and TQ1 add to.
    var medication: EntityRef?
    /// The immunization of the current order group (VXU), for its funding OBX.
    var immunization: EntityRef?
    /// The last record created by a segment: NTE notes attach to it.
    var lastCreated: EntityRef?
    /// The record the previous segment created, which an `extend` map may add to.
    var extendable: EntityRef?

    private var practitionerIndex: [String: Int] = [:]
    private var organizationIndex: [String: Int] = [:]
    private var locationIndex: [String: Int] = [:]
    /// Keys already used in this message, to keep keys unique.
    private var keys = UnitKeys()

    init(record: ClinicalRecord) { self.record = record }

    mutating func diagnose(
        _ severity: Diagnostic.Severity, _ kind: IssueKind, at location: SourceLocation?, system: String? = nil,
        code: String? = nil
    ) {
        diagnostics.append(Diagnostic(severity, kind, at: location, system: system, code: code))
    }

    /// `ref`, or when its key is empty or taken in this message, the key with `position` added (see
    /// `UnitKeys`).
    mutating func unique(_ ref: EntityRef, position: @autoclosure () -> String) -> EntityRef {
        keys.unique(ref, position: position())
    }

    mutating func upsertPractitioner(_ practitioner: Practitioner) {
        if let index = practitionerIndex[practitioner.ref.key] {
            merge(&record.practitioners[index].identifiers, practitioner.identifiers)
            merge(&record.practitioners[index].names, practitioner.names)
            merge(&record.practitioners[index].qualifications, practitioner.qualifications)
        } else {
            practitionerIndex[practitioner.ref.key] = record.practitioners.count
            record.practitioners.append(practitioner)
        }
    }

    mutating func upsertOrganization(_ organization: Organization) {
        if let index = organizationIndex[organization.ref.key] {
            merge(&record.organizations[index].identifiers, organization.identifiers)
            if record.organizations[index].name == nil { record.organizations[index].name = organization.name }
        } else {
            organizationIndex[organization.ref.key] = record.organizations.count
            record.organizations.append(organization)
        }
    }

    mutating func upsertLocation(_ location: Location) {
        if locationIndex[location.ref.key] == nil {
            locationIndex[location.ref.key] = record.locations.count
            record.locations.append(location)
        }
    }

    private func merge<T: Hashable>(_ target: inout [T], _ extra: [T]) {
        for item in extra where !target.contains(item) { target.append(item) }
    }
}
