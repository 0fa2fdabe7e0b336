import CSVSource
import ClinicalModel
import Foundation
import MappingSpec
import Testing

/// The profile language for long (entity-attribute-value) exports: `when:` conditions, code
/// transforms, comparators and units from other columns, precedence, patient stubs, and the
/// source account of every cell.
@Suite("CSV long tables")
struct LongTableTests {
    static let profileYAML = """
        profile: facts
        files:
          patients:
            match: patients.csv
            entity: patient
            key: ID
            columns:
              ID: { to: identifiers, type: identifier, system: "urn:example:patient" }
              SEX: { to: gender, type: code, system: "http://hl7.org/fhir/administrative-gender", values: { F: female, M: male } }
            ignore: { LOADED: "load audit" }
          results:
            match: facts.csv
            entity: observation
            when: { CONCEPT: { prefix: "LOINC:" }, KIND: { not: B } }
            unknownPatient: stub
            key: [CONCEPT, WHEN]
            columns:
              PATIENT: { to: patient, type: reference, table: patients, required: true }
              CONCEPT: { to: code, type: code, split: ":", systems: { LOINC: "http://loinc.org" }, required: true }
              WHEN: { to: effective, type: dateTime, format: "yyyy-MM-dd HH:mm" }
              NUM:
                to: value
                type: quantity
                when: { KIND: N }
                comparatorColumn: OP
                comparators: { E: ~, LE: "<=", G: ">" }
                unitColumn: UNIT
                unitSystem: "http://unitsofmeasure.org"
                units: { "NOT DEFINED": ~ }
              TEXT: { to: value, type: string, when: { KIND: T } }
            ignore: { NOTE: "notes only" }
          problems:
            match: facts.csv
            entity: condition
            when: { CONCEPT: { matches: "^ICD(9|10):" } }
            key: [CONCEPT, WHEN]
            columns:
              PATIENT: { to: patient, type: reference, table: patients, required: true }
              CONCEPT:
                to: code
                type: code
                pattern: "^(?<system>ICD(?:9|10)):(?<code>.+)$"
                systems: { ICD10: "http://hl7.org/fhir/sid/icd-10-cm" }
              WHEN: { to: onset, type: dateTime, format: "yyyy-MM-dd HH:mm" }
            ignore: { NUM: "empty for problems", OP: "empty", UNIT: "empty", TEXT: "empty", KIND: "empty", NOTE: "empty" }
          notes:
            match: facts.csv
            entity: document
            when: { KIND: B }
            key: [CONCEPT, WHEN]
            columns:
              PATIENT: { to: patient, type: reference, table: patients, required: true }
              CONCEPT: { to: type, type: code, split: ":", systems: { LOINC: "http://loinc.org" } }
              WHEN: { to: date, type: dateTime, format: "yyyy-MM-dd HH:mm" }
              NOTE: { to: text, type: string }

        """

    static let patients = "ID,SEX,LOADED\n1,F,2024-01-01\n2,M,2024-01-01\n"
    static let facts = """
        PATIENT,CONCEPT,WHEN,KIND,NUM,OP,UNIT,TEXT,NOTE
        1,LOINC:2345-7,2024-03-01 08:00,N,95,E,mg/dL,,
        1,LOINC:2160-0,2024-03-01 08:00,N,0.5,LE,mg/dL,,
        1,LOINC:39156-5,2024-03-01 08:00,N,31.2,,NOT DEFINED,,
        1,LOINC:5778-6,2024-03-01 08:00,T,,,,yellow,
        1,ICD10:E11.9,2024-03-01 08:00,,,,,,
        1,LOINC:11506-3,2024-03-01 09:00,B,,,,,Seen today.
        2,LOINC:2345-7,2024-03-02 08:00,N,400,G,mg/dL,,
        2,SNOMED:1234,2024-03-02 08:00,,,,,,
        9,LOINC:2345-7,2024-03-03 08:00,N,110,E,mg/dL,,

        """

