import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import Pipeline
import TestSupport
import Testing

/// A C-CDA document as a document (issue 18): the Composition with sections that reference the
/// records their entries became and keep the narrative where no entry carries it, a FHIR `document`
/// bundle on request (Composition first, identifier, timestamp, no requests, every reference
/// resolved, valid R4), and the Composition read back exactly.
struct CCDADocumentTests {
    static let text = """
        <ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <templateId root="2.16.840.1.113883.10.20.22.1.2" extension="2015-08-01"/>
          <id root="2.16.840.1.113883.19.5" extension="DOC-18"/>
          <code code="34133-9" codeSystem="2.16.840.1.113883.6.1" displayName="Summarization of episode note"/>
          <title>Summary of care</title>
          <effectiveTime value="20240102101500-0500"/>
          <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
          <recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="P-18"/>
            <patient><name><given>Ada</given><family>Quill</family></name>
              <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/><birthTime value="19800101"/>
            </patient>
          </patientRole></recordTarget>
          <author><time value="20240102"/><assignedAuthor><id root="2.16.840.1.113883.4.6" extension="1234567893"/>
            <assignedPerson><name><given>Rae</given><family>Moss</family></name></assignedPerson>
          </assignedAuthor></author>
          <custodian><assignedCustodian><representedCustodianOrganization>
            <id root="2.16.840.1.113883.19.5" extension="ORG-18"/><name>Clinic</name>
          </representedCustodianOrganization></assignedCustodian></custodian>
          <legalAuthenticator><time value="20240102"/><signatureCode code="S"/>
            <assignedEntity><id root="2.16.840.1.113883.4.6" extension="1234567893"/>
              <assignedPerson><name><given>Rae</given><family>Moss</family></name></assignedPerson>
            </assignedEntity></legalAuthenticator>
          <component><structuredBody>
            <component><section><templateId root="2.16.840.1.113883.10.20.22.2.5.1"/>
              <code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/><title>Problems</title>
              <text>Asthma, active</text>
              <entry><act classCode="ACT" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.3"/>
                <code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
                <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">
                  <templateId root="2.16.840.1.113883.10.20.22.4.4"/>
                  <id root="2.16.840.1.113883.19.5" extension="PRB-18"/>
                  <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/>
                  <effectiveTime><low value="20200101"/></effectiveTime>
                  <value xsi:type="CD" code="195967001" codeSystem="2.16.840.1.113883.6.96"/>
                </observation></entryRelationship>
              </act></entry>
            </section></component>
            <component><section><templateId root="2.16.840.1.113883.10.20.22.2.12"/>
              <code code="29299-5" codeSystem="2.16.840.1.113883.6.1"/><title>Reason for visit</title>
              <text><paragraph>Cough for 3 days &amp; fever &lt; 39</paragraph></text>
            </section></component>
            <component><section><templateId root="2.16.840.1.113883.10.20.22.2.99"/>
              <code code="99999-9" codeSystem="2.16.840.1.113883.6.1"/><title>Other</title>
              <text><list><item>First line</item><item>Second line</item></list></text>
              <component><section><code code="11348-0" codeSystem="2.16.840.1.113883.6.1"/>
                <title>Nested</title><text>Inner words</text></section></component>
            </section></component>
          </structuredBody></component>
        </ClinicalDocument>
        """

    static func record() throws -> ClinicalRecord {
        let units = Support.engine.convert(Array(text.utf8), inputName: "doc18.xml")
        return try #require(units.first?.record)
    }

    @Test func theDocumentIsAComposition() throws {
        let record = try Self.record()
        let composition = try #require(record.compositions.first)
        #expect(record.compositions.count == 1)
        #expect(composition.patient == record.patients.first?.ref)
        #expect(composition.identifiers.first?.value == "DOC-18")
        #expect(composition.type?.codings.first?.code == "34133-9")
        #expect(composition.title == "Summary of care")
        #expect(composition.date?.fhir == "2024-01-02T10:15:00-05:00")
        #expect(composition.confidentiality == "N")
        #expect(composition.authors == record.practitioners.map(\.ref))
        #expect(composition.legalAuthenticator == record.practitioners.first?.ref)
        #expect(composition.custodian == record.organizations.first?.ref)
        #expect(composition.sections.map(\.title) == ["Problems", "Reason for visit", "Other"])
        // the problem section references its condition and does not repeat its narrative
        let problems = composition.sections[0]
        #expect(problems.entries == record.conditions.map(\.ref))
        #expect(problems.text == nil)
        // a narrative section's text is carried by its note, which the section references
        let reason = composition.sections[1]
        #expect(reason.entries.count == 1 && reason.entries.first?.kind == .document)
        #expect(reason.text == nil)
        // a section no entry carries keeps its narrative, and its subsection its own
        let other = composition.sections[2]
        #expect(other.entries.isEmpty)
        #expect(other.text == "First line\nSecond line")
        #expect(other.sections.map(\.title) == ["Nested"])
        #expect(other.sections.first?.text == "Inner words")
        // every section entry is a record of the unit
        let refs = record.allRefs
        #expect(composition.sections.flatMap(\.entries).allSatisfy { refs.contains($0) })
    }

