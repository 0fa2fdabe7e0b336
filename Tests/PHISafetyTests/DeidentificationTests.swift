import ClinicalModel
import FHIRR4
import Foundation
import PHISafety
import Pipeline
import TestSupport
import Testing

/// `--deidentify` on every sample format: no source identifier survives anywhere in the output
/// bytes, and references still resolve as they did before.
@Suite(.serialized)
struct DeidentificationTests {
    /// One CLI input set per sample format: arguments to `convert` (paths relative to the repository).
    static var sampleSets: [(name: String, arguments: [String])] {
        [
            ("hl7v2", Support.files(in: Support.samples.appendingPathComponent("hl7v2"), extension: "hl7")),
            ("csv", ["Samples/csv/lab-results.csv", "--csv-profile", "Samples/csv/lab-results.profile.yaml"]),
            ("ccda", Support.files(in: Support.samples.appendingPathComponent("ccda"), extension: "xml")),
        ]
    }

    /// Synthea's patients from the corpus: the smallest C-CDA document, and the whole CSV export.
    static var corpusSets: [(name: String, arguments: [String])] {
        let smallest = Support.smallestFile(in: TestCorpus.url("synthea/ccda"), extension: "xml")
        return [("synthea-ccda", smallest.map { [$0] } ?? []), ("synthea-csv", [TestCorpus.url("synthea/csv").path])]
    }

    /// Values that identify people in a FHIR bundle. `tokens` must not occur anywhere in the
    /// de-identified bytes (as a token): identifier values, telecom, street lines, names that carry
    /// digits, full names, compact birth dates, Provenance input names and control ids. `values` must
    /// not occur as a whole JSON string: name parts that are plain words ("Sample" is also in an
    /// organization's name, which is kept), cities and postal codes. `birthDates` must not be a
    /// Patient's or RelatedPerson's birth date (as a value elsewhere a shifted date can equal another
    /// patient's birth date by chance).
    struct Identifiers {
        var tokens = Set<String>()
        var values = Set<String>()
        var birthDates = Set<String>()
        var count: Int { tokens.count + values.count + birthDates.count }
    }

    static let people: Set<String> = ["Patient", "RelatedPerson", "Practitioner"]

    static func identifiers(in bundle: JSON) -> Identifiers {
        var found = Identifiers()
        func strings(_ value: JSON?) -> [String] {
            switch value {
            case .string(let text)?: text.count >= 2 ? [text] : []
            case .array(let items)?: items.flatMap { strings($0) }
            default: []
            }
        }
        func walk(_ value: JSON, resourceType: String?) {
            switch value {
            case .object(let object):
                let type = object["resourceType"]?.stringValue ?? resourceType
                let isPerson = type.map(people.contains) ?? false
                let isPatient = type == "Patient" || type == "RelatedPerson"
                for member in object {
                    switch member.key {
                    case "name" where isPerson:
                        for name in member.value.arrayValue ?? [] {
                            let parts = strings(name["given"]) + strings(name["family"])
                            for part in parts {
                                if part.contains(where: \.isNumber) {
                                    found.tokens.insert(part)
                                } else {
                                    found.values.insert(part)
                                }
                            }
                            if parts.count >= 2 { found.tokens.insert(parts.joined(separator: " ")) }
                            found.tokens.formUnion(strings(name["text"]).filter { $0.contains(" ") })
                        }
                    case "address" where isPatient:
                        for address in member.value.arrayValue ?? [] {
                            found.tokens.formUnion(strings(address["line"]))
                            found.values.formUnion(strings(address["city"]) + strings(address["postalCode"]))
                        }
                    case "identifier":
                        for identifier in member.value.arrayValue ?? [] {
                            found.tokens.formUnion(strings(identifier["value"]).filter { $0.count >= 4 })
                        }
                    case "telecom":
                        for contact in member.value.arrayValue ?? [] {
                            found.tokens.formUnion(strings(contact["value"]))
                        }
                    case "birthDate":
                        if let date = member.value.stringValue {
                            found.birthDates.insert(date)
                            if date.count == 10 { found.tokens.insert(date.replacingOccurrences(of: "-", with: "")) }
                        }
                    default: break
                    }
                    if type == "Provenance", member.key == "url",
                        ["inputName", "controlID"].contains(member.value.stringValue ?? ""),
                        let text = object["valueString"]?.stringValue,
                        !["csv", "hl7v2", "ccda", "stdin"].contains(text)
                    {
                        found.tokens.insert(text)
                    }
                    walk(member.value, resourceType: type)
                }
            case .array(let items): for item in items { walk(item, resourceType: resourceType) }
            default: break
            }
        }
        walk(bundle, resourceType: nil)
        return found
    }

