import Foundation

/// Loads official release files a user supplies into `Terminology/imported/`, in the same table format
/// as the shipped tables, and lists them in `imported/index.json` so that they replace the shipped
/// subsets for their system.
///
///     let summary = try CodeSystemImporter.importRelease(.loinc, from: URL(fileURLWithPath: "Loinc_2.78"),
///                                                        into: terminologyFolder)
///     // summary.count == 104_000, summary.file == "imported/loinc.tsv"
///
/// | format | what to pass | display |
/// |---|---|---|
/// | `loinc` | `Loinc.csv`, or the release folder (also reads `AnswerList.csv` when present) | `LONG_COMMON_NAME` |
/// | `snomed` | an RF2 release folder (Snapshot concepts, descriptions, language refset) | US English preferred term, else FSN |
/// | `rxnorm` | `RXNCONSO.RRF`, or the release folder | `SAB=RXNORM`, by term type (SCD, SBD, GPCK, BPCK, IN, …) |
/// | `icd10cm` | `icd10cm_order_YYYY.txt` or `icd10cm_codes_YYYY.txt` (CDC/CMS) | the long description |
public enum CodeSystemImporter {
    public enum Format: String, CaseIterable, Sendable {
        case loinc, snomed, rxnorm, icd10cm

        var system: String {
            switch self {
            case .loinc: return CodeSyntax.loinc
            case .snomed: return CodeSyntax.snomedCT
            case .rxnorm: return CodeSyntax.rxNorm
            case .icd10cm: return CodeSyntax.icd10CM
            }
        }

        var fileName: String { "imported/\(rawValue).tsv" }

        var title: String {
            switch self {
            case .loinc: return "LOINC"
            case .snomed: return "SNOMED CT"
            case .rxnorm: return "RxNorm"
            case .icd10cm: return "ICD-10-CM"
            }
        }

        var url: String {
            switch self {
            case .loinc: return "https://loinc.org"
            case .snomed: return "https://www.snomed.org"
            case .rxnorm: return "https://www.nlm.nih.gov/research/umls/rxnorm/"
            case .icd10cm: return "https://www.cdc.gov/nchs/icd/icd-10-cm/"
            }
        }

        var licence: String {
            switch self {
            case .loinc:
                return "LOINC licence, Regenstrief Institute (https://loinc.org/license); see licences/LOINC.md"
            case .snomed:
                return "SNOMED CT Affiliate Licence, SNOMED International; see licences/SNOMED-CT.md"
            case .rxnorm: return "NLM RxNorm / UMLS terms of use; see licences/RxNorm.md"
            case .icd10cm: return "Public domain (CDC/NCHS, US Government work)"
            }
        }
    }

    /// What an import wrote.
    public struct Summary: Hashable, Sendable {
        public var format: Format
        public var system: String
        /// Relative to `Terminology/`.
        public var file: String
        public var count: Int
        public var version: String
    }

