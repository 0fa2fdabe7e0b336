import ClinicalModel
import FHIRR4

/// How references between emitted resources are written (see FHIRMapping.docc/Documentation.md, "References").
///
///     ReferenceScheme.relative                                   // "Patient/<id>" always
///     ReferenceScheme(present: refs, localURN: true)             // "urn:uuid:<id>" for targets in `refs`
public struct ReferenceScheme: Hashable, Sendable {
    /// The entities emitted alongside (in the same bundle or NDJSON set). `nil` when unknown: no
    /// target is then reported as unresolved.
    public var present: Set<EntityRef>? { presentTargets.map { Set($0.keys) } }
    /// `true`: a target in `present` is referenced by its entry's `fullUrl`, `urn:uuid:<id>`
    /// (transaction and collection bundles). Otherwise, and for targets not present, `Type/id`.
    public let localURN: Bool
    /// The resource id and the reference of every entity present, made once per bundle: each is
    /// needed for the resource, every reference to it and its provenance target, and one lookup here
    /// answers "present?", "which id?" and "which reference?".
    let presentTargets: [EntityRef: Target]?

    struct Target: Hashable, Sendable {
        let id: String
        let reference: JSON
    }

    public init(present: Set<EntityRef>?, localURN: Bool) {
        self.localURN = localURN
        presentTargets = present.map { refs in
            var targets: [EntityRef: Target] = [:]
            targets.reserveCapacity(refs.count)
            for ref in refs {
                let type = ref.kind.fhirResourceType
                let id = ResourceID.derive(resourceType: type, key: ref.key)
                targets[ref] = Target(
                    id: id, reference: Self.reference(type: type, id: id, present: true, localURN: localURN))
            }
            return targets
        }
    }

    /// The id of `ref`'s resource: from `presentTargets` when it is present, else derived.
    func id(_ ref: EntityRef) -> String { presentTargets?[ref]?.id ?? ResourceID.derive(ref) }

    /// `Type/id` for every target, with no presence check.
    public static let relative = ReferenceScheme(present: nil, localURN: false)

    /// `{"reference": "urn:uuid:<id>"}` or `{"reference": "Type/id"}`.
    func reference(type: String, id: String, present: Bool) -> JSON {
        Self.reference(type: type, id: id, present: present, localURN: localURN)
    }

    private static func reference(type: String, id: String, present: Bool, localURN: Bool) -> JSON {
        let text = present && localURN ? "urn:uuid:" + id : type + "/" + id
        return .object(JSONObject(["reference": .string(text)]))
    }
}

/// Maps canonical records to FHIR R4 resources, one function per kind of record.
///
/// Each function returns the resource as a `JSONObject` with `resourceType` first, then `id`
/// (`ResourceID.derive`) and the elements in the order of the R4 StructureDefinition, plus the
/// diagnostics found. Output never holds empty strings, arrays or objects. Required elements the
/// source lacks hold a data-absent-reason extension instead of invented data.
///
///     let (resource, diagnostics) = FHIRMapper().patient(patient)
///     resource["resourceType"]   // "Patient"
public struct FHIRMapper: Sendable {
    public var references: ReferenceScheme

    public init(references: ReferenceScheme = .relative) {
        self.references = references
    }

    func context(_ location: SourceLocation?) -> MappingContext {
        MappingContext(scheme: references, location: location)
    }

    func start<Entity: ClinicalEntity>(_ entity: Entity) -> (ElementBuilder, MappingContext) {
        (
            ElementBuilder(resourceType: Entity.kind.fhirResourceType, id: references.id(entity.ref)),
            context(entity.source)
        )
    }
}