    /// Every string value in a bundle, and every Patient/RelatedPerson birth date.
    static func stringValues(in json: JSON) -> (all: Set<String>, birthDates: Set<String>) {
        var all = Set<String>()
        var birthDates = Set<String>()
        func walk(_ value: JSON, resourceType: String?) {
            switch value {
            case .string(let text): all.insert(text)
            case .object(let object):
                let type = object["resourceType"]?.stringValue ?? resourceType
                if type == "Patient" || type == "RelatedPerson", let date = object["birthDate"]?.stringValue {
                    birthDates.insert(date)
                }
                for member in object where member.key != "resourceType" { walk(member.value, resourceType: type) }
            case .array(let items): for item in items { walk(item, resourceType: resourceType) }
            default: break
            }
        }
        walk(json, resourceType: nil)
        return (all, birthDates)
    }

    static func convert(_ arguments: [String], deidentify: Bool, extra: [String] = []) throws -> (JSON, Data) {
        var all = ["convert"] + arguments + ["--quiet"] + extra
        if deidentify { all.append("--deidentify") }
        let run = try Support.run(all, environment: ["FHIRBRIDGE_KEY": Support.keyBase64])
        #expect(run.status == 0 || run.status == 65, "\(run.stderr)")
        return (try JSONReader.parse(Array(run.stdout)), run.stdout)
    }

    @Test(arguments: sampleSets.map(\.name))
    func noSourceIdentifierSurvivesAndReferencesStillResolve(_ name: String) throws {
        try Self.checkDeidentification(name, try #require(Self.sampleSets.first { $0.name == name }).arguments)
    }

    @Test(.needsCorpus, arguments: corpusSets.map(\.name))
    func noCorpusIdentifierSurvivesAndReferencesStillResolve(_ name: String) throws {
        try Self.checkDeidentification(name, try #require(Self.corpusSets.first { $0.name == name }).arguments)
    }

    /// Converts `arguments` with and without `--deidentify`: no identifier of the plain output may
    /// survive in the de-identified bytes, and references resolve as often as before.
    static func checkDeidentification(_ name: String, _ arguments: [String]) throws {
        try #require(!arguments.isEmpty, "\(name): no input")
        let (original, _) = try Self.convert(arguments, deidentify: false)
        let (deidentified, bytes) = try Self.convert(arguments, deidentify: true)
        let identifiers = Self.identifiers(in: original)
        #expect(identifiers.count >= 3, "the sample should carry identifiers")
        let counts = (identifiers.count, bytes.count)
        print("de-identification \(name): \(counts.0) identifiers checked in \(counts.1) bytes")
        let text = String(decoding: bytes, as: UTF8.self)
        let tokens = Support.TokenText(text)
        let values = Self.stringValues(in: deidentified)
        let survivors =
            identifiers.tokens.sorted().filter { tokens.contains(token: $0) }
            + identifiers.values.sorted().filter { values.all.contains($0) }
            + identifiers.birthDates.sorted().filter { values.birthDates.contains($0) }
        #expect(
            survivors.isEmpty,
            "\(name): \(survivors.count) identifiers survived de-identification: \(survivors.prefix(5))")
        // the input file names (which can carry patient names) are gone too
        for argument in arguments where argument.hasSuffix(".xml") || argument.hasSuffix(".hl7") {
            let stem = URL(fileURLWithPath: argument).deletingPathExtension().lastPathComponent
            let survived = text.contains(stem)
            #expect(!survived, "\(name): input name survived")
        }
        // references: as many, resolving as often, as before
        let before = Support.references(in: original)
        let after = Support.references(in: deidentified)
        #expect(after.references.count == before.references.count)
        #expect(
            after.references.filter(after.fullUrls.contains).count
                == before.references.filter(before.fullUrls.contains).count)
        #expect(after.fullUrls.count == before.fullUrls.count)
    }

