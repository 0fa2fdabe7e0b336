import ClinicalModel
import Foundation
import Testing

/// The payers section (issue 18): each Policy Activity of a Coverage Activity is a Coverage with
/// its payer organization, type, status, member id, relationship and period.
struct CCDACoverageTests {
    static let payers = """
        <component><section><templateId root="2.16.840.1.113883.10.20.22.2.18" extension="2015-08-01"/>
          <code code="48768-6" codeSystem="2.16.840.1.113883.6.1"/><title>Insurance</title>
          <text>Good Health Insurance, member 1138345</text>
          <entry typeCode="DRIV"><act classCode="ACT" moodCode="EVN">
            <templateId root="2.16.840.1.113883.10.20.22.4.60" extension="2015-08-01"/>
            <id root="1fe2cdd0-7aad-11db-9fe1-0800200c9a66"/>
            <code code="48768-6" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="completed"/>
            <entryRelationship typeCode="COMP"><sequenceNumber value="1"/>
              <act classCode="ACT" moodCode="EVN">
                <templateId root="2.16.840.1.113883.10.20.22.4.61" extension="2015-08-01"/>
                <id root="3e676a50-7aac-11db-9fe1-0800200c9a66"/>
                <code code="SELF" codeSystem="2.16.840.1.113883.5.4"/>
                <statusCode code="completed"/>
                <performer typeCode="PRF"><templateId root="2.16.840.1.113883.10.20.22.4.87"/>
                  <assignedEntity><id root="2.16.840.1.113883.19"/>
                    <code code="PAYOR" codeSystem="2.16.840.1.113883.5.110"/>
                    <representedOrganization><name>Good Health Insurance</name>
                      <telecom value="tel:+1(555)555-1515" use="WP"/>
                    </representedOrganization>
                  </assignedEntity></performer>
                <participant typeCode="COV"><templateId root="2.16.840.1.113883.10.20.22.4.89"/>
                  <time><low value="20110101"/><high value="20121231"/></time>
                  <participantRole classCode="PAT">
                    <id root="14d4a520-7aae-11db-9fe1-0800200c9a66" extension="1138345"/>
                    <code code="SELF" codeSystem="2.16.840.1.113883.5.111"/>
                  </participantRole></participant>
              </act></entryRelationship>
          </act></entry>
        </section></component>
        """

    @Test func aPolicyActivityIsACoverage() throws {
        let (record, _) = try Fixtures.read(CCDAIssue18DefectTests.document(Self.payers))
        #expect(record.coverages.count == 1)
        let coverage = try #require(record.coverages.first)
        #expect(coverage.patient == record.patients.first?.ref)
        #expect(coverage.status == "active")
        #expect(coverage.type?.codings.first?.code == "SELF")
        #expect(coverage.subscriberId == "1138345")
        #expect(coverage.relationship?.codings.first?.code == "self")
        #expect(
            coverage.relationship?.codings.first?.system
                == "http://terminology.hl7.org/CodeSystem/subscriber-relationship")
        #expect(coverage.period?.start?.fhir == "2011-01-01")
        #expect(coverage.period?.end?.fhir == "2012-12-31")
        let payor = try #require(coverage.payor)
        #expect(record.organizations.first { $0.ref == payor }?.name == "Good Health Insurance")
        #expect(coverage.identifiers.first?.value == "urn:uuid:3e676a50-7aac-11db-9fe1-0800200c9a66")
    }
}
