import ClinicalModel
import Foundation
import HL7v2
import HL7v2Mapping
import MappingSpec
import Pipeline
import TestSupport
import Testing

/// Issue 17, HL7 v2 side: every non-empty element of a message is carried, declared with a reason
/// from `Mappings/hl7v2`, or counted as unaccounted; and the defects the accounting showed (merge
/// without its surviving Patient, local coding systems dropped, TQ1 not read) stay fixed. All
/// messages here are synthetic.
struct SourceAccountingTests {
    static func unit(_ segments: [String]) throws -> UnitResult {
        let bytes = Array(segments.joined(separator: "\r").utf8)
        let units = Support.engine.convert(bytes, inputName: "synthetic")
        let unit = try #require(units.first)
        #expect(unit.error == nil)
        return unit
    }

    static let msh = #"MSH|^~\&|LAB|NORTH^1.2.3^ISO|EHR|SOUTH|20240105083000||"#

    // MARK: Accounting

    @Test func everyElementHasAFate() throws {
        let unit = try Self.unit([
            Self.msh + "ADT^A01^ADT_A01|MSG0001|P|2.5.1",
            "EVN|A01|20240105083000",
            "PID|1||MRN123^^^NORTH^MR||Doe^Jane^Q||19800101|F",
            "PV1|1|I|WARD^101^A",
            "ZXY|1|site data",
        ])
        let account = try #require(unit.account)
        // carried: the name and the birth date reach the Patient
        #expect(account.carried["PID-5.1"] == 1)
        #expect(account.carried["PID-5.2"] == 1)
        #expect(account.carried["PID-7"] == 1)
        // declared: structure, and a segment the manifest ignores, each with its reason
        #expect(account.declared["MSH-2"] == 1)
        #expect(account.reasons["MSH-2"]?.contains("encoding characters") == true)
        #expect(account.declared["EVN-1"] == 1)
        #expect(account.reasons["EVN-1"]?.isEmpty == false)
        // unaccounted: the Z-segment nobody declared
        #expect(account.unaccounted["ZXY-2"] == 1)
        #expect(!account.isComplete)
        // no path names a value
        for path in account.carried.keys.sorted() + account.declared.keys.sorted() + account.unaccounted.keys.sorted() {
            #expect(!path.contains("Doe") && !path.contains("MRN123") && !path.contains("site"))
        }
    }

    @Test func aMessageWithoutUnknownSegmentsIsComplete() throws {
        let unit = try Self.unit([
            Self.msh + "ADT^A01^ADT_A01|MSG0002|P|2.5.1",
            "EVN|A01|20240105083000",
            "PID|1||MRN123^^^NORTH^MR||Doe^Jane||19800101|F",
        ])
        let account = try #require(unit.account)
        #expect(account.unaccounted.isEmpty, "\(account.unaccounted.keys.sorted())")
        #expect(account.totals.carried > 0)
    }

    @Test func fatesMatchTheAccount() throws {
        let bytes = Array(
            [Self.msh + "ADT^A01^ADT_A01|MSG0003|P|2.5.1", "PID|1||MRN9^^^NORTH^MR||Roe^Ann", "ZAB|x"].joined(
                separator: "\r"
            ).utf8)
        let message = try HL7Parser.parse(bytes, index: 1)
        let fates = try Support.engine.hl7Mapper.elementFates(message)
        let unaccounted = fates.filter {
            if case .unaccounted = $0.fate { true } else { false }
        }
        #expect(unaccounted.map(\.path) == ["ZAB-1"])
        #expect(fates.contains { $0.path == "PID-5.1" && $0.fate == .carried })
    }

