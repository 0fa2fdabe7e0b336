import ClinicalModel
import Crypto
import Foundation

/// FHIR resource ids derived from business keys, so the same entity gets the same id in every run.
///
/// The recipe (pinned by `ResourceIDTests`, described in `FHIRMapping.docc/Documentation.md`):
///
/// 1. Take the UTF-8 bytes of `"fhirbridge/v1|" + resourceType + "|" + key`, e.g.
///    `fhirbridge/v1|Patient|MR|urn:oid:1.2.3|12345`.
/// 2. Hash them with SHA-256 and keep the first 16 bytes.
/// 3. Set the RFC 4122 version nibble to 5 (`byte[6] = byte[6] & 0x0F | 0x50`) and the variant bits
///    to `10` (`byte[8] = byte[8] & 0x3F | 0x80`).
/// 4. Write the bytes as lowercase hex in the 8-4-4-4-12 UUID layout.
///
///     ResourceID.derive(kind: .patient, key: "MR|urn:oid:1.2.3|12345")
///     // "xxxxxxxx-xxxx-5xxx-[89ab]xxx-xxxxxxxxxxxx", the same on every machine and run
///
/// The version nibble says "name-based" as in RFC 4122 §4.3, but the hash is SHA-256, not SHA-1
/// over a namespace UUID, so these ids do not equal `uuid5(namespace, name)` from other tools.
/// The result is a valid FHIR `id` (at most 64 characters of `[A-Za-z0-9\-\.]`) and, with
/// `urn:uuid:` in front, a valid `Bundle.entry.fullUrl`.
public enum ResourceID {
    /// The prefix that versions the recipe: changing it changes every id.
    public static let recipePrefix = "fhirbridge/v1|"

    /// The id of the resource emitted for a canonical entity of `kind` with business `key`.
    ///
    /// - Complexity: O(n) in the length of `key`.
    public static func derive(kind: EntityKind, key: String) -> String {
        derive(EntityRef(kind, key: key))
    }

    /// The id of the resource emitted for a canonical reference.
    ///
    /// An entity's id is needed for its resource and again for every reference to it (the patient
    /// in each observation, the provenance targets), so recent ones are remembered (`recent`).
    public static func derive(_ ref: EntityRef) -> String {
        recent.value(for: ref) { derive(resourceType: ref.kind.fhirResourceType, key: ref.key) }
    }

    /// Ids derived lately, shared by all threads; bounded (it starts again when full).
    static let recent = BoundedMemo<EntityRef, String>(capacity: 16_384)

    /// The id of a resource of any type (`Provenance`, `Device`, `Bundle`) from a key.
    public static func derive(resourceType: String, key: String) -> String {
        // SHA-256 of "<recipePrefix><resourceType>|<key>", fed in pieces (no joined copy)
        var hasher = SHA256()
        for var part in [recipePrefix, resourceType, "|", key] {
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return uuidString(bytes)
    }

    /// `derive(resourceType:key:)` with the key fed in parts, for a key too long to join (the id of
    /// a bundle of a million records).
    ///
    ///     var deriver = ResourceID.Deriver(resourceType: "Bundle")
    ///     deriver.update("transaction"); deriver.update("|"); deriver.update("unconditional")
    ///     deriver.finalize()   // == derive(resourceType: "Bundle", key: "transaction|unconditional")
    public struct Deriver {
        var hasher = SHA256()

        public init(resourceType: String) {
            for part in [recipePrefix, resourceType, "|"] { update(part) }
        }

        public mutating func update(_ part: String) {
            var part = part
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }

        public func finalize() -> String {
            var bytes = Array(hasher.finalize().prefix(16))
            bytes[6] = (bytes[6] & 0x0F) | 0x50
            bytes[8] = (bytes[8] & 0x3F) | 0x80
            return ResourceID.uuidString(bytes)
        }
    }

    static func uuidString(_ bytes: [UInt8]) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { output.append(UInt8(ascii: "-")) }
            output.append(hex[Int(byte >> 4)])
            output.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension EntityKind {
    /// The FHIR R4 resource type a canonical record of this kind is emitted as.
    ///
    ///     EntityKind.allergy.fhirResourceType      // "AllergyIntolerance"
    ///     EntityKind.patientLink.fhirResourceType  // "Linkage"
    public var fhirResourceType: String {
        switch self {
        case .patient: "Patient"
        case .relatedPerson: "RelatedPerson"
        case .practitioner: "Practitioner"
        case .organization: "Organization"
        case .location: "Location"
        case .encounter: "Encounter"
        case .condition: "Condition"
        case .allergy: "AllergyIntolerance"
        case .procedure: "Procedure"
        case .immunization: "Immunization"
        case .medication: "MedicationRequest"
        case .serviceRequest: "ServiceRequest"
        case .specimen: "Specimen"
        case .observation: "Observation"
        case .diagnosticReport: "DiagnosticReport"
        case .document: "DocumentReference"
        case .appointment: "Appointment"
        case .coverage: "Coverage"
        case .carePlan: "CarePlan"
        case .imagingStudy: "ImagingStudy"
        case .patientLink: "Linkage"
        case .composition: "Composition"
        }
    }
}
