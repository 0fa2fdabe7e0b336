import ClinicalModel
import Foundation
import MappingSpec
import Terminology

/// Reads a CSV export (a folder of files, or one file) into canonical records through a profile:
/// one `ClinicalRecord` per patient.
///
///     let reader = CSVSourceReader(profile: profile, terminology: store)
///     let (records, diagnostics, errors) = try reader.read(folder: exportFolder)
///     records[0].document.controlID   // the patient's Id
///
/// How it reads (memory grows with the number of patients, not rows):
/// 1. Shared files (organizations, providers) are read whole and indexed by key; the patient file
///    is read whole too (one `Patient` per row).
/// 2. An index pass streams each per-patient file once and records, per patient, the *runs* of
///    consecutive rows that belong to them (file, byte offset, line, row count). Exports written
///    patient by patient (as Synthea does) have one run per patient and file.
/// 3. Then, patient by patient, the reader seeks to each run, maps its rows, runs the profile's
///    converters, adds the shared records the patient's records reference, and hands the record over.
///
/// Rows with errors are reported as `SourceError`s (kind, file, line, column header; never a cell
/// value) and skipped; the other rows go on. Smaller problems are `Diagnostic`s.
public struct CSVSourceReader: Sendable {
    public let profile: CSVProfile
    public let terminology: TerminologyStore
    /// Row and field size limits.
    public let limits: CSVLimits

    public init(profile: CSVProfile, terminology: TerminologyStore, limits: CSVLimits = CSVLimits()) {
        self.profile = profile
        self.terminology = terminology
        self.limits = limits
    }

    /// Reads a folder of CSV files (or a single file for single-file profiles); one ClinicalRecord
    /// per patient, in patient order, with diagnostics and per-row errors.
    ///
    /// - Throws: `SourceError` when the input cannot be listed or read, or a required file is missing.
    public func read(folder: URL) throws(SourceError) -> (
        records: [ClinicalRecord], diagnostics: [Diagnostic], errors: [SourceError]
    ) {
        var records: [ClinicalRecord] = []
        let (diagnostics, errors) = try read(folder: folder) { records.append($0) }
        return (records, diagnostics, errors)
    }

    /// Streams the records: `emit` is called once per patient, in patient order, and the reader keeps
    /// only the current patient's records.
    public func read(folder: URL, emit: (ClinicalRecord) -> Void) throws(SourceError) -> (
        diagnostics: [Diagnostic], errors: [SourceError]
    ) {
        var session = try CSVReadSession(profile: profile, terminology: terminology, input: folder, limits: limits)
        session.run(emit: emit)
        return (session.diagnostics, session.errors)
    }

    /// The records of a folder (or one file), pulled one patient at a time: the reader then holds
    /// the current patient's rows only, as `read(folder:emit:)` does.
    ///
    /// - Throws: `SourceError` when the input cannot be listed or a required file is missing.
    public func records(folder: URL) throws(SourceError) -> Records {
        Records(session: try CSVReadSession(profile: profile, terminology: terminology, input: folder, limits: limits))
    }

    /// The records of one file's bytes held in memory (an HTTP body), named `name` in positions.
    public func records(contents: [UInt8], name: String) throws(SourceError) -> Records {
        Records(
            session: try CSVReadSession(
                profile: profile, terminology: terminology, input: URL(fileURLWithPath: name), contents: contents,
                limits: limits))
    }

    /// Records pulled one patient at a time, in patient order; findings and row errors so far.
    public struct Records: IteratorProtocol {
        var session: CSVReadSession
        var prepared = false

        /// Findings so far (files and columns not mapped, rows with notes).
        public var diagnostics: [Diagnostic] { session.diagnostics }
        /// Rows that failed so far (kind, file, line, column header).
        public var errors: [SourceError] { session.errors }
        /// What became of the cells of the record `next()` returned last (carried, declared,
        /// unaccounted, by `table:COLUMN`); the first record also holds shared files' cells and
        /// rows no table took.
        public var account: SourceAccount { session.lastAccount }
        /// Bytes of the export's files read (each file once).
        public var bytesRead: Int { session.bytesRead }

        public mutating func next() -> ClinicalRecord? {
            if !prepared {
                prepared = true
                session.prepare()
            }
            return session.nextRecord()
        }
    }

    /// The candidate that fits one file's bytes held in memory, named `name`, or `nil` when none
    /// fits (as `detectProfile(folder:candidates:)` for a folder of that one file).
    public static func detectProfile(contents: [UInt8], name: String, candidates: [CSVProfile]) -> CSVProfile? {
        detectProfile(files: [URL(fileURLWithPath: name)], contents: contents, candidates: candidates)
    }

