import Foundation
import TestSupport
import Testing

@testable import Terminology

/// Every code of every kind in the test corpus is checked against the tables. Codes of systems that
/// have a table validate, or are reported with their reason; the counts are pinned so a change in data or
/// tables shows up here.
@Suite("Corpus codes", .needsCorpus)
struct CorpusCodeTests {
    typealias Tally = [String: [CodeValidation.Status: Set<String>]]

    static func tally() throws -> (Tally, [String: Int]) {
        let store = try Fixtures.store()
        var tally: Tally = [:]
        var untabled: [String: Int] = [:]
        for code in CorpusCodes.all.codes {
            if store.codeSystems.hasTable(for: code.system) {
                let status = store.codeSystems.validate(system: code.system, code: code.code).status
                tally[code.system, default: [:]][status, default: []].insert(code.code)
            } else {
                untabled[code.system, default: 0] += 1
            }
        }
        return (tally, untabled)
    }

    @Test func corpusIsThere() throws {
        let codes = CorpusCodes.all.codes
        #expect(codes.count > 20_000)
        for origin in CorpusCode.Origin.allCases { #expect(codes.contains { $0.origin == origin }, "\(origin)") }
    }

    /// LOINC, SNOMED CT, RxNorm and CVX ship as subsets built from this corpus: every well-formed code is in them.
    @Test(arguments: [CodeSyntax.loinc, CodeSyntax.snomedCT, CodeSyntax.rxNorm, CodeSyntax.cvx])
    func subsetsCoverEveryWellFormedCorpusCode(_ system: String) throws {
        let (tally, _) = try Self.tally()
        let statuses = tally[system] ?? [:]
        #expect((statuses[.valid]?.count ?? 0) > 0, "\(system): no corpus code found")
        #expect(statuses[.notInSubset] == nil, "\(system) misses \(statuses[.notInSubset]?.sorted() ?? [])")
        #expect(statuses[.unknown] == nil)
    }

    /// The corpus codes that are not codes: typos with a failed check digit, placeholders, free text in a code slot.
    @Test func malformedCorpusCodesArePinned() throws {
        let (tally, _) = try Self.tally()
        #expect(
            tally[CodeSyntax.loinc]?[.malformed] == [
                "123-1", "22311-7", "57113-1", "8675-3", "C-CDAV2-DDN", "CD:1923031955", "CarePlan-x", "NOTF",
                "PERSUBJ",
            ])
        // LOINC codes sent as SNOMED CT (54522-8, 34552-0), a local code, ids with a stray letter, check-digit typos.
        #expect(
            tally[CodeSyntax.snomedCT]?[.malformed] == [
                "29179001a", "2931005a", "34552-0", "440500042", "54522-8", "76164007", "ARB001",
            ])
        #expect(tally[CodeSyntax.rxNorm]?[.malformed] == nil)
        #expect(tally[CodeSyntax.cvx]?[.malformed] == nil)
    }

    /// Complete tables (HL7 v2, v3/THO, FHIR, DICOM, ICD-10-CM, ICD-9-CM): what the corpus uses that they lack.
    @Test func completeTablesReportTheirUnknownCorpusCodes() throws {
        let (tally, untabled) = try Self.tally()
        var lines: [String] = []
        var unknown = 0
        var valid = 0
        for system in tally.keys.sorted() {
            let statuses = tally[system] ?? [:]
            valid += statuses[.valid]?.count ?? 0
            let bad = (statuses[.unknown] ?? []).union(statuses[.malformed] ?? [])
            guard !bad.isEmpty, ![CodeSyntax.loinc, CodeSyntax.snomedCT].contains(system) else { continue }
            unknown += bad.count
            lines.append("\(system): \(bad.count) unknown: \(bad.sorted().joined(separator: " "))")
        }
        print("Corpus codes in tabled systems: \(valid) distinct valid, \(unknown) distinct unknown")
        print(lines.joined(separator: "\n"))
        print(
            "Systems without a table (occurrences): "
                + untabled.sorted { $0.value > $1.value }.prefix(25).map { "\($0.key) \($0.value)" }.joined(
                    separator: ", "))
        #expect(valid > 2_000)
        var found: Set<String> = []
        for (system, statuses) in tally where ![CodeSyntax.loinc, CodeSyntax.snomedCT].contains(system) {
            for code in (statuses[.unknown] ?? []).union(statuses[.malformed] ?? []) {
                found.insert("\(system)|\(code)")
            }
        }
        #expect(
            found == Self.pinnedUnknown,
            "new: \(found.subtracting(Self.pinnedUnknown).sorted()), gone: \(Self.pinnedUnknown.subtracting(found).sorted())"
        )
    }

    /// Codes the corpus uses that complete tables lack, and why (each is reported as `unknownCode` at run time).
    static let pinnedUnknown: Set<String> = {
        let tho = "http://terminology.hl7.org/CodeSystem/"
        var codes: [String] = [
            "http://dicom.nema.org/resources/ontology/DCM|IMP",  // a v2 MSH value in a DCM slot
            "http://hl7.org/fhir/sid/icd-10-cm|code",  // placeholder text in a sample
            // ICD-9-CM header codes (CMS lists billable codes only)
            "http://hl7.org/fhir/sid/icd-9-cm|596.5", "http://hl7.org/fhir/sid/icd-9-cm|786.5",
            tho + "observation-category|vital-sign",  // misspelt vital-signs
            tho + "v2-0136|60001007", tho + "v2-0136|UNK",  // SNOMED CT and null flavour in a Y/N table
            tho + "v2-0162|ADB", tho + "v2-0189|2135-2", tho + "v2-0189|UNK",  // CDC ethnicity code in table 0189
            tho + "v2-0203|FGN", tho + "v2-0203|PGN", tho + "v2-0215|02", tho + "v2-0396|1", tho + "v2-0396|CAP",
            tho + "v2-0443|RCT", tho + "v2-0487|119297000", tho + "v2-0487|119339001",  // SNOMED CT specimen types
            tho + "v3-ActClass|75321-0", tho + "v3-ActClass|75323-6",  // LOINC codes with the ActClass OID
            tho + "v3-NullFlavor|U", tho + "v3-RoleCode|GUAR",
        ]
        // Specimen type codes of table 0487 (ESWA, VENIP, …) sent with the id of table 0048.
        for code in [
            "BCAN", "BIO", "ESWA", "KOFFP", "LNA", "MARTL", "MLP", "PIN", "PUMP", "QC5", "TMCH", "TMM4", "TMOT",
            "TMPV", "TMSC", "VENIP",
        ] {
            codes.append(tho + "v2-0048|" + code)
        }
        return Set(codes)
    }()

    @Test func corpusUnitsMapToUCUM() throws {
        let units = try Fixtures.store().codeSystems.loadUnits()
        let all = CorpusCodes.all.units
        var mapped = 0
        var unmapped: [String: Int] = [:]
        for unit in all {
            if units.ucumCode(for: unit) != nil { mapped += 1 } else { unmapped[unit, default: 0] += 1 }
        }
        print("Corpus units: \(mapped) of \(all.count) map to UCUM; not UCUM: \(unmapped.sorted { $0.key < $1.key })")
        #expect(all.count > 1_000)
        #expect(Double(mapped) / Double(all.count) > 0.97)
    }
}
