import FHIRR4
import Foundation
import Pipeline
import TestSupport
import Testing

/// The comparison with a peer converter's expected bundles (`fhirbridge compare`): pairing by type
/// and business keys, element outcomes, references through the pairing, adjudications checked at
/// load, and the run over FHIR-Converter's paired corpus.
@Suite struct PeerComparisonTests {
    static let adjudications = Repository.url("Tools/compare/fhir-converter-adjudications.yaml")

    static func bundle(_ entries: [(String, String)]) throws -> JSON {
        let items = entries.map { "{\"fullUrl\": \"\($0.0)\", \"resource\": \($0.1)}" }
        return try JSONReader.parse("{\"resourceType\": \"Bundle\", \"entry\": [\(items.joined(separator: ","))]}")
    }

    static func peer() throws -> JSON {
        try bundle([
            (
                "urn:uuid:p1",
                #"{"resourceType": "Patient", "id": "p1", "identifier": [{"value": "MRN-1"}], "gender": "female", "birthDate": "1980-07-04"}"#
            ),
            (
                "urn:uuid:o1",
                #"{"resourceType": "Observation", "id": "o1", "code": {"coding": [{"code": "8867-4"}]}, "subject": {"reference": "Patient/p1"}, "valueQuantity": {"value": 72.0}}"#
            ),
            (
                "urn:uuid:o2",
                #"{"resourceType": "Observation", "id": "o2", "code": {"coding": [{"code": "8310-5"}]}, "subject": {"reference": "Patient/p1"}, "effectiveDateTime": "2024-03-15T14:10:00Z"}"#
            ),
            ("urn:uuid:m1", #"{"resourceType": "MessageHeader", "id": "m1", "eventCoding": {"code": "A01"}}"#),
        ])
    }

    static func ours() throws -> JSON {
        try bundle([
            (
                "urn:uuid:b9",
                #"{"resourceType": "Observation", "id": "b9", "code": {"coding": [{"code": "8310-5"}]}, "subject": {"reference": "urn:uuid:a7"}, "effectiveDateTime": "2024-03-15T14:10:00+00:00"}"#
            ),
            (
                "urn:uuid:b8",
                #"{"resourceType": "Observation", "id": "b8", "code": {"coding": [{"code": "8867-4"}]}, "subject": {"reference": "urn:uuid:a7"}, "valueQuantity": {"value": 72}, "status": "final"}"#
            ),
            (
                "urn:uuid:a7",
                #"{"resourceType": "Patient", "id": "a7", "identifier": [{"value": "MRN-1"}], "gender": "male"}"#
            ),
        ])
    }

    @Test func resourcesPairByKeysAndElementsAreCountedByOutcome() throws {
        var comparison = PeerComparison()
        comparison.add(expected: try Self.peer(), actual: try Self.ours())
        let patient = try #require(comparison.types["Patient"])
        #expect((patient.peerCount, patient.fhirbridgeCount, patient.paired) == (1, 1, 1))
        #expect(patient.elements["Patient.identifier.value"]?.agree == 1)
        #expect(patient.elements["Patient.gender"]?.conflicts == 1)
        #expect(patient.elements["Patient.birthDate"]?.onlyPeer == 1)
        let observation = try #require(comparison.types["Observation"])
        #expect(observation.paired == 2)
        // paired by code whatever the order; references agree through the pairing, numbers and
        // instants by value
        #expect(observation.elements["Observation.subject.reference"]?.agree == 2)
        #expect(observation.elements["Observation.code.coding.code"]?.agree == 2)
        #expect(observation.elements["Observation.valueQuantity.value"]?.agree == 1)
        #expect(observation.elements["Observation.effectiveDateTime"]?.agree == 1)
        #expect(observation.elements["Observation.status"]?.onlyFhirbridge == 1)
        let header = try #require(comparison.types["MessageHeader"])
        #expect((header.peerCount, header.fhirbridgeCount, header.paired) == (1, 0, 0))
        #expect(header.elements.isEmpty)
    }

    @Test func adjudicationsSortTheDifferences() throws {
        var comparison = PeerComparison()
        comparison.add(expected: try Self.peer(), actual: try Self.ours())
        let open = comparison.judged("Patient", adjudications: Adjudications())
        #expect((open.agree, open.notReviewed, open.onlyPeer) == (1, 1, 1))
        #expect(open.agreement == 0.5)
        let verdicts = Adjudications(entries: [
            .init(
                element: "Patient.gender", when: .differs, verdict: .fhirbridgeRight, reason: "a test reason", line: 1)
        ])
        let judged = comparison.judged("Patient", adjudications: verdicts)
        #expect((judged.agree, judged.fhirbridgeRight, judged.notReviewed) == (1, 1, 0))
        #expect(judged.agreementOrRight == 1)
        let markdown = comparison.markdown(adjudications: verdicts, peer: "Peer", detail: true)
        #expect(
            markdown.contains("| Patient | 1 | 1 | 1 | 1 | 1 | 0 | 0 | 0 | 1 | 0 | 50.0% | 100.0% |"), "\(markdown)")
        #expect(markdown.contains("- MessageHeader (1): not produced by fhirbridge yet"))
        // counts only: no value of either side reaches the report
        for value in ["MRN-1", "female", "male", "8867-4", "72"] { #expect(!markdown.contains(value), "\(value)") }
    }

    @Test(arguments: [
        ("- element: Patient.gender\n    verdict: fhirbridge-right\n", "missing key 'reason'"),
        ("- element: Patient.gender\n    verdict: maybe\n    reason: a b c\n", ":3: unknown verdict 'maybe'"),
        ("- element: gender\n    verdict: fhirbridge-right\n    reason: a b c\n", ":2: 'element' must be a FHIR path"),
        ("- element: Patient.gender\n    verdict: fhirbridge-right\n    reason: why\n", ":4: 'reason' must say why"),
        (
            "- element: Patient.gender\n    verdict: fhirbridge-right\n    reason: a b c\n"
                + "  - element: Patient.gender\n    verdict: fhirbridge-wrong\n    reason: a b c\n",
            ":5: a second verdict for Patient.gender (differs); the first is at line 2"
        ),
    ])
    func aBadAdjudicationFailsWithItsLine(_ entries: String, message: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("adjudications-\(UUID()).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "adjudications:\n  \(entries)".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try Adjudications.load(file) }
        do {
            _ = try Adjudications.load(file)
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    /// The reviewed file loads, and every verdict in it judges something the corpus has: a stale
    /// verdict (an element neither side has any more) fails here.
    @Test(.needsCorpus) func theCorpusComparisonUsesEveryAdjudication() throws {
        let verdicts = try Adjudications.load(Self.adjudications)
        let corpus = PeerCorpus(
            inputs: [TestCorpus.url("fhir-converter/hl7v2"), TestCorpus.url("fhir-converter/ccda")],
            expected: TestCorpus.url("fhir-converter/expected"))
        #expect(corpus.cases.count == 148)
        let (comparison, failures) = PeerComparison.run(corpus, engine: Support.engine)
        #expect(failures.isEmpty, "\(failures)")
        #expect(comparison.inputs == 148)
        for entry in verdicts.entries {
            let type = String(entry.element.prefix { $0 != "." })
            let tally = comparison.types[type]
            let used: Bool
            if entry.element == type {
                used = (tally?.peerCount ?? 0) > 0 && entry.when == .onlyPeer
            } else {
                used = (tally?.elements ?? [:]).contains { path, counts in
                    guard entry.matches(path) else { return false }
                    switch entry.when {
                    case .differs: return counts.differs > 0
                    case .onlyPeer: return counts.onlyPeer > 0
                    case .onlyFhirbridge: return counts.onlyFhirbridge > 0
                    }
                }
            }
            #expect(used, "line \(entry.line ?? 0): \(entry.element) (\(entry.when.rawValue)) judges nothing")
        }
        // every input of FHIR-Converter's with a Patient has it paired with ours
        let patients = try #require(comparison.types["Patient"])
        #expect(patients.paired >= min(patients.peerCount, patients.fhirbridgeCount) - 2)
    }
}
