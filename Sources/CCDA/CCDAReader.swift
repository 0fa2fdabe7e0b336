import ClinicalModel
import Foundation
import MappingSpec
import Terminology

/// Reads HL7 C-CDA R2.1 (and R1.1) documents into the canonical `ClinicalRecord`, the same model
/// the HL7 v2 and CSV sources produce, so nothing after this stage knows C-CDA.
///
///     let reader = try CCDAReader(terminology: store, mappingsDirectory: home.appendingPathComponent("Mappings"))
///     let (record, diagnostics) = try reader.read(bytes, inputName: "ccd.xml", digest: sha256Hex)
///
/// Parsing uses libxml2 hardened for untrusted input (no network, no DTD loading, no entity
/// expansion, documents declaring entities refused, size and depth limits; see `CCDALimits`).
/// The header gives the patient, authors, custodian and encompassing encounter; sections are
/// recognised by templateId (with or without its version extension) or LOINC code through
/// `Mappings/ccda/templates.yaml`, entries by templateId; codes, statuses and uses go through
/// `Mappings/ccda/vocabulary.yaml`. Every record keeps its positional XPath and line; errors and
/// diagnostics carry positions and code-system facts, never document content.
public struct CCDAReader: Sendable {
    public let limits: CCDALimits
    /// The zone given to times that carry none (FHIR requires one), as `±hh:mm`.
    public let defaultZone: String
    let terminology: TerminologyStore
    let mappings: CCDAMappings

    /// Loads and checks `Mappings/ccda`.
    ///
    /// - Parameters:
    ///   - mappingsDirectory: the `Mappings/` folder (its `ccda/` subfolder is read), or the
    ///     `ccda/` folder itself.
    ///   - limits: size and depth limits per document.
    ///   - defaultZone: zone for times without one (`+00:00` unless set, as for HL7 v2).
    /// - Throws: `MappingLoadError` as `ccda/<file>:<line>: <problem>`.
    public init(
        terminology: TerminologyStore, mappingsDirectory: URL, limits: CCDALimits = CCDALimits(),
        defaultZone: String = "+00:00"
    ) throws(MappingLoadError) {
        let folder =
            mappingsDirectory.lastPathComponent == "ccda"
            ? mappingsDirectory : mappingsDirectory.appendingPathComponent("ccda")
        self.mappings = try CCDAMappings.load(from: folder)
        self.terminology = terminology
        self.limits = limits
        self.defaultZone = defaultZone
    }

    /// Reads one document into one record: `document.format` `.ccda`, index 1, `controlID` the
    /// `ClinicalDocument/id` (`root|extension`), `type` the document type (`CCD`,
    /// `DischargeSummary`, …, else its LOINC code), `recorded` its `effectiveTime`, `digest` as given.
    ///
    /// - Parameters:
    ///   - bytes: the document (any encoding libxml2 detects from its declaration or BOM).
    ///   - inputName: the file name, used in positions and errors (never content).
    ///   - digest: SHA-256 hex of `bytes`, computed by the caller.
    /// - Returns: the record and every diagnostic (unmapped sections and codes, duplicates, values
    ///   that could not be read), each with its positional XPath and line.
    /// - Throws: `SourceError` located `.xml(xpath:line:)`: `documentTooLarge`, `documentTooDeep`,
    ///   `entityDeclarationRefused`, `externalEntityRefused`, `xmlNotWellFormed`,
    ///   `notAClinicalDocument`.
    public func read(_ bytes: [UInt8], inputName: String, digest: String?) throws(SourceError)
        -> (ClinicalRecord, [Diagnostic])
    {
        let document = try XMLDocument(parsing: bytes, limits: limits, inputName: inputName)
        let reader = try read(document, inputName: inputName, digest: digest)
        return (reader.record, reader.diagnostics)
    }

    /// Reads one document as `read(_:inputName:digest:)` does, then accounts for it: every
    /// element and attribute with data is carried, declared not carried (with the reason from
    /// `Mappings/ccda`), or unaccounted (see `DocumentAccountant`).
    ///
    /// - Returns: the record, the diagnostics and the account, whose paths are element paths
    ///   (`/ClinicalDocument/recordTarget/patientRole/patient/name/given`), never values.
    public func readAccounted(_ bytes: [UInt8], inputName: String, digest: String?) throws(SourceError)
        -> (ClinicalRecord, [Diagnostic], SourceAccount)
    {
        let document = try XMLDocument(parsing: bytes, limits: limits, inputName: inputName)
        let reader = try read(document, inputName: inputName, digest: digest)
        return (reader.record, reader.diagnostics, reader.account())
    }

    /// Reads a parsed document: the header, then the body.
    func read(_ document: XMLDocument, inputName: String, digest: String?) throws(SourceError) -> DocumentReader {
        guard let root = document.root, root.isElement("ClinicalDocument") else {
            let path = document.root.map { "/" + $0.name + "[1]" } ?? "/"
            throw SourceError(
                .notAClinicalDocument, at: .xml(xpath: path, line: document.root?.line), input: inputName)
        }
        let reader = DocumentReader(
            document: document, mappings: mappings, terminology: terminology, defaultZone: defaultZone,
            inputName: inputName, digest: digest)
        if let line = document.namespaceErrorLine {
            reader.diagnose(.warning, .xmlNamespaceError, at: .xml(xpath: "/", line: line))
        }
        reader.readHeader(root)
        reader.readBody(root)
        return reader
    }
}
