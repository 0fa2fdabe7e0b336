import ClinicalModel
import FHIRMapping
import FHIRR4

/// Canonical records to FHIR R4 JSON with a run's bundle type: what every sink emits through.
/// It is a value a sink holds, so a sink needs nothing else of the engine.
///
///     let emitter = FHIREmitter(bundleType: .collection)
///     let (bytes, diagnostics) = emitter.bundleJSON(records)     // pretty, as bundle files are
public struct FHIREmitter: Sendable {
    public let builder: BundleBuilder
    public var bundleType: BundleType
    /// Transaction entries as conditional creates on business identifiers.
    public var conditionalReferences: Bool

    public init(
        builder: BundleBuilder = BundleBuilder(), bundleType: BundleType = .transaction,
        conditionalReferences: Bool = false
    ) {
        self.builder = builder
        self.bundleType = bundleType
        self.conditionalReferences = conditionalReferences
    }

    /// The FHIR Bundle for records, with the emitter's bundle type.
    public func bundle(_ records: [ClinicalRecord]) -> (JSONObject, [Diagnostic]) {
        builder.bundle(records, type: bundleType, conditional: conditionalReferences)
    }

    /// The FHIR Bundle for records, as pretty or compact JSON bytes.
    public func bundleJSON(_ records: [ClinicalRecord], pretty: Bool = true) -> ([UInt8], [Diagnostic]) {
        let (bundle, diagnostics) = bundle(records)
        return (JSONWriter(style: pretty ? .pretty : .compact).bytes(.object(bundle)), diagnostics)
    }

    /// A record's resources (with its Provenance), as NDJSON writes them.
    public func resources(_ record: ClinicalRecord) -> ([JSONObject], [Diagnostic]) {
        builder.resources(record)
    }

    /// Resources by type in a bundle.
    public static func resourceCounts(_ bundle: JSON) -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in bundle["entry"]?.arrayValue ?? [] {
            if let type = entry["resource"]?["resourceType"]?.stringValue { counts[type, default: 0] += 1 }
        }
        return counts
    }
}