    static func read(_ yaml: String = profileYAML, facts: String = facts) throws -> (
        records: [ClinicalRecord], diagnostics: [Diagnostic], errors: [SourceError], accounts: [SourceAccount]
    ) {
        let profile = try CSVProfile.load(try Fixtures.profileFile(yaml))
        let folder = try Fixtures.folder(["patients.csv": patients, "facts.csv": facts])
        defer { try? FileManager.default.removeItem(at: folder) }
        var iterator = try CSVSourceReader(profile: profile, terminology: try Fixtures.store()).records(folder: folder)
        var records: [ClinicalRecord] = []
        var accounts: [SourceAccount] = []
        while let record = iterator.next() {
            records.append(record)
            accounts.append(iterator.account)
        }
        return (records, iterator.diagnostics, iterator.errors, accounts)
    }

    @Test func rowsAreRoutedByConditionsToTheirKind() throws {
        let (records, _, errors, _) = try Self.read()
        #expect(errors.isEmpty, "\(errors)")
        #expect(records.count == 3)
        let first = records[0]
        #expect(first.observations.count == 4)
        #expect(first.conditions.count == 1)
        #expect(first.documents.count == 1)
        #expect(first.conditions.first?.code?.codings.first?.system == "http://hl7.org/fhir/sid/icd-10-cm")
        #expect(first.conditions.first?.code?.codings.first?.code == "E11.9")
        #expect(first.documents.first?.text == "Seen today.")
        #expect(first.documents.first?.type?.codings.first?.code == "11506-3")
        // the SNOMED fact is taken by no table
        #expect(records[1].observations.count == 1)
        #expect(records[1].conditions.isEmpty)
    }

    @Test func valuesFollowTheirTypeWithComparatorsAndUnits() throws {
        let (records, _, _, _) = try Self.read()
        func value(_ record: ClinicalRecord, _ code: String) -> ObservationValue? {
            record.observations.first { $0.code.codings.first?.code == code }?.value
        }
        guard case .quantity(let glucose)? = value(records[0], "2345-7") else {
            Issue.record("glucose is not a quantity")
            return
        }
        #expect(glucose.value?.lexical == "95")
        #expect(glucose.comparator == nil)
        #expect(glucose.unit == "mg/dL")
        #expect(glucose.code == "mg/dL")
        guard case .quantity(let creatinine)? = value(records[0], "2160-0") else {
            Issue.record("creatinine is not a quantity")
            return
        }
        #expect(creatinine.comparator == "<=")
        guard case .quantity(let bmi)? = value(records[0], "39156-5") else {
            Issue.record("BMI is not a quantity")
            return
        }
        #expect(bmi.unit == nil && bmi.code == nil && bmi.system == nil)
        #expect(value(records[0], "5778-6") == .string("yellow"))
        guard case .quantity(let high)? = value(records[1], "2345-7") else {
            Issue.record("the second glucose is not a quantity")
            return
        }
        #expect(high.comparator == ">")
        #expect(records[0].observations.first?.code.codings.first?.system == "http://loinc.org")
    }

    @Test func aFactWithoutItsPatientRowGoesToAStub() throws {
        let (records, diagnostics, errors, _) = try Self.read()
        #expect(errors.isEmpty)
        let stub = try #require(records.last)
        #expect(stub.document.controlID == "9")
        #expect(stub.patients.first?.ref.key == "urn:example:patient|9")
        #expect(stub.patients.first?.identifiers.first?.value == "9")
        #expect(stub.observations.count == 1)
        let notes = diagnostics.filter { $0.kind == .patientStub }
        #expect(notes.count == 1)
        #expect(notes.first?.location == .csv(file: "facts.csv", line: 10, column: "PATIENT"))
    }

    @Test func withoutTheStubOptionTheFactIsAnError() throws {
        let yaml = Self.profileYAML.replacingOccurrences(of: "    unknownPatient: stub\n", with: "")
        let (records, _, errors, _) = try Self.read(yaml)
        #expect(records.count == 2)
        #expect(errors.map(\.kind) == [.unknownPatient])
        #expect(errors.first?.location == .csv(file: "facts.csv", line: 10, column: "PATIENT"))
    }

