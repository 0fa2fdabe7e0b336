import CSVSource
import ClinicalModel
import Foundation
import Testing

@Suite("Synthea 3.x layout")
struct SyntheaV3Tests {
    static func read() throws -> (records: [ClinicalRecord], diagnostics: [Diagnostic], errors: [SourceError]) {
        let folder = try Fixtures.folder(SyntheaV3Fixture.files, name: "v3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let profile = try #require(
            CSVSourceReader.detectProfile(folder: folder, candidates: try Fixtures.profiles() + [Fixtures.labProfile()])
        )
        #expect(profile.name == "synthea-csv-3")
        return try CSVSourceReader(profile: profile, terminology: try Fixtures.store()).read(folder: folder)
    }

    @Test func readsCleanly() throws {
        let (records, diagnostics, errors) = try Self.read()
        #expect(errors.isEmpty)
        #expect(diagnostics.isEmpty)
        #expect(
            records.map(\.document.controlID) == [
                "aaaa0001-0000-4000-8000-000000000001", "aaaa0002-0000-4000-8000-000000000002",
            ])
    }

    @Test func encountersNameTheOrganizationAndTheClinician() throws {
        let (records, _, _) = try Self.read()
        for record in records {
            let encounter = try #require(record.encounters.first)
            #expect(encounter.serviceProvider == record.organizations.first?.ref)
            #expect(encounter.participants.map(\.who) == record.practitioners.map(\.ref))
            #expect(record.organizations.count == 1 && record.practitioners.count == 1)
        }
        #expect(records[1].encounters[0].patientClass?.code == "VR")
    }

    @Test func allergiesCarrySystemTypeCategoryAndReactions() throws {
        let (records, _, _) = try Self.read()
        let allergies = records[0].allergies
        let penicillin = try #require(allergies.first { $0.code?.codings.first?.code == "7980" })
        #expect(penicillin.code?.codings.first?.system == "http://www.nlm.nih.gov/research/umls/rxnorm")
        #expect(penicillin.type == "allergy")
        #expect(penicillin.categories == ["medication"])
        #expect(penicillin.clinicalStatus == "active")
        #expect(penicillin.reactions.map(\.severity) == ["mild", "moderate"])
        #expect(
            penicillin.reactions.map { $0.manifestations.first?.codings.first?.code } == ["247472004", "271807003"])
        let mould = try #require(allergies.first { $0.code?.codings.first?.code == "419474003" })
        #expect(mould.code?.codings.first?.system == "http://snomed.info/sct")
        #expect(mould.reactions.isEmpty)
        #expect(mould.clinicalStatus == "resolved")
    }

    @Test func observationsFromInterleavedRowsPairAndKeepTheirCategories() throws {
        let (records, _, _) = try Self.read()
        let first = records[0].observations
        #expect(first.count == 2)
        let pressure = try #require(first.first { !$0.components.isEmpty })
        #expect(pressure.code.codings.first?.code == "85354-9")
        #expect(pressure.categories == ["vital-signs"])
        #expect(pressure.effective?.fhir == "2021-03-01T10:00:00Z")
        #expect(first.reduce(0) { $0 + max(1, $1.components.count) } == 3)
        #expect(records[1].observations.map { $0.code.codings.first?.code } == ["8302-2"])
    }

    @Test func studiesWrittenPerInstanceAreOneStudy() throws {
        let (records, _, _) = try Self.read()
        let studies = records[1].imagingStudies
        #expect(studies.count == 1)
        #expect(studies.first?.procedureCode?.codings.first?.code == "399208008")
        #expect(studies.first?.sopClass?.code == "urn:oid:1.2.840.10008.5.1.4.1.1.1.1")
    }

    @Test func timestampsLeadingZerosAndPeriods() throws {
        let (records, _, _) = try Self.read()
        let first = records[0]
        #expect(first.immunizations.first?.vaccine?.codings.first?.code == "08")
        #expect(first.immunizations.first?.occurrence?.fhir == "2021-03-01T10:00:00Z")
        #expect(
            first.procedures.first?.performed
                == Period(
                    start: ClinicalDateTime(fhir: "2021-03-01T10:00:00Z"),
                    end: ClinicalDateTime(fhir: "2021-03-01T10:15:00Z")))
        #expect(first.patients[0].names.map(\.use) == ["official", "maiden"])
        #expect(first.patients[0].names[0].given == ["Ada123", "Bea45"])
        #expect(first.patients[0].addresses.first?.district == "Hampden County")
        let second = records[1]
        #expect(second.patients[0].deceasedAt?.fhir == "2020-01-01")
        #expect(second.patients[0].deceased == true)
        #expect(second.medications.first?.status == "stopped")
        #expect(second.carePlans.first?.status == "completed")
        #expect(second.conditions.first?.clinicalStatus == "resolved")
    }
}