    /// An import that cannot proceed: a missing file or a file in the wrong format. Names the file,
    /// never its content.
    public struct ImportError: Error, Hashable, Sendable, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): \(message)" }
    }

    /// Reads a release and writes `imported/<format>.tsv` and `imported/index.json` under `terminology`.
    /// - Parameter version: the release version to record; guessed from the file or folder name when nil.
    public static func importRelease(_ format: Format, from path: URL, into terminology: URL, version: String? = nil)
        throws -> Summary
    {
        let concepts: [String: [String]]
        let detected: String?
        switch format {
        case .loinc: (concepts, detected) = try readLOINC(path)
        case .snomed: (concepts, detected) = try readSNOMED(path)
        case .rxnorm: (concepts, detected) = try readRxNorm(path)
        case .icd10cm: (concepts, detected) = try readICD10CM(path)
        }
        guard !concepts.isEmpty else { throw ImportError(file: path.lastPathComponent, message: "no codes found") }
        let release = version ?? detected ?? path.lastPathComponent
        let source = TerminologySource(
            name: "\(format.title) (imported release)", url: format.url, version: release, licence: format.licence,
            file: path.lastPathComponent)
        let text = tableText(
            source: source, system: format.system, name: format.title, version: release, concepts: concepts)
        let folder = terminology.appendingPathComponent("imported")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: terminology.appendingPathComponent(format.fileName), options: .atomic)
        try updateIndex(terminology: terminology, file: format.fileName, source: source, system: format.system)
        return Summary(
            format: format, system: format.system, file: format.fileName, count: concepts.count, version: release)
    }

    // MARK: Writing

    static func tableText(
        source: TerminologySource, system: String, name: String, version: String, concepts: [String: [String]]
    )
        -> String
    {
        let caseSensitive = system == CodeSyntax.icd10CM || system == CodeSyntax.loinc ? "false" : "true"
        func clean(_ text: String) -> String {
            text.split(whereSeparator: { $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
                .trimmingWhitespace()
        }
        var lines = [
            CodeTableFile.magic, "#source.name\t\(clean(source.name))", "#source.url\t\(clean(source.url))",
            "#source.version\t\(clean(source.version))", "#source.licence\t\(clean(source.licence))",
            "#generatedBy\tfhirbridge terminology import",
            "@system\t\(system)\tname=\(clean(name))\tversion=\(clean(version))\tcontent=complete"
                + "\tdisplays=authoritative\tcaseSensitive=\(caseSensitive)",
        ]
        if let file = source.file { lines.insert("#source.file\t\(clean(file))", at: 5) }
        let codes = concepts.keys.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty && !$0.contains("\t") }
        for code in Set(codes).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            var seen: Set<String> = []
            let displays = (concepts[code] ?? []).map(clean).filter {
                !$0.isEmpty && seen.insert($0.lowercased()).inserted
            }
            lines.append(([code] + displays).joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func updateIndex(terminology: URL, file: String, source: TerminologySource, system: String) throws {
        let url = terminology.appendingPathComponent(CodeSystemStore.importedIndexFile)
        var index = CodeSystemIndexFile(
            source: TerminologySource(
                name: "Code system releases imported with fhirbridge terminology import", url: "local",
                version: "1", licence: "each imported table names its own licence"),
            generatedBy: "fhirbridge terminology import", files: [], essence: nil, maps: nil, composites: nil)
        if let data = FileManager.default.contents(atPath: url.path) {
            do { index = try JSONDecoder().decode(CodeSystemIndexFile.self, from: data) } catch {
                throw TerminologyLoadError.decoding(error, file: CodeSystemStore.importedIndexFile, data: data)
            }
        }
        index.files.removeAll { $0.file == file || $0.systems.contains(system) }
        index.files.append(CodeSystemIndexFile.File(file: file, source: source, systems: [system]))
        index.files.sort { $0.file < $1.file }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try (encoder.encode(index) + Data("\n".utf8)).write(to: url, options: .atomic)
    }

    // MARK: Readers

    /// `Loinc.csv` (or a folder holding it) and, in a folder, `AnswerList.csv` for LA answer codes.
    static func readLOINC(_ path: URL) throws -> ([String: [String]], String?) {
        let table = try findFile(path, matching: { $0.lowercased() == "loinc.csv" }, what: "Loinc.csv")
        var concepts: [String: [String]] = [:]
        try readCSV(table) { header, row in
            guard let code = value(row, header, "LOINC_NUM") else {
                throw ImportError(file: table.lastPathComponent, message: "no LOINC_NUM column")
            }
            let names = [
                value(row, header, "LONG_COMMON_NAME"), value(row, header, "DisplayName"),
                value(row, header, "SHORTNAME"),
            ]
            concepts[code] = names.compactMap { $0 }
        }
        if isDirectory(path),
            let answers = try? findFile(path, matching: { $0.lowercased() == "answerlist.csv" }, what: "")
        {
            try readCSV(answers) { header, row in
                if let code = value(row, header, "AnswerStringId"), concepts[code] == nil {
                    concepts[code] = [value(row, header, "DisplayText")].compactMap { $0 }
                }
            }
        }
        return (concepts, versionInName(path, pattern: #"(\d+\.\d+)"#).map { $0 })
    }

    /// An RF2 release folder: concepts from `sct2_Concept_Snapshot`, terms from `sct2_Description_Snapshot`
    /// (and `sct2_TextDefinition` is ignored), preferred terms from the US English language refset.
    static func readSNOMED(_ path: URL) throws -> ([String: [String]], String?) {
        let conceptFile = try findFile(
            path, matching: { $0.hasPrefix("sct2_Concept_") && $0.contains("Snapshot") },
            what: "sct2_Concept_Snapshot*.txt")
        let descriptionFile = try findFile(
            path, matching: { $0.hasPrefix("sct2_Description_") && $0.contains("Snapshot") },
            what: "sct2_Description_Snapshot*.txt")
        let languageFile = try? findFile(
            path, matching: { $0.hasPrefix("der2_cRefset_Language") && $0.contains("Snapshot") }, what: "")
        let fsnType = "900000000000003001"
        let usEnglish = "900000000000509007"
        let preferred = "900000000000548007"

        var conceptIDs: Set<String> = []
        try readTSV(conceptFile, columns: ["id", "active"]) { row in conceptIDs.insert(row[0]) }
        var preferredDescriptions: Set<String> = []
        if let languageFile {
            try readTSV(languageFile, columns: ["active", "refsetId", "referencedComponentId", "acceptabilityId"]) {
                row in
                if row[0] == "1", row[1] == usEnglish, row[3] == preferred { preferredDescriptions.insert(row[2]) }
            }
        }
        var fsn: [String: String] = [:]
        var preferredTerm: [String: String] = [:]
        var synonyms: [String: [String]] = [:]
        try readTSV(descriptionFile, columns: ["id", "active", "conceptId", "typeId", "term"]) { row in
            guard row[1] == "1", conceptIDs.contains(row[2]) else { return }
            if row[3] == fsnType {
                fsn[row[2]] = row[4]
            } else if preferredDescriptions.contains(row[0]) {
                preferredTerm[row[2]] = row[4]
            } else if (synonyms[row[2]]?.count ?? 0) < 4 {
                synonyms[row[2], default: []].append(row[4])
            }
        }
        var concepts: [String: [String]] = [:]
        for id in conceptIDs {
            let semanticTagStripped = fsn[id].map { name -> String in
                guard name.hasSuffix(")"), let open = name.lastIndex(of: "(") else { return name }
                return String(name[..<open]).trimmingWhitespace()
            }
            let display = preferredTerm[id] ?? semanticTagStripped ?? synonyms[id]?.first
            concepts[id] = [display, fsn[id]].compactMap { $0 } + (synonyms[id] ?? [])
        }
        return (concepts, versionInName(conceptFile, pattern: #"_(\d{8})\.txt$"#))
    }

    /// `RXNCONSO.RRF`: `RXCUI|LAT|TS|LUI|STT|SUI|ISPREF|RXAUI|SAUI|SCUI|SDUI|SAB|TTY|CODE|STR|SRL|SUPPRESS|CVF|`.
    static func readRxNorm(_ path: URL) throws -> ([String: [String]], String?) {
        let file = try findFile(path, matching: { $0.uppercased() == "RXNCONSO.RRF" }, what: "RXNCONSO.RRF")
        let priority = [
            "SCD", "SBD", "GPCK", "BPCK", "SCDG", "SBDG", "SCDF", "SBDF", "SCDC", "SBDC", "IN", "PIN", "MIN", "BN",
            "DF", "DFG", "PSN", "SY", "TMSY", "ET",
        ]
        var best: [String: [(rank: Int, text: String)]] = [:]
        try forEachLine(file) { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count >= 17 else { throw ImportError(file: file.lastPathComponent, message: "not an RRF row") }
            guard fields[11] == "RXNORM" else { return }
            let suppressed = fields[16] != "N" && !fields[16].isEmpty
            let rank = (priority.firstIndex(of: String(fields[12])) ?? priority.count) + (suppressed ? 100 : 0)
            best[String(fields[0]), default: []].append((rank, String(fields[14])))
        }
        var concepts: [String: [String]] = [:]
        for (cui, names) in best {
            concepts[cui] = names.sorted { ($0.rank, $0.text) < ($1.rank, $1.text) }.prefix(4).map(\.text)
        }
        return (concepts, versionInName(path, pattern: #"(\d{8})"#))
    }

    /// `icd10cm_order_YYYY.txt` (order, code, billable flag, short and long description in fixed columns)
    /// or `icd10cm_codes_YYYY.txt` (code, spaces, description).
    static func readICD10CM(_ path: URL) throws -> ([String: [String]], String?) {
        let file = try findFile(
            path, matching: { $0.lowercased().hasPrefix("icd10cm") && $0.lowercased().hasSuffix(".txt") },
            what: "icd10cm_order_YYYY.txt")
        var concepts: [String: [String]] = [:]
        var lineNumber = 0
        try forEachLine(file) { line in
            lineNumber += 1
            let text = String(line)
            guard !text.trimmingWhitespace().isEmpty else { return }
            let characters = Array(text)
            if characters.count > 16, characters[0..<5].allSatisfy(\.isASCIIDigit), characters[5] == " " {
                // Order file: 1-5 order, 7-13 code, 15 header(0)/billable(1), 17-76 short, 78- long.
                let code = String(characters[6..<min(13, characters.count)]).trimmingWhitespace()
                let long = characters.count > 77 ? String(characters[77...]).trimmingWhitespace() : ""
                let short = String(characters[16..<min(76, characters.count)]).trimmingWhitespace()
                concepts[CodeSyntax.canonical(code, system: CodeSyntax.icd10CM)] = [long.isEmpty ? short : long, short]
            } else {
                let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
                guard parts.count == 2,
                    CodeSyntax.icd10CMIsWellFormed(CodeSyntax.canonical(String(parts[0]), system: CodeSyntax.icd10CM))
                else {
                    throw ImportError(
                        file: file.lastPathComponent, message: "line \(lineNumber): not an ICD-10-CM code line")
                }
                concepts[CodeSyntax.canonical(String(parts[0]), system: CodeSyntax.icd10CM)] = [
                    String(parts[1]).trimmingWhitespace()
                ]
            }
        }
        return (concepts, versionInName(file, pattern: #"(20\d\d)"#))
    }

    // MARK: File helpers

    static func isDirectory(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }

    /// `path` itself when it is a file, else the first match (sorted) anywhere under the folder.
    static func findFile(_ path: URL, matching: (String) -> Bool, what: String) throws -> URL {
        if !isDirectory(path) {
            guard FileManager.default.fileExists(atPath: path.path) else {
                throw ImportError(file: path.lastPathComponent, message: "no such file")
            }
            return path
        }
        let walker = FileManager.default.enumerator(atPath: path.path)
        var matches: [String] = []
        while let relative = walker?.nextObject() as? String {
            if matching((relative as NSString).lastPathComponent) { matches.append(relative) }
        }
        guard let first = matches.sorted().first else {
            throw ImportError(file: path.lastPathComponent, message: "no \(what) in this folder")
        }
        return path.appendingPathComponent(first)
    }

    static func versionInName(_ url: URL, pattern: String) -> String? {
        for name in [url.lastPathComponent, url.deletingLastPathComponent().lastPathComponent] {
            if let range = name.range(of: pattern, options: .regularExpression) {
                return String(name[range]).trimmingCharacters(in: CharacterSet(charactersIn: "_.txt"))
            }
        }
        return nil
    }

    /// Calls `body` with every line (without its line break) of a file, read in one mapped block.
    static func forEachLine(_ url: URL, _ body: (Substring) throws -> Void) throws {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw ImportError(file: url.lastPathComponent, message: "cannot read the file")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        for line in text.split(
            omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        {
            try body(line)
        }
    }

    /// Tab-separated RF2 rows with named columns from the header line.
    static func readTSV(_ url: URL, columns: [String], _ body: ([String]) throws -> Void) throws {
        var indexes: [Int]?
        try forEachLine(url) { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard let positions = indexes else {
                let names = fields.map(String.init)
                let found = columns.compactMap { names.firstIndex(of: $0) }
                guard found.count == columns.count else {
                    throw ImportError(
                        file: url.lastPathComponent, message: "header lacks \(columns.joined(separator: ", "))")
                }
                indexes = found
                return
            }
            guard fields.count > positions.max() ?? 0 else {
                throw ImportError(file: url.lastPathComponent, message: "short row")
            }
            try body(positions.map { String(fields[$0]) })
        }
    }

    /// RFC 4180 rows (quoted fields may hold commas, quotes and line breaks), with the header row.
    static func readCSV(_ url: URL, _ body: (_ header: [String: Int], _ row: [String]) throws -> Void) throws {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw ImportError(file: url.lastPathComponent, message: "cannot read the file")
        }
        var header: [String: Int]?
        var row: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var index = data.startIndex
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { index += 3 }
        func endRow() throws {
            row.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            defer { row.removeAll(keepingCapacity: true) }
            if row.count == 1, row[0].isEmpty { return }
            guard let names = header else {
                var names: [String: Int] = [:]
                for (position, name) in row.enumerated() { names[name.trimmingWhitespace()] = position }
                header = names
                return
            }
            try body(names, row)
        }
        while index < data.endIndex {
            let byte = data[index]
            index += 1
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index < data.endIndex, data[index] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): quoted = true
            case UInt8(ascii: ","):
                row.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            case UInt8(ascii: "\r"): break
            case UInt8(ascii: "\n"): try endRow()
            default: field.append(byte)
            }
        }
        if !field.isEmpty || !row.isEmpty { try endRow() }
    }

    static func value(_ row: [String], _ header: [String: Int], _ name: String) -> String? {
        guard let position = header[name], position < row.count else { return nil }
        let text = row[position].trimmingWhitespace()
        return text.isEmpty ? nil : text
    }
}
