import ClinicalModel
import Terminology

/// Names code systems for a clinician and decides whether a coding counts as mapped.
///
/// A coding is *mapped* when its system is a known standard (a friendly name below, an HL7 or FHIR
/// code system, or a system with a table in `Terminology/`) and it carries a display. A local or
/// unknown system, a missing system or a missing display marks it unmapped on the chart.
///
///     names.name(for: "http://loinc.org")          // "LOINC"
///     names.isMapped(Coding(system: "LOCAL", code: "X1", display: "Thing"))   // false
public struct CodeSystemNames: Sendable {
    /// Well-known systems (FHIR R4 terminologies-systems, HL7 Terminology).
    static let friendly: [String: String] = [
        "http://loinc.org": "LOINC",
        "http://snomed.info/sct": "SNOMED CT",
        "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
        "http://hl7.org/fhir/sid/cvx": "CVX",
        "http://hl7.org/fhir/sid/mvx": "MVX",
        "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
        "http://hl7.org/fhir/sid/icd-10": "ICD-10",
        "http://www.cms.gov/Medicare/Coding/ICD10": "ICD-10-PCS",
        "http://hl7.org/fhir/sid/icd-9-cm": "ICD-9-CM",
        "http://hl7.org/fhir/sid/icd-9": "ICD-9",
        "http://www.ama-assn.org/go/cpt": "CPT",
        "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets": "HCPCS",
        "http://hl7.org/fhir/sid/ndc": "NDC",
        "http://unitsofmeasure.org": "UCUM",
        "urn:oid:2.16.840.1.113883.6.238": "CDC Race & Ethnicity",
        "http://nucc.org/provider-taxonomy": "NUCC",
        "http://www.whocc.no/atc": "ATC",
        "urn:ietf:bcp:47": "BCP 47 language",
        "urn:iso:std:iso:3166": "ISO 3166",
        "http://dicom.nema.org/resources/ontology/DCM": "DICOM",
        "http://hl7.org/fhir/sid/us-npi": "NPI",
        "http://hl7.org/fhir/administrative-gender": "FHIR gender",
        "http://hl7.org/fhir/sid/us-ssn": "US SSN",
        "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl": "NCI Thesaurus",
        "http://ncimeta.nci.nih.gov": "NCI Metathesaurus",
        "http://fdasis.nlm.nih.gov": "UNII",
        "http://hl7.org/fhir/ndfrt": "NDF-RT",
        "http://www.radlex.org": "RadLex",
        "http://terminology.hl7.org/CodeSystem/mdr": "MedDRA",
        "urn:iso:std:iso:11073:10101": "ISO 11073 MDC",
        "http://www.nubc.org/patient-discharge": "NUBC discharge status",
        "http://hl7.org/fhir/sid/dsm5": "DSM-5",
        "http://www.nlm.nih.gov/research/umls": "UMLS",
    ]

    let terminology: TerminologyStore?

    /// - Parameter terminology: when given, system spellings are normalized through it (OIDs, v2 names)
    ///   and any system with a table in `Terminology/` counts as known.
    public init(terminology: TerminologyStore? = nil) { self.terminology = terminology }

    /// The system's canonical URI (through the terminology store when there is one).
    public func canonical(_ system: String?) -> String? {
        guard let system, !system.trimmingSpaces().isEmpty else { return nil }
        return terminology?.normalizeSystem(system) ?? system
    }

    /// A short name for a system: `LOINC`, `HL7 v2 table 0078`, `HL7 v3 ActCode`; the URI itself when unknown.
    public func name(for system: String?) -> String {
        guard let uri = canonical(system) else { return "no system" }
        if let name = Self.friendly[uri] { return name }
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
        if Self.friendly[uri] != nil { return true }
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
