import ChartRender
import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import Pipeline
import TestSupport
import Testing

/// Paths, a shared engine and record builders for the chart tests.
enum Support {
    static let samples = Repository.url("Samples")

    static let engine: Engine = {
        do {
            return try Engine(configuration: EngineConfiguration(home: Repository.root))
        } catch {
            fatalError("engine failed to load: \(error)")
        }
    }()

    static let renderer = ChartRenderer(terminology: engine.terminology)

    /// Records of one sample file (every unit that converted).
    static func records(_ relativePath: String) throws -> [ClinicalRecord] {
        let url = samples.appendingPathComponent(relativePath)
        return engine.convert(Array(try Data(contentsOf: url)), inputName: url.lastPathComponent).compactMap(\.record)
    }

    static func records(hl7 text: String) -> [UnitResult] {
        engine.convert(Array(text.utf8), inputName: "seeded.hl7")
    }

    /// FHIR written for records and read back through the reverse mapping.
    static func roundTrip(_ records: [ClinicalRecord]) throws -> [ClinicalRecord] {
        let (bytes, _) = engine.bundleJSON(records)
        let reader = FHIRReader()
        return reader.records(from: reader.resources(fromBundle: try JSONReader.parse(bytes))).0
    }

    static func page(_ records: [ClinicalRecord]) throws -> String {
        let book = ChartBook(records)
        let chart = try #require(book.charts.first)
        return String(decoding: renderer.chartPage(chart, directory: book.directory), as: UTF8.self)
    }

    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fhirbridge-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A synthetic patient with something in every chart section.
    static func fullRecord() -> ClinicalRecord {
        var document = SourceDocument(format: .hl7v2, inputName: "synthetic.hl7", index: 1)
        document.controlID = "CTRL-1"
        var record = ClinicalRecord(document: document)
        let patientRef = EntityRef(.patient, key: "MRN|12345")
        var patient = Patient(ref: patientRef)
        patient.names = [
            HumanName(use: "official", family: "Testperson", given: ["Alex", "Q"], prefix: ["Dr"], suffix: ["Jr"])
        ]
        patient.identifiers = [
            Identifier(
                system: "urn:oid:2.16.840.1.113883.19.5", value: "12345",
                type: Concept(
                    Coding(
                        system: "http://terminology.hl7.org/CodeSystem/v2-0203", code: "MR",
                        display: "Medical record number")), assigner: "Hospital")
        ]
        patient.gender = Coding(system: "http://hl7.org/fhir/administrative-gender", code: "female", display: "Female")
        patient.birthDate = ClinicalDateTime(fhir: "1970-01-02")
        patient.addresses = [
            Address(
                use: "home", lines: ["1 Main St"], city: "Springfield", state: "IL", postalCode: "62701", country: "USA"
            )
        ]
        patient.telecom = [ContactPoint(system: "phone", value: "555-0100", use: "home")]
        patient.languages = [Concept(Coding(system: "urn:ietf:bcp:47", code: "en", display: "English"))]
        patient.races = [Concept(Coding(system: "urn:oid:2.16.840.1.113883.6.238", code: "2106-3", display: "White"))]
        patient.maritalStatus = Concept(
            codings: [
                Coding(system: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", code: "M", display: "Married")
            ], text: "Married")
        record.patients = [patient]

        var practitioner = Practitioner(ref: EntityRef(.practitioner, key: "NPI|1"))
        practitioner.names = [HumanName(family: "Doctor", given: ["Dana"])]
        record.practitioners = [practitioner]
        var location = Location(ref: EntityRef(.location, key: "LOC|W1"))
        location.name = "Ward 1"
        record.locations = [location]

        var allergy = Allergy(ref: EntityRef(.allergy, key: "A1"))
        allergy.patient = patientRef
        allergy.code = Concept(
            Coding(system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "7980", display: "Penicillin G"))
        allergy.criticality = "high"
        allergy.categories = ["medication"]
        allergy.clinicalStatus = "active"
        allergy.reactions = [
            AllergyReaction(
                manifestations: [
                    Concept(Coding(system: "http://snomed.info/sct", code: "247472004", display: "Hives"))
                ], severity: "severe", description: "Widespread hives")
        ]
        allergy.onset = ClinicalDateTime(fhir: "2001-05")
        record.allergies = [allergy]

        var active = Condition(ref: EntityRef(.condition, key: "C1"))
        active.patient = patientRef
        active.code = Concept(
            Coding(
                system: "http://hl7.org/fhir/sid/icd-10-cm", code: "E11.9",
                display: "Type 2 diabetes mellitus without complications"))
        active.clinicalStatus = "active"
        active.onset = ClinicalDateTime(fhir: "2015-03-01")
        var resolved = Condition(ref: EntityRef(.condition, key: "C2"))
        resolved.patient = patientRef
        resolved.code = Concept(Coding(system: "LOCALDX", code: "FX-ARM", display: "Broken arm"))
        resolved.clinicalStatus = "resolved"
        resolved.abatement = ClinicalDateTime(fhir: "2010-08-01")
        record.conditions = [active, resolved]

        var medication = Medication(ref: EntityRef(.medication, key: "M1"))
        medication.patient = patientRef
        medication.code = Concept(
            Coding(
                system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "860975",
                display: "Metformin 500 mg tablet"))
        medication.dosageText = "1 tablet twice daily"
        medication.route = Concept(
            Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0162", code: "PO", display: "Oral"))
        medication.refills = 3
        medication.authoredOn = ClinicalDateTime(fhir: "2024-01-05")
        record.medications = [medication]

        var glucose = Observation(
            ref: EntityRef(.observation, key: "O1"),
            code: Concept(
                Coding(system: "http://loinc.org", code: "2345-7", display: "Glucose [Mass/volume] in Serum or Plasma"))
        )
        glucose.patient = patientRef
        glucose.value = .quantity(
            Quantity(
                value: DecimalValue(lexical: "182"), unit: "mg/dL", system: "http://unitsofmeasure.org", code: "mg/dL"))
        glucose.referenceRange = [
            ReferenceRange(
                low: Quantity(value: DecimalValue(lexical: "70")), high: Quantity(value: DecimalValue(lexical: "99")),
                text: "70-99")
        ]
        glucose.status = "final"
        glucose.effective = ClinicalDateTime(fhir: "2024-03-16T07:00:00-05:00")
        glucose.note = [Annotation(text: "Fasting")]
        var comment = Observation(
            ref: EntityRef(.observation, key: "O2"), code: Concept(codings: [], text: "Lab comment"))
        comment.patient = patientRef
        comment.value = .string("Specimen hemolyzed")
        comment.interpretation = [
            Concept(
                Coding(
                    system: "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", code: "A",
                    display: "Abnormal"))
        ]
        var report = DiagnosticReport(
            ref: EntityRef(.diagnosticReport, key: "R1"),
            code: Concept(Coding(system: "http://loinc.org", code: "24323-8", display: "Comprehensive metabolic panel"))
        )
        report.patient = patientRef
        report.results = [glucose.ref, comment.ref]
        report.status = "final"
        report.conclusion = "Hyperglycaemia"
        report.issued = ClinicalDateTime(fhir: "2024-03-16T09:00:00-05:00")
        record.diagnosticReports = [report]
        record.observations = [glucose, comment]
        for (offset, (value, date)) in [("72", "2024-01-01"), ("88", "2024-02-01"), ("120", "2024-03-01")].enumerated()
        {
            var heartRate = Observation(
                ref: EntityRef(.observation, key: "HR\(offset)"),
                code: Concept(Coding(system: "http://loinc.org", code: "8867-4", display: "Heart rate")))
            heartRate.patient = patientRef
            heartRate.categories = ["vital-signs"]
            heartRate.value = .quantity(Quantity(value: DecimalValue(lexical: value), unit: "/min"))
            heartRate.referenceRange = [
                ReferenceRange(
                    low: Quantity(value: DecimalValue(lexical: "60")),
                    high: Quantity(value: DecimalValue(lexical: "100")))
            ]
            heartRate.effective = ClinicalDateTime(fhir: date)
            record.observations.append(heartRate)
        }
        var immunization = Immunization(ref: EntityRef(.immunization, key: "I1"))
        immunization.patient = patientRef
        immunization.vaccine = Concept(
            Coding(
                system: "http://hl7.org/fhir/sid/cvx", code: "140",
                display: "Influenza, seasonal, injectable, preservative free"))
        immunization.occurrence = ClinicalDateTime(fhir: "2023-10-10")
        immunization.lotNumber = "LOT-77"
        record.immunizations = [immunization]
        var procedure = Procedure(ref: EntityRef(.procedure, key: "P1"))
        procedure.patient = patientRef
        procedure.code = Concept(Coding(system: "http://snomed.info/sct", code: "80146002", display: "Appendectomy"))
        procedure.performed = Period(start: ClinicalDateTime(fhir: "1999-06-01"))
        record.procedures = [procedure]
        var encounter = Encounter(ref: EntityRef(.encounter, key: "E1"))
        encounter.patient = patientRef
        encounter.status = "finished"
        encounter.patientClass = Coding(
            system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "IMP", display: "inpatient encounter")
        encounter.period = Period(
            start: ClinicalDateTime(fhir: "2024-03-15T10:00:00-05:00"),
            end: ClinicalDateTime(fhir: "2024-03-18T12:00:00-05:00"))
        encounter.reasons = [Concept(codings: [], text: "Chest pain")]
        encounter.locations = [location.ref]
        encounter.participants = [Participant(who: practitioner.ref)]
        record.encounters = [encounter]
        return record
    }

    /// The record with every string in it (values, codes, displays, keys, dates) replaced by a
    /// script payload: one distinct payload per distinct original, so references stay consistent.
    /// Only enum spellings (`kind`, `format`) are kept, or the record would not decode.
    static func seeded(_ record: ClinicalRecord, payload: String = "<script>alert(1)</script>") throws -> ClinicalRecord
    {
        let data = try JSONEncoder().encode(record)
        var replacements: [String: String] = [:]
        func seed(_ value: Any, key: String?) -> Any {
            switch value {
            case let string as String:
                if key == "kind" || key == "format" { return string }
                if let existing = replacements[string] { return existing }
                let seeded = "\(payload)\"'&\(replacements.count)"
                replacements[string] = seeded
                return seeded
            case let array as [Any]: return array.map { seed($0, key: key) }
            case let object as [String: Any]:
                var result: [String: Any] = [:]
                for (name, member) in object { result[name] = seed(member, key: name) }
                return result
            default: return value
            }
        }
        let object = seed(try JSONSerialization.jsonObject(with: data), key: nil)
        return try JSONDecoder().decode(ClinicalRecord.self, from: JSONSerialization.data(withJSONObject: object))
    }
}
