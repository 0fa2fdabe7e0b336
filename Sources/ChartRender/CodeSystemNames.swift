import ClinicalModel
import Terminology

/// Names code systems for a clinician and decides whether a coding counts as mapped.
///
/// Names come from the terminology store (the registry files in `Terminology/systems/`); HL7 and
/// FHIR code systems are named by rule. A coding is *mapped* when its system is a known standard (one
/// the registry names, an HL7 or FHIR code system, or a system with a table in `Terminology/`) and it
/// carries a display. A local or unknown system, a missing system or a missing display marks it
/// unmapped on the chart.
///
///     let names = CodeSystemNames(terminology: engine.terminology)
///     names.name(for: "http://loinc.org")          // "LOINC"
///     names.name(for: "http://terminology.hl7.org/CodeSystem/v2-0078")   // "HL7 v2 table 0078"
///     names.isMapped(Coding(system: "LOCAL", code: "X1", display: "Thing"))   // false
public struct CodeSystemNames: Sendable {
    let terminology: TerminologyStore?

    /// - Parameter terminology: system spellings are normalized through it (OIDs, v2 names), and the
    ///   systems it names or holds a table for count as known. Without one, only HL7 and FHIR code
    ///   systems are known and other systems are shown by URI.
    public init(terminology: TerminologyStore? = nil) { self.terminology = terminology }

    /// The system's canonical URI (through the terminology store when there is one).
    public func canonical(_ system: String?) -> String? {
        guard let system, !system.trimmingSpaces().isEmpty else { return nil }
        return terminology?.normalizeSystem(system) ?? system
    }

    /// A short name for a system: `LOINC`, `HL7 v2 table 0078`, `HL7 v3 ActCode`; the URI itself when unknown.
    public func name(for system: String?) -> String {
        guard let uri = canonical(system) else { return "no system" }
        if let name = terminology?.systemShortName(forURI: uri) { return name }
        let tho = "http://terminology.hl7.org/CodeSystem/"
        if uri.hasPrefix(tho + "v2-") { return "HL7 v2 table " + uri.dropFirst(tho.count + 3) }
        if uri.hasPrefix(tho + "v3-") { return "HL7 v3 " + uri.dropFirst(tho.count + 3) }
        if uri.hasPrefix(tho) { return "HL7 " + uri.dropFirst(tho.count) }
        if uri.hasPrefix("http://hl7.org/fhir/"), !uri.hasPrefix("http://hl7.org/fhir/sid/") {
            return "FHIR " + uri.dropFirst("http://hl7.org/fhir/".count)
        }
        return uri
    }

    /// Whether the system is a standard one this engine knows (not a local name or unknown URI).
    public func isKnown(_ system: String?) -> Bool {
        guard let uri = canonical(system) else { return false }
        if terminology?.systemName(forURI: uri) != nil { return true }
        if uri.hasPrefix("http://terminology.hl7.org/CodeSystem/") { return true }
        if uri.hasPrefix("http://hl7.org/fhir/"), !uri.hasPrefix("http://hl7.org/fhir/sid/") { return true }
        if let terminology, terminology.codeSystems.hasTable(for: uri) { return true }
        return false
    }

    /// A coding is mapped when it has a known system, a code and a display.
    public func isMapped(_ coding: Coding) -> Bool {
        isKnown(coding.system) && !(coding.code ?? "").isEmpty && !(coding.display ?? "").trimmingSpaces().isEmpty
    }

    /// Why a coding is unmapped, in a few words, or `nil` when it is mapped.
    public func unmappedReason(_ coding: Coding) -> String? {
        if canonical(coding.system) == nil { return "no code system" }
        if !isKnown(coding.system) { return "local or unknown code system" }
        if (coding.code ?? "").isEmpty { return "no code" }
        if (coding.display ?? "").trimmingSpaces().isEmpty { return "no display" }
        return nil
    }
}
