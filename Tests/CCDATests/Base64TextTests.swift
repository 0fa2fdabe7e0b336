import ClinicalModel
import Testing

@testable import CCDA

/// A `nonXMLBody` text with `representation="B64"` is decoded leniently (line breaks and spaces
/// inside are ignored, as C-CDA documents wrap it); bytes that are not UTF-8 are reported.
struct Base64TextTests {
    static func document(_ text: String) -> String {
        """
        <ClinicalDocument xmlns="urn:hl7-org:v3">
        <templateId root="2.16.840.1.113883.10.20.22.1.1" extension="2015-08-01"/>
        <templateId root="2.16.840.1.113883.10.20.22.1.10" extension="2015-08-01"/>
        <id root="2.16.840.1.113883.19.5.99999.1" extension="B64"/>
        <code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/>
        <effectiveTime value="20240101"/>
        <recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="P1"/></patientRole></recordTarget>
        <component><nonXMLBody><text mediaType="text/plain" representation="B64">\(text)</text></nonXMLBody></component>
        </ClinicalDocument>
        """
    }

    @Test(arguments: [
        ("SGVsbG8sIHdvcmxk", "Hello, world"),
        ("SGVsbG8s\n  IHdvcmxk\n", "Hello, world"),
        ("SGVs bG8s IHdv cmxk", "Hello, world"),
        ("4pyT", "\u{2713}"),
    ])
    func wrappedBase64IsDecoded(_ encoded: String, _ expected: String) throws {
        let (record, diagnostics) = try Fixtures.read(Self.document(encoded))
        #expect(record.documents.first?.text == expected)
        #expect(!diagnostics.contains { $0.kind == .invalidBase64 })
    }

    @Test(arguments: ["/w==", "SGVsbG8"])
    func bytesThatAreNotUTF8OrNotBase64AreReported(_ encoded: String) throws {
        let (record, diagnostics) = try Fixtures.read(Self.document(encoded))
        #expect(record.documents.first?.text == nil)
        #expect(diagnostics.contains { $0.kind == .invalidBase64 })
    }
}