    @Test func theCompositionReadsBackExactly() throws {
        let record = try Self.record()
        let (resources, _) = BundleBuilder().resources(record)
        let (read, _) = FHIRReader().records(from: resources)
        #expect(read.first?.withoutSourceLocations().compositions == record.withoutSourceLocations().compositions)
        #expect(read.first?.compositions.count == 1)
    }

    @Test func aDocumentBundleOnRequest() throws {
        let record = try Self.record()
        let (bundle, diagnostics) = BundleBuilder().bundle([record], type: .document)
        let json = JSON.object(bundle)
        #expect(json["type"]?.stringValue == "document")
        #expect(json["identifier"]?["value"]?.stringValue == "DOC-18")
        #expect(json["identifier"]?["system"]?.stringValue == "urn:oid:2.16.840.1.113883.19.5")
        #expect(json["timestamp"]?.stringValue == "2024-01-02T10:15:00-05:00")
        let entries = json["entry"]?.arrayValue ?? []
        #expect(entries.first?["resource"]?["resourceType"]?.stringValue == "Composition")
        #expect(entries.allSatisfy { $0["request"] == nil })
        #expect(!diagnostics.contains { $0.kind == .unresolvedReference || $0.kind == .notADocument })
        // every reference of the Composition resolves to an entry of the bundle
        let fullURLs = Set(entries.compactMap { $0["fullUrl"]?.stringValue })
        var references: [String] = []
        func collect(_ value: JSON) {
            switch value {
            case .object(let object):
                if let reference = object["reference"]?.stringValue { references.append(reference) }
                for member in object { collect(member.value) }
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(entries.first?["resource"] ?? .null)
        // subject, author, attester, custodian and the two section entries
        #expect(references.count == 6)
        #expect(references.allSatisfy { fullURLs.contains($0) })
        // the same bytes every time
        let (again, _) = BundleBuilder().bundle([record], type: .document)
        #expect(JSONWriter(style: .compact).bytes(.object(again)) == JSONWriter(style: .compact).bytes(json))
    }

    @Test func aUnitThatIsNoDocumentIsWrittenAsACollection() throws {
        let units = try Support.convert(Support.samples.appendingPathComponent("adt-a01-basic.hl7"))
        let record = try #require(units.first?.record)
        let (bundle, diagnostics) = BundleBuilder().bundle([record], type: .document)
        #expect(bundle["type"]?.stringValue == "collection")
        #expect(diagnostics.contains { $0.kind == .notADocument })
    }

    @Test func documentBundlesOfTheCorpusAreValidR4() throws {
        let folder = try Support.temporaryFolder("document-bundles")
        defer { try? FileManager.default.removeItem(at: folder) }
        var written = 0
        // FHIR-Converter's 22 documents when the corpus is there, and always our own
        let corpus = TestCorpus.optional("fhir-converter/ccda")
        let inputs = (corpus.map { Support.files(under: $0) } ?? []) + [nil]
        for url in inputs {
            let units =
                try url.map(Support.convert) ?? Support.engine.convert(Array(Self.text.utf8), inputName: "doc18.xml")
            for unit in units {
                guard let record = unit.record else { continue }
                let (bundle, diagnostics) = BundleBuilder().bundle([record], type: .document)
                #expect(bundle["type"]?.stringValue == "document")
                #expect(!diagnostics.contains { $0.kind == .unresolvedReference })
                let bytes = JSONWriter(style: .pretty).bytes(.object(bundle))
                try Data(bytes).write(to: folder.appendingPathComponent("document-\(written).json"))
                written += 1
            }
        }
        #expect(written == (corpus == nil ? 1 : 23))
        let (status, output) = try Support.validate(folder: folder)
        #expect(status == 0, "\(output.prefix(4000))")
    }

    /// The document with a payers section whose Policy Activity is a Coverage.
    static let textWithPayers = text.replacingOccurrences(
        of: "</structuredBody>",
        with: """
            <component><section><templateId root="2.16.840.1.113883.10.20.22.2.18" extension="2015-08-01"/>
              <code code="48768-6" codeSystem="2.16.840.1.113883.6.1"/><title>Insurance</title>
              <text>Good Health Insurance</text>
              <entry typeCode="DRIV"><act classCode="ACT" moodCode="EVN">
                <templateId root="2.16.840.1.113883.10.20.22.4.60" extension="2015-08-01"/>
                <id root="1fe2cdd0-7aad-11db-9fe1-0800200c9a66"/>
                <code code="48768-6" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="completed"/>
                <entryRelationship typeCode="COMP"><act classCode="ACT" moodCode="EVN">
                  <templateId root="2.16.840.1.113883.10.20.22.4.61" extension="2015-08-01"/>
                  <id root="3e676a50-7aac-11db-9fe1-0800200c9a66"/>
                  <code code="PPO" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/>
                  <performer typeCode="PRF"><templateId root="2.16.840.1.113883.10.20.22.4.87"/>
                    <assignedEntity><id root="2.16.840.1.113883.19"/>
                      <representedOrganization><name>Good Health Insurance</name></representedOrganization>
                    </assignedEntity></performer>
                  <participant typeCode="COV"><templateId root="2.16.840.1.113883.10.20.22.4.89"/>
                    <time><low value="20110101"/></time>
                    <participantRole classCode="PAT"><id root="2.16.840.1.113883.19" extension="1138345"/>
                      <code code="SELF" codeSystem="2.16.840.1.113883.5.111" displayName="Self"/>
                    </participantRole></participant>
                </act></entryRelationship>
              </act></entry>
            </section></component>
            </structuredBody>
            """)

    /// ORACLES.md item 2: the new resource types (Composition, and Coverage from a payers section)
    /// pass the core-package binding check, in our own document and in FHIR-Converter's documents
    /// that have a payers section (whose other resources' findings are not this test's).
    @Test func compositionAndCoveragePassTheCoreBindingCheck() throws {
        guard CoreBindingCheck.isAvailable() else { return }
        let folder = try Support.temporaryFolder("document-bindings")
        defer { try? FileManager.default.removeItem(at: folder) }
        let own = try #require(
            Support.engine.convert(Array(Self.textWithPayers.utf8), inputName: "doc18.xml").first?.record)
        #expect(own.compositions.count == 1 && own.coverages.count == 1)
        var records = [own]
        // FHIR-Converter's documents with a payers section, when the corpus is there
        for name in ["C-CDA_R2-1_CCD.xml.ccda", "Transfer_Summary.ccda"] {
            guard let url = TestCorpus.optional("fhir-converter/ccda/" + name) else { continue }
            records += try Support.convert(url).compactMap(\.record)
        }
        #expect(records.map(\.coverages.count).reduce(0, +) == (records.count == 3 ? 3 : 1))
        var urls: [URL] = []
        for (offset, record) in records.enumerated() {
            let (bundle, _) = BundleBuilder().bundle([record], type: .document)
            let url = folder.appendingPathComponent("document-\(offset).json")
            try Data(JSONWriter(style: .pretty).bytes(.object(bundle))).write(to: url)
            urls.append(url)
        }
        let ownOutcome = try CoreBindingCheck.check([urls[0]])
        #expect(ownOutcome.errors.isEmpty, "\(ownOutcome.errors.joined(separator: "\n"))")
        #expect(ownOutcome.status == 0, "\(ownOutcome.output.suffix(2000))")
        guard urls.count > 1 else { return }
        let corpus = try CoreBindingCheck.check(Array(urls.dropFirst()))
        let ours = corpus.errors.filter { $0.hasPrefix("ERROR Composition") || $0.hasPrefix("ERROR Coverage") }
        #expect(ours.isEmpty, "\(ours.joined(separator: "\n"))")
        #expect(corpus.output.contains("2 bundles"), "\(corpus.output.suffix(500))")
    }
}
