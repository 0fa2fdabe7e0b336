import CCDA
import ClinicalModel
import Foundation
import Testing

/// What each section of our synthetic samples becomes in the canonical model.
struct SampleTests {
    static let allSections = Fixtures.samples.appendingPathComponent("ccd-all-sections.xml")
    static let unknownType = Fixtures.samples.appendingPathComponent("unknown-type-r11-encounter.xml")

    @Test func samplesStartWithACommentSayingWhatTheyExercise() throws {
        for url in Fixtures.files(under: Fixtures.samples, extensions: ["xml"]) {
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text.hasPrefix("<!-- Exercises "), "\(url.lastPathComponent)")
        }
    }

    @Test func headerGivesDocumentFactsAndThePatient() throws {
        let (record, _) = try Fixtures.read(Self.allSections)
        #expect(record.document.controlID == "2.16.840.1.113883.19.5.99999.1|DOC-0001")
        #expect(record.document.type == "CCD")
        #expect(record.document.version == "2015-08-01")
        #expect(record.document.recorded == ClinicalDateTime(fhir: "2024-03-05T10:30:00-05:00"))
        #expect(record.document.sendingFacility == "Sample Clinic")
        let patient = try #require(record.patients.first)
        #expect(patient.ref.key == "urn:oid:2.16.840.1.113883.19.5.99999.2|MRN-12345")
        #expect(
            patient.identifiers.map(\.system) == [
                "urn:oid:2.16.840.1.113883.19.5.99999.2", "http://hl7.org/fhir/sid/us-ssn",
            ])
        #expect(patient.names.first?.given == ["Testa", "Q"])
        #expect(patient.names.first?.use == "official")
        #expect(patient.names.last?.use == "nickname")
        #expect(patient.gender == Coding(system: "http://hl7.org/fhir/administrative-gender", code: "female"))
        #expect(patient.birthDate == ClinicalDateTime(fhir: "1970-01-02T08:00:00-05:00"))
        #expect(patient.addresses.first?.use == "home")
        #expect(patient.telecom.map(\.system) == ["phone", "email"])
        #expect(patient.telecom.first?.value == "+1(555)555-0100")
        #expect(patient.races.flatMap(\.codings).map(\.code) == ["2106-3", "2108-9"])
        #expect(patient.races.first?.first?.system == "urn:oid:2.16.840.1.113883.6.238")
        #expect(patient.ethnicities.first?.first?.code == "2186-5")
        #expect(patient.languages.first?.first == Coding(system: "urn:ietf:bcp:47", code: "en"))
        #expect(record.relatedPersons.first?.relationship.first?.first?.code == "MTH")
        let author = try #require(record.practitioners.first)
        #expect(author.ref.key == "http://hl7.org/fhir/sid/us-npi|9999999991")
        #expect(record.organizations.contains { $0.name == "Sample Clinic" })
    }

    @Test func allergiesKeepReactionsSeverityAndNoKnownAllergy() throws {
        let (record, _) = try Fixtures.read(Self.allSections)
        #expect(record.allergies.count == 2)
        let penicillin = try #require(record.allergies.first)
        #expect(penicillin.code?.first?.code == "7980")
        #expect(penicillin.code?.text == "Penicillin G")
        #expect(penicillin.type == "allergy")
        #expect(penicillin.categories == ["medication"])
        #expect(penicillin.criticality == "high")
        #expect(penicillin.clinicalStatus == "active")
        #expect(penicillin.onset == ClinicalDateTime(fhir: "2019"))
        #expect(penicillin.reactions.first?.manifestations.first?.text == "Hives")
        #expect(penicillin.reactions.first?.severity == "moderate")
        let none = try #require(record.allergies.last)
        #expect(none.noKnownAllergy)
        #expect(none.code?.first?.code == "429625007")
        #expect(none.verificationStatus == nil)
    }

    @Test func problemsHonourStatusAbatementAndNegation() throws {
        let (record, _) = try Fixtures.read(Self.allSections)
        let problems = record.conditions.filter { $0.category == "problem-list-item" }
        #expect(problems.count == 3)
        #expect(problems[0].clinicalStatus == "active")
        #expect(problems[0].onset == ClinicalDateTime(fhir: "2017-12"))
        #expect(problems[0].code?.text == "Essential hypertension")
        #expect(
            problems[0].code?.codings.map(\.system) == ["http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10-cm"])
        #expect(problems[1].clinicalStatus == "resolved")
        #expect(problems[1].abatement == ClinicalDateTime(fhir: "2015-04-15"))
        #expect(problems[2].verificationStatus == "refuted")
        let diagnosis = try #require(record.conditions.first { $0.category == "encounter-diagnosis" })
        #expect(diagnosis.encounter == record.encounters.first?.ref)
    }

    @Test func medicationKeepsTimingDoseReasonSupplyAndSig() throws {
        let (record, _) = try Fixtures.read(Self.allSections)
        let medication = try #require(record.medications.first)
        #expect(medication.code?.first?.code == "197361")
        #expect(medication.status == "active")
        #expect(medication.intent == "order")
        #expect(medication.period?.start == ClinicalDateTime(fhir: "2023-01-01"))
        #expect(medication.timing == "every 12 h")
        #expect(medication.doseQuantity?.value?.lexical == "1")
        #expect(medication.reasons.first?.first?.code == "59621000")
        #expect(medication.dispenseQuantity?.value?.lexical == "30")
        #expect(medication.refills == 3)
        #expect(medication.dosageText == "Take one tablet by mouth every 12 hours")
    }

    @Test func resultsAndVitalSignsBecomeObservations() throws {
        let (record, _) = try Fixtures.read(Self.allSections)
        let report = try #require(record.diagnosticReports.first)
        #expect(report.code.first?.code == "58410-2")
        #expect(report.status == "final")
        #expect(report.results.count == 2)
        let hemoglobin = try #require(record.observations.first { $0.code.first?.code == "718-7" })
        #expect(hemoglobin.code.text == "Hemoglobin")
        #expect(hemoglobin.categories == ["laboratory"])
        #expect(
            hemoglobin.value
                == .quantity(
                    Quantity(
                        value: DecimalValue(lexical: "10.20"), unit: "g/dL", system: "http://unitsofmeasure.org",
                        code: "g/dL")))
        #expect(hemoglobin.interpretation.first?.first?.code == "L")
        #expect(hemoglobin.referenceRange.first?.low?.value?.lexical == "12.0")
        #expect(hemoglobin.referenceRange.first?.high?.value?.lexical == "15.5")
        let pending = try #require(record.observations.first { $0.code.first?.code == "6690-2" })
        #expect(pending.status == "preliminary")
        #expect(pending.value == nil)
        #expect(pending.dataAbsentReason == "temp-unknown")
        #expect(pending.effective == ClinicalDateTime(fhir: "2024-03-01T09:00:00-05:00"))
        let systolic = try #require(record.observations.first { $0.code.first?.code == "8480-6" })
        #expect(systolic.categories == ["vital-signs"])
        #expect(systolic.effective == ClinicalDateTime(fhir: "2024-03-01T08:55:00-05:00"))
        let smoking = try #require(record.observations.first { $0.code.first?.code == "72166-2" })
        #expect(smoking.categories == ["social-history"])
        #expect(
            smoking.value
                == .concept(
                    Concept(Coding(system: "http://snomed.info/sct", code: "266919005", display: "Never smoker"))))
    }

    @Test func immunizationsProceduresEncountersPlanAndNotes() throws {
        let (record, _) = try Fixtures.read(Self.allSections)
        let given = try #require(record.immunizations.first)
        #expect(given.status == "completed")
        #expect(given.vaccine?.first?.system == "http://hl7.org/fhir/sid/cvx")
        #expect(given.lotNumber == "LOT-A1")
        #expect(given.manufacturer != nil)
        let refused = try #require(record.immunizations.last)
        #expect(refused.status == "not-done")
        #expect(refused.statusReason?.first?.code == "PATOBJ")
        let procedure = try #require(record.procedures.first)
        #expect(
            procedure.performed
                == Period(
                    start: ClinicalDateTime(fhir: "2005-06-01T12:00:00-05:00"),
                    end: ClinicalDateTime(fhir: "2005-06-01T13:00:00-05:00")))
        #expect(procedure.bodySites.first?.first?.code == "66754008")
        let encounter = try #require(record.encounters.first)
        #expect(encounter.patientClass?.code == "AMB")
        #expect(encounter.type.first?.first?.code == "99213")
        #expect(encounter.status == "finished")
        let request = try #require(record.serviceRequests.first)
        #expect(request.intent == "order")
        #expect(request.status == "active")
        #expect(request.code?.first?.code == "57698-3")
        #expect(record.carePlans.first?.activities.first?.first?.code == "57698-3")
        let note = try #require(record.documents.first)
        #expect(note.text == "Patient doing well.")
        #expect(note.type?.first?.code == "34109-9")
    }

    @Test func unknownDocumentTypeStillYieldsHeaderAndRecognisedSections() throws {
        let (record, diagnostics) = try Fixtures.read(Self.unknownType)
        #expect(record.document.type == "99999-9")
        #expect(diagnostics.contains { $0.kind == .unknownDocumentType && $0.code == "99999-9" })
        #expect(diagnostics.contains { $0.kind == .sectionNotRecognised })
        #expect(record.document.recorded == ClinicalDateTime(fhir: "2023-07-04T12:00:00+00:00"))
        let patient = try #require(record.patients.first)
        #expect(patient.deceased == true)
        #expect(patient.deceasedAt == ClinicalDateTime(fhir: "2023-08-01"))
        let encounter = try #require(record.encounters.first)
        #expect(
            encounter.patientClass
                == Coding(
                    system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "IMP",
                    display: "inpatient encounter"))
        #expect(encounter.status == "finished")
        #expect(encounter.participants.first?.role?.first?.code == "ATND")
        #expect(encounter.locations.count == 1)
        #expect(encounter.serviceProvider != nil)
        let condition = try #require(record.conditions.first)
        #expect(condition.code == Concept(text: "Community acquired pneumonia"))
        #expect(condition.onset == ClinicalDateTime(fhir: "2023-07-01T14:30:00+00:00"))
        let note = try #require(record.documents.first)
        #expect(note.text == "Three days of cough.\nNo fever.")
        #expect(note.encounter == encounter.ref)
        #expect(record.allergies.isEmpty)
    }
}
