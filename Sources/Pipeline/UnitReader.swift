import CSVSource
import CanonicalHash
import ClinicalModel
import Crypto
import Foundation
import HL7v2

/// A source of units, pulled one at a time: an HL7 v2 message, a C-CDA document, a CSV patient.
///
/// Every entry point (`convert`, `reconcile`, `render`, `bench`, `serve`) reads through this one
/// shape, so a reader that takes its input in bounded chunks (a file or standard input read
/// incrementally, an MLLP stream) replaces another without changing a caller.
///
///     var reader = engine.reader(for: .file(InputFile(url: url)))
///     while let unit = try reader.next() {
///         unit.index          // 1-based position of the unit in its input
///         unit.error          // a unit that failed: kind and position, never content
///     }
///
/// A unit that cannot be parsed or mapped is not an error of the reader: it is a `UnitResult` with
/// its `error`, and the units after it go on. `next()` throws only when the input itself cannot be
/// read (an I/O error), after which the reader yields nothing more.
public protocol UnitReader {
    /// The next unit in input order, or `nil` after the last one.
    ///
    /// - Throws: `InputError` when the input cannot be read.
    mutating func next() throws(InputError) -> UnitResult?

    /// The next unit as work still to do: the reader has framed it (read its bytes, in order) but
    /// not parsed or mapped it, so that `convert --jobs N` can run several units' work at once
    /// while the framing stays in input order. `run()` on each, in any thread, gives the units
    /// `next()` would have given.
    ///
    /// - Throws: `InputError` when the input cannot be read.
    mutating func nextPending() throws(InputError) -> PendingUnit?

    /// Source bytes consumed so far (files, standard input, bodies, and the files of a CSV folder).
    var bytesRead: Int { get }
}

/// A framed unit whose parsing and mapping have not run yet (see `UnitReader.nextPending()`).
public struct PendingUnit: Sendable {
    let work: @Sendable () -> UnitResult

    public init(_ work: @escaping @Sendable () -> UnitResult) { self.work = work }

    /// A unit already converted.
    public init(done unit: UnitResult) { self.work = { unit } }

    /// Parses and maps the unit (safe on any thread).
    public func run() -> UnitResult { work() }
}

extension UnitReader {
    /// Every remaining unit (for inputs known to be small: tests, one HTTP body).
    public mutating func readAll() throws(InputError) -> [UnitResult] {
        var units: [UnitResult] = []
        while let unit = try next() { units.append(unit) }
        return units
    }

    /// Readers that cannot split framing from conversion convert the unit here.
    public mutating func nextPending() throws(InputError) -> PendingUnit? {
        try next().map { PendingUnit(done: $0) }
    }
}

/// HL7 v2: one unit per message of a file, a batch or a frame, parsed and mapped as it is pulled.
///
/// The splitter decides how the input is read: from memory (an HTTP body, an MLLP frame), or from a
/// `FileHandle` in chunks (files and standard input, `SourceFileReader`) with memory bounded by the
/// largest message. Findings about the input as a whole (a batch count that does not match) go to
/// the unit yielded when they are found, at the latest the last one.
///
/// Beyond the parser's own checks it reports, as positioned warnings, what a cut-short input
/// leaves: `truncatedSegment` when the input ends inside a segment (the last message is still
/// converted from what arrived), and `missingRequiredField` / `missingRequiredSegment` for MSH-10,
/// and PID and PID-3 in ADT messages (PID-3 in ORU too). A message without MSH-9 is refused
/// (`missingMessageType`) by the parser.
public struct HL7v2UnitReader: UnitReader {
    let engine: Engine
    let inputName: String
    let traceUnused: Bool
    var splitter: HL7InputSplitter
    /// The next message, split ahead so that input findings before it go to the unit before it.
    var ahead: (index: Int, bytes: [UInt8])?
    var started = false
    var yielded = 0
    var reportedDiagnostics = 0
    public var bytesRead: Int { splitter.bytesRead }

    public init(splitter: HL7InputSplitter, engine: Engine, inputName: String, traceUnused: Bool = false) {
        self.splitter = splitter
        self.engine = engine
        self.inputName = inputName
        self.traceUnused = traceUnused
    }

    public mutating func next() throws(InputError) -> UnitResult? {
        try nextPending()?.run()
    }

