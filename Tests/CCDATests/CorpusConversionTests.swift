import CCDA
import ClinicalModel
import Foundation
import TestSupport
import Testing

/// Every corpus document converts into one record with a patient and positioned diagnostics;
/// every section-level fragment converts once wrapped, and never crashes the reader as it is.
@Suite(.needsCorpus)
struct CorpusConversionTests {
    @Test func corpusHoldsTheDocumentsTheIssueNames() {
        #expect(Corpus.fhirConverter.count == 22)
        #expect(Corpus.examplesWhole.count == 14)
        #expect(Corpus.synthea.count == 16)
        #expect(Corpus.examplesFragments.count == 47)
    }

    @Test(arguments: Corpus.fhirConverter + Corpus.examplesWhole + Corpus.synthea)
    func wholeDocumentConvertsWithAPatient(_ url: URL) throws {
        let (record, diagnostics) = try Fixtures.read(url)
        #expect(record.document.format == .ccda)
        #expect(record.document.index == 1)
        #expect(record.document.controlID != nil)
        #expect(record.document.type != nil)
        #expect(record.patients.count == 1)
        #expect(!diagnostics.contains { $0.severity == .error })
        for diagnostic in diagnostics {
            guard case .xml(let xpath, _)? = diagnostic.location else {
                Issue.record("diagnostic without an XML position: \(diagnostic)")
                continue
            }
            #expect(xpath.hasPrefix("/"))
            #expect(!xpath.contains("@root=") && !xpath.contains("text()"))
        }
        // Every clinical record points at the document's patient.
        let patient = try #require(record.patients.first?.ref)
        #expect(record.conditions.allSatisfy { $0.patient == patient })
        #expect(record.allergies.allSatisfy { $0.patient == patient })
        #expect(record.medications.allSatisfy { $0.patient == patient })
        #expect(record.observations.allSatisfy { $0.patient == patient })
        #expect(record.encounters.allSatisfy { $0.patient == patient })
    }

    @Test(arguments: Corpus.fhirConverter + Corpus.examplesWhole + Corpus.synthea)
    func referencesResolveInsideTheRecord(_ url: URL) throws {
        let (record, _) = try Fixtures.read(url)
        let present = record.allRefs
        var referenced: [EntityRef] = []
        for condition in record.conditions {
            referenced += [condition.encounter, condition.recorder].compactMap { $0 }
        }
        for report in record.diagnosticReports { referenced += report.results + report.performers }
        for encounter in record.encounters { referenced += encounter.locations + encounter.participants.map(\.who) }
        for medication in record.medications { referenced += [medication.requester].compactMap { $0 } }
        for immunization in record.immunizations { referenced += [immunization.manufacturer].compactMap { $0 } }
        for reference in referenced { #expect(present.contains(reference), "dangling \(reference.kind)") }
    }

    @Test func readingTwiceGivesTheSameRecord() throws {
        for url in [Corpus.fhirConverter.first, Corpus.synthea.first].compactMap({ $0 }) {
            let first = try Fixtures.read(url)
            let second = try Fixtures.read(url)
            #expect(first.0 == second.0)
            #expect(first.1 == second.1)
        }
    }

    @Test(arguments: Corpus.examplesFragments)
    func fragmentAsItIsConvertsOrFailsWithAPosition(_ url: URL) throws {
        do {
            let (record, _) = try Fixtures.read(url)
            #expect(record.document.format == .ccda)
        } catch let error as SourceError {
            #expect([IssueKind.notAClinicalDocument, .xmlNotWellFormed].contains(error.kind))
            guard case .xml? = error.location else {
                Issue.record("error without an XML position")
                return
            }
        }
    }

    @Test(arguments: Corpus.examplesFragments)
    func fragmentInADocumentConverts(_ url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let (record, diagnostics) = try Fixtures.read(Corpus.wrap(text), name: url.lastPathComponent)
        #expect(record.patients.count == 1)
        #expect(!diagnostics.contains { $0.kind == .xmlNamespaceError })
    }
}
