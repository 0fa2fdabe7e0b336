import CSVSource
import ClinicalModel
import Crypto
import Foundation
import HL7v2

/// One thing to convert: a file (HL7 v2, C-CDA, or a single-file CSV layout), a folder of CSV
/// files read through a column profile, or bytes already in memory (an HTTP body, an MLLP frame).
public enum SourceInput: Sendable {
    case file(InputFile)
    case csv(URL, CSVProfile)
    case memory(name: String, bytes: [UInt8])

    /// The input's name without its folders (safe to print).
    public var name: String {
        switch self {
        case .file(let file): file.name
        case .csv(let url, _): url.lastPathComponent
        case .memory(let name, _): name
        }
    }

    /// The input with its file name replaced by `input-` and the first 12 hex digits of the SHA-256 of
    /// its full path: for exports whose file names carry patient data (Synthea names C-CDA files after
    /// the patient). Positions, summaries, logs, reports and output names then show the alias; the same
    /// path always gives the same alias, so a failing file can still be found (`sha256sum` of the path).
    public func redactingName() -> SourceInput {
        guard case .file(let file) = self, let url = file.url else { return self }
        let digest = lowercaseHex(SHA256.hash(data: Array(url.standardizedFileURL.path.utf8)))
        return .file(InputFile(url: url, alias: "input-" + digest.prefix(12)))
    }