    public mutating func nextPending() throws(InputError) -> PendingUnit? {
        if !started {
            started = true
            ahead = splitter.next()
        }
        guard let (index, bytes) = ahead else {
            if splitter.readError != nil { throw InputError("cannot read \(inputName)") }
            if yielded == 0 {
                // no message at all: one failure, as for content before the first MSH
                yielded = 1
                let error = HL7ParseError(
                    .noMessageHeader, at: .hl7(message: 1, segment: "MSH", occurrence: 1), segmentNumber: 1)
                return PendingUnit(
                    done: Self.failure(error, index: 1, inputName: inputName, diagnostics: newInputDiagnostics()))
            }
            return nil
        }
        ahead = splitter.next()
        if splitter.readError != nil { throw InputError("cannot read \(inputName)") }
        yielded += 1
        var inputDiagnostics = newInputDiagnostics()
        if ahead == nil, splitter.endedWithoutTerminator {
            inputDiagnostics.insert(
                Diagnostic(.warning, .truncatedSegment, at: Self.lastSegmentLocation(bytes, index: index)), at: 0)
        }
        let (engine, inputName, traceUnused, found) = (engine, inputName, traceUnused, inputDiagnostics)
        return PendingUnit {
            var unit: UnitResult
            switch Result(catching: { () throws(HL7ParseError) -> HL7Message in
                try HL7Parser.parse(bytes, index: index, limits: engine.configuration.limits.hl7)
            }) {
            case .success(let message):
                unit = engine.mapHL7(message, inputName: inputName, traceUnused: traceUnused)
                unit.diagnostics += Self.requiredFieldFindings(message)
            case .failure(let error):
                unit = Self.failure(error, index: index, inputName: inputName, diagnostics: [])
            }
            unit.diagnostics += found
            return unit
        }
    }

    static func failure(_ error: HL7ParseError, index: Int, inputName: String, diagnostics: [Diagnostic])
        -> UnitResult
    {
        UnitResult(
            index: index, record: nil, diagnostics: diagnostics,
            error: SourceError(error.kind.issueKind, at: error.location, input: "\(inputName) message \(index)"),
            byteCount: 0)
    }

    /// The splitter's findings not yet handed out.
    mutating func newInputDiagnostics() -> [Diagnostic] {
        let all = splitter.diagnostics
        defer { reportedDiagnostics = all.count }
        return Array(all[reportedDiagnostics...])
    }

    /// Where a message whose input ended without a terminator was cut: its last segment (ID and
    /// occurrence) and the field reached, read from the framed bytes (no value is kept).
    static func lastSegmentLocation(_ bytes: [UInt8], index: Int) -> SourceLocation {
        let lines = bytes.split(separator: 0x0D, omittingEmptySubsequences: true)
        guard let last = lines.last, last.count >= 3 else { return .hl7(message: index, segment: "MSH", occurrence: 1) }
        let id = Array(last.prefix(3))
        guard id.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) else {
            return .hl7(message: index, segment: "MSH", occurrence: 1)
        }
        let occurrence = lines.filter { $0.starts(with: id) && ($0.count == 3 || $0[$0.startIndex + 3] == bytes[3]) }
            .count
        // fields counted by separators (MSH-1 is the separator itself); the header's 4th byte is it
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: "|")
        let separators = last.dropFirst(3).filter { $0 == separator }.count
        let isHeader = id == Array("MSH".utf8)
        let field = separators == 0 ? nil : (isHeader ? separators + 1 : separators)
        return .hl7(
            message: index, segment: String(decoding: id, as: UTF8.self), occurrence: max(occurrence, 1), field: field)
    }

    /// Required fields and segments a cut-short message lacks (positions only).
    static func requiredFieldFindings(_ message: HL7Message) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let header = message.header
        if header[10].isEmpty {
            found.append(Diagnostic(.warning, .missingRequiredField, at: header.location(field: 10)))
        }
        let code = message.messageType.code
        guard code == "ADT" || code == "ORU" else { return found }
        guard let pid = message.firstSegment(named: "PID") else {
            // A20 (bed status) carries no patient; ORU's patient group is optional
            if code == "ADT", message.messageType.event != "A20" {
                found.append(
                    Diagnostic(
                        .warning, .missingRequiredSegment,
                        at: .hl7(message: message.index, segment: "PID", occurrence: 1)
                    ))
            }
            return found
        }
        // PID-3 needs an ID number (CX.1) in some repetition; an authority alone identifies no one
        if pid[3].repetitions.allSatisfy({ $0[1].isEmpty }) {
            found.append(Diagnostic(.warning, .missingRequiredField, at: pid.location(field: 3)))
        }
        return found
    }
}

/// C-CDA: one document, one unit.
public struct CCDAUnitReader: UnitReader {
    let engine: Engine
    let inputName: String
    var bytes: [UInt8]?
    public private(set) var bytesRead = 0

