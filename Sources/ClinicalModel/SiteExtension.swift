/// A value a site's map carries that the canonical model has no field for (a Z-segment field):
/// written as a FHIR extension with the site's URL on the resource of the record it belongs to,
/// read back from it by the reverse mapping, and hashed with that record.
///
/// Records live on `ClinicalRecord.siteExtensions` (not on each kind), so that no kind's fields
/// change: `target` names the record, `url` is the site's extension URL (absolute, outside
/// hl7.org/fhir and fhirbridge's own namespace, checked when the map loads).
///
///     SiteExtension(target: patient.ref, url: "https://example.org/fhir/StructureDefinition/vip",
///                   value: .coding(Coding(system: nil, code: "Y")))
public struct SiteExtension: Hashable, Sendable, Codable {
    /// The typed value, one of the FHIR `value[x]` types an extension may take that a v2 field gives.
    public enum Value: Hashable, Sendable, Codable {
        /// `valueString`
        case text(String)
        /// `valueCoding`
        case coding(Coding)
        /// `valueCodeableConcept`
        case concept(Concept)
        /// `valueIdentifier`
        case identifier(Identifier)
        /// `valueDateTime`
        case dateTime(ClinicalDateTime)
        /// `valueDecimal`
        case decimal(DecimalValue)
    }

    public var target: EntityRef
    public var url: String
    public var value: Value

    public init(target: EntityRef, url: String, value: Value) {
        self.target = target
        self.url = url
        self.value = value
    }

    /// Whether an extension URL can be a site's: absolute `http(s)` or `urn:`, without white space,
    /// and outside the namespaces whose extensions fhirbridge writes itself (`http://hl7.org/fhir/`,
    /// `http://fhirbridge.dev/`), so that the reverse mapping can tell the site's apart.
    public static func isSiteURL(_ url: String) -> Bool {
        guard !url.contains(where: \.isWhitespace), url.count <= 1024 else { return false }
        let lower = url.lowercased()
        for reserved in reservedPrefixes where lower.hasPrefix(reserved) { return false }
        if lower.hasPrefix("urn:") { return lower.count > 4 }
        for scheme in ["https://", "http://"] where lower.hasPrefix(scheme) {
            let host = lower.dropFirst(scheme.count).prefix { $0 != "/" }
            return host.contains(".") && !host.hasPrefix(".") && !host.hasSuffix(".")
        }
        return false
    }

    /// Namespaces whose extensions are fhirbridge's own (or HL7's): never a site's.
    public static let reservedPrefixes = [
        "http://hl7.org/fhir/", "https://hl7.org/fhir/", "http://terminology.hl7.org/", "http://fhirbridge.dev/",
        "https://fhirbridge.dev/",
    ]
}
