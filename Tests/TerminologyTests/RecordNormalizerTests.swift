import ClinicalModel
import Foundation
import Testing

@testable import Terminology

@Suite("Record normalizer")
struct RecordNormalizerTests {
    static let sentinel = "ZZSENTINEL"

    func normalizer() throws -> RecordNormalizer { RecordNormalizer(store: try Fixtures.store()) }

    func record(_ build: (inout ClinicalRecord) -> Void) -> ClinicalRecord {
        var record = ClinicalRecord(document: SourceDocument(format: .hl7v2, inputName: "test.hl7", index: 1))
        build(&record)
        return record
    }

    static let patientRef = EntityRef(.patient, key: "p1")
    static let at = SourceLocation.hl7(message: 1, segment: "OBX", occurrence: 1, field: 3)

    @Test func systemsBecomeURIsAndCodesAreRespelled() throws {
        let (concept, diagnostics) = try normalizer().normalize(
            Concept(codings: [
                Coding(system: "I10", code: "E119", display: "Type 2 diabetes mellitus without complications")
            ]))
        #expect(
            concept.codings.first
                == Coding(
                    system: "http://hl7.org/fhir/sid/icd-10-cm", code: "E11.9",
                    display: "Type 2 diabetes mellitus without complications"))
        #expect(diagnostics.isEmpty)
    }

    @Test func mismatchingDisplayIsReplacedAndKeptAsText() throws {
        let source = Concept(codings: [
            Coding(system: "2.16.840.1.113883.6.90", code: "E11.9", display: "DM2 " + Self.sentinel)
        ])
        let (concept, diagnostics) = try normalizer().normalize(source, at: Self.at)
        #expect(concept.codings.first?.display == "Type 2 diabetes mellitus without complications")
        #expect(concept.text == "DM2 " + Self.sentinel)
        #expect(diagnostics.map(\.kind) == [.displayMismatch])
        #expect(diagnostics.first?.code == "E11.9" && diagnostics.first?.location == Self.at)
        for diagnostic in diagnostics { #expect(!"\(diagnostic)".contains(Self.sentinel)) }

        // Existing text is kept; the source display then only survives in text if text was empty.
        let withText = Concept(codings: source.codings, text: "original text")
        #expect(try normalizer().normalize(withText).0.text == "original text")
    }

    /// The second time a coding or concept is met, the result comes from `NormalizationCache`: it
    /// must equal a fresh normalizer's, with diagnostics at the new position.
    @Test func cachedResultsEqualFreshOnesWithTheirOwnPositions() throws {
        let shared = try normalizer()
        let concepts = [
            Concept(codings: [Coding(system: "2.16.840.1.113883.6.90", code: "E11.9", display: "DM2")]),
            Concept(codings: [Coding(system: "I10", code: "E119")]),
            Concept(codings: [Coding(system: "HL70078", code: "H")]),
            Concept(codings: [Coding(system: "99LOCAL", code: "X1", display: "local")]),
            Concept(codings: [Coding(system: "LN", code: "not-a-loinc")]),
            Concept(codings: [Coding(code: "bare")]),
        ]
        let first = SourceLocation.hl7(message: 1, segment: "OBX", occurrence: 1, field: 5)
        let second = SourceLocation.hl7(message: 2, segment: "OBX", occurrence: 7, field: 5)
        for concept in concepts {
            let fresh = try normalizer().normalize(concept, at: second)
            _ = shared.normalize(concept, at: first)
            let cached = shared.normalize(concept, at: second)
            #expect(cached.0 == fresh.0)
            #expect(cached.1 == fresh.1)
            #expect(cached.1.allSatisfy { $0.location == second })
        }
        #expect(shared.cache.count > 0)
        // Bounded: a full cache starts again instead of growing.
        let small = NormalizationCache(capacity: 2)
        for code in ["a", "b", "c"] {
            let key = NormalizationCache.CodingKey(coding: Coding(code: code), inConcept: true)
            small.codings[key] = NormalizationCache.CodingResult(coding: Coding(code: code), findings: [])
        }
        #expect(small.count == 1)
    }

    @Test func corpusDisplaysAreNeitherCheckedNorReplaced() throws {
        let (concept, diagnostics) = try normalizer().normalize(
            Concept(codings: [Coding(system: "LN", code: "8867-4", display: "heartrate")]))
        #expect(concept.codings.first == Coding(system: "http://loinc.org", code: "8867-4", display: "heartrate"))
        #expect(diagnostics.isEmpty)
    }

    @Test func missingDisplayIsFilledFromAuthoritativeSystems() throws {
        let (concept, _) = try normalizer().normalize(Concept(codings: [Coding(system: "HL70078", code: "H")]))
        #expect(concept.codings.first?.display == "High")
    }

    @Test func aDisplaySpeltOtherwiseTakesTheCodeSystemsSpelling() throws {
        let (concept, diagnostics) = try normalizer().normalize(
            Concept(codings: [Coding(system: "HL70078", code: "H", display: "HIGH")]))
        #expect(concept.codings.first?.display == "High")
        #expect(concept.text == nil)
        #expect(diagnostics.isEmpty)
    }

    @Test func aCodeMissingFromACompleteV2TableMovesToTheTablesLocalSystem() throws {
        let (concept, diagnostics) = try normalizer().normalize(
            Concept(codings: [Coding(system: "HL70078", code: "QQ"), Coding(system: "HL70078", code: "H")]))
        #expect(
            concept.codings.prefix(2).map(\.system) == [
                "urn:fhirbridge:v2-coding-system:HL70078-local", "http://terminology.hl7.org/CodeSystem/v2-0078",
            ])
        #expect(concept.codings.first?.code == "QQ")
        #expect(diagnostics.map(\.kind) == [.unknownCode])
    }

    @Test func unknownCodesPassThroughAndAreReported() throws {
        let source = Concept(codings: [
            Coding(system: "I10", code: "E11.99"),  // not in ICD-10-CM
            Coding(system: "LN", code: "2951-2"),  // well-formed, not in the subset
            Coding(system: "LN", code: "718-6"),  // bad check digit
            Coding(system: "http://www.ama-assn.org/go/cpt", code: "99213"),  // no table
            Coding(system: "99LOCAL", code: "GLU"),  // local v2 name
            Coding(system: "MADEUP", code: "X1"),  // unknown name
            Coding(code: "NOSYS"),
        ])
        let (concept, diagnostics) = try normalizer().normalize(source)
        #expect(concept.codings.map(\.code) == source.codings.map(\.code), "no code dropped")
        #expect(
            concept.codings.map(\.system) == [
                "http://hl7.org/fhir/sid/icd-10-cm", "http://loinc.org", "http://loinc.org",
                "http://www.ama-assn.org/go/cpt",
                "99LOCAL", "MADEUP", nil,
            ])
        #expect(
            diagnostics.map(\.kind) == [
                .unknownCode, .unknownCode, .malformedCode, .codeSystemNotLoaded, .localCode, .unknownCodeSystem,
                .localCode,
            ])
        #expect(
            diagnostics.map(\.severity) == [
                .warning, .information, .warning, .information, .information, .information, .information,
            ])
        #expect(diagnostics[0].system == "http://hl7.org/fhir/sid/icd-10-cm" && diagnostics[0].code == "E11.99")
    }

    @Test func translationsAreAppendedNeverReplacing() throws {
        let normalizer = try normalizer()
        // IG map: v2-0078 H -> v3 ObservationInterpretation H.
        let (interpretation, _) = normalizer.normalize(Concept(codings: [Coding(system: "HL70078", code: "H")]))
        #expect(
            interpretation.codings.map(\.system) == [
                "http://terminology.hl7.org/CodeSystem/v2-0078",
                "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
            ])
        // Exact GEM: ICD-9-CM 001.0 -> ICD-10-CM A00.0 (approximate entries are not added).
        let (cholera, _) = normalizer.normalize(Concept(codings: [Coding(system: "I9CDX", code: "0010")]))
        #expect(cholera.codings.map(\.code) == ["001.0", "A00.0"])
        let (diabetes, _) = normalizer.normalize(Concept(codings: [Coding(system: "I9CDX", code: "25000")]))
        #expect(diabetes.codings.map(\.code) == ["250.00"])
        // Local map (equal): v3 AdministrativeGender F -> FHIR female.
        let (gender, _) = normalizer.normalize(Concept(codings: [Coding(system: "2.16.840.1.113883.5.1", code: "F")]))
        #expect(gender.codings.map(\.code) == ["F", "female"])

        var options = RecordNormalizer.Options()
        options.addTranslations = false
        let plain = RecordNormalizer(store: normalizer.store, options: options)
        #expect(plain.normalize(Concept(codings: [Coding(system: "HL70078", code: "H")])).0.codings.count == 1)
    }

    @Test func unitsBecomeUCUM() throws {
        let normalizer = try normalizer()
        func unit(_ quantity: Quantity) -> (Quantity, [IssueKind]) {
            let (result, diagnostics) = normalizer.normalize(quantity)
            return (result, diagnostics.map(\.kind))
        }
        let value = DecimalValue(lexical: "5")
        #expect(
            unit(Quantity(value: value, unit: "mg/dl")).0
                == Quantity(
                    value: value, unit: "mg/dl", system: "http://unitsofmeasure.org", code: "mg/dL"))
        #expect(unit(Quantity(value: value, unit: "beats/min", system: "ISO+")).0.code == "/min")
        #expect(
            unit(Quantity(value: value, unit: "beats/min", system: "http://unitsofmeasure.org", code: "beats/min")).0
                .code == "/min")
        let (furlongs, kinds) = unit(
            Quantity(value: value, unit: "furlongs", system: "http://unitsofmeasure.org", code: "furlongs"))
        #expect(furlongs == Quantity(value: value, unit: "furlongs"))
        #expect(kinds == [.unitNotUCUM])
        // Another unit system is left alone.
        let other = Quantity(
            value: value, unit: "tab", system: "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm", code: "TAB"
        )
        #expect(unit(other).0 == other)
    }

    /// One record with every kind of entity and every coded field set: every field is visited.
    @Test func everyCodedFieldOfEveryKindIsVisited() throws {
        let bad = Concept(codings: [Coding(system: "I10", code: "E119")])
        let badCoding = Coding(system: "HL70001", code: "F")
        let quantity = Quantity(value: DecimalValue(lexical: "1"), unit: "mg/dl")
        let identifier = Identifier(value: "1", type: bad)
        let participant = Participant(role: bad, who: Self.patientRef)
        var visited = 0
        let record = record { record in
            var patient = Patient(ref: Self.patientRef)
            patient.identifiers = [identifier]
            patient.gender = badCoding
            patient.maritalStatus = bad
            patient.races = [bad]
            patient.ethnicities = [bad]
            patient.languages = [bad]
            patient.religion = bad
            record.patients = [patient]
            visited += 7
            var person = RelatedPerson(ref: EntityRef(.relatedPerson, key: "r"), patient: Self.patientRef)
            person.relationship = [bad]
            person.gender = badCoding
            person.identifiers = [identifier]
            record.relatedPersons = [person]
            visited += 2
            var practitioner = Practitioner(ref: EntityRef(.practitioner, key: "d"))
            practitioner.identifiers = [identifier]
            practitioner.qualifications = [bad]
            record.practitioners = [practitioner]
            visited += 2
            var organization = Organization(ref: EntityRef(.organization, key: "o"))
            organization.identifiers = [identifier]
            organization.type = bad
            record.organizations = [organization]
            visited += 2
            var location = Location(ref: EntityRef(.location, key: "l"))
            location.identifiers = [identifier]
            location.physicalType = Coding(system: "urn:oid:2.16.840.1.113883.4.642.4.328", code: "ro")
            record.locations = [location]
            visited += 1
            var encounter = Encounter(ref: EntityRef(.encounter, key: "e"))
            encounter.identifiers = [identifier]
            encounter.patientClass = Coding(system: "HL70004", code: "I")
            encounter.type = [bad]
            encounter.serviceType = bad
            encounter.priority = bad
            encounter.reasons = [bad]
            encounter.participants = [participant]
            encounter.admitSource = bad
            encounter.dischargeDisposition = bad
            encounter.readmission = bad
            encounter.diet = [bad]
            encounter.specialCourtesy = [bad]
            encounter.hospitalService = bad
            encounter.length = quantity
            record.encounters = [encounter]
            visited += 13
            var condition = Condition(ref: EntityRef(.condition, key: "c"))
            condition.identifiers = [identifier]
            condition.code = bad
            condition.severity = bad
            condition.diagnosisType = bad
            record.conditions = [condition]
            visited += 4
            var allergy = Allergy(ref: EntityRef(.allergy, key: "a"))
            allergy.identifiers = [identifier]
            allergy.code = bad
            allergy.reactions = [AllergyReaction(manifestations: [bad, bad])]
            record.allergies = [allergy]
            visited += 4
            var procedure = Procedure(ref: EntityRef(.procedure, key: "pr"))
            procedure.identifiers = [identifier]
            procedure.code = bad
            procedure.performers = [participant]
            procedure.category = bad
            procedure.bodySites = [bad]
            procedure.reasons = [bad]
            record.procedures = [procedure]
            visited += 6
            var immunization = Immunization(ref: EntityRef(.immunization, key: "i"))
            immunization.identifiers = [identifier]
            immunization.vaccine = bad
            immunization.statusReason = bad
            immunization.reportOrigin = bad
            immunization.dose = quantity
            immunization.route = bad
            immunization.site = bad
            immunization.performers = [participant]
            immunization.fundingSource = bad
            immunization.programEligibility = [bad]
            record.immunizations = [immunization]
            visited += 9
            var medication = Medication(ref: EntityRef(.medication, key: "m"))
            medication.identifiers = [identifier]
            medication.code = bad
            medication.doseQuantity = quantity
            medication.route = bad
            medication.dispenseQuantity = quantity
            medication.reasons = [bad]
            record.medications = [medication]
            visited += 4
            var order = ServiceRequest(ref: EntityRef(.serviceRequest, key: "s"))
            order.identifiers = [identifier]
            order.code = bad
            order.reasons = [bad]
            record.serviceRequests = [order]
            visited += 3
            var specimen = Specimen(ref: EntityRef(.specimen, key: "sp"))
            specimen.identifiers = [identifier]
            specimen.type = bad
            specimen.bodySite = bad
            specimen.collectionMethod = bad
            specimen.quantity = quantity
            record.specimens = [specimen]
            visited += 4
            var observation = Observation(ref: EntityRef(.observation, key: "ob"), code: bad)
            observation.identifiers = [identifier]
            observation.value = .concept(bad)
            observation.interpretation = [bad]
            observation.referenceRange = [ReferenceRange(low: quantity, high: quantity)]
            observation.method = bad
            observation.bodySite = bad
            var component = ObservationComponent(code: bad, value: .ratio(numerator: quantity, denominator: quantity))
            component.interpretation = [bad]
            component.referenceRange = [ReferenceRange(low: quantity)]
            observation.components = [
                component, ObservationComponent(code: bad, value: .range(low: quantity, high: nil)),
            ]
            record.observations = [observation]
            visited += 9
            var report = DiagnosticReport(ref: EntityRef(.diagnosticReport, key: "dr"), code: bad)
            report.identifiers = [identifier]
            report.categories = [bad]
            record.diagnosticReports = [report]
            visited += 3
            var note = DocumentNote(ref: EntityRef(.document, key: "n"))
            note.identifiers = [identifier]
            note.type = bad
            record.documents = [note]
            visited += 2
            var appointment = Appointment(ref: EntityRef(.appointment, key: "ap"))
            appointment.identifiers = [identifier]
            appointment.serviceType = [bad]
            appointment.appointmentType = bad
            appointment.reason = [bad]
            record.appointments = [appointment]
            visited += 4
            var coverage = Coverage(ref: EntityRef(.coverage, key: "cv"))
            coverage.identifiers = [identifier]
            coverage.type = bad
            coverage.relationship = bad
            record.coverages = [coverage]
            visited += 3
            var plan = CarePlan(ref: EntityRef(.carePlan, key: "cp"))
            plan.identifiers = [identifier]
            plan.categories = [bad]
            plan.reasons = [bad]
            plan.activities = [bad]
            record.carePlans = [plan]
            visited += 4
            var study = ImagingStudy(ref: EntityRef(.imagingStudy, key: "is"))
            study.identifiers = [identifier]
            study.modalities = [Coding(system: "DCM", code: "DX")]
            study.bodySite = Coding(system: "SCT", code: "8205005")
            study.sopClass = Coding(system: "urn:ietf:rfc:3986", code: "urn:oid:1.2.840.10008.5.1.4.1.1.1.1")
            study.procedureCode = bad
            record.imagingStudies = [study]
            visited += 2
            var link = PatientLink(
                ref: EntityRef(.patientLink, key: "pl"), survivor: Self.patientRef, merged: Self.patientRef)
            link.mergedIdentifiers = [identifier]
            record.patientLinks = [link]
            visited += 1
        }
        let (normalized, diagnostics) = try normalizer().normalize(record)
        // Every `bad` concept (E119 under a v2 name) became a dotted ICD-10-CM coding, with its display filled.
        let data = try JSONEncoder().encode(normalized)
        let json = String(decoding: data, as: UTF8.self)
        #expect(!json.contains("\"E119\""), "a coded field was not visited")
        #expect(!json.contains("\"I10\""), "a system was not normalized")
        #expect(!json.contains("\"code\":\"mg\\/dl\""), "a quantity was not visited")
        let respelled = json.components(separatedBy: "\"E11.9\"").count - 1
        #expect(respelled >= visited - 2, "\(respelled) respelled, about \(visited) fields set")
        #expect(normalized.patients[0].gender?.system == "http://terminology.hl7.org/CodeSystem/v2-0001")
        #expect(normalized.imagingStudies[0].modalities[0].system == "http://dicom.nema.org/resources/ontology/DCM")
        #expect(normalized.medications[0].dispenseQuantity?.code == "mg/dL")
        #expect(diagnostics.allSatisfy { $0.kind != .unknownCode && $0.kind != .malformedCode }, "\(diagnostics)")
    }

    @Test func normalizingTwiceChangesNothing() throws {
        let normalizer = try normalizer()
        let source = record { record in
            var observation = Observation(
                ref: EntityRef(.observation, key: "o"),
                code: Concept(codings: [Coding(system: "LN", code: "8867-4", display: "heartrate")]))
            observation.value = .quantity(
                Quantity(value: DecimalValue(lexical: "72"), unit: "beats/min", system: "ISO+"))
            observation.interpretation = [Concept(codings: [Coding(system: "HL70078", code: "N")])]
            record.observations = [observation]
        }
        let (once, _) = normalizer.normalize(source)
        let (twice, diagnostics) = normalizer.normalize(once)
        #expect(once == twice)
        #expect(diagnostics.isEmpty)
    }

    @Test func normalizingIsFast() throws {
        let normalizer = try normalizer()
        let source = record { record in
            for index in 0..<200 {
                var observation = Observation(
                    ref: EntityRef(.observation, key: "o\(index)"),
                    code: Concept(codings: [Coding(system: "LN", code: "2345-7", display: "Glucose")]))
                observation.value = .quantity(Quantity(value: DecimalValue(lexical: "5"), unit: "mg/dl"))
                observation.interpretation = [Concept(codings: [Coding(system: "HL70078", code: "H")])]
                record.observations.append(observation)
                var condition = Condition(ref: EntityRef(.condition, key: "c\(index)"))
                condition.code = Concept(codings: [Coding(system: "I10", code: "E119", display: "Diabetes")])
                record.conditions.append(condition)
            }
        }
        _ = normalizer.normalize(source)  // loads the tables
        let clock = ContinuousClock()
        let elapsed = clock.measure { for _ in 0..<5 { _ = normalizer.normalize(source) } }
        print("RecordNormalizer: 5 × 400 entities in \(elapsed)")
        #expect(elapsed < .seconds(5))
    }
}
