import CCDA
import ClinicalModel
import Foundation
import Testing

/// The C-CDA source account on a document of our own: what the reader consumes is carried, what
/// `Mappings/ccda/account.yaml` or the reader declares is declared with its reason, and what
/// nobody decided about is unaccounted, by element path and never by value.
struct CCDASourceAccountTests {
    static let body = "/ClinicalDocument/component/structuredBody/component/section"

    /// A CCD with a Medications section holding a medication, a negated medication, an entry
    /// mapped as ignored (Goal Observation) and an entry of a template no mapping knows.
    static let document = """
        <ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <templateId root="2.16.840.1.113883.10.20.22.1.2" extension="2015-08-01"/>
          <id root="2.16.840.1.113883.19.5" extension="ACCOUNT-1"/>
          <code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/>
          <effectiveTime value="20240101"/>
          <recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="P-1"/>
            <patient><name><given>Ada</given><family>Quill</family></name>
              <birthTime value="19700101"/></patient></patientRole></recordTarget>
          <informant><assignedEntity><id root="2.16.840.1.113883.19.5" extension="INF-1"/></assignedEntity></informant>
          <component><structuredBody><component><section>
            <templateId root="2.16.840.1.113883.10.20.22.2.1.1"/>
            <code code="10160-0" codeSystem="2.16.840.1.113883.6.1"/>
            <title>Medications</title>
            <text>aspirin, daily</text>
            <entry><substanceAdministration classCode="SBADM" moodCode="EVN">
              <templateId root="2.16.840.1.113883.10.20.22.4.16"/>
              <id root="2.16.840.1.113883.19.5" extension="MED-1"/>
              <statusCode code="active"/>
              <effectiveTime xsi:type="IVL_TS"><low value="20230101"/></effectiveTime>
              <consumable><manufacturedProduct><manufacturedMaterial>
                <code code="1191" codeSystem="2.16.840.1.113883.6.88"/>
              </manufacturedMaterial></manufacturedProduct></consumable>
            </substanceAdministration></entry>
            <entry><substanceAdministration classCode="SBADM" moodCode="EVN" negationInd="true">
              <templateId root="2.16.840.1.113883.10.20.22.4.16"/>
              <id root="2.16.840.1.113883.19.5" extension="MED-2"/>
              <consumable><manufacturedProduct><manufacturedMaterial>
                <code code="7052" codeSystem="2.16.840.1.113883.6.88"/>
              </manufacturedMaterial></manufacturedProduct></consumable>
            </substanceAdministration></entry>
            <entry><observation classCode="OBS" moodCode="GOL">
              <templateId root="2.16.840.1.113883.10.20.22.4.121"/>
              <code code="58144-7" codeSystem="2.16.840.1.113883.6.1"/>
            </observation></entry>
            <entry><observation classCode="OBS" moodCode="EVN">
              <templateId root="1.2.3.4.5.6.7"/>
              <code code="ZZ-1" codeSystem="1.2.3.4.5.6.8"/>
            </observation></entry>
          </section></component></structuredBody></component>
        </ClinicalDocument>
        """

    static func account() throws -> (ClinicalRecord, [Diagnostic], SourceAccount) {
        try Fixtures.reader.readAccounted(Array(document.utf8), inputName: "account.xml", digest: nil)
    }

    @Test func consumedElementsAreCarried() throws {
        let (record, _, account) = try Self.account()
        #expect(record.medications.count == 1)
        #expect(account.carried["/ClinicalDocument/recordTarget/patientRole/patient/name/given"] == 1)
        #expect(account.carried["/ClinicalDocument/recordTarget/patientRole/patient/birthTime/@value"] == 1)
        let product = Self.body + "/entry/substanceAdministration/consumable/manufacturedProduct/manufacturedMaterial"
        // the medication taken is carried; the negated one is declared
        #expect(account.carried[product + "/code/@code"] == 1)
        #expect(account.declared[product + "/code/@code"] == 1)
    }

    @Test func structureAndNarrativeAreDeclaredByRule() throws {
        let (_, _, account) = try Self.account()
        let entry = Self.body + "/entry/substanceAdministration"
        #expect(account.declared[entry + "/@classCode"] == 2)
        #expect(account.reasons[entry + "/@classCode"]?.contains("RIM class code") == true)
        #expect(account.declared[entry + "/templateId/@root"] == 2)
        #expect(account.declared[Self.body + "/text"] == 1)
        #expect(account.reasons[Self.body + "/text"]?.contains("section narrative") == true)
        #expect(account.declared["/ClinicalDocument/informant/assignedEntity/id/@extension"] == 1)
        #expect(
            account.reasons["/ClinicalDocument/informant/assignedEntity/id/@extension"]?.contains("informant") == true)
    }

    @Test func entriesNotConvertedAreDeclaredOrUnaccounted() throws {
        let (_, diagnostics, account) = try Self.account()
        let kinds = Set(diagnostics.map(\.kind))
        #expect(kinds.contains(.negatedEntryNotMapped))
        #expect(kinds.contains(.entryNotMapped))
        #expect(kinds.contains(.entryNotRecognised))
        // negated: declared with the reason, never silently dropped
        let negated = Self.body + "/entry/substanceAdministration/@negationInd"
        #expect(account.declared[negated] == 1)
        #expect(account.reasons[negated]?.contains("negated statement") == true)
        // mapped as ignored: declared with its template and the mapping
        let goal = Self.body + "/entry/observation/code/@code"
        #expect(account.declared[goal] == 1)
        #expect(account.reasons[goal]?.contains("2.16.840.1.113883.10.20.22.4.121") == true)
        // no mapping decided anything about this template: unaccounted
        #expect(account.unaccounted[goal] == 1)
        #expect(account.unaccounted[Self.body + "/entry/observation/code/@codeSystem"] == 1)
        #expect(!account.isComplete)
    }

    @Test func theAccountNamesNoValue() throws {
        let (_, _, account) = try Self.account()
        let paths = Set(account.carried.keys).union(account.declared.keys).union(account.unaccounted.keys)
        let text = (paths.sorted() + account.reasons.values.sorted()).joined(separator: "\n")
        for value in ["Ada", "Quill", "19700101", "P-1", "MED-1", "1191", "ZZ-1", "aspirin"] {
            #expect(!text.contains(value), "the account names a value")
        }
    }

    @Test func everyElementWithDataIsCountedOnce() throws {
        let (_, _, account) = try Self.account()
        // attributes with a value plus elements with text of their own, counted by hand
        let attributes = Self.document.matches(of: /[A-Za-z:]+="[^"]+"/).count
        let texts = ["Ada", "Quill", "Medications", "aspirin, daily"].count
        let namespaceDeclarations = 2
        #expect(account.totals.all == attributes - namespaceDeclarations + texts)
    }
}
