import ClinicalModel
import FHIRR4

/// Reads FHIR R4 resources back into canonical `ClinicalRecord`s: the reverse of `BundleBuilder`,
/// so that reconciliation can hash what a migration wrote (our Bundles and NDJSON, or what a FHIR
/// server returns) the same way as the source.
///
///     let reader = FHIRReader()
///     let (records, diagnostics) = reader.records(from: reader.resources(fromBundle: bundle))
///     // records == source records (minus `source` locations), see "Reading FHIR back" in the docs
///
/// Records are grouped by Provenance: each Provenance's `target` lists the resources emitted from
/// one source unit, in the record's order; its source entity gives back the `SourceDocument`.
/// Resources no Provenance names form one more record (format `fhir`, input `no-provenance`).
/// Business keys come from the fhirbridge `record-key` extension (resource ids are hashes of them).
public struct FHIRReader: Sendable {
    public init() {}

    /// The input name of the record that holds resources no Provenance names.
    public static let unattributedInputName = "no-provenance"

    /// Reads resources back into canonical records.
    ///
    /// - Returns: one record per Provenance, sorted by input name and index (and format), then the
    ///   record of resources without a Provenance; and diagnostics (kind plus `resources[i].path`,
    ///   never a value) for whatever could not be read.
    /// - Complexity: O(n) in the size of the resources, plus sorting the records.
    public func records(from resources: [JSONObject]) -> ([ClinicalRecord], [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let index = ResourceIndex(resources)
        var cache: [Int: ReadEntity?] = [:]
        func entity(at position: Int) -> ReadEntity? {
            if let cached = cache[position] { return cached }
            guard let ref = index.refs[position] else { return nil }
            var reader = ResourceReader(index: index, position: position)
            if index.keyless.contains(position) {
                reader.report(
                    .missingRecordKey, "", .information, system: "http://hl7.org/fhir/resource-types",
                    code: ref.kind.fhirResourceType)
            }
            let read = reader.entity(resources[position], ref)
            diagnostics += reader.diagnostics
            cache[position] = read
            return read
        }

        func siteExtensions(at position: Int) -> [SiteExtension] {
            guard let ref = index.refs[position] else { return [] }
            var reader = ResourceReader(index: index, position: position)
            let read = reader.siteExtensions(resources[position], ref)
            diagnostics += reader.diagnostics
            return read
        }

        var records: [ClinicalRecord] = []
        var claimed = Set<Int>()
        var agents = Set<Int>()
        for (position, resource) in resources.enumerated() {
            switch resource["resourceType"]?.stringValue {
            case "Provenance"?:
                var reader = ResourceReader(index: index, position: position)
                var record = ClinicalRecord(document: reader.sourceDocument(resource))
                for agent in resource["agent"]?.arrayValue ?? [] {
                    for key in ["who", "onBehalfOf"] {
                        if let text = agent[key]?["reference"]?.stringValue, let target = index.position(of: text) {
                            agents.insert(target)
                        }
                    }
                }
                for (offset, target) in (resource["target"]?.arrayValue ?? []).enumerated() {
                    guard let text = target["reference"]?.stringValue, let targetPosition = index.position(of: text),
                        index.refs[targetPosition] != nil
                    else {
                        reader.report(
                            .unresolvedReference, "target[\(offset)]", system: "http://hl7.org/fhir/resource-types",
                            code: target["reference"]?.stringValue.flatMap(ResourceIndex.typeAndID)?.0)
                        continue
                    }
                    claimed.insert(targetPosition)
                    if let read = entity(at: targetPosition) {
                        record.append(read)
                        record.siteExtensions += siteExtensions(at: targetPosition)
                    }
                }
                diagnostics += reader.diagnostics
                records.append(record)
            case "Device"?:
                if let owner = resource["owner"]?["reference"]?.stringValue, let target = index.position(of: owner) {
                    agents.insert(target)
                }
            case "MessageHeader"?:
                // the message's header (from MSH, as the SourceDocument the Provenance carries): its
                // sender is the sending facility, an agent like the Provenance's
                if let sender = resource["sender"]?["reference"]?.stringValue, let target = index.position(of: sender) {
                    agents.insert(target)
                }
            case let type?:
                if EntityKind(fhirResourceType: type) == nil {
                    diagnostics.append(
                        Diagnostic(
                            .warning, .unsupportedResourceType, at: Self.location(position),
                            system: "http://hl7.org/fhir/resource-types", code: type))
                }
            case nil:
                diagnostics.append(Diagnostic(.warning, .missingResourceType, at: Self.location(position)))
            }
        }
        records.sort {
            ($0.document.inputName, $0.document.index, $0.document.format.rawValue)
                < ($1.document.inputName, $1.document.index, $1.document.format.rawValue)
        }
        var rest = ClinicalRecord(
            document: SourceDocument(format: .fhir, inputName: Self.unattributedInputName, index: 1))
        var restCount = 0
        for position in index.refs.keys.sorted() where !claimed.contains(position) && !index.repeated.contains(position)
        {
            if agents.contains(position), index.resourceType(at: position) == "Organization" { continue }
            if let read = entity(at: position) {
                rest.append(read)
                rest.siteExtensions += siteExtensions(at: position)
                restCount += 1
            }
        }
        if restCount > 0 { records.append(rest) }
        return (records, diagnostics)
    }

    static func location(_ position: Int) -> SourceLocation { .input(name: "resources[\(position)]", offset: nil) }

    /// The resources of a Bundle's entries (`entry.resource`), in entry order. A single resource that
    /// is not a Bundle is returned alone.
    public func resources(fromBundle bundle: JSON) -> [JSONObject] {
        guard let object = bundle.objectValue else { return [] }
        guard object["resourceType"]?.stringValue == "Bundle" else {
            return object["resourceType"] == nil ? [] : [object]
        }
        return (object["entry"]?.arrayValue ?? []).compactMap { $0["resource"]?.objectValue }
    }

    /// The resources of NDJSON (one JSON object per line; blank lines and a final newline allowed).
    ///
    /// - Throws: the first line's parse error, its offset counted from the start of `bytes`.
    public func resources(fromNDJSON bytes: [UInt8]) throws(JSONParseError) -> [JSONObject] {
        var resources: [JSONObject] = []
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let line = bytes[start..<end]
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                do {
                    if let object = try JSONReader.parse(Array(line)).objectValue { resources.append(object) }
                } catch {
                    var shifted = error
                    shifted.offset += start
                    throw shifted
                }
            }
            start = end + 1
        }
        return resources
    }
}

