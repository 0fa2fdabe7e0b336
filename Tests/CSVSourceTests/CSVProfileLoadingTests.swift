import CSVSource
import Foundation
import MappingSpec
import Testing

/// A broken profile and the `file:line` error it must give.
struct BrokenProfile: CustomTestStringConvertible, Sendable {
    var name: String
    var yaml: String
    var line: Int?
    var message: String

    var testDescription: String { name }

    static let base = """
        profile: broken
        files:
          patients:
            match: patients.csv
            entity: patient
            key: Id
            columns:
              Id: { to: identifiers, type: identifier, system: "urn:oid:1.2.3" }

        """

    static let all: [BrokenProfile] = [
        BrokenProfile(
            name: "unknown top key", yaml: "profile: x\nfilez: {}\n", line: 2, message: "unknown key 'filez'"),
        BrokenProfile(name: "YAML syntax", yaml: "profile: x\nfiles: [\n", line: 3, message: "YAML syntax error"),
        BrokenProfile(
            name: "unknown path",
            yaml: base + "      LAST: { to: name.surname, type: string }\n", line: 9,
            message: "unknown path 'name.surname'"),
        // `names` is in the shared path catalogue, but whole names come from HL7 v2 XPN, not from a column
        BrokenProfile(
            name: "catalogue path no column fills",
            yaml: base + "      LAST: { to: names, type: string }\n", line: 9, message: "unknown path 'names'"),
        BrokenProfile(
            name: "unknown type", yaml: base + "      LAST: { to: name.family, type: text }\n", line: 9,
            message: "unknown type 'text'"),
        BrokenProfile(
            name: "type the path does not take", yaml: base + "      BIRTHDATE: { to: birthDate, type: string }\n",
            line: 9, message: "does not take a string value"),
        BrokenProfile(
            name: "bad date format",
            yaml: base + "      BIRTHDATE: { to: birthDate, type: date, format: yy-MM-dd }\n", line: 9,
            message: "unsupported date format letters 'yy'"),
        BrokenProfile(
            name: "unknown zone",
            yaml: base + "      BIRTHDATE: { to: birthDate, type: dateTime, zone: Nowhere/Special }\n", line: 9,
            message: "unknown time zone"),
        BrokenProfile(
            name: "option for another type",
            yaml: base + "      LAST: { to: name.family, type: string, system: \"urn:oid:1.2\" }\n", line: 9,
            message: "'system' does not apply to type string"),
        BrokenProfile(
            name: "code without system", yaml: base + "      GENDER: { to: gender, type: code }\n", line: 9,
            message: "a code needs a system"),
        BrokenProfile(
            name: "system that is no URI", yaml: base + "      GENDER: { to: gender, type: code, system: SNOMED }\n",
            line: 9, message: "system must be a URI or an OID"),
        BrokenProfile(
            name: "unknown entity",
            yaml: base + "  things:\n    match: t.csv\n    entity: widget\n    key: Id\n    columns: {}\n", line: 11,
            message: "unknown entity 'widget'"),
        BrokenProfile(
            name: "unknown converter",
            yaml: base
                + "  observations:\n    match: o.csv\n    entity: observation\n    key: [CODE]\n    converters: [bpPair]\n    columns:\n      P: { to: patient, type: reference, table: patients }\n",
            line: 13, message: "unknown converter 'bpPair'"),
        BrokenProfile(
            name: "unknown converter option",
            yaml: base
                + "  observations:\n    match: o.csv\n    entity: observation\n    key: [CODE]\n    converters:\n      bloodPressurePair: { colour: red }\n    columns:\n      P: { to: patient, type: reference, table: patients }\n",
            line: 14, message: "has no option 'colour'"),
        BrokenProfile(
            name: "foreign key to unknown file",
            yaml: base
                + "  encounters:\n    match: e.csv\n    entity: encounter\n    key: Id\n    columns:\n      P: { to: patient, type: reference, table: people }\n",
            line: 14, message: "reference to unknown file 'people'"),
        BrokenProfile(
            name: "per-patient file without patient",
            yaml: base + "  encounters:\n    match: e.csv\n    entity: encounter\n    key: Id\n    columns: {}\n",
            line: 9,
            message: "needs a column with 'to: patient, type: reference'"),
        BrokenProfile(
            name: "missing key",
            yaml: "profile: x\nfiles:\n  patients:\n    match: p.csv\n    entity: patient\n    columns: {}\n", line: 3,
            message: "needs a key"),
        BrokenProfile(
            name: "reference to a kind the path cannot hold",
            yaml: base
                + "  encounters:\n    match: e.csv\n    entity: encounter\n    key: Id\n    columns:\n      P: { to: patient, type: reference, table: patients }\n      O: { to: serviceProvider, type: reference, table: patients }\n",
            line: 15, message: "path 'serviceProvider' cannot point to patient records"),
    ]
}

@Suite("Profile loading")
struct CSVProfileLoadingTests {
    @Test func bundledProfilesLoadAndKnowTheirTerminology() throws {
        let profiles = try Fixtures.profiles()
        #expect(profiles.map(\.name) == ["i2b2", "synthea-csv-2", "synthea-csv-3"])
        let store = try Fixtures.store()
        for profile in profiles + [try Fixtures.labProfile()] {
            try profile.check(against: store)
        }
        let two = try Fixtures.profile("synthea-csv-2")
        #expect(two.patientTable?.name == "patients")
        #expect(two.table(named: "observations")?.converters.first?.name == "bloodPressurePair")
        #expect(two.tables.map(\.entity).contains(.imagingStudy))
    }

    @Test(arguments: BrokenProfile.all)
    func brokenProfileGivesFileAndLine(_ broken: BrokenProfile) throws {
        let url = try Fixtures.profileFile(broken.yaml)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        do {
            _ = try CSVProfile.load(url)
            Issue.record("loaded a broken profile")
        } catch {
            #expect(error.file == "test-profile.yaml")
            #expect(error.line == broken.line, "\(error)")
            #expect(error.message.contains(broken.message), "\(error)")
        }
    }

    @Test func unknownConceptMapIsCaughtAgainstTheTerminology() throws {
        let url = try Fixtures.profileFile(
            BrokenProfile.base + "      GENDER: { to: gender, type: code, map: v2-9999--nothing }\n")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let profile = try CSVProfile.load(url)
        #expect(throws: MappingLoadError.self) { try profile.check(against: try Fixtures.store()) }
    }

    @Test func duplicateProfileNamesAreRejected() throws {
        let folder = try Fixtures.temporaryFolder("dupes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("csv")
        try FileManager.default.createDirectory(at: csv, withIntermediateDirectories: true)
        try Data(BrokenProfile.base.utf8).write(to: csv.appendingPathComponent("a.yaml"))
        try Data(BrokenProfile.base.utf8).write(to: csv.appendingPathComponent("b.yaml"))
        #expect(throws: MappingLoadError.self) { try CSVProfiles.loadAll(from: folder) }
    }
}
