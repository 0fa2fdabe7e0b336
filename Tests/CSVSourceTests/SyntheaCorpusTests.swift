import CSVSource
import ClinicalModel
import Foundation
import TestSupport
import Testing

/// The corpus's `synthea/csv` through the bundled 2.x profile, checked against `MANIFEST.md`.
@Suite("Synthea 2.x corpus", .needsCorpus)
struct SyntheaCorpusTests {
    static func read() throws -> (records: [ClinicalRecord], diagnostics: [Diagnostic], errors: [SourceError]) {
        let reader = CSVSourceReader(profile: try Fixtures.profile("synthea-csv-2"), terminology: try Fixtures.store())
        return try reader.read(folder: Fixtures.syntheaCSV)
    }

    @Test func detectsTheTwoXProfile() throws {
        let detected = CSVSourceReader.detectProfile(folder: Fixtures.syntheaCSV, candidates: try Fixtures.profiles())
        #expect(detected?.name == "synthea-csv-2")
    }

    @Test func perPatientCountsEqualTheManifest() throws {
        let (records, _, errors) = try Self.read()
        #expect(errors.isEmpty)
        let manifest = try ManifestRow.load(Fixtures.synthea.appendingPathComponent("MANIFEST.md"))
        #expect(manifest.count == 16)
        #expect(records.count == manifest.count)
        let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.document.controlID ?? "", $0) })
        for row in manifest {
            let record = try #require(byID[row.id], "no record for a manifest patient")
            let observationRows = record.observations.reduce(0) { $0 + max(1, $1.components.count) }
            let actual: [String: Int] = [
                "encounters": record.encounters.count, "conditions": record.conditions.count,
                "observations": observationRows, "medications": record.medications.count,
                "allergies": record.allergies.count, "immunizations": record.immunizations.count,
                "procedures": record.procedures.count, "careplans": record.carePlans.count,
                "imaging_studies": record.imagingStudies.count,
            ]
            for (column, count) in actual {
                #expect(row.counts[column] == count, "\(column) of patient \(record.document.index)")
            }
        }
    }

    @Test func recordsAreOnePerPatientInFileOrder() throws {
        let (records, _, _) = try Self.read()
        #expect(records.map(\.document.index) == Array(1...16))
        let first = try #require(records.first)
        #expect(first.document.format == .csv)
        #expect(first.document.inputName == "csv")
        #expect(first.document.type == "synthea-csv-2")
        #expect(first.document.controlID == "3287bb9c-e395-4146-8dd5-1fc3d887d220")
        #expect(first.patients.count == 1)
        #expect(
            first.patients[0].ref.key
                == "https://github.com/synthetichealth/synthea|3287bb9c-e395-4146-8dd5-1fc3d887d220")
    }

    @Test func foreignKeysBecomeReferences() throws {
        let (records, _, _) = try Self.read()
        for record in records {
            let patient = record.patients[0].ref
            let encounters = Set(record.encounters.map(\.ref))
            let organizations = Set(record.organizations.map(\.ref))
            #expect(record.encounters.allSatisfy { $0.patient == patient })
            // two encounters of the corpus have an empty PROVIDER
            #expect(record.encounters.allSatisfy { $0.serviceProvider.map(organizations.contains) ?? true })
            #expect(
                record.conditions.allSatisfy {
                    $0.patient == patient && ($0.encounter.map(encounters.contains) ?? false)
                })
            #expect(
                record.observations.allSatisfy {
                    $0.patient == patient && ($0.encounter.map(encounters.contains) ?? false)
                })
            #expect(record.immunizations.allSatisfy { $0.encounter.map(encounters.contains) ?? false })
            #expect(record.carePlans.allSatisfy { $0.encounter.map(encounters.contains) ?? false })
            // only the organizations this patient's encounters use
            #expect(organizations == Set(record.encounters.compactMap(\.serviceProvider)))
        }
    }

    @Test func valuesAreTypedAsTheProfileSays() throws {
        let (records, _, _) = try Self.read()
        let victor = records[0]
        let patient = victor.patients[0]
        #expect(
            patient.gender == Coding(system: "http://hl7.org/fhir/administrative-gender", code: "male", display: "Male")
        )
        #expect(patient.birthDate?.fhir == "2015-07-12")
        #expect(patient.races.first?.codings.first?.code == "2106-3")
        #expect(patient.ethnicities.first?.codings.first?.code == "2186-5")
        #expect(patient.identifiers.contains { $0.system == "http://hl7.org/fhir/sid/us-ssn" })
        // CVX keeps its leading zero
        #expect(victor.immunizations.contains { $0.vaccine?.codings.first?.code == "08" })
        #expect(victor.immunizations.allSatisfy { $0.vaccine?.codings.first?.system == "http://hl7.org/fhir/sid/cvx" })
        let encounter = try #require(victor.encounters.first)
        #expect(encounter.period?.start?.fhir == "2015-07-12T04:30:58Z")
        #expect(encounter.patientClass?.code == "AMB")
        #expect(encounter.status == "finished")
        let height = try #require(victor.observations.first { $0.code.codings.first?.code == "8302-2" })
        #expect(
            height.value
                == .quantity(
                    Quantity(
                        value: DecimalValue(lexical: "54.3"), unit: "cm", system: "http://unitsofmeasure.org",
                        code: "cm")))
        let smoking = try #require(victor.observations.first { $0.code.codings.first?.code == "72166-2" })
        #expect(smoking.value == .concept(Concept(text: "Never smoker")))
        // Hispanic is an ethnicity, not a race
        let maria = records[1].patients[0]
        #expect(maria.races.isEmpty)
        #expect(maria.ethnicities.first?.codings.first?.code == "2135-2")
    }

    @Test func bloodPressureRowsPairIntoOneObservation() throws {
        let (records, _, _) = try Self.read()
        let victor = records[0]
        let pressures = victor.observations.filter { $0.code.codings.first?.code == "55284-4" }
        #expect(!pressures.isEmpty)
        for pressure in pressures {
            #expect(pressure.components.map { $0.code.codings.first?.code } == ["8462-4", "8480-6"])
            #expect(pressure.value == nil)
        }
        #expect(!victor.observations.contains { ["8480-6", "8462-4"].contains($0.code.codings.first?.code) })
        let all = records.flatMap(\.observations).filter { !$0.components.isEmpty }
        #expect(all.count == 153)
    }

    @Test func repeatedNaturalKeysAreNumberedNotDropped() throws {
        let (records, diagnostics, _) = try Self.read()
        let keys = records.flatMap { $0.observations.map(\.ref.key) + $0.procedures.map(\.ref.key) }
        #expect(Set(keys).count == keys.count)
        #expect(keys.contains { $0.hasSuffix("#2") })
        #expect(diagnostics.allSatisfy { $0.kind == .duplicateKey && $0.severity == .information })
    }

    @Test func readingTwiceGivesTheSameRecords() throws {
        let first = try Self.read().records
        let second = try Self.read().records
        #expect(first == second)
    }
}
