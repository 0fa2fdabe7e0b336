import CSVSource
import ClinicalModel
import Foundation
import Testing

/// `Samples/csv/i2b2`: the bundled i2b2 profile over a synthetic star-schema export. Every fact
/// row becomes one record of its domain, and every cell is accounted for.
@Suite("i2b2 sample")
struct I2B2SampleTests {
    static let folder = Fixtures.samples.appendingPathComponent("i2b2")

    /// Fact rows per domain, counted from the sample's CONCEPT_CD and VALTYPE_CD columns.
    static func factRows() throws -> [String: Int] {
        let text = try String(contentsOf: folder.appendingPathComponent("observation_fact.csv"), encoding: .utf8)
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            let concept = String(cells[2])
            let valueType = String(cells[7])
            let domain =
                valueType == "B"
                ? "notes"
                : concept.hasPrefix("LOINC:")
                    ? "results"
                    : concept.hasPrefix("ICD10:") || concept.hasPrefix("ICD9:")
                        ? "diagnoses" : concept.hasPrefix("CPT:") ? "procedures" : "medications"
            counts[domain, default: 0] += 1
        }
        return counts
    }

    static func read() throws -> (
        records: [ClinicalRecord], diagnostics: [Diagnostic], errors: [SourceError], account: SourceAccount
    ) {
        let profile = try Fixtures.profile("i2b2")
        var iterator = try CSVSourceReader(profile: profile, terminology: try Fixtures.store()).records(
            folder: folder)
        var records: [ClinicalRecord] = []
        var account = SourceAccount()
        while let record = iterator.next() {
            records.append(record)
            account.add(iterator.account)
        }
        return (records, iterator.diagnostics, iterator.errors, account)
    }

    @Test func theProfileIsDetectedForTheExport() throws {
        let detected = CSVSourceReader.detectProfile(folder: Self.folder, candidates: try Fixtures.profiles())
        #expect(detected?.name == "i2b2")
    }

    @Test func countsPerDomainEqualTheFactRows() throws {
        let rows = try Self.factRows()
        #expect(rows == ["diagnoses": 4, "results": 12, "procedures": 3, "medications": 3, "notes": 2])
        let (records, _, errors, _) = try Self.read()
        #expect(errors.isEmpty, "\(errors)")
        func total(_ count: (ClinicalRecord) -> Int) -> Int { records.reduce(0) { $0 + count($1) } }
        #expect(total { $0.conditions.count } == rows["diagnoses"])
        #expect(total { $0.observations.count } == rows["results"])
        #expect(total { $0.procedures.count } == rows["procedures"])
        #expect(total { $0.medications.count } == rows["medications"])
        #expect(total { $0.documents.count } == rows["notes"])
        #expect(total { $0.encounters.count } == 4)
        // three patients of the patient table and one stub
        #expect(records.map(\.document.controlID) == ["1000000001", "1000000002", "1000000003", "1000000009"])
    }

    @Test func valueTypesOperatorsAndPlaceholdersAreRead() throws {
        let (records, diagnostics, _, _) = try Self.read()
        let observations = records.flatMap(\.observations)
        func value(_ code: String, _ record: Int = 0) -> ObservationValue? {
            records[record].observations.first { $0.code.codings.first?.code == code }?.value
        }
        #expect(observations.allSatisfy { $0.code.codings.first?.system == "http://loinc.org" })
        guard case .quantity(let creatinine)? = value("2160-0"), case .quantity(let glucose)? = value("2345-7"),
            case .quantity(let bmi)? = value("39156-5", 1), case .quantity(let temperature)? = value("8310-5", 1),
            case .quantity(let cholesterol)? = value("2093-3", 2)
        else {
            Issue.record("numeric facts are not quantities")
            return
        }
        #expect(creatinine.comparator == "<=")
        #expect(glucose.comparator == nil && glucose.unit == "mg/dL")
        #expect(bmi.unit == nil)
        #expect(temperature.comparator == ">=")
        #expect(cholesterol.comparator == "<")
        #expect(value("5778-6") == .string("yellow"))
        #expect(value("883-9", 1) == .string("Group O"))
        let note = try #require(records[0].documents.first)
        #expect(note.text?.hasPrefix("Follow-up for type 2 diabetes") == true)
        #expect(note.encounter != nil)
        #expect(records[0].patients[0].gender?.code == "female")
        #expect(records[1].patients[0].deceased == true)
        #expect(records[3].patients[0].identifiers.first?.system == "urn:fhirbridge:i2b2:patient_num")
        #expect(diagnostics.filter { $0.kind == .patientStub }.count == 1)
        // the stub's fact names an encounter the export does not have
        #expect(
            diagnostics.filter { $0.severity >= .warning }.map(\.kind) == [.unresolvedForeignKey],
            "\(diagnostics.filter { $0.severity >= .warning })")
    }

    @Test func everyCellIsCarriedOrDeclared() throws {
        let (_, _, _, account) = try Self.read()
        // (the stub's unknown encounter is still part of its fact's key)
        #expect(account.unaccounted == [:])
        #expect(account.carried["results:NVAL_NUM"] == 10)
        #expect(account.declared["results:VALTYPE_CD"] == 12)
        #expect(account.carried["notes:OBSERVATION_BLOB"] == 2)
        #expect(account.totals.carried > 0)
        #expect(account.reasons.values.allSatisfy { !$0.isEmpty })
    }
}
