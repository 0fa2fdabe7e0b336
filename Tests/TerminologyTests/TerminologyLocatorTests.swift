import Foundation
import Terminology
import TestSupport
import Testing

@Suite("Terminology locator")
struct TerminologyLocatorTests {
    @Test func findsTheRepositoryFolderFromASubfolder() throws {
        let start = Repository.url("Sources/Terminology")
        let found = try #require(TerminologyLocator.findDirectory(startingAt: start))
        #expect(found.standardizedFileURL.path == Repository.url("Terminology").standardizedFileURL.path)
    }

    @Test func v2TableSpellings() {
        #expect(V2Table.normalize("HL70001") == "0001")
        #expect(V2Table.normalize("HL7-0354") == "0354")
        #expect(V2Table.normalize("HL0207") == "0207")
        #expect(V2Table.normalize(" 78 ") == "0078")
        #expect(V2Table.normalize("http://hl7.org/fhir/v2/0203") == "0203")
        #expect(V2Table.normalize("HL712345") == nil)
        #expect(V2Table.normalize("LN") == nil)
    }
}
