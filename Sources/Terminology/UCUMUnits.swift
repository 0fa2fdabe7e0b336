import Foundation

/// UCUM units: a syntax check over the UCUM essence (prefixes, base and derived units), the FHIR
/// `ucum-common` list with displays, and hand-kept aliases for spellings senders use.
///
///     units.isValid("mg/dL")           // true
///     units.isValid("beats/min")       // false: `beats` is no UCUM unit (`{beats}/min` is)
///     units.ucumCode(for: "mg/dl")     // "mg/dL"   (the common-units spelling)
///     units.ucumCode(for: "beats/min") // "/min"    (alias)
///     units.ucumCode(for: "furlongs")  // nil: not UCUM, kept as text
///
/// Grammar: UCUM 2.2 §§ 1–8 (`mainTerm`, `term`, `component`, `annotatable`, `simpleUnit`, `exponent`,
/// `factor`, `annotation`); square-bracketed atoms and `10*`/`10^` are read whole.
public struct UCUMUnits: Sendable {
    static let essenceFile = "units/ucum-essence.tsv"
    static let commonFile = "units/ucum-common.tsv"
    static let aliasFile = "units/ucum-aliases.json"

    /// Prefix code → true. Two-letter `da` is the only multi-letter prefix.
    let prefixes: Set<String>
    /// Atom code → whether it is metric (takes a prefix).
    let atoms: [String: Bool]
    /// Common unit code → display (FHIR `ucum-common`).
    let common: [String: String]
    /// Lower-cased common code → the common code, when only one common code has that spelling.
    let commonByLowercase: [String: String]
    /// Exact alias → UCUM code.
    let aliases: [String: String]
    /// Lower-cased alias → UCUM code.
    let aliasesByLowercase: [String: String]

    init(prefixes: Set<String>, atoms: [String: Bool], common: [String: String], aliases: [String: String]) {
        self.prefixes = prefixes
        self.atoms = atoms
        self.common = common
        var lower: [String: String?] = [:]
        for code in common.keys.sorted() {
            let key = code.lowercased()
            if let existing = lower[key], let other = existing {
                // `mg/dL` and `mg/dl` both listed: prefer the spelling with upper-case L (litre).
                lower[key] = other.contains("L") ? other : (code.contains("L") ? code : .some(nil))
            } else if lower[key] == nil {
                lower[key] = code
            }
        }
        self.commonByLowercase = lower.compactMapValues { $0 }
        self.aliases = aliases
        var aliasLower: [String: String] = [:]
        for (alias, code) in aliases.sorted(by: { $0.key < $1.key }) {
            aliasLower[alias.lowercased()] = aliasLower[alias.lowercased()] ?? code
        }
        self.aliasesByLowercase = aliasLower
    }

    /// Whether `expression` is a syntactically valid UCUM code made of known units.
    public func isValid(_ expression: String) -> Bool {
        guard !expression.isEmpty, expression.allSatisfy(\.isASCII) else { return false }
        var parser = Parser(text: Array(expression), units: self)
        return parser.parseMain()
    }

    /// Whether the code is in the FHIR common units list.
    public func isCommon(_ code: String) -> Bool { common[code] != nil }

    /// The common units display for a code (`mg/dL` → `milligram per deciliter`).
    public func display(for code: String) -> String? { common[code] }

    /// The UCUM code for a unit as a source wrote it, or `nil` when it is not UCUM and no alias maps it.
    ///
    /// In order: an exact alias; a common unit; a common unit differing only in case (`MG/DL` → `mg/dL`);
    /// an alias differing only in case; any other valid UCUM expression as written.
    public func ucumCode(for unit: String) -> String? {
        let text = unit.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        if let code = aliases[text] { return code }
        if common[text] != nil { return text }
        let lower = text.lowercased()
        if let code = commonByLowercase[lower] { return code }
        if let code = aliasesByLowercase[lower] { return code }
        return isValid(text) ? text : nil
    }

    // MARK: Syntax

    private struct Parser {
        let text: [Character]
        let units: UCUMUnits
        var position = 0

        init(text: [Character], units: UCUMUnits) {
            self.text = text
            self.units = units
        }

        var atEnd: Bool { position >= text.count }
        var current: Character? { atEnd ? nil : text[position] }

        mutating func parseMain() -> Bool {
            if current == "/" {
                position += 1
            }
            guard parseTerm() else { return false }
            return atEnd
        }

        mutating func parseTerm() -> Bool {
            guard parseComponent() else { return false }
            while let c = current, c == "." || c == "/" {
                position += 1
                guard parseComponent() else { return false }
            }
            return true
        }

        mutating func parseComponent() -> Bool {
            guard let c = current else { return false }
            if c == "(" {
                position += 1
                guard parseTerm(), current == ")" else { return false }
                position += 1
                // `U/(10.g){feces}`: UCUM's own common units annotate a parenthesised term.
                if current == "{" { return parseAnnotation() }
                return true
            }
            if c == "{" { return parseAnnotation() }
            guard parseAnnotatable() else { return false }
            if current == "{" { return parseAnnotation() }
            return true
        }