    @Test func theSameMRNGetsTheSamePseudonymAcrossMessages() throws {
        let deidentifier = Deidentifier(key: Support.key)
        var first = ClinicalRecord(document: SourceDocument(format: .hl7v2, inputName: "a.hl7", index: 1))
        var second = ClinicalRecord(document: SourceDocument(format: .hl7v2, inputName: "b.hl7", index: 1))
        let ref = EntityRef(.patient, parts: ["MR", "urn:oid:1.2.3", "12345"])
        var patient = Patient(ref: ref)
        patient.identifiers = [Identifier(system: "urn:oid:1.2.3", value: "12345")]
        patient.birthDate = ClinicalDateTime(fhir: "1980-07-04")
        first.patients = [patient]
        second.patients = [patient]
        var observation = Observation(ref: EntityRef(.observation, key: "obs-1"), code: Concept(Coding(code: "8867-4")))
        observation.patient = ref
        observation.effective = ClinicalDateTime(fhir: "2024-03-15T14:10:00+01:00")
        second.observations = [observation]
        let a = deidentifier.apply(first)
        let b = deidentifier.apply(second)
        #expect(a.patients[0].identifiers == b.patients[0].identifiers)
        #expect(a.patients[0].identifiers[0].value != "12345")
        #expect(a.patients[0].ref == b.patients[0].ref)
        #expect(b.observations[0].patient == b.patients[0].ref)
        // one offset per patient: the birth date and the observation moved by the same days
        let birth = try #require(b.patients[0].birthDate?.fhir)
        #expect(birth != "1980-07-04" && birth == a.patients[0].birthDate?.fhir)
        let offset = deidentifier.dayOffset(patientKey: ref.key)
        #expect(offset != 0 && abs(offset) <= 365)
        #expect(b.observations[0].effective?.fhir.hasSuffix("T14:10:00+01:00") == true)
        #expect(
            deidentifier.shift(ClinicalDateTime(fhir: "2024-03-15T14:10:00+01:00"), days: offset)
                == b.observations[0].effective)
        // another key gives other pseudonyms
        let other = Deidentifier(key: try DataKey(base64: Support.otherKeyBase64)).apply(first)
        #expect(other.patients[0].identifiers != a.patients[0].identifiers)
    }

    @Test(arguments: [
        ("2024-02-28", 1, "2024-02-29"), ("2023-12-31", 1, "2024-01-01"), ("2024-03-01", -1, "2024-02-29"),
        ("1900-03-01", -1, "1900-02-28"), ("2000-02-28", 1, "2000-02-29"), ("1969-12-31", 365, "1970-12-31"),
        ("2024-03-15T14:10:00.25+01:00", -20, "2024-02-24T14:10:00.25+01:00"), ("2024-03", 30, "2024-04"),
        ("1980", 100, "1980"),
    ])
    func datesShiftByCalendarDays(_ input: String, _ days: Int, _ expected: String) {
        let shifted = Deidentifier(key: Support.key).shift(ClinicalDateTime(fhir: input), days: days)
        #expect(shifted.fhir == expected)
    }

    @Test func dateShiftAgreesWithFoundationsCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        let deidentifier = Deidentifier(key: Support.key)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15  // SplitMix64, fixed seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for _ in 0..<2000 {
            let year = 1850 + Int(next() % 250)
            let month = 1 + Int(next() % 12)
            let day = 1 + Int(next() % 28)
            let days = Int(next() % 731) - 365
            let start = try #require(calendar.date(from: DateComponents(year: year, month: month, day: day)))
            let moved = try #require(calendar.date(byAdding: .day, value: days, to: start))
            let parts = calendar.dateComponents([.year, .month, .day], from: moved)
            let expected = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
            let input = String(format: "%04d-%02d-%02d", year, month, day)
            #expect(
                deidentifier.shift(ClinicalDateTime(fhir: input), days: days).fhir == expected, "seed state \(state)")
        }
    }

    @Test func agesOver89CollapseAndYearModeKeepsYearsOnly() throws {
        let reference = try #require(ISO8601DateFormatter().date(from: "2026-06-01T00:00:00Z"))
        var record = ClinicalRecord(document: SourceDocument(format: .csv, inputName: "p.csv", index: 1))
        var old = Patient(ref: EntityRef(.patient, key: "old"))
        old.birthDate = ClinicalDateTime(fhir: "1921-02-03")
        var young = Patient(ref: EntityRef(.patient, key: "young"))
        young.birthDate = ClinicalDateTime(fhir: "1990-02-03")
        young.addresses = [
            Address(lines: ["1 Main St"], city: "Springfield", state: "IL", postalCode: "62701", country: "USA"),
            Address(lines: ["2 Side St"], city: "Tiny", state: "WY", postalCode: "82001"),
            Address(lines: ["3 Rural Rd"], city: "Somewhere", state: "ZZ", postalCode: "03601"),
        ]
        young.telecom = [ContactPoint(system: "phone", value: "217-555-0101")]
        record.patients = [young, old]
        let shifted = Deidentifier(key: Support.key, referenceDate: reference).apply(record)
        #expect(shifted.patients[1].birthDate?.fhir == "1936")
        #expect(shifted.patients[0].addresses.map(\.postalCode) == ["627", "820", "000"])
        #expect(shifted.patients[0].addresses.allSatisfy { $0.lines.isEmpty && $0.city == nil })
        #expect(shifted.patients[0].telecom.isEmpty)
        let years = Deidentifier(key: Support.key, dates: .year, referenceDate: reference).apply(record)
        #expect(years.patients[0].birthDate?.fhir == "1990")
    }
}

extension Support {
    /// The smallest file with an extension in a folder (keeps corpus-based tests quick).
    static func smallestFile(in folder: URL, extension ext: String) -> String? {
        files(in: folder, extension: ext).min { size($0) < size($1) }
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Files with an extension directly in a folder, sorted, as absolute paths.
    static func files(in folder: URL, extension ext: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix("." + ext) }.sorted().map { folder.appendingPathComponent($0).path }
    }
}
