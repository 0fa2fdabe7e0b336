import ArgumentParser
import Foundation
import Pipeline
import Terminology

/// `fhirbridge terminology …`: look codes up, translate and validate them against the engine's
/// `Terminology/` data, and import official releases (LOINC, SNOMED CT RF2, RxNorm RRF, ICD-10-CM).
struct TerminologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terminology",
        abstract: "Look up, translate and validate codes; import code system releases.",
        discussion: """
            SYSTEM may be a URI (http://loinc.org), an OID (2.16.840.1.113883.6.1) or an HL7 v2 name (LN, SCT, \
            I10, HL70001). Output is one line per fact, or JSON with --json. Exit codes: 0 found or valid, \
            65 not found or not valid, 74 data folder or release files unreadable.
            """,
        subcommands: [Lookup.self, Translate.self, Validate.self, Import.self, Systems.self])

    struct Options: ParsableArguments {
        @OptionGroup var home: HomeOptions

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func store() throws -> TerminologyStore {
            try home.loadEngine().terminology
        }
    }

    struct Lookup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a code's display and designations, and the code system table it comes from.")

        @OptionGroup var options: Options
        @Argument(help: "The code system: URI, OID or HL7 v2 name.") var system: String
        @Argument(help: "The code.") var code: String

        func run() throws {
            let store = try options.store()
            let uri = store.normalizeSystem(system)
            guard let uri, let concept = store.codeSystems.lookup(system: uri, code: code) else {
                let reason: String
                switch uri.map({ store.codeSystems.validate(system: $0, code: code).status }) {
                case nil: reason = "unknown code system"
                case .notInSubset?: reason = "not in the shipped subset (well-formed; import the full release)"
                case .malformed?: reason = "malformed code (syntax or check digit)"
                case .systemNotLoaded?: reason = "no table for this code system"
                default: reason = "code not in the code system"
                }
                emit(
                    options.json, ["system": uri ?? system, "code": code, "found": false, "reason": reason],
                    text: ["not found: \(reason)"])
                throw Exit.dataError
            }
            let info = store.codeSystems.info(for: uri)
            var object: [String: Any] = ["system": uri, "code": concept.code, "found": true]
            var lines = ["system: \(uri)", "code: \(concept.code)"]
            if let display = concept.display {
                object["display"] = display
                lines.append("display: \(display)")
            }
            if !concept.designations.isEmpty {
                object["designations"] = concept.designations
                lines += concept.designations.map { "designation: \($0)" }
            }
            if let info {
                object["table"] = [
                    "file": info.file, "content": info.content.rawValue, "displays": info.displays.rawValue,
                    "version": info.version ?? "",
                ]
                lines.append("table: \(info.file) (\(info.content.rawValue), displays \(info.displays.rawValue))")
            }
            emit(options.json, object, text: lines)
        }
    }

    struct Translate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Translate a code with the IG v2-table maps, Mappings/terminology/ and the CMS GEMs.")

        @OptionGroup var options: Options
        @Argument(help: "The source code system: URI, OID or HL7 v2 name.") var system: String
        @Argument(help: "The code.") var code: String
        @Option(help: "Keep only translations into this code system.") var target: String?

        func run() throws {
            let store = try options.store()
            let translations = store.translate(system: system, code: code, target: target)
            let rows: [[String: Any]] = translations.map { translation in
                var row: [String: Any] = [
                    "system": translation.target.system, "code": translation.target.code,
                    "equivalence": translation.equivalence.rawValue, "map": translation.map,
                ]
                if let display = translation.target.display { row["display"] = display }
                if let comment = translation.comment { row["comment"] = comment }
                return row
            }
            let lines = translations.map { translation in
                let target = translation.target.code.isEmpty ? "(no target)" : translation.target.description
                return
                    "\(translation.equivalence.rawValue)\t\(target)\t\(translation.target.display ?? "")\t\(translation.map)"
                    + (translation.comment.map { "\t\($0)" } ?? "")
            }
            emit(
                options.json,
                ["source": ["system": store.normalizeSystem(system) ?? system, "code": code], "translations": rows],
                text: lines.isEmpty ? ["no translation"] : lines)
            if translations.isEmpty { throw Exit.dataError }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a code (and display) against its code system, a unit against UCUM, or load every table.",
            discussion: """
                fhirbridge terminology validate LN 718-7 --display "Hemoglobin [Mass/volume] in Blood"
                fhirbridge terminology validate --unit mg/dl
                fhirbridge terminology validate --all
                """)

        @OptionGroup var options: Options
        @Argument(help: "The code system: URI, OID or HL7 v2 name.") var system: String?
        @Argument(help: "The code.") var code: String?
        @Option(help: "A display to compare with the code system's.") var display: String?
        @Option(help: "A unit to check against UCUM (and the alias list).") var unit: String?
        @Flag(help: "Read every table, UCUM file and map now and report counts.") var all = false

        func validate() throws {
            let modes = [unit != nil, all, system != nil].filter { $0 }.count
            if modes != 1 { throw ValidationError("Give SYSTEM CODE, --unit UNIT or --all.") }
            if system != nil && code == nil { throw ValidationError("Give the code after the system.") }
        }

        func run() throws {
            let store = try options.store()
            if all {
                do { try store.codeSystems.loadAll() } catch {
                    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                    throw Exit.dataError
                }
                let systems = store.codeSystems.systems
                let counts = systems.compactMap { store.codeSystems.info(for: $0) }
                let total = counts.reduce(0) { $0 + $1.count }
                emit(
                    options.json,
                    ["systems": systems.count, "codes": total, "localConceptMaps": store.localConceptMaps.count],
                    text: [
                        "ok: \(systems.count) code systems, \(total) codes, \(store.localConceptMaps.count) local concept maps"
                    ])
                return
            }
            if let unit {
                guard let units = store.codeSystems.units else {
                    FileHandle.standardError.write(Data("error: no UCUM tables in Terminology/units\n".utf8))
                    throw Exit.ioError
                }
                let code = units.ucumCode(for: unit)
                var object: [String: Any] = ["unit": unit, "valid": units.isValid(unit), "ucum": code ?? NSNull()]
                if let code, let display = units.display(for: code) { object["display"] = display }
                emit(
                    options.json, object,
                    text: [code.map { "ucum: \($0)" + (units.display(for: $0).map { " (\($0))" } ?? "") } ?? "not UCUM"]
                )
                if code == nil { throw Exit.dataError }
                return
            }
            guard let system, let code else { return }
            let result = store.validate(system: system, code: code, display: display)
            var object: [String: Any] = [
                "system": store.normalizeSystem(system) ?? system, "code": code, "status": result.status.rawValue,
            ]
            var lines = ["status: \(result.status.rawValue)"]
            if let concept = result.concept {
                object["canonicalCode"] = concept.code
                if concept.code != code { lines.append("canonical code: \(concept.code)") }
                if let official = concept.display {
                    object["display"] = official
                    lines.append("display: \(official)")
                }
            }
            if let matches = result.displayMatches {
                object["displayMatches"] = matches
                lines.append("display matches: \(matches ? "yes" : "no")")
            }
            if let info = result.info {
                object["table"] = info.file
                lines.append("table: \(info.file) (\(info.content.rawValue))")
            }
            emit(options.json, object, text: lines)
            if result.status != .valid || result.displayMatches == false { throw Exit.dataError }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an official release into Terminology/imported/ (it then replaces the shipped subset).",
            discussion: """
                loinc: Loinc.csv or the LOINC release folder. snomed: an RF2 release folder (Snapshot). \
                rxnorm: RXNCONSO.RRF or the RxNorm release folder. icd10cm: icd10cm_order_YYYY.txt or \
                icd10cm_codes_YYYY.txt. You need the publisher's licence for LOINC, SNOMED CT and RxNorm.
                """)

        @OptionGroup var options: Options
        @Argument(help: "Release format: loinc, snomed, rxnorm or icd10cm.") var format: String
        @Argument(help: "The release file or folder.", completion: .file()) var path: String
        @Option(help: "Release version to record (default: from the file or folder name).") var version: String?
        @Option(help: "Terminology folder to write into (default: the engine's).") var into: String?

        func validate() throws {
            if CodeSystemImporter.Format(rawValue: format) == nil {
                throw ValidationError("format must be loinc, snomed, rxnorm or icd10cm.")
            }
        }

        func run() throws {
            guard let format = CodeSystemImporter.Format(rawValue: format) else { throw Exit.usage }
            let folder: URL
            if let into {
                folder = URL(fileURLWithPath: into)
            } else {
                guard let directory = try options.store().directory else { throw Exit.ioError }
                folder = directory
            }
            do {
                let summary = try CodeSystemImporter.importRelease(
                    format, from: URL(fileURLWithPath: path), into: folder, version: version)
                emit(
                    options.json,
                    [
                        "system": summary.system, "file": summary.file, "count": summary.count,
                        "version": summary.version,
                    ],
                    text: [
                        "imported \(summary.count) codes of \(summary.system) (version \(summary.version)) into \(summary.file)"
                    ])
            } catch let error as CodeSystemImporter.ImportError {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw Exit.dataError
            } catch {
                FileHandle.standardError.write(
                    Data("error: cannot write Terminology/imported (\(type(of: error)))\n".utf8))
                throw Exit.ioError
            }
        }
    }

    struct Systems: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the code systems that have a table.")

        @OptionGroup var options: Options

        func run() throws {
            let store = try options.store()
            var rows: [[String: Any]] = []
            var lines: [String] = []
            for system in store.codeSystems.systems {
                guard let info = store.codeSystems.info(for: system) else { continue }
                rows.append([
                    "system": system, "count": info.count, "content": info.content.rawValue, "file": info.file,
                ])
                lines.append("\(system)\t\(info.count)\t\(info.content.rawValue)\t\(info.file)")
            }
            emit(options.json, ["systems": rows], text: lines)
        }
    }
}

/// Prints JSON (sorted keys) or text lines to standard output.
private func emit(_ json: Bool, _ object: [String: Any], text: [String]) {
    if json,
        let data = try? JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    {
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    } else {
        print(text.joined(separator: "\n"))
    }
}