        mutating func parseAnnotation() -> Bool {
            guard current == "{" else { return false }
            position += 1
            while let c = current, c != "}" {
                guard c != "{" else { return false }
                position += 1
            }
            guard current == "}" else { return false }
            position += 1
            return true
        }

        /// A simple unit with an optional exponent, or a factor. Spaces are allowed only in annotations.
        mutating func parseAnnotatable() -> Bool {
            var token: [Character] = []
            var depth = 0
            while let c = current {
                guard !c.isWhitespace else { return false }
                if depth == 0, c == "." || c == "/" || c == "(" || c == ")" || c == "{" || c == "}" { break }
                if c == "[" { depth += 1 }
                if c == "]" {
                    guard depth > 0 else { return false }
                    depth -= 1
                }
                token.append(c)
                position += 1
            }
            guard depth == 0, !token.isEmpty else { return false }
            if token.allSatisfy(\.isASCIIDigit) { return true }  // factor
            let whole = String(token)
            if units.isSimpleUnit(whole) { return true }
            // Trailing exponent: [+-]?digits after a simple unit (`m2`, `s-1`, `10*3`, `10*-6`).
            var split = token.count
            while split > 0, token[split - 1].isASCIIDigit { split -= 1 }
            guard split < token.count else { return false }
            var unitEnd = split
            if unitEnd > 0, token[unitEnd - 1] == "+" || token[unitEnd - 1] == "-" { unitEnd -= 1 }
            guard unitEnd > 0 else { return false }
            return units.isSimpleUnit(String(token[..<unitEnd]))
        }
    }

    /// An atom, or a prefix followed by a metric atom.
    func isSimpleUnit(_ text: String) -> Bool {
        if atoms[text] != nil { return true }
        for length in [2, 1] where text.count > length {
            let prefix = String(text.prefix(length))
            if prefixes.contains(prefix), atoms[String(text.dropFirst(length))] == true { return true }
        }
        return false
    }
}

extension UCUMUnits {
    /// Loads the essence and common units tables and the alias file from a `Terminology/` folder.
    static func load(from directory: URL) throws -> (UCUMUnits, [String: TerminologySource]) {
        var sources: [String: TerminologySource] = [:]
        let essenceURL = directory.appendingPathComponent(essenceFile)
        guard let essenceData = FileManager.default.contents(atPath: essenceURL.path) else {
            throw TerminologyLoadError(.missingFile, file: essenceFile, "file not found")
        }
        var prefixes: Set<String> = []
        var atoms: [String: Bool] = [:]
        var header: [String: String] = [:]
        for (number, line) in String(decoding: essenceData, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .enumerated() where !line.isEmpty {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if line.hasPrefix("#") {
                if fields.count >= 2 { header[String(fields[0].dropFirst())] = fields[1] }
                continue
            }
            guard fields.count >= 4 else {
                throw TerminologyLoadError(.invalidContent, file: essenceFile, line: number + 1, "expected 4 fields")
            }
            switch fields[0] {
            case "prefix": prefixes.insert(fields[1])
            case "base", "unit": atoms[fields[1]] = fields[3] == "metric"
            default:
                throw TerminologyLoadError(
                    .invalidContent, file: essenceFile, line: number + 1, "unknown kind \(fields[0])")
            }
        }
        guard let name = header["source.name"], let url = header["source.url"], let version = header["source.version"],
            let licence = header["source.licence"]
        else {
            throw TerminologyLoadError(.invalidContent, file: essenceFile, "missing #source.* header lines")
        }
        sources[essenceFile] = TerminologySource(name: name, url: url, version: version, licence: licence)

        let commonURL = directory.appendingPathComponent(commonFile)
        guard FileManager.default.fileExists(atPath: commonURL.path) else {
            throw TerminologyLoadError(.missingFile, file: commonFile, "file not found")
        }
        let commonTable = try CodeTableFile(url: commonURL, relativePath: commonFile)
        sources[commonFile] = commonTable.source
        var common: [String: String] = [:]
        for index in commonTable.sections.indices {
            for concept in commonTable.concepts(section: index) {
                common[concept.code] = concept.display ?? concept.code
            }
        }

        var aliases: [String: String] = [:]
        let aliasURL = directory.appendingPathComponent(aliasFile)
        if let data = FileManager.default.contents(atPath: aliasURL.path) {
            let file: UCUMAliasFile
            do { file = try JSONDecoder().decode(UCUMAliasFile.self, from: data) } catch {
                throw TerminologyLoadError.decoding(error, file: aliasFile, data: data)
            }
            sources[aliasFile] = file.source
            let units = UCUMUnits(prefixes: prefixes, atoms: atoms, common: common, aliases: [:])
            for (alias, code) in file.aliases {
                guard units.isValid(code) else {
                    throw TerminologyLoadError(
                        .invalidContent, file: aliasFile, jsonPath: "$.aliases." + alias, "\(code) is not valid UCUM")
                }
                aliases[alias] = code
            }
        }
        return (UCUMUnits(prefixes: prefixes, atoms: atoms, common: common, aliases: aliases), sources)
    }
}

struct UCUMAliasFile: Decodable {
    var source: TerminologySource
    /// Unit as senders write it → UCUM code.
    var aliases: [String: String]
}
