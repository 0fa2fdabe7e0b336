import ClinicalModel
import Foundation
import Testing

/// Issue 18's C-CDA defects, each on a document of our own: an organization's telecom and address
/// never of use `home` (org-3, org-2), CVX under its FHIR URI whichever OID the document names,
/// the encounter class's display from the ActCode code system, and no Practitioner made of nothing.
struct CCDAIssue18DefectTests {
    static func document(header: String = "", _ sections: String = "") -> String {
        """
        <ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <templateId root="2.16.840.1.113883.10.20.22.1.2" extension="2015-08-01"/>
          <id root="2.16.840.1.113883.19.5" extension="DEFECT-18"/>
          <code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/>
          <effectiveTime value="20240101"/>
          <recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="P-18"/>
            <patient><name><given>Ada</given><family>Quill</family></name></patient>
          </patientRole></recordTarget>
          \(header)
          <component><structuredBody>\(sections)</structuredBody></component>
        </ClinicalDocument>
        """
    }

    @Test func anOrganizationsHomeTelecomAndAddressBecomeWork() throws {
        let custodian = """
            <custodian><assignedCustodian><representedCustodianOrganization>
              <id root="2.16.840.1.113883.19.5" extension="ORG-1"/><name>Clinic</name>
              <telecom use="HP" value="tel:+1-555-555-1000"/><telecom use="WP" value="tel:+1-555-555-1001"/>
              <addr use="H"><streetAddressLine>1 Main St</streetAddressLine><city>Town</city></addr>
            </representedCustodianOrganization></assignedCustodian></custodian>
            """
        let (record, _) = try Fixtures.read(Self.document(header: custodian))
        let organization = try #require(record.organizations.first)
        #expect(organization.telecom.map(\.use) == ["work", "work"])
        #expect(organization.addresses.map(\.use) == ["work"])
        // the patient's own home telecom and address are untouched
        let (patientRecord, _) = try Fixtures.read(
            Self.document().replacingOccurrences(
                of: "<patient>", with: "<telecom use=\"HP\" value=\"tel:+1-555-555-2000\"/><patient>"))
        #expect(patientRecord.patients.first?.telecom.map(\.use) == ["home"])
    }

    @Test func cvxNamedByEitherOIDIsCVX() throws {
        func immunization(_ oid: String) -> String {
            """
            <component><section><templateId root="2.16.840.1.113883.10.20.22.2.2.1"/>
              <code code="11369-6" codeSystem="2.16.840.1.113883.6.1"/>
              <entry><substanceAdministration classCode="SBADM" moodCode="EVN" negationInd="false">
                <templateId root="2.16.840.1.113883.10.20.22.4.52"/>
                <id root="2.16.840.1.113883.19.5" extension="IMM-\(oid)"/>
                <statusCode code="completed"/><effectiveTime value="20230101"/>
                <consumable><manufacturedProduct><manufacturedMaterial>
                  <code code="88" codeSystem="\(oid)"/>
                </manufacturedMaterial></manufacturedProduct></consumable>
              </substanceAdministration></entry>
            </section></component>
            """
        }
        for oid in ["2.16.840.1.113883.6.59", "2.16.840.1.113883.12.292"] {
            let (record, _) = try Fixtures.read(Self.document(immunization(oid)))
            let coding = try #require(record.immunizations.first?.vaccine?.codings.first)
            #expect(coding.system == "http://hl7.org/fhir/sid/cvx", "\(oid)")
            #expect(coding.code == "88")
        }
        // CVX is written back as the FHIR registry's OID, 12.292
        #expect(Fixtures.terminology.oid(forSystemURI: "http://hl7.org/fhir/sid/cvx") == "2.16.840.1.113883.12.292")
    }

    @Test func theEncounterClassDisplayIsTheCodeSystems() throws {
        let encounter = """
            <componentOf><encompassingEncounter>
              <id root="2.16.840.1.113883.19.5" extension="ENC-1"/>
              <code code="IMP" codeSystem="2.16.840.1.113883.5.4" displayName="Inpatient"/>
              <effectiveTime><low value="20240101"/></effectiveTime>
            </encompassingEncounter></componentOf>
            """
        let (record, diagnostics) = try Fixtures.read(Self.document(header: encounter))
        let patientClass = try #require(record.encounters.first?.patientClass)
        #expect(patientClass.code == "IMP")
        #expect(patientClass.system == "http://terminology.hl7.org/CodeSystem/v3-ActCode")
        let official = Fixtures.terminology.codeSystems.display(
            system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "IMP")
        #expect(official != nil && official != "Inpatient")
        #expect(patientClass.display == official)
        #expect(diagnostics.contains { $0.kind == .displayMismatch && $0.code == "IMP" })
    }

    @Test func anAuthorWithOnlyNullFlavorsIsNoPractitioner() throws {
        let section = """
            <component><section><templateId root="2.16.840.1.113883.10.20.22.2.5.1"/>
              <code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/>
              <entry><act classCode="ACT" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.3"/>
                <code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
                <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">
                  <templateId root="2.16.840.1.113883.10.20.22.4.4"/>
                  <id root="2.16.840.1.113883.19.5" extension="PRB-1"/>
                  <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/>
                  <effectiveTime><low value="20200101"/></effectiveTime>
                  <value xsi:type="CD" code="195967001" codeSystem="2.16.840.1.113883.6.96"/>
                  <author><time value="20230101"/><assignedAuthor><id nullFlavor="UNK"/>
                    <addr nullFlavor="UNK"><city nullFlavor="UNK"/></addr><telecom nullFlavor="UNK"/>
                    <assignedPerson><name nullFlavor="UNK"/></assignedPerson>
                  </assignedAuthor></author>
                </observation></entryRelationship>
              </act></entry>
            </section></component>
            """
        let (record, _) = try Fixtures.read(Self.document(section))
        #expect(record.conditions.count == 1)
        #expect(record.conditions.first?.recorder == nil)
        #expect(record.practitioners.isEmpty)
        // a named author is still a Practitioner, and the recorder
        let named = section.replacingOccurrences(
            of: "<name nullFlavor=\"UNK\"/>", with: "<name><given>Rae</given><family>Moss</family></name>")
        let (withName, _) = try Fixtures.read(Self.document(named))
        #expect(withName.practitioners.count == 1)
        #expect(withName.conditions.first?.recorder == withName.practitioners.first?.ref)
    }
}
