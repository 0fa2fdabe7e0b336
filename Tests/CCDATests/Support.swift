import CCDA
import ClinicalModel
import Foundation
import Terminology
import TestSupport
import Testing

/// Paths, the shared reader and corpus helpers for the C-CDA tests (the checkout and the corpus:
/// `TestSupport`).
enum Fixtures {
    static let samples = Repository.url("Samples/ccda")
    static let mappings = Repository.url("Mappings")

    static let terminology: TerminologyStore = {
        do {
            return try TerminologyStore.load(from: Repository.url("Terminology"))
        } catch {
            fatalError("Terminology failed to load: \(error)")
        }
    }()

    static let reader: CCDAReader = {
        do {
            return try CCDAReader(terminology: terminology, mappingsDirectory: mappings)
        } catch {
            fatalError("Mappings/ccda failed to load: \(error)")
        }
    }()

    /// Reads a file as the engine will: bytes in, record and diagnostics out.
    static func read(_ url: URL) throws -> (ClinicalRecord, [Diagnostic]) {
        let bytes = Array(try Data(contentsOf: url))
        return try reader.read(bytes, inputName: url.lastPathComponent, digest: nil)
    }

    static func read(_ text: String, name: String = "test.xml") throws(SourceError) -> (ClinicalRecord, [Diagnostic]) {
        try reader.read(Array(text.utf8), inputName: name, digest: nil)
    }

    /// Regular files under `folder` (recursively), sorted by path.
    static func files(under folder: URL, extensions: Set<String>) -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            return []
        }
        var result: [URL] = []
        for case let url as URL in enumerator where extensions.contains(url.pathExtension.lowercased()) {
            result.append(url)
        }
        return result.sorted { $0.path < $1.path }
    }
}

/// The corpus documents the issue names, and the section-level fragments beside them.
enum Corpus {
    static let fhirConverter = Fixtures.files(under: TestCorpus.url("fhir-converter/ccda"), extensions: ["ccda"])
    static let synthea = Fixtures.files(under: TestCorpus.url("synthea/ccda"), extensions: ["xml"])
    /// Every file of ccda-examples whose root is `ClinicalDocument` (Documents/ plus two elsewhere).
    static let examplesWhole = examples.filter { isWholeDocument($0) }
    static let examplesFragments = examples.filter { !isWholeDocument($0) }
    static let examples = Fixtures.files(under: TestCorpus.url("ccda-examples"), extensions: ["xml"])

    static func isWholeDocument(_ url: URL) -> Bool {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return false }
        return rootName(text) == "ClinicalDocument"
    }

    /// The name of the first element, after the XML declaration, comments and processing instructions.
    static func rootName(_ text: String) -> String? {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[open...]
            if rest.hasPrefix("<?") || rest.hasPrefix("<!--") {
                let terminator = rest.hasPrefix("<?") ? "?>" : "-->"
                guard let end = rest.range(of: terminator) else { return nil }
                rest = rest[end.upperBound...]
                continue
            }
            let name = rest.dropFirst().prefix { !$0.isWhitespace && $0 != ">" && $0 != "/" }
            return String(name)
        }
        return nil
    }

    /// A fragment (a `section`, `component`, `recordTarget` or an entry) placed in a minimal CCD
    /// that declares the namespaces the fragment uses, as ccda-examples' NOTICE describes.
    static func wrap(_ fragment: String) -> String {
        var body = fragment
        if let declaration = body.range(of: #"<\?xml[^>]*\?>"#, options: .regularExpression) {
            body.removeSubrange(declaration)
        }
        let root = rootName(body) ?? ""
        let defaultTarget = """
            <recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="FRAGMENT-PATIENT"/>
            <patient><name><given>Frag</given><family>Ment</family></name></patient></patientRole></recordTarget>
            """
        let header = root == "recordTarget" ? body : defaultTarget
        let sections: String
        switch root {
        case "recordTarget": sections = ""
        case "section": sections = "<component>\(body)</component>"
        case "component": sections = body
        default: sections = "<component><section><entry>\(body)</entry></section></component>"
        }
        return """
            <ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:sdtc="urn:hl7-org:sdtc" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <templateId root="2.16.840.1.113883.10.20.22.1.1" extension="2015-08-01"/>
            <templateId root="2.16.840.1.113883.10.20.22.1.2" extension="2015-08-01"/>
            <id root="2.16.840.1.113883.19.5.99999.1" extension="FRAGMENT"/>
            <code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/>
            <effectiveTime value="20240101"/>
            \(header)
            <component><structuredBody>\(sections)</structuredBody></component>
            </ClinicalDocument>
            """
    }
}

extension ClinicalRecord {
    /// FHIR Observations as the Synthea manifest counts them: each one max(1, components).
    var observationRowCount: Int { observations.reduce(0) { $0 + max(1, $1.components.count) } }
}