    @Test func anUnlistedComparatorMakesTheValueInvalid() throws {
        let facts = "PATIENT,CONCEPT,WHEN,KIND,NUM,OP,UNIT,TEXT,NOTE\n1,LOINC:2345-7,2024-03-01 08:00,N,95,NE,mg/dL,,\n"
        let (records, diagnostics, _, accounts) = try Self.read(facts: facts)
        #expect(records[0].observations.first?.value == nil)
        #expect(
            diagnostics.contains(
                Diagnostic(.warning, .invalidValue, at: .csv(file: "facts.csv", line: 2, column: "NUM"))))
        #expect(accounts[0].unaccounted["results:NUM"] == 1)
    }

    @Test func aBrokenRowOfARoutedFileIsReportedOnce() throws {
        let facts =
            "PATIENT,CONCEPT,WHEN,KIND,NUM,OP,UNIT,TEXT,NOTE\n1,LOINC:2345-7,2024-03-01 08:00,N,95,E,mg/dL,,\n1,LOINC:2160-0\n"
        let (records, _, errors, _) = try Self.read(facts: facts)
        #expect(records[0].observations.count == 1)
        #expect(errors.map(\.kind) == [.fieldCountMismatch])
        #expect(errors.first?.location?.description.contains("facts.csv:3") == true)
    }

    @Test func everyCellIsAccountedFor() throws {
        let (_, _, _, accounts) = try Self.read()
        var total = SourceAccount()
        for account in accounts { total.add(account) }
        // the SNOMED fact is taken by no table: its three non-empty cells are lost, and said so
        #expect(total.unaccounted == ["results:PATIENT": 1, "results:CONCEPT": 1, "results:WHEN": 1])
        #expect(total.carried["results:NUM"] == 5)
        #expect(total.carried["results:OP"] == 4)
        #expect(total.carried["patients:SEX"] == 2)
        #expect(total.declared["patients:LOADED"] == 2)
        #expect(total.reasons["patients:LOADED"] == "load audit")
        // KIND only chooses rules for results and notes
        #expect(total.declared["results:KIND"] == 6)
        #expect(total.declared["notes:KIND"] == 1)
        #expect(total.carried["notes:NOTE"] == 1)
        #expect(total.declared["problems:KIND"] == nil)
    }

    @Test func twoRulesWithConditionsGivingOneRowTwoValuesAreARowError() throws {
        let yaml = Self.profileYAML.replacingOccurrences(
            of: "TEXT: { to: value, type: string, when: { KIND: T } }",
            with: "TEXT: { to: value, type: string, when: { TEXT: { empty: false } } }")
        let facts =
            "PATIENT,CONCEPT,WHEN,KIND,NUM,OP,UNIT,TEXT,NOTE\n1,LOINC:2345-7,2024-03-01 08:00,N,95,E,mg/dL,high,\n"
        let (records, _, errors, _) = try Self.read(yaml, facts: facts)
        #expect(records.first?.observations.isEmpty == true)
        #expect(errors.map(\.kind) == [.conflictingValues])
        #expect(errors.first?.location == .csv(file: "facts.csv", line: 2, column: "TEXT"))
    }

    @Test func priorityChoosesBetweenRulesToOnePath() throws {
        var yaml = Self.profileYAML
        // results keyed by CONCEPT alone, so that WHEN is read only as a time
        let key = try #require(yaml.range(of: "key: [CONCEPT, WHEN]"))
        yaml.replaceSubrange(key, with: "key: [CONCEPT]")
        yaml = yaml.replacingOccurrences(
            of: "WHEN: { to: effective, type: dateTime, format: \"yyyy-MM-dd HH:mm\" }",
            with: """
                WHEN: { to: effective, type: dateTime, format: "yyyy-MM-dd HH:mm", priority: 2 }
                      NOTE: { to: effective, type: dateTime, format: "yyyy-MM-dd HH:mm", priority: 1 }
                """)
        let facts =
            "PATIENT,CONCEPT,WHEN,KIND,NUM,OP,UNIT,TEXT,NOTE\n1,LOINC:2345-7,2024-03-01 08:00,N,95,E,mg/dL,,2024-03-01 07:55\n1,LOINC:2160-0,2024-03-01 08:00,N,1,E,mg/dL,,\n"
        let (records, _, errors, accounts) = try Self.read(yaml, facts: facts)
        #expect(errors.isEmpty)
        #expect(records[0].observations.map { $0.effective?.fhir } == ["2024-03-01T07:55Z", "2024-03-01T08:00Z"])
        #expect(accounts[0].declared["results:WHEN"] == 1)
        #expect(accounts[0].reasons["results:WHEN"] == "a rule with a better priority gave the value")
    }

    static let brokenCases: [(String, String, String, String)] = [
        (
            "two rules to one path", "TEXT: { to: value, type: string, when: { KIND: T } }",
            "TEXT: { to: value, type: string }", "path 'value' is set by more than one rule"
        ),
        (
            "bad condition", "    when: { KIND: B }", "    when: { KIND: { like: B } }", "unknown condition 'like'"
        ),
        (
            "bad comparator", "comparators: { E: ~, LE: \"<=\", G: \">\" }", "comparators: { E: ~, LE: \"=<\" }",
            "a comparator is <, <=, >= or >"
        ),
        (
            "pattern without groups", "pattern: \"^(?<system>ICD(?:9|10)):(?<code>.+)$\"", "pattern: \"^ICD.+$\"",
            "pattern needs groups named system and code"
        ),
        (
            "split without systems",
            "CONCEPT: { to: type, type: code, split: \":\", systems: { LOINC: \"http://loinc.org\" } }",
            "CONCEPT: { to: type, type: code, split: \":\", system: \"http://loinc.org\" }",
            "split and pattern need systems"
        ),
        (
            "stub without patient column", "    unknownPatient: stub\n", "    unknownPatient: maybe\n",
            "unknownPatient must be error or stub"
        ),
    ]

    @Test func brokenRulesGiveFileAndLine() throws {
        for (name, old, new, message) in Self.brokenCases {
            #expect(Self.profileYAML.contains(old), "\(name)")
            let url = try Fixtures.profileFile(Self.profileYAML.replacingOccurrences(of: old, with: new))
            do {
                _ = try CSVProfile.load(url)
                Issue.record("\(name): loaded")
            } catch let error as MappingLoadError {
                #expect(error.line != nil, "\(name)")
                #expect(error.message.contains(message), "\(name): \(error)")
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
    }

    @Test func anUnlistedTypeIsNotGuessed() throws {
        let yaml = """
            profile: typed
            files:
              results:
                match: "*.csv"
                entity: observation
                key: [CODE]
                patient: { key: MRN, columns: { MRN: { to: identifiers, type: identifier, system: "urn:example:mrn" } } }
                columns:
                  CODE: { to: code, type: code, system: "http://loinc.org" }
                  VALUE: { to: value, type: observationValue, typeColumn: TYPE, types: { numeric: quantity, none: ~ } }

            """
        let profile = try CSVProfile.load(try Fixtures.profileFile(yaml))
        let folder = try Fixtures.folder(["r.csv": "MRN,CODE,VALUE,TYPE\n1,A,5,numeric\n1,B,6,other\n1,C,7,none\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let (records, diagnostics, _) = try CSVSourceReader(profile: profile, terminology: try Fixtures.store())
            .read(folder: folder)
        #expect(records[0].observations.map { $0.value == nil } == [false, true, true])
        #expect(
            diagnostics.filter { $0.kind == .unmappedCode }.map(\.location) == [
                .csv(file: "r.csv", line: 3, column: "VALUE")
            ])
    }
}
