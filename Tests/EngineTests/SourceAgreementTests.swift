import ClinicalModel
import Foundation
import Pipeline
import TestSupport
import Testing

/// Issue 4: the same Synthea patients exported as CSV and as C-CDA agree, patient by patient, on the
/// codes and dates of their conditions, medications, immunizations and allergies.
struct SourceAgreementTests {
    /// One clinical fact as both sources should carry it: the kind, the first coding of a standard
    /// system (system and code), and the day it started.
    struct Fact: Hashable, Comparable, CustomStringConvertible {
        var kind: String
        var system: String
        var code: String
        var day: String

        static func < (lhs: Fact, rhs: Fact) -> Bool { lhs.description < rhs.description }
        var description: String { "\(kind) \(system)|\(code) @\(day)" }
    }

    static let standardSystems: Set<String> = [
        "http://snomed.info/sct", "http://www.nlm.nih.gov/research/umls/rxnorm", "http://hl7.org/fhir/sid/cvx",
        "http://loinc.org", "http://hl7.org/fhir/sid/icd-10-cm",
    ]

    static func coding(_ concept: Concept?) -> (String, String)? {
        for coding in concept?.codings ?? [] {
            if let system = coding.system, standardSystems.contains(system), let code = coding.code {
                return (system, code)
            }
        }
        return nil
    }

    /// Facts per Synthea patient id (the `…/synthea|<Id>` identifier both sources carry).
    static func facts(_ units: [UnitResult]) -> [String: [Fact]] {
        var result: [String: [Fact]] = [:]
        for record in units.compactMap(\.record) {
            guard
                let patient = record.patients.first,
                let id = patient.identifiers.first(where: { $0.system == "https://github.com/synthetichealth/synthea" }
                )?.value
            else { continue }
            var facts: [Fact] = []
            func add(_ kind: String, _ concept: Concept?, _ day: ClinicalDateTime?) {
                let (system, code) = coding(concept) ?? ("(none)", concept?.text ?? "?")
                facts.append(Fact(kind: kind, system: system, code: code, day: day?.date ?? "-"))
            }
            for condition in record.conditions { add("condition", condition.code, condition.onset) }
            for medication in record.medications {
                add("medication", medication.code, medication.period?.start ?? medication.authoredOn)
            }
            for immunization in record.immunizations {
                add("immunization", immunization.vaccine, immunization.occurrence)
            }
            for allergy in record.allergies where !allergy.noKnownAllergy {
                add("allergy", allergy.code, allergy.onset ?? allergy.recordedDate)
            }
            result[id, default: []] += facts.sorted()
        }
        return result
    }

    @Test(.needsCorpus) func csvAndCCDAAgreeOnCodesAndDatesPerPatient() throws {
        let csvFolder = TestCorpus.url("synthea/csv")
        var csvUnits: [UnitResult] = []
        for source in try Support.engine.sources([csvFolder.path]) {
            csvUnits += try Support.engine.convert(source).units
        }
        var ccdaUnits: [UnitResult] = []
        for url in Support.files(under: TestCorpus.url("synthea/ccda"), extensions: ["xml"]) {
            ccdaUnits += try Support.convert(url)
        }
        let csv = Self.facts(csvUnits)
        let ccda = Self.facts(ccdaUnits)
        #expect(csv.count == 16)
        #expect(Set(csv.keys) == Set(ccda.keys))
        var compared = 0
        for (patient, csvFacts) in csv.sorted(by: { $0.key < $1.key }) {
            let ccdaFacts = ccda[patient] ?? []
            let onlyCSV = Self.difference(csvFacts, ccdaFacts)
            let onlyCCDA = Self.difference(ccdaFacts, csvFacts)
            #expect(
                onlyCSV.isEmpty && onlyCCDA.isEmpty,
                "patient \(patient.prefix(8)): only in CSV \(onlyCSV.prefix(5)), only in C-CDA \(onlyCCDA.prefix(5))")
            compared += csvFacts.count
        }
        #expect(compared > 100)
        let kinds = Dictionary(grouping: csv.values.flatMap { $0 }, by: \.kind).mapValues(\.count)
        #expect(Set(kinds.keys) == ["condition", "medication", "immunization", "allergy"], "\(kinds)")
        // every fact is coded in a standard system and dated on both sides
        let uncoded = (csv.values.flatMap { $0 } + ccda.values.flatMap { $0 }).filter {
            $0.system == "(none)" || $0.day == "-"
        }
        #expect(uncoded.isEmpty, "\(uncoded.prefix(5))")
        // the comparison sees a one-day shift
        if let (patient, facts) = csv.first(where: { !$0.value.isEmpty }), var shifted = facts.first {
            shifted.day = "1900-01-01"
            #expect(!Self.difference([shifted] + facts.dropFirst(), ccda[patient] ?? []).isEmpty)
        }
    }

    /// Multiset difference.
    static func difference(_ lhs: [Fact], _ rhs: [Fact]) -> [Fact] {
        var remaining = Dictionary(rhs.map { ($0, 1) }, uniquingKeysWith: +)
        var result: [Fact] = []
        for fact in lhs {
            if let count = remaining[fact], count > 0 { remaining[fact] = count - 1 } else { result.append(fact) }
        }
        return result
    }
}
