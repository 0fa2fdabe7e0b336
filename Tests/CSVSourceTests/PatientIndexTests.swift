import ClinicalModel
import Foundation
import TestSupport
import Testing

@testable import CSVSource

/// The index pass keeps runs of rows per patient: bounded by patients for exports written patient by
/// patient, and still right when a patient's rows are spread over a file.
@Suite("Per-patient index")
struct PatientIndexTests {
    static func indexedSession(_ folder: URL, profile: CSVProfile) throws -> CSVReadSession {
        var session = try CSVReadSession(profile: profile, terminology: try Fixtures.store(), input: folder)
        for table in session.sharedOrder { session.loadShared(table) }
        if let patients = profile.tables.firstIndex(where: { $0.entity == .patient }) { session.loadPatients(patients) }
        for table in session.perPatientOrder {
            for file in session.files.indices where session.files[file].table == table { session.index(file) }
        }
        return session
    }

    @Test(.needsCorpus) func syntheaHasOneRunPerPatientAndFile() throws {
        let session = try Self.indexedSession(Fixtures.syntheaCSV, profile: try Fixtures.profile("synthea-csv-2"))
        #expect(session.patients.count == 16)
        for patient in session.patients {
            let files = patient.runs.map(\.file)
            #expect(Set(files).count == files.count)
        }
        let rows = session.patients.flatMap(\.runs).reduce(0) { $0 + $1.count }
        // every row of the nine per-patient files (4,154) is in exactly one run
        #expect(rows == 423 + 109 + 2889 + 148 + 8 + 186 + 286 + 47 + 14)
    }

    @Test func spreadRowsGiveSeveralRunsAndAllRowsAreRead() throws {
        let folder = try Fixtures.folder(SyntheaV3Fixture.files, name: "runs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let session = try Self.indexedSession(folder, profile: try Fixtures.profile("synthea-csv-3"))
        let observations = try #require(session.files.firstIndex { $0.name == "observations.csv" })
        let first = session.patients[0].runs.filter { $0.file == observations }
        #expect(first.map(\.count) == [1, 2])
        #expect(first.map(\.line) == [2, 4])
    }
}
