import Foundation
import TestSupport

@testable import Terminology

/// Every coded value of the test corpus (`TestCorpus`), read independently of the engine's parsers (and of
/// `Tools/terminology/build_code_systems.py`): HL7 v2 CE/CWE triplets, C-CDA elements with `@code` and
/// `@codeSystem`, Synthea CSV code columns, and FHIR JSON codings and quantities.
struct CorpusCode: Hashable, Sendable {
    enum Origin: String, Hashable, Sendable, CaseIterable { case hl7v2, ccda, csv, json }
    var system: String
    var code: String
    var origin: Origin
}

enum CorpusCodes {
    static let corpus = TestCorpus.root

    /// (codes, units): each occurrence once per file; units as written.
    static let all: (codes: [CorpusCode], units: [String]) = {
        guard let store = try? Fixtures.store() else { return ([], []) }
        var codes: [CorpusCode] = []
        var units: [String] = []
        let paths = (FileManager.default.enumerator(atPath: corpus.path)?.allObjects as? [String] ?? []).sorted()
        for relative in paths {
            let lower = relative.lowercased()
            guard !lower.hasPrefix("v2-to-fhir-maps"), !lower.hasSuffix(".md") else { continue }
            let url = corpus.appendingPathComponent(relative)
            guard let data = FileManager.default.contents(atPath: url.path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            if lower.hasSuffix(".hl7") || lower.hasSuffix(".txt") {
                hl7(text, store: store, codes: &codes, units: &units)
            } else if lower.hasSuffix(".xml") || lower.hasSuffix(".ccda") {
                xml(text, store: store, codes: &codes, units: &units)
            } else if lower.hasSuffix(".json") {
                if let object = try? JSONSerialization.jsonObject(with: data) {
                    json(object, codes: &codes, units: &units)
                }
            } else if lower.hasSuffix(".csv") {
                csv(text, file: (relative as NSString).lastPathComponent, codes: &codes, units: &units)
            }
        }
        return (codes, units)
    }()

    static func hl7(_ text: String, store: TerminologyStore, codes: inout [CorpusCode], units: inout [String]) {
        var separators: (field: Character, component: Character, repetition: Character) = ("|", "^", "~")
        for line in text.split(whereSeparator: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            let line = line.drop { $0 == "\u{0B}" || $0 == " " }
            let characters = Array(line)
            guard characters.count > 4, characters[0...2].allSatisfy({ $0.isUppercase || $0.isNumber }) else {
                continue
            }
            let id = String(characters[0...2])
            var fields: [Substring]
            if ["MSH", "FHS", "BHS"].contains(id) {
                separators.field = characters[3]
                if characters.count > 5 { separators.component = characters[4] }
                if characters.count > 6 { separators.repetition = characters[5] }
                fields = Array(line.split(separator: separators.field, omittingEmptySubsequences: false).dropFirst(2))
            } else {
                guard characters[3] == separators.field else { continue }
                fields = Array(line.split(separator: separators.field, omittingEmptySubsequences: false).dropFirst())
            }
            for (position, field) in fields.enumerated() {
                for repetition in field.split(separator: separators.repetition, omittingEmptySubsequences: false) {
                    let components = repetition.split(separator: separators.component, omittingEmptySubsequences: false)
                        .map {
                            unescape(String($0)).trimmingWhitespace()
                        }
                    if id == "OBX", position == 5, let unit = components.first, !unit.isEmpty { units.append(unit) }
                    for start in [0, 3, 9] where components.count > start + 2 {
                        let code = components[start]
                        let system = components[start + 2]
                        guard !code.isEmpty, !system.isEmpty else { continue }
                        if id == "OBX", position == 5 { continue }  // a unit, not a code
                        codes.append(
                            CorpusCode(system: store.normalizeSystem(system) ?? system, code: code, origin: .hl7v2))
                    }
                }
            }
        }
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        return text.replacingOccurrences(of: "\\T\\", with: "&").replacingOccurrences(of: "\\S\\", with: "^")
            .replacingOccurrences(of: "\\F\\", with: "|").replacingOccurrences(of: "\\R\\", with: "~")
            .replacingOccurrences(of: "\\E\\", with: "\\")
    }

    static let tag = try! NSRegularExpression(pattern: #"<[A-Za-z_][\w:.-]*(\s[^<>]*?)/?>"#)
    static let attribute = try! NSRegularExpression(pattern: #"([A-Za-z_][\w:.-]*)\s*=\s*"([^"]*)""#)

    static func xml(_ text: String, store: TerminologyStore, codes: inout [CorpusCode], units: inout [String]) {
        let whole = text as NSString
        for match in tag.matches(in: text, range: NSRange(location: 0, length: whole.length)) {
            let body = whole.substring(with: match.range(at: 1))
            guard body.contains("code") || body.contains("unit") else { continue }
            var attributes: [String: String] = [:]
            let ns = body as NSString
            for pair in attribute.matches(in: body, range: NSRange(location: 0, length: ns.length)) {
                attributes[ns.substring(with: pair.range(at: 1))] = xmlUnescape(ns.substring(with: pair.range(at: 2)))
            }
            if let unit = attributes["unit"]?.trimmingWhitespace(), !unit.isEmpty { units.append(unit) }
            guard let code = attributes["code"]?.trimmingWhitespace(), !code.isEmpty,
                let system = attributes["codeSystem"]?.trimmingWhitespace(), !system.isEmpty
            else { continue }
            codes.append(CorpusCode(system: store.normalizeSystem(system) ?? system, code: code, origin: .ccda))
        }
    }

    static func xmlUnescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func json(_ node: Any, codes: inout [CorpusCode], units: inout [String]) {
        if let object = node as? [String: Any] {
            if let system = object["system"] as? String, let code = object["code"] as? String, !system.isEmpty,
                !code.isEmpty
            {
                if system == CodeSyntax.ucum {
                    units.append(code)
                } else {
                    codes.append(CorpusCode(system: system, code: code, origin: .json))
                }
            }
            for value in object.values { json(value, codes: &codes, units: &units) }
        } else if let array = node as? [Any] {
            for value in array { json(value, codes: &codes, units: &units) }
        }
    }

    /// Synthea v2.4 CSV export: which columns hold codes of which system.
    static let csvColumns: [String: [(column: String, system: String)]] = [
        "allergies.csv": [("CODE", CodeSyntax.snomedCT)],
        "careplans.csv": [("CODE", CodeSyntax.snomedCT), ("REASONCODE", CodeSyntax.snomedCT)],
        "conditions.csv": [("CODE", CodeSyntax.snomedCT)],
        "encounters.csv": [("CODE", CodeSyntax.snomedCT), ("REASONCODE", CodeSyntax.snomedCT)],
        "imaging_studies.csv": [
            ("BODYSITE_CODE", CodeSyntax.snomedCT), ("MODALITY_CODE", "http://dicom.nema.org/resources/ontology/DCM"),
        ],
        "immunizations.csv": [("CODE", CodeSyntax.cvx)],
        "medications.csv": [("CODE", CodeSyntax.rxNorm), ("REASONCODE", CodeSyntax.snomedCT)],
        "observations.csv": [("CODE", CodeSyntax.loinc)],
        "procedures.csv": [("CODE", CodeSyntax.snomedCT), ("REASONCODE", CodeSyntax.snomedCT)],
    ]

    static func csv(_ text: String, file: String, codes: inout [CorpusCode], units: inout [String]) {
        let rows = parseCSV(text)
        guard let header = rows.first else { return }
        let columns = (csvColumns[file] ?? []).compactMap { column in
            header.firstIndex(of: column.column).map { ($0, column.system) }
        }
        let unitColumn = file == "observations.csv" ? header.firstIndex(of: "UNITS") : nil
        for row in rows.dropFirst() {
            for (index, system) in columns where index < row.count && !row[index].isEmpty {
                codes.append(CorpusCode(system: system, code: row[index], origin: .csv))
            }
            if let unitColumn, unitColumn < row.count, !row[unitColumn].isEmpty { units.append(row[unitColumn]) }
        }
    }
}
