import ClinicalModel
import Foundation
import Testing

/// Issue 17's C-CDA defects, each on a document of our own: entries that share an id but differ
/// stay apart (only a provably identical one is merged), and a problem that is also an encounter
/// diagnosis keeps both categories.
struct CCDADefectTests {
    /// A CCD for patient P-1 whose body is `sections`.
    static func document(patient: String = "", _ sections: String) -> String {
        """
        <ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <templateId root="2.16.840.1.113883.10.20.22.1.2" extension="2015-08-01"/>
          <id root="2.16.840.1.113883.19.5" extension="DEFECT-1"/>
          <code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/>
          <effectiveTime value="20240101"/>
          <recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="P-1"/>
            <patient><name><given>Ada</given><family>Quill</family></name>\(patient)</patient>
          </patientRole></recordTarget>
          <component><structuredBody>\(sections)</structuredBody></component>
        </ClinicalDocument>
        """
    }

    static func medication(id: String, start: String, code: String = "1191") -> String {
        """
        <entry><substanceAdministration classCode="SBADM" moodCode="EVN">
          <templateId root="2.16.840.1.113883.10.20.22.4.16"/>
          <id root="2.16.840.1.113883.19.5" extension="\(id)"/>
          <statusCode code="completed"/>
          <effectiveTime xsi:type="IVL_TS"><low value="\(start)"/></effectiveTime>
          <consumable><manufacturedProduct><manufacturedMaterial>
            <code code="\(code)" codeSystem="2.16.840.1.113883.6.88"/>
          </manufacturedMaterial></manufacturedProduct></consumable>
        </substanceAdministration></entry>
        """
    }

    static func medicationSection(_ entries: String) -> String {
        """
        <component><section><templateId root="2.16.840.1.113883.10.20.22.2.1.1"/>
          <code code="10160-0" codeSystem="2.16.840.1.113883.6.1"/>\(entries)</section></component>
        """
    }

    @Test func entriesThatShareAnIdButDifferAreKeptApart() throws {
        let text = Self.document(
            Self.medicationSection(
                Self.medication(id: "MED-1", start: "20230101") + Self.medication(id: "MED-1", start: "20230601")))
        let (record, diagnostics) = try Fixtures.read(text)
        #expect(record.medications.count == 2)
        #expect(Set(record.medications.map(\.ref)).count == 2)
        #expect(Set(record.medications.compactMap { $0.period?.start?.fhir }) == ["2023-01-01", "2023-06-01"])
        #expect(!diagnostics.contains { $0.kind == .duplicateRecord })
        // the same id and product but another code is also kept
        let (other, _) = try Fixtures.read(
            Self.document(
                Self.medicationSection(
                    Self.medication(id: "MED-1", start: "20230101")
                        + Self.medication(id: "MED-1", start: "20230101", code: "7052"))))
        #expect(other.medications.count == 2)
    }

    @Test func anIdenticalEntryMetTwiceIsOneRecord() throws {
        let entry = Self.medication(id: "MED-1", start: "20230101")
        let text = Self.document(Self.medicationSection(entry) + Self.medicationSection(entry))
        let (record, diagnostics) = try Fixtures.read(text)
        #expect(record.medications.count == 1)
        #expect(diagnostics.filter { $0.kind == .duplicateRecord }.count == 1)
    }

    static func problemObservation(id: String) -> String {
        """
        <observation classCode="OBS" moodCode="EVN">
          <templateId root="2.16.840.1.113883.10.20.22.4.4"/>
          <id root="2.16.840.1.113883.19.5" extension="\(id)"/>
          <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/>
          <statusCode code="completed"/>
          <effectiveTime><low value="20200101"/></effectiveTime>
          <value xsi:type="CD" code="44054006" codeSystem="2.16.840.1.113883.6.96"/>
        </observation>
        """
    }

    @Test func aProblemThatIsAlsoAnEncounterDiagnosisKeepsBothCategories() throws {
        let problems = """
            <component><section><templateId root="2.16.840.1.113883.10.20.22.2.5.1"/>
              <code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/>
              <entry><act classCode="ACT" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.3"/>
                <code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
                <entryRelationship typeCode="SUBJ">\(Self.problemObservation(id: "PRB-1"))</entryRelationship>
              </act></entry>
            </section></component>
            """
        let encounters = """
            <component><section><templateId root="2.16.840.1.113883.10.20.22.2.22.1"/>
              <code code="46240-8" codeSystem="2.16.840.1.113883.6.1"/>
              <entry><act classCode="ACT" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.80"/>
                <code code="29308-4" codeSystem="2.16.840.1.113883.6.1"/>
                <entryRelationship typeCode="SUBJ">\(Self.problemObservation(id: "PRB-1"))</entryRelationship>
              </act></entry>
            </section></component>
            """
        let (record, _) = try Fixtures.read(Self.document(problems + encounters))
        #expect(record.conditions.count == 2)
        #expect(Set(record.conditions.compactMap(\.category)) == ["problem-list-item", "encounter-diagnosis"])
        #expect(Set(record.conditions.compactMap { $0.code?.codings.first?.code }) == ["44054006"])
        #expect(Set(record.conditions.map(\.ref)).count == 2)
    }
}
