import CCDA
import ClinicalModel
import Foundation
import Terminology
import Testing

/// Untrusted XML: entity declarations (billion laughs, XXE) are refused before parsing, size and
/// depth are limited, malformed input fails with a line, and no error quotes the document.
struct XMLHardeningTests {
    static let sentinel = "ZZSENTINEL"

    static let minimal = """
        <ClinicalDocument xmlns="urn:hl7-org:v3">
          <id root="2.16.840.1.113883.19.5" extension="\(sentinel)"/>
          <recordTarget><patientRole>
            <id root="2.16.840.1.113883.19.5" extension="\(sentinel)"/></patientRole></recordTarget>
        </ClinicalDocument>
        """

    func error(_ text: String, limits: CCDALimits = CCDALimits()) throws -> SourceError {
        let reader = try CCDAReader(
            terminology: Fixtures.terminology, mappingsDirectory: Fixtures.mappings, limits: limits)
        do {
            _ = try reader.read(Array(text.utf8), inputName: "in.xml", digest: nil)
        } catch {
            #expect(!error.description.contains(Self.sentinel))
            return error
        }
        Issue.record("expected an error")
        throw CancellationError()
    }

    @Test func billionLaughsIsRefusedBeforeParsing() throws {
        let text = """
            <?xml version="1.0"?>
            <!DOCTYPE ClinicalDocument [
              <!ENTITY lol "\(Self.sentinel)">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
            ]>
            <ClinicalDocument xmlns="urn:hl7-org:v3"><title>&lol3;</title></ClinicalDocument>
            """
        let error = try error(text)
        #expect(error.kind == .entityDeclarationRefused)
        #expect(error.location == .xml(xpath: "/", line: 3))
    }

    @Test func externalEntityIsRefused() throws {
        let text = """
            <?xml version="1.0"?>
            <!DOCTYPE ClinicalDocument [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
            <ClinicalDocument xmlns="urn:hl7-org:v3"><title>&xxe;</title></ClinicalDocument>
            """
        let error = try error(text)
        #expect(error.kind == .externalEntityRefused)
        #expect(error.location == .xml(xpath: "/", line: 2))
    }

    @Test func parameterEntityInUTF16IsRefused() throws {
        let text = "<!DOCTYPE a [ <!ENTITY % p SYSTEM \"http://example.invalid/x.dtd\"> %p; ]><a/>"
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let reader = Fixtures.reader
        #expect(throws: SourceError.self) { try reader.read(bytes, inputName: "in.xml", digest: nil) }
        do {
            _ = try reader.read(bytes, inputName: "in.xml", digest: nil)
        } catch {
            #expect(error.kind == .externalEntityRefused)
        }
    }

    @Test func doctypeWithoutEntitiesIsRead() throws {
        let text = "<!DOCTYPE ClinicalDocument>\n" + Self.minimal
        let (record, _) = try Fixtures.read(text)
        #expect(record.patients.count == 1)
    }

    @Test func documentOverTheSizeLimitIsRefused() throws {
        let error = try error(Self.minimal, limits: CCDALimits(maxDocumentBytes: 64))
        #expect(error.kind == .documentTooLarge)
    }

    @Test func documentDeeperThanTheLimitIsRefusedWithItsPosition() throws {
        let error = try error(Self.minimal, limits: CCDALimits(maxDepth: 2))
        #expect(error.kind == .documentTooDeep)
        #expect(error.location == .xml(xpath: "/ClinicalDocument[1]/recordTarget[1]/patientRole[1]", line: 3))
    }

    @Test(arguments: [300, 5000])
    func pathologicalNestingIsRefused(depth: Int) throws {
        let text =
            "<ClinicalDocument xmlns=\"urn:hl7-org:v3\">" + String(repeating: "<a>", count: depth)
            + String(repeating: "</a>", count: depth) + "</ClinicalDocument>"
        let error = try error(text)
        #expect(error.kind == .documentTooDeep)
    }

    @Test func malformedXMLFailsWithItsLine() throws {
        let text = "<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n<title>\(Self.sentinel)</titel>\n</ClinicalDocument>"
        let error = try error(text)
        #expect(error.kind == .xmlNotWellFormed)
        #expect(error.location == .xml(xpath: "/", line: 2))
        #expect(error.input == "in.xml")
    }

    @Test(arguments: ["", "   ", "MSH|^~\\&|", "<\(sentinel)"])
    func nonXMLFails(_ text: String) throws {
        #expect(try error(text).kind == .xmlNotWellFormed)
    }

    @Test func otherXMLIsNotAClinicalDocument() throws {
        let error = try error("<Bundle xmlns=\"http://hl7.org/fhir\"><id value=\"\(Self.sentinel)\"/></Bundle>")
        #expect(error.kind == .notAClinicalDocument)
        #expect(error.location == .xml(xpath: "/Bundle[1]", line: 1))
    }

    @Test func clinicalDocumentOutsideTheHL7NamespaceIsNotAClinicalDocument() throws {
        #expect(try error("<ClinicalDocument><id root=\"1.2\"/></ClinicalDocument>").kind == .notAClinicalDocument)
    }

    @Test func readersOnManyThreadsAgree() async throws {
        let bytes = Array(try Data(contentsOf: Fixtures.samples.appendingPathComponent("ccd-all-sections.xml")))
        let expected = try Fixtures.reader.read(bytes, inputName: "x", digest: nil).0
        try await withThrowingTaskGroup(of: ClinicalRecord.self) { group in
            for _ in 0..<8 {
                group.addTask { try Fixtures.reader.read(bytes, inputName: "x", digest: nil).0 }
            }
            for try await record in group { #expect(record == expected) }
        }
    }
}
