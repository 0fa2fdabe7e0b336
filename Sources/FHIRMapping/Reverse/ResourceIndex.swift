import ClinicalModel
import FHIRR4

/// The resources being read, indexed for reference resolution: by `Type/id` and by id alone (for
/// `urn:uuid:<id>`), with the canonical reference of each resource that holds a canonical record.
///
/// A resource's business key comes from its fhirbridge `record-key` extension. Without one, the key is
/// recovered when the id is that of an empty key; otherwise the key is `id|<id>` and the resource is
/// reported (`missingRecordKey`), so references to it still resolve consistently.
struct ResourceIndex {
    let resources: [JSONObject]
    private var byTypeAndID: [String: Int] = [:]
    private var byID: [String: Int] = [:]
    /// The canonical reference of every resource of a canonical kind, by input position.
    private(set) var refs: [Int: EntityRef] = [:]

    /// Positions of canonical resources without a `record-key` (their key is `id|<id>`).
    private(set) var keyless = Set<Int>()

    /// Positions of resources whose type and id an earlier position already has (NDJSON appended
    /// per unit repeats shared resources): references resolve to the first, which stands for all.
    private(set) var repeated = Set<Int>()

    init(_ resources: [JSONObject]) {
        self.resources = resources
        for (position, resource) in resources.enumerated() {
            guard let type = resource["resourceType"]?.stringValue, let id = resource["id"]?.stringValue else {
                continue
            }
            if byTypeAndID[type + "/" + id] == nil {
                byTypeAndID[type + "/" + id] = position
            } else {
                repeated.insert(position)
            }
            if byID[id] == nil { byID[id] = position }
            guard let kind = EntityKind(fhirResourceType: type) else { continue }
            if let key = Self.recordKey(resource["extension"]) {
                refs[position] = EntityRef(kind, key: key)
            } else if ResourceID.derive(kind: kind, key: "") == id {
                refs[position] = EntityRef(kind, key: "")
            } else {
                refs[position] = EntityRef(kind, key: "id|" + id)
                keyless.insert(position)
            }
        }
    }

    /// The value of a `record-key` extension in an `extension` array.
    static func recordKey(_ extensions: JSON?) -> String? {
        for item in extensions?.arrayValue ?? [] where item["url"]?.stringValue == FHIRURL.recordKey {
            return item["valueString"]?.stringValue
        }
        return nil
    }

    /// The input position of the resource a reference names: `urn:uuid:<id>`, `Type/id`, or an
    /// absolute or versioned URL ending in `Type/id` or `Type/id/_history/n`.
    func position(of reference: String) -> Int? {
        if reference.hasPrefix("urn:uuid:") { return byID[String(reference.dropFirst(9))] }
        guard let (type, id) = Self.typeAndID(reference) else { return nil }
        return byTypeAndID[type + "/" + id]
    }

    /// `Type` and `id` of a relative or absolute literal reference, or `nil`.
    static func typeAndID(_ reference: String) -> (String, String)? {
        var parts = reference.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 4, parts[parts.count - 2] == "_history" { parts.removeLast(2) }
        guard parts.count >= 2, let type = parts.dropLast().last, let id = parts.last,
            type.first?.isUppercase == true, !id.isEmpty
        else { return nil }
        return (type, id)
    }

    func resourceType(at position: Int) -> String? { resources[position]["resourceType"]?.stringValue }
}

extension EntityKind {
    /// The kind whose records are emitted as `resourceType`, or `nil`.
    ///
    ///     EntityKind(fhirResourceType: "MedicationRequest")   // .medication
    public init?(fhirResourceType: String) {
        guard let kind = EntityKind.allCases.first(where: { $0.fhirResourceType == fhirResourceType }) else {
            return nil
        }
        self = kind
    }
}