    /// The name without its extension, for output names.
    public var stem: String {
        switch self {
        case .file(let file): file.stem
        case .csv(let url, _): url.deletingPathExtension().lastPathComponent
        case .memory(let name, _): name
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

    /// For a folder of CSV files (or a `.csv` file) that no profile fits, why: the candidate that
    /// comes closest and what it misses; `nil` when a profile fits or the path holds no CSV. Names
    /// profiles, files and the profile's column names only, never cell values.
    ///
    ///     engine.csvProfileMiss("export/")
    ///     // "no CSV profile fits these headers; closest: my-lab (missing columns: results.csv: MRN (key)); pass --csv-profile"
    public func csvProfileMiss(_ path: String, extraProfiles: [CSVProfile] = []) -> String? {
        let url = URL(fileURLWithPath: path)
        let profiles = extraProfiles + csvProfiles
        // closestMiss looks for CSV files first, so other folders cost one listing
        guard let miss = CSVSourceReader.closestMiss(folder: url, candidates: profiles),
            CSVSourceReader.detectProfile(folder: url, candidates: profiles) == nil
        else { return nil }
        return "no CSV profile fits these headers; closest: \(miss.profile) (missing columns: "
            + miss.missing.joined(separator: "; ") + "); pass --csv-profile"
    }

    /// The reader for one input: the one place where formats are told apart. A file is read when
    /// the first unit is pulled; its format is then `format`, or detected from its content
    /// (`InputFormat.detect`), and CSV content goes through the first profile that fits it.
    public func reader(for source: SourceInput, format: InputFormat? = nil, traceUnused: Bool = false) -> any UnitReader
    {
        switch source {
        case .file(let file): SourceFileReader(file: file, format: format, engine: self, traceUnused: traceUnused)
        case .csv(let url, let profile): CSVUnitReader(.folder(url), profile: profile, engine: self)
        case .memory(let name, let bytes):
            reader(bytes: bytes, inputName: name, format: format, traceUnused: traceUnused)
        }
    }

    /// The reader for bytes in memory, by `format` or by their content.
    public func reader(bytes: [UInt8], inputName: String, format: InputFormat? = nil, traceUnused: Bool = false)
        -> any UnitReader
    {
        switch format ?? InputFormat.detect(bytes) {
        case .hl7v2?:
            return HL7v2UnitReader(
                splitter: HL7InputSplitter(bytes: bytes, limits: configuration.limits.hl7), engine: self,
                inputName: inputName, traceUnused: traceUnused)
        case .ccda?:
            return CCDAUnitReader(bytes: bytes, engine: self, inputName: inputName)
        case .csv?:
            guard let profile = CSVSourceReader.detectProfile(contents: bytes, name: inputName, candidates: csvProfiles)
            else {
                let error = SourceError(.unsupportedInputFormat, at: .input(name: inputName, offset: nil))
                return FailedInputReader(error, bytesRead: bytes.count)
            }
            return CSVUnitReader(.contents(name: inputName, bytes: bytes), profile: profile, engine: self)
        case nil:
            let error = SourceError(.unknownInputFormat, at: .input(name: inputName, offset: nil))
            return FailedInputReader(error, bytesRead: bytes.count)
        }
    }

    /// Converts one input whole; `bytesRead` is the input's size for files.
    public func convert(_ source: SourceInput, format: InputFormat? = nil, traceUnused: Bool = false)
        throws(InputError) -> (units: [UnitResult], bytesRead: Int)
    {
        var reader = self.reader(for: source, format: format, traceUnused: traceUnused)
        let units = try reader.readAll()
        return (units, reader.bytesRead)
    }

    /// Reads a CSV input through its profile: one unit per patient; a bad row is a failed unit
    /// with its file, line and column.
    public func convertCSV(_ url: URL, profile: CSVProfile) -> [UnitResult] {
        CSVUnitReader.read(.folder(url), profile: profile, engine: self)
    }
}

/// A file or standard input, opened when the first unit is pulled. Its first bytes tell the format
/// (or `format` does); HL7 v2 (plain, FHS/BHS batches, MLLP-framed) is then read in bounded chunks
/// through `HL7InputSplitter`, so memory is bounded by the largest message whatever the file's
/// size. A C-CDA document or a CSV file is one unit (or one export) and is read whole.
struct SourceFileReader: UnitReader {
    /// Bytes read per call from the file or pipe.
    static let chunkSize = 256 * 1024
    /// Bytes read before the format is decided (`InputFormat.detect` looks at 4 KiB).
    static let headSize = 4096

    let file: InputFile
    let format: InputFormat?
    let engine: Engine
    let traceUnused: Bool
    var inner: (any UnitReader)?

    init(file: InputFile, format: InputFormat?, engine: Engine, traceUnused: Bool) {
        self.file = file
        self.format = format
        self.engine = engine
        self.traceUnused = traceUnused
    }

    var bytesRead: Int { inner?.bytesRead ?? 0 }

    mutating func next() throws(InputError) -> UnitResult? {
        if inner == nil { inner = try open() }
        return try inner?.next()
    }

    mutating func nextPending() throws(InputError) -> PendingUnit? {
        if inner == nil { inner = try open() }
        return try inner?.nextPending()
    }

    /// Opens the input, reads enough to tell its format, and makes the reader for it.
    func open() throws(InputError) -> any UnitReader {
        let unreadable = InputError("cannot read \(file.name)")
        let handle: FileHandle
        if let url = file.url {
            guard let opened = try? FileHandle(forReadingFrom: url) else { throw unreadable }
            handle = opened
        } else {
            handle = FileHandle.standardInput
        }
        let chunkSize = Self.chunkSize
        var head: [UInt8] = []
        do {
            while head.count < Self.headSize, let data = try handle.read(upToCount: chunkSize), !data.isEmpty {
                head += data
            }
        } catch {
            throw unreadable
        }
        if (format ?? InputFormat.detect(head)) == .hl7v2 {
            var first: [UInt8]? = head
            let splitter = HL7InputSplitter(
                nextChunk: {
                    if let chunk = first {
                        first = nil
                        if !chunk.isEmpty { return chunk }
                    }
                    guard let data = try handle.read(upToCount: chunkSize), !data.isEmpty else { return nil }
                    return [UInt8](data)
                }, limits: engine.configuration.limits.hl7)
            return HL7v2UnitReader(splitter: splitter, engine: engine, inputName: file.name, traceUnused: traceUnused)
        }
        var bytes = head
        do {
            while let data = try handle.read(upToCount: 4 * chunkSize), !data.isEmpty { bytes += data }
        } catch {
            throw unreadable
        }
        if file.url != nil { try? handle.close() }
        return engine.reader(bytes: bytes, inputName: file.name, format: format, traceUnused: traceUnused)
    }
}
