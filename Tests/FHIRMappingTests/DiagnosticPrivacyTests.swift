import ClinicalModel
import FHIRMapping
import FHIRR4
import Testing

/// Diagnostics say where, never what: patient values put into every free-text and malformed field
/// never appear in a diagnostic.
@Suite struct DiagnosticPrivacyTests {
    static let sentinel = "ZZSENTINEL"

    static var record: ClinicalRecord {
        let s = sentinel
        var record = ClinicalRecord(document: SourceDocument(format: .hl7v2, inputName: "in.hl7", index: 1))
        record.document.recorded = ClinicalDateTime(fhir: s)
        var patient = Patient(ref: EntityRef(.patient, key: s), source: .hl7(message: 1, segment: "PID", occurrence: 1))
        patient.identifiers = [Identifier(system: s + " not a uri", value: s, assigner: s)]
        patient.names = [HumanName(use: s + " x", text: s, family: s, given: [s])]
        patient.telecom = [ContactPoint(system: s + " x", value: s, use: s + " y", rank: 0)]
        patient.gender = Coding(system: "HL70001", code: s + "  bad")
        patient.birthDate = ClinicalDateTime(fhir: s)
        patient.addresses = [Address(use: s + " z", text: s, lines: [s])]
        patient.maritalStatus = Concept(codings: [Coding(system: s + " sys", code: " " + s, display: s)], text: s)
        patient.generalPractitioners = [EntityRef(.practitioner, key: s)]
        record.patients = [patient]
        var observation = Observation(ref: EntityRef(.observation, key: s), code: Concept(text: s))
        observation.patient = patient.ref
        observation.status = s + " bad"
        observation.value = .quantity(
            Quantity(value: DecimalValue(lexical: s), comparator: s + " <", unit: s, system: s + " u", code: s + "  c"))
        observation.effective = ClinicalDateTime(fhir: s)
        observation.issued = ClinicalDateTime(fhir: s)
        observation.note = [Annotation(text: s, time: ClinicalDateTime(fhir: s))]
        observation.categories = [s + " cat"]
        observation.dataAbsentReason = s + " why"
        record.observations = [observation]
        var coverage = Coverage(ref: EntityRef(.coverage, key: s))
        coverage.subscriberId = s
        record.coverages = [coverage]
        var document = DocumentNote(ref: EntityRef(.document, key: s))
        document.text = s
        document.contentType = s + "  type"
        record.documents = [document]
        return record
    }

    @Test(arguments: BundleType.allCases)
    func noDiagnosticCarriesAPatientValue(_ type: BundleType) {
        let (_, diagnostics) = BundleBuilder().bundle([Self.record], type: type, conditional: true)
        #expect(!diagnostics.isEmpty)
        for diagnostic in diagnostics {
            #expect(!diagnostic.description.contains(Self.sentinel), "\(diagnostic.kind)")
        }
    }

    @Test func outputStillHasNoEmptyElements() {
        let (bundle, _) = BundleBuilder().bundle([Self.record], type: .transaction)
        #expect(JSONChecks.emptyElements(.object(bundle)).isEmpty)
    }
}