    @Test func summaryShowsTheCounts() throws {
        let unit = try Self.unit([
            Self.msh + "ADT^A01^ADT_A01|MSG0004|P|2.5.1", "PID|1||MRN1^^^NORTH^MR||Doe^Jane", "ZXY|1|x",
        ])
        var summary = RunSummary()
        summary.record(unit: unit)
        let lines = summary.accountLines()
        let first = try #require(lines.first)
        #expect(first.hasPrefix("source elements: "))
        #expect(first.contains("2 unaccounted"))
        #expect(lines.contains("  unaccounted ZXY-1 1"))
        #expect(!lines.joined().contains("Doe"))
    }

    /// PID-40 (v2.7+ patient telecom) reaches the Patient's telecom, PID-18 (account) is declared.
    @Test func patientTelecomAndAccount() throws {
        let unit = try Self.unit([
            Self.msh + "ADT^A01^ADT_A01|MSG0005|P|2.7",
            "PID|1||MRN2^^^NORTH^MR||Doe^Jane|||||||||||||ACC9||||||||||||||||||||||^PRN^PH^^^555^0101234",
        ])
        let patient = try #require(unit.record?.patients.first)
        #expect(patient.telecom.contains { $0.value.contains("0101234") })
        let account = try #require(unit.account)
        #expect(account.carried["PID-40.7"] == 1)
        #expect(account.declared["PID-18"] == 1)
        #expect(account.unaccounted.isEmpty, "\(account.unaccounted.keys.sorted())")
    }

    // MARK: Defects

    /// ADT^A40: the surviving Patient (PID) is in the record with its demographics, next to the link.
    @Test func mergeKeepsTheSurvivingPatient() throws {
        let unit = try Self.unit([
            Self.msh + "ADT^A40^ADT_A39|MSG0040|P|2.5.1",
            "EVN|A40|20240105083000",
            "PID|1||SURV1^^^NORTH^MR||Survivor^Sam^^^^^L||19700203|M|||1 Main St^^Town^ST^12345||555-0100",
            "MRG|OLD7^^^NORTH^MR",
        ])
        let record = try #require(unit.record)
        let link = try #require(record.patientLinks.first)
        let survivor = try #require(record.patients.first { $0.ref == link.survivor })
        #expect(survivor.names.first?.family == "Survivor")
        #expect(survivor.birthDate != nil)
        #expect(survivor.gender?.code == "M" || survivor.gender?.code == "male")
        #expect(!survivor.addresses.isEmpty)
        #expect(survivor.identifiers.contains { $0.value == "SURV1" })
        #expect(link.mergedIdentifiers.contains { $0.value == "OLD7" })
        // the merged record lives on the receiver: no Patient is written over it
        #expect(!record.patients.contains { $0.ref == link.merged })
        let account = try #require(unit.account)
        #expect(account.carried["PID-5.1"] == 1)
        #expect(account.carried["MRG-1.1"] == 1)
    }

    /// Local coding systems (99xxx, L, 99LOCAL) are kept as a `urn:` system that gives the name back.
    @Test func localCodingSystemsAreKept() throws {
        let unit = try Self.unit([
            Self.msh + "ORU^R01^ORU_R01|MSG0100|P|2.5.1",
            "PID|1||MRN5^^^NORTH^MR||Doe^Jane",
            "OBR|1||F100|GLU^Glucose panel^99LAB",
            "OBX|1|CWE|A1^Local test^L||POS^Positive^99LOCAL||||||F",
            "OBX|2|NM|A1^Other local test^99XYZ||5|mg/dL|||||F",
        ])
        let record = try #require(unit.record)
        let systems = record.observations.flatMap { $0.code.codings.compactMap(\.system) }
        #expect(systems.contains(CodingSystemURN.uri(forName: "L")!))
        #expect(systems.contains(CodingSystemURN.uri(forName: "99XYZ")!))
        // the same code in two local systems stays two codes
        #expect(Set(systems).count == 2)
        guard case .concept(let value)? = record.observations.first?.value else {
            Issue.record("OBX-5 CWE is not a concept")
            return
        }
        let valueSystem = try #require(value.codings.first?.system)
        #expect(CodingSystemURN.name(of: valueSystem) == "99LOCAL")
        let account = try #require(unit.account)
        #expect(account.carried["OBX-3.3"] == 2)
        #expect(account.carried["OBX-5.3"] == 1)
    }

