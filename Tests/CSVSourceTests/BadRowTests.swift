import CSVSource
import ClinicalModel
import Foundation
import Testing

/// Broken rows are reported by file, line and column header, never with their values, and the other
/// rows still convert.
@Suite("Bad rows")
struct BadRowTests {
    static let sentinel = "ZZSENTINEL"

    static let patients = """
        Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,LAST,SUFFIX,MAIDEN,MARITAL,RACE,ETHNICITY,GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,ZIP
        p-1,1980-01-02,,999-00-0001,,,,Ann\(sentinel),Test\(sentinel),,,M,white,irish,F,Town,1 Main St,City,State,00001
        p-2,1990-13-45,,999-00-0002,,,,Bob,Test,,,S,\(sentinel),irish,\(sentinel),Town,2 Main St,City,State,00002

        """

    /// Line numbers (header is 1): 2 good, 3 quoted line break (good, ends on 4), 5 bad date in a
    /// required column, 6 unknown patient, 7 unterminated quote (runs to the end of the file).
    static let encounters = """
        Id,START,STOP,PATIENT,PROVIDER,ENCOUNTERCLASS,CODE,DESCRIPTION,COST,REASONCODE,REASONDESCRIPTION\r
        e-1,2020-01-01T10:00:00Z,2020-01-01T10:30:00Z,p-1,,wellness,185349003,Check up,1.00,,\r
        e-2,2020-02-01T10:00:00Z,,p-1,,ambulatory,185349003,"Two\r
        lines \(sentinel)",1.00,,\r
        e-3,\(sentinel),,p-1,,wellness,185349003,Check up,1.00,,\r
        e-4,2020-03-01T10:00:00Z,,p-\(sentinel),,wellness,185349003,Check up,1.00,,\r
        e-5,2020-04-01T10:00:00Z,,p-2,,wellness,"185349003,Check up,1.00,,\r
        e-6,2020-05-01T10:00:00Z,,p-2,,wellness,185349003,Check up,1.00,,\r

        """

    static let observations = """
        DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,VALUE,UNITS,TYPE
        2020-01-01,p-1,e-1,8302-2,Body Height,\(sentinel),cm,numeric
        2020-01-01,p-1,e-1,8302-2,Body Height,170.2,cm,numeric,extra
        2020-01-01,p-1,e-\(sentinel),29463-7,Body Weight,70,kg,numeric
        2020-01-01,p-2,e-6,29463-7,Body Weight,80,kg,numeric
        ,p-2,e-6,29463-7,Body Weight,80,kg,numeric

        """

    static func read() throws -> (records: [ClinicalRecord], diagnostics: [Diagnostic], errors: [SourceError]) {
        let folder = try Fixtures.folder(
            ["patients.csv": patients, "encounters.csv": encounters, "observations.csv": observations], name: "bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let reader = CSVSourceReader(profile: try Fixtures.profile("synthea-csv-2"), terminology: try Fixtures.store())
        return try reader.read(folder: folder)
    }

    @Test func errorsNameFileLineAndColumn() throws {
        let (_, _, errors) = try Self.read()
        let found = Set(errors.map { "\($0.kind) \($0.location?.description ?? "")" })
        #expect(
            found == [
                "invalidValue encounters.csv:5 column START",
                "unknownPatient encounters.csv:6 column PATIENT",
                "unterminatedQuote encounters.csv:7 column CODE",
                "fieldCountMismatch observations.csv:3",
                "missingValue observations.csv:6 column DATE",
            ])
        #expect(errors.allSatisfy { $0.input != nil })
    }

    @Test func otherRowsGoOn() throws {
        let (records, diagnostics, _) = try Self.read()
        #expect(records.count == 2)
        let first = records[0]
        #expect(first.encounters.map { $0.identifiers.first?.value } == ["e-1", "e-2"])
        // the bad VALUE is dropped with a warning; the row with an unknown ENCOUNTER loses the link only
        #expect(first.observations.count == 2)
        #expect(first.observations.allSatisfy { $0.value == nil || $0.encounter == nil })
        #expect(
            diagnostics.contains {
                $0.kind == .invalidValue && $0.location == .csv(file: "observations.csv", line: 2, column: "VALUE")
            })
        #expect(
            diagnostics.contains {
                $0.kind == .unresolvedForeignKey
                    && $0.location == .csv(file: "observations.csv", line: 4, column: "ENCOUNTER")
            })
        // p-2's bad birth date and unmapped race/gender are warnings; the patient stays
        let second = records[1]
        #expect(second.patients[0].birthDate == nil)
        #expect(second.patients[0].gender == nil)
        #expect(
            diagnostics.contains {
                $0.kind == .unmappedCode && $0.location == .csv(file: "patients.csv", line: 3, column: "GENDER")
            })
        #expect(second.encounters.isEmpty)
        #expect(second.observations.count == 1)
        #expect(second.observations[0].encounter == nil)
    }

    @Test func noCellValueInAnyErrorOrDiagnostic() throws {
        let (_, diagnostics, errors) = try Self.read()
        #expect(!errors.isEmpty && !diagnostics.isEmpty)
        for text in errors.map(\.description) + diagnostics.map(\.description) {
            #expect(!text.contains(Self.sentinel))
        }
        for diagnostic in diagnostics {
            #expect(!(diagnostic.code ?? "").contains(Self.sentinel))
            #expect(!(diagnostic.system ?? "").contains(Self.sentinel))
        }
        let encoded =
            String(decoding: try JSONEncoder().encode(errors), as: UTF8.self)
            + String(decoding: try JSONEncoder().encode(diagnostics), as: UTF8.self)
        #expect(!encoded.contains(Self.sentinel))
    }

    @Test func missingRequiredFileOrColumn() throws {
        let reader = CSVSourceReader(profile: try Fixtures.profile("synthea-csv-2"), terminology: try Fixtures.store())
        let empty = try Fixtures.folder(["encounters.csv": Self.encounters], name: "nopatients")
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: SourceError.self) { try reader.read(folder: empty) }
        let noID = try Fixtures.folder(
            ["patients.csv": "BIRTHDATE,FIRST\n2000-01-01,Ann\n", "encounters.csv": Self.encounters], name: "noid")
        defer { try? FileManager.default.removeItem(at: noID) }
        let (records, _, errors) = try reader.read(folder: noID)
        #expect(records.isEmpty)
        #expect(
            errors.contains {
                $0.kind == .missingColumn && $0.location == .csv(file: "patients.csv", line: 1, column: "Id")
            })
    }
}