/// One canonical record of any kind, as read from one resource.
enum ReadEntity {
    case patient(Patient)
    case relatedPerson(RelatedPerson)
    case practitioner(Practitioner)
    case organization(Organization)
    case location(Location)
    case encounter(Encounter)
    case condition(Condition)
    case allergy(Allergy)
    case procedure(Procedure)
    case immunization(Immunization)
    case medication(Medication)
    case serviceRequest(ServiceRequest)
    case specimen(Specimen)
    case observation(Observation)
    case diagnosticReport(DiagnosticReport)
    case document(DocumentNote)
    case appointment(Appointment)
    case coverage(Coverage)
    case carePlan(CarePlan)
    case imagingStudy(ImagingStudy)
    case patientLink(PatientLink)
    case composition(Composition)
}

extension ClinicalRecord {
    mutating func append(_ entity: ReadEntity) {
        switch entity {
        case .patient(let value): patients.append(value)
        case .relatedPerson(let value): relatedPersons.append(value)
        case .practitioner(let value): practitioners.append(value)
        case .organization(let value): organizations.append(value)
        case .location(let value): locations.append(value)
        case .encounter(let value): encounters.append(value)
        case .condition(let value): conditions.append(value)
        case .allergy(let value): allergies.append(value)
        case .procedure(let value): procedures.append(value)
        case .immunization(let value): immunizations.append(value)
        case .medication(let value): medications.append(value)
        case .serviceRequest(let value): serviceRequests.append(value)
        case .specimen(let value): specimens.append(value)
        case .observation(let value): observations.append(value)
        case .diagnosticReport(let value): diagnosticReports.append(value)
        case .document(let value): documents.append(value)
        case .appointment(let value): appointments.append(value)
        case .coverage(let value): coverages.append(value)
        case .carePlan(let value): carePlans.append(value)
        case .imagingStudy(let value): imagingStudies.append(value)
        case .patientLink(let value): patientLinks.append(value)
        case .composition(let value): compositions.append(value)
        }
    }
}

extension ResourceReader {
    /// The canonical record a resource of a canonical kind holds.
    mutating func entity(_ o: JSONObject, _ ref: EntityRef) -> ReadEntity? {
        switch ref.kind {
        case .patient: .patient(patient(o, ref))
        case .relatedPerson: relatedPerson(o, ref).map { .relatedPerson($0) }
        case .practitioner: .practitioner(practitioner(o, ref))
        case .organization: .organization(organization(o, ref))
        case .location: .location(location(o, ref))
        case .encounter: .encounter(encounter(o, ref))
        case .condition: .condition(condition(o, ref))
        case .allergy: .allergy(allergy(o, ref))
        case .procedure: .procedure(procedure(o, ref))
        case .immunization: .immunization(immunization(o, ref))
        case .medication: .medication(medication(o, ref))
        case .serviceRequest: .serviceRequest(serviceRequest(o, ref))
        case .specimen: .specimen(specimen(o, ref))
        case .observation: .observation(observation(o, ref))
        case .diagnosticReport: .diagnosticReport(diagnosticReport(o, ref))
        case .document: .document(document(o, ref))
        case .appointment: .appointment(appointment(o, ref))
        case .coverage: .coverage(coverage(o, ref))
        case .carePlan: .carePlan(carePlan(o, ref))
        case .imagingStudy: .imagingStudy(imagingStudy(o, ref))
        case .patientLink: linkage(o, ref).map { .patientLink($0) }
        case .composition: .composition(composition(o, ref))
        }
    }
}