    @Test func codingSystemURNRoundTrips() {
        for name in ["99LOCAL", "L", "99 LAB", "lab/ü"] {
            let uri = CodingSystemURN.uri(forName: name)!
            #expect(uri.hasPrefix("urn:fhirbridge:v2-coding-system:"))
            #expect(!uri.contains(" "))
            #expect(CodingSystemURN.name(of: uri) == name)
        }
        #expect(CodingSystemURN.uri(forName: "  ") == nil)
        #expect(CodingSystemURN.name(of: "http://loinc.org") == nil)
    }

    /// TQ1-7 start and TQ1-9 priority reach the order's occurrence and priority.
    @Test func tq1GivesPriorityAndOccurrence() throws {
        let unit = try Self.unit([
            Self.msh + "ORM^O01^ORM_O01|MSG0200|P|2.5.1",
            "PID|1||MRN6^^^NORTH^MR||Doe^Jane",
            "ORC|NW|P100^EHR",
            "TQ1|1||||||20240106100000||S^Stat^HL70485||Before breakfast",
            "OBR|1|P100^EHR||CBC^Blood count^L",
        ])
        let record = try #require(unit.record)
        let order = try #require(record.serviceRequests.first)
        #expect(order.priority == "stat")
        #expect(order.occurrence != nil)
        let account = try #require(unit.account)
        #expect(account.carried["TQ1-9.1"] == 1)
        #expect(account.carried["TQ1-7"] == 1)
        #expect(account.declared["TQ1-1"] == 1)
        // a timing instruction has no home in the canonical request: declared, with its reason
        #expect(account.declared["TQ1-11"] == 1)
        #expect(account.reasons["TQ1-11"]?.contains("timing") == true)
        #expect(account.unaccounted.isEmpty, "\(account.unaccounted.keys.sorted())")
    }

    // MARK: Declarations are data

    /// Loads a scratch copy of `Mappings/` with `hl7v2/<file>` edited.
    func load(editing file: String, _ edit: (String) -> String) throws -> MappingLoadError? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hl7v2-decl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Repository.root.appendingPathComponent("Mappings/hl7v2"), to: folder.appendingPathComponent("hl7v2"))
        let url = folder.appendingPathComponent("hl7v2/\(file)")
        try edit(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
        do throws(MappingLoadError) {
            let spec = try HL7v2MappingSpec.load(from: folder)
            _ = try HL7v2Mapper(spec: spec, terminology: HL7v2MappingLoadTests.terminology)
            return nil
        } catch {
            return error
        }
    }

    @Test func anIgnoredSegmentWithoutAReasonIsALoadError() throws {
        #expect(try load(editing: "messages/ORM_O01.yaml") { $0 } == nil)
        let error = try #require(
            try load(editing: "messages/ORM_O01.yaml") {
                $0.replacingOccurrences(of: "ignored: [SFT,", with: "ignored: [ZQQ, SFT,")
            })
        #expect(error.file == "ORM_O01.yaml")
        #expect(error.message.contains("no reason"))
    }

    @Test func anEmptyReasonIsALoadError() throws {
        let error = try #require(
            try load(editing: "segments/NTE.yaml") {
                $0.replacingOccurrences(
                    of: #"NTE-2: "source of comment"#, with: #"NTE-2: "" # "#)
            })
        #expect(error.file == "NTE.yaml")
        #expect(error.message.contains("reason"))
    }

    @Test func aSegmentDeclaredWithoutAReasonIsALoadError() throws {
        let error = try #require(
            try load(editing: "declared.yaml") {
                $0.replacingOccurrences(of: #"  GT1: "guarantor"#, with: #"  GT1: "" # "#)
            })
        #expect(error.file == "declared.yaml")
    }
}
