import CSVSource
import CanonicalHash
import ClinicalModel
import Crypto
import Foundation

/// One thing to convert: a file (HL7 v2, C-CDA, or a single-file CSV layout) or a folder of CSV
/// files read through a column profile.
public enum SourceInput: Sendable {
    case file(InputFile)
    case csv(URL, CSVProfile)

    /// The input's name without its folders (safe to print).
    public var name: String {
        switch self {
        case let .file(file): file.name
        case let .csv(url, _): url.lastPathComponent
        }
    }

    /// The input with its file name replaced by `input-` and the first 12 hex digits of the SHA-256 of
    /// its full path: for exports whose file names carry patient data (Synthea names C-CDA files after
    /// the patient). Positions, summaries, logs, reports and output names then show the alias; the same
    /// path always gives the same alias, so a failing file can still be found (`sha256sum` of the path).
    public func redactingName() -> SourceInput {
        guard case let .file(file) = self, let url = file.url else { return self }
        let digest = lowercaseHex(SHA256.hash(data: Array(url.standardizedFileURL.path.utf8)))
        return .file(InputFile(url: url, alias: "input-" + digest.prefix(12)))
    }

    /// The name without its extension, for output names.
    public var stem: String {
        switch self {
        case let .file(file): file.stem
        case let .csv(url, _): url.deletingPathExtension().lastPathComponent
        }
    }
}

extension Engine {
    /// Expands paths into inputs: a folder (or a `.csv` file) that a CSV profile fits is one CSV
    /// input; other folders expand into their files; no paths means standard input.
    public func sources(_ paths: [String], extraProfiles: [CSVProfile] = []) throws(InputError) -> [SourceInput] {
        let profiles = extraProfiles + csvProfiles
        var result: [SourceInput] = []
        for path in paths {
            let url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if exists, isDirectory.boolValue || url.pathExtension.lowercased() == "csv",
                let profile = CSVSourceReader.detectProfile(folder: url, candidates: profiles)
            {
                result.append(.csv(url, profile))
                continue
            }
            result += try InputFile.collect([path]).map(SourceInput.file)
        }
        if paths.isEmpty { result = [.file(InputFile(url: nil))] }
        return result
    }

    /// Converts one input; `bytesRead` is the input's size for files.
    public func convert(_ source: SourceInput, format: InputFormat? = nil, traceUnused: Bool = false) throws
        -> (units: [UnitResult], bytesRead: Int)
    {
        switch source {
        case let .file(file):
            let bytes = try file.read()
            return (convert(bytes, inputName: file.name, format: format, traceUnused: traceUnused), bytes.count)
        case let .csv(url, profile):
            return (convertCSV(url, profile: profile), 0)
        }
    }

    /// Reads a CSV input through its profile: one unit per patient; a bad row is a failed unit
    /// with its file, line and column.
    public func convertCSV(_ url: URL, profile: CSVProfile) -> [UnitResult] {
        let reader = CSVSourceReader(profile: profile, terminology: terminology, limits: configuration.limits.csv)
        var units: [UnitResult] = []
        do {
            let (diagnostics, errors) = try reader.read(folder: url) { read in
                var (record, found) = normalized(read)
                if record.document.digest == nil {
                    // no bytes of its own: the unit is identified by its content
                    record.document.digest = CanonicalHasher.rollup(CanonicalHasher.digests(record).map(\.digest))
                }
                units.append(
                    UnitResult(index: units.count + 1, record: record, diagnostics: found, error: nil, byteCount: 0))
            }
            for error in errors {
                units.append(UnitResult(index: units.count + 1, record: nil, diagnostics: [], error: error, byteCount: 0))
            }
            if !units.isEmpty { units[0].diagnostics = diagnostics + units[0].diagnostics }
        } catch {
            units.append(UnitResult(index: 1, record: nil, diagnostics: [], error: error, byteCount: 0))
        }
        return units
    }
}
