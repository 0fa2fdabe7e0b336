/// The kinds of canonical record. Each maps to one FHIR resource type when emitted.
public enum EntityKind: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    case patient, relatedPerson, practitioner, organization, location
    case encounter, condition, allergy, procedure, immunization, medication
    case serviceRequest, specimen, observation, diagnosticReport, document, appointment, coverage
    case carePlan, imagingStudy
    case patientLink
    case composition

    public static func < (lhs: EntityKind, rhs: EntityKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A reference from one canonical record to another by business key.
///
/// The key is built from the source's business identifiers (an MRN with its authority, a filler
/// order number, a visit number), so the same entity in two messages gets the same key and, once
/// emitted, the same FHIR id. When a source has no business key the key falls back to the
/// source document and position, which is stable for the same input bytes.
public struct EntityRef: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var kind: EntityKind
    public var key: String

    public init(_ kind: EntityKind, key: String) {
        self.kind = kind
        self.key = key
    }

    /// Builds a key from parts, skipping empty ones, joined by `|`.
    public init(_ kind: EntityKind, parts: [String?]) {
        self.kind = kind
        self.key = parts.compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "|")
    }

    public static func < (lhs: EntityRef, rhs: EntityRef) -> Bool {
        (lhs.kind, lhs.key) < (rhs.kind, rhs.key)
    }

    /// Only the kind: keys can contain identifiers, which are patient data.
    public var description: String { "\(kind.rawValue) reference" }
}

/// Every canonical record has a reference to itself and the location it was read from, and knows the
/// role of each of its fields.
public protocol ClinicalEntity: Hashable, Sendable, Codable {
    static var kind: EntityKind { get }
    var ref: EntityRef { get set }
    /// Where the record was read (segment, CSV row, XML element). Not part of equality for
    /// reconciliation: see `CanonicalHash`.
    var source: SourceLocation? { get set }
    /// The patient the record is about: a patient itself, a link's surviving patient, else the
    /// record's `patient`; `nil` for practitioners, organizations and locations (charts group records
    /// by it).
    var subject: EntityRef? { get }
    /// When the record happened in clinical time, else when it was recorded; `nil` for records that
    /// are not events: people, organizations, locations, coverage and patient links (date filters
    /// compare it and keep records without one).
    var clinicalDate: ClinicalDateTime? { get }
    /// Hands every field to `visitor` by role: `visitor.record(_:at:)` first, then the identifiers,
    /// then the rest in declaration order (see `EntityFieldVisitor`).
    mutating func visitFields<Visitor: EntityFieldVisitor>(_ visitor: inout Visitor)
}