    /// The candidate whose files and header names fit a folder best, or `nil` when none fits.
    ///
    /// A profile fits when some files match its file patterns, every required file is there and every
    /// matched file has the profile's required columns. Among those, the one that knows the most
    /// header names (and finds the fewest unknown ones) wins; ties go to the earlier candidate.
    public static func detectProfile(folder: URL, candidates: [CSVProfile]) -> CSVProfile? {
        guard let files = try? CSVInput.list(folder) else { return nil }
        return detectProfile(files: files, contents: nil, candidates: candidates)
    }

    /// When no candidate fits a folder (or `.csv` file) holding CSV files: the candidate that
    /// comes closest (fewest missing columns and files, then most files matched) and what it
    /// misses, as `file: COLUMN` (`(key)` for key columns) and `no file matching PATTERN`. Header
    /// names of the input are not quoted (a file without a header would show a data row).
    public static func closestMiss(folder: URL, candidates: [CSVProfile]) -> (profile: String, missing: [String])? {
        guard let files = try? CSVInput.list(folder), files.contains(where: { $0.pathExtension.lowercased() == "csv" })
        else { return nil }
        var best: (profile: String, missing: [String], matched: Int)?
        for profile in candidates {
            var missing: [String] = []
            var matched = 0
            let assignment = CSVInput.assign(files, to: profile)
            for (tableIndex, table) in profile.tables.enumerated() {
                let tableFiles = assignment.files[tableIndex]
                if table.required && tableFiles.isEmpty {
                    missing.append("no file matching \(table.match.joined(separator: " or "))")
                }
                for url in tableFiles {
                    guard let header = CSVInput.header(url, profile: profile) else { continue }
                    matched += 1
                    let names = Set(header.names)
                    for column in table.requiredColumns where !names.contains(column) {
                        let isKey = table.key.contains(column) || (table.inlinePatient?.key.contains(column) ?? false)
                        missing.append("\(url.lastPathComponent): \(column)" + (isKey ? " (key)" : ""))
                    }
                }
            }
            guard matched > 0 else { continue }
            if let current = best,
                (current.missing.count, -current.matched) <= (missing.count, -matched)
            {
                continue
            }
            best = (profile.name, missing, matched)
        }
        return best.map { ($0.profile, $0.missing) }
    }

    static func detectProfile(files: [URL], contents: [UInt8]?, candidates: [CSVProfile]) -> CSVProfile? {
        var best: (profile: CSVProfile, score: Int)?
        for profile in candidates {
            var score = 0
            var matchedAny = false
            var fits = true
            let assignment = CSVInput.assign(files, to: profile)
            for (tableIndex, table) in profile.tables.enumerated() {
                let tableFiles = assignment.files[tableIndex]
                if table.required && tableFiles.isEmpty {
                    fits = false
                    break
                }
                for url in tableFiles {
                    guard let header = CSVInput.header(url, contents: contents, profile: profile) else { continue }
                    let names = Set(header.names)
                    if !table.requiredColumns.allSatisfy(names.contains) {
                        fits = false
                        break
                    }
                    matchedAny = true
                    let known = table.knownColumns
                    score += names.filter(known.contains).count - names.filter { !known.contains($0) }.count
                }
                if !fits { break }
            }
            guard fits, matchedAny else { continue }
            if let current = best, score <= current.score { continue }
            best = (profile, score)
        }
        return best?.profile
    }
}

extension CSVProfile {
    /// Checks what only the terminology can tell: that every concept map a rule names exists.
    ///
    /// - Throws: `MappingLoadError` at the rule's line.
    public func check(against terminology: TerminologyStore) throws(MappingLoadError) {
        for table in tables {
            for rule in table.columns + (table.inlinePatient?.columns ?? []) {
                if let id = rule.conceptMap, terminology.conceptMap(id: id) == nil {
                    throw MappingLoadError(file: file, line: rule.line, "unknown concept map '\(id)' in Terminology/")
                }
            }
        }
    }
}

/// The bundled profiles.
public enum CSVProfiles {
    /// Every `Mappings/csv/*.yaml`, sorted by file name.
    ///
    /// - Throws: `MappingLoadError` from the first profile that fails to load, or for two profiles
    ///   with one name.
    public static func loadAll(from mappingsDirectory: URL) throws(MappingLoadError) -> [CSVProfile] {
        let folder = mappingsDirectory.appendingPathComponent("csv")
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw MappingLoadError(file: "csv", line: nil, "cannot list directory")
        }
        var profiles: [CSVProfile] = []
        for name in names.filter({ $0.hasSuffix(".yaml") }).sorted() {
            let profile = try CSVProfile.load(folder.appendingPathComponent(name))
            if let other = profiles.first(where: { $0.name == profile.name }) {
                throw MappingLoadError(file: name, line: 1, "profile \(profile.name) is also defined in \(other.file)")
            }
            profiles.append(profile)
        }
        return profiles
    }
}