    public init(bytes: [UInt8], engine: Engine, inputName: String) {
        self.bytes = bytes
        self.engine = engine
        self.inputName = inputName
    }

    public mutating func next() throws(InputError) -> UnitResult? {
        try nextPending()?.run()
    }

    public mutating func nextPending() throws(InputError) -> PendingUnit? {
        guard let bytes else { return nil }
        self.bytes = nil
        bytesRead = bytes.count
        let (engine, inputName) = (engine, inputName)
        return PendingUnit {
            let digest = lowercaseHex(SHA256.hash(data: bytes))
            do throws(SourceError) {
                let (read, readDiagnostics, account) = try engine.ccdaReader.readAccounted(
                    bytes, inputName: inputName, digest: digest)
                let (record, terminologyDiagnostics) = engine.normalized(read)
                var unit = UnitResult(
                    index: 1, record: record, diagnostics: readDiagnostics + terminologyDiagnostics, error: nil,
                    byteCount: bytes.count)
                unit.account = account
                return unit
            } catch {
                return UnitResult(index: 1, record: nil, diagnostics: [], error: error, byteCount: bytes.count)
            }
        }
    }
}

/// CSV: one unit per patient of an export read through a column profile (a folder, one file, or
/// one file's bytes), pulled one patient at a time; then one failed unit per bad row. Findings
/// about the export go to the unit yielded when they are found (file and column findings to the
/// first).
public struct CSVUnitReader: UnitReader {
    public enum Input: Sendable {
        case folder(URL)
        case contents(name: String, bytes: [UInt8])
    }

    let engine: Engine
    let profile: CSVProfile
    var input: Input?
    var records: CSVSourceReader.Records?
    /// Failed units still to yield: row errors after the last patient, or the input's own error.
    var failures: [SourceError] = []
    var yielded = 0
    var reportedDiagnostics = 0
    public private(set) var bytesRead = 0

    public init(_ input: Input, profile: CSVProfile, engine: Engine) {
        self.input = input
        self.profile = profile
        self.engine = engine
    }

    public mutating func next() throws(InputError) -> UnitResult? {
        if let input {
            self.input = nil
            let reader = CSVSourceReader(
                profile: profile, terminology: engine.terminology, limits: engine.configuration.limits.csv)
            do {
                switch input {
                case .folder(let url):
                    records = try reader.records(folder: url)
                    bytesRead = records?.bytesRead ?? 0
                case .contents(let name, let bytes):
                    bytesRead = bytes.count
                    records = try reader.records(contents: bytes, name: name)
                }
            } catch {
                failures = [error]
            }
        }
        if let read = records?.next() {
            var (record, found) = engine.normalized(read)
            if record.document.digest == nil {
                // no bytes of its own: the unit is identified by its content
                record.document.digest = CanonicalHasher.rollup(CanonicalHasher.digests(record).map(\.digest))
            }
            yielded += 1
            var unit = UnitResult(
                index: yielded, record: record, diagnostics: newDiagnostics() + found, error: nil, byteCount: 0)
            unit.account = records?.account
            return unit
        }
        var leftover: [Diagnostic] = []
        if let finished = records {
            // the last patient is out: the rows that failed follow, each a unit
            failures = finished.errors
            leftover = newDiagnostics()
            records = nil
        }
        guard !failures.isEmpty else { return nil }
        yielded += 1
        return UnitResult(
            index: yielded, record: nil, diagnostics: leftover, error: failures.removeFirst(), byteCount: 0)
    }

    /// The reader's findings not yet handed out.
    mutating func newDiagnostics() -> [Diagnostic] {
        guard let all = records?.diagnostics else { return [] }
        defer { reportedDiagnostics = all.count }
        return Array(all[reportedDiagnostics...])
    }

    /// Every unit of an input at once (tests, `Engine.convertCSV`).
    static func read(_ input: Input, profile: CSVProfile, engine: Engine) -> [UnitResult] {
        var reader = CSVUnitReader(input, profile: profile, engine: engine)
        return (try? reader.readAll()) ?? []
    }
}

/// An input in no format the engine reads: one failed unit (`unknownInputFormat`, or
/// `unsupportedInputFormat` for CSV that no profile fits).
public struct FailedInputReader: UnitReader {
    var error: SourceError?
    public let bytesRead: Int

    public init(_ error: SourceError, bytesRead: Int) {
        self.error = error
        self.bytesRead = bytesRead
    }

    public mutating func next() throws(InputError) -> UnitResult? {
        guard let error else { return nil }
        self.error = nil
        return UnitResult(index: 1, record: nil, diagnostics: [], error: error, byteCount: bytesRead)
    }
}
