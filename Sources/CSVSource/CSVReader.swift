import Foundation

/// One record of a CSV input: its fields and where it starts.
public struct CSVRecord: Hashable, Sendable {
    /// The fields, unquoted (`""` inside quotes is one `"`), as UTF-8 text.
    public var fields: [String]
    /// 1-based physical line on which the record starts (a quoted field may span lines).
    public var line: Int
    /// Byte offset of the record's first byte in its input (BOM included in the count).
    public var offset: Int
    /// Byte offset just past the record's line break: where the next record starts.
    public var endOffset: Int
    /// Physical line on which the next record starts.
    public var nextLine: Int
    /// What was wrong with the record's syntax; empty when it is well formed. The reader recovers
    /// from each problem and goes on with the next record.
    public var problems: [CSVRecordProblem]

    public init(
        fields: [String], line: Int, offset: Int = 0, endOffset: Int = 0, nextLine: Int = 0,
        problems: [CSVRecordProblem] = []
    ) {
        self.fields = fields
        self.line = line
        self.offset = offset
        self.endOffset = endOffset
        self.nextLine = nextLine
        self.problems = problems
    }
}

/// A syntax problem in one record: a kind, the 0-based field and the physical line. Never the text.
public struct CSVRecordProblem: Hashable, Sendable, CustomStringConvertible {
    /// Open set of kinds: a new kind breaks no caller.
    public struct Kind: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A quoted field runs to the end of the input.
        public static let unterminatedQuote = Kind(rawValue: "unterminatedQuote")
        /// A `"` inside an unquoted field (RFC 4180 §2.5); kept as text.
        public static let quoteInUnquotedField = Kind(rawValue: "quoteInUnquotedField")
        /// Text between a closing quote and the next delimiter; kept as text.
        public static let textAfterClosingQuote = Kind(rawValue: "textAfterClosingQuote")
        /// The record is longer than `CSVReader.maxRecordBytes`; the rest of it is dropped.
        public static let recordTooLong = Kind(rawValue: "recordTooLong")
        /// A field is not valid UTF-8; invalid bytes became U+FFFD.
        public static let invalidUTF8 = Kind(rawValue: "invalidUTF8")
    }

    public var kind: Kind
    /// 0-based index of the field.
    public var field: Int
    /// Physical line where the problem was found.
    public var line: Int

    public init(_ kind: Kind, field: Int, line: Int) {
        self.kind = kind
        self.field = field
        self.line = line
    }

    /// Fatal problems make the record unusable; the others only warn.
    public var isFatal: Bool { kind != .invalidUTF8 }

    public var description: String { "\(kind.rawValue) in field \(field + 1) at line \(line)" }
}

/// A streaming RFC 4180 reader: quoted fields with `""` escapes and embedded line breaks, CRLF, LF
/// or CR line ends, a UTF-8 byte order mark, any one-byte delimiter.
///
///     var reader = CSVReader(bytes: Array("a,\"b \"\"x\"\"\"\r\n1,2\r\n".utf8))
///     reader.readRecord()?.fields   // ["a", "b \"x\""]
///     reader.readRecord()?.fields   // ["1", "2"]
///     reader.readRecord()           // nil
///
/// Input is read in chunks of `chunkSize` bytes; the reader holds one chunk and the record being
/// read (at most `maxRecordBytes`), so memory does not grow with the input. Blank lines are skipped,
/// and so are lines starting with the `comment` byte when one is set. Malformed records are still
/// returned, with `problems` saying what and where (https://www.rfc-editor.org/rfc/rfc4180).
/// - Complexity: O(n) in the input size.
public struct CSVReader {
    enum Source {
        case memory([UInt8], position: Int, chunkSize: Int)
        case file(FileHandle, chunkSize: Int)
        case chunks(() -> [UInt8]?)
    }

    public static let defaultChunkSize = 64 * 1024
    public static let defaultMaxRecordBytes = 1 << 20

    private var source: Source
    private var buffer: [UInt8] = []
    private var index = 0
    /// Absolute offset of `buffer[0]`.
    private var bufferOffset = 0
    private var atEnd = false
    private var line: Int
    private var checkedBOM: Bool
    private var field: [UInt8] = []

    public var delimiter: UInt8
    public var comment: UInt8?
    public var maxRecordBytes: Int
    /// Set when reading the file failed; the reader then behaves as at the end of the input.
    public private(set) var readFailed = false
    /// The most bytes held at once (chunk plus the record being read): for memory checks.
    public private(set) var peakHeldBytes = 0

    /// Reads bytes already in memory, `chunkSize` at a time (tests use small chunks).
    public init(
        bytes: [UInt8], chunkSize: Int = CSVReader.defaultChunkSize, delimiter: UInt8 = UInt8(ascii: ","),
        comment: UInt8? = nil, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes
    ) {
        self.source = .memory(bytes, position: 0, chunkSize: max(1, chunkSize))
        self.line = 1
        self.checkedBOM = false
        self.delimiter = delimiter
        self.comment = comment
        self.maxRecordBytes = maxRecordBytes
    }

    /// Reads chunks from a producer until it returns `nil`.
    public init(
        chunks: @escaping () -> [UInt8]?, delimiter: UInt8 = UInt8(ascii: ","), comment: UInt8? = nil,
        maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes
    ) {
        self.source = .chunks(chunks)
        self.line = 1
        self.checkedBOM = false
        self.delimiter = delimiter
        self.comment = comment
        self.maxRecordBytes = maxRecordBytes
    }

    /// Reads a file from `offset`, where line `line` starts (a record boundary found by an earlier pass).
    ///
    /// - Throws: `CocoaError` when the file cannot be opened or positioned.
    public init(
        url: URL, offset: Int = 0, line: Int = 1, chunkSize: Int = CSVReader.defaultChunkSize,
        delimiter: UInt8 = UInt8(ascii: ","), comment: UInt8? = nil,
        maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes
    ) throws {
        let handle = try FileHandle(forReadingFrom: url)
        if offset > 0 { try handle.seek(toOffset: UInt64(offset)) }
        self.source = .file(handle, chunkSize: max(1, chunkSize))
        self.bufferOffset = offset
        self.line = line
        self.checkedBOM = offset > 0
        self.delimiter = delimiter
        self.comment = comment
        self.maxRecordBytes = maxRecordBytes
    }

    /// Byte offset of the next unread byte.
    public var offset: Int { bufferOffset + index }

    /// Moves to a record boundary found earlier (`CSVRecord.offset`/`line`). Within the current chunk
    /// this only moves an index; otherwise a file is repositioned.
    public mutating func seek(toOffset target: Int, line targetLine: Int) {
        defer { line = targetLine }
        if target >= bufferOffset && target <= bufferOffset + buffer.count {
            index = target - bufferOffset
            return
        }
        switch source {
        case .memory(let bytes, _, let chunkSize):
            source = .memory(bytes, position: min(target, bytes.count), chunkSize: chunkSize)
        case .file(let handle, _):
            do { try handle.seek(toOffset: UInt64(target)) } catch { readFailed = true }
        case .chunks:
            readFailed = true  // a producer cannot go back
        }
        buffer = []
        index = 0
        bufferOffset = target
        atEnd = false
        checkedBOM = true
    }

    /// Closes the file, if any.
    public func close() {
        if case .file(let handle, _) = source { try? handle.close() }
    }

    // MARK: Bytes

    /// Drops the consumed bytes and appends the next chunk; `false` at the end of the input.
    private mutating func refill() -> Bool {
        guard !atEnd else { return false }
        var chunk: [UInt8] = []
        switch source {
        case .memory(let bytes, let position, let chunkSize):
            let end = min(bytes.count, position + chunkSize)
            if position < end { chunk = Array(bytes[position..<end]) }
            source = .memory(bytes, position: end, chunkSize: chunkSize)
        case .file(let handle, let chunkSize):
            do {
                if let data = try handle.read(upToCount: chunkSize) { chunk = Array(data) }
            } catch {
                readFailed = true
            }
        case .chunks(let next):
            while let produced = next() {
                if !produced.isEmpty {
                    chunk = produced
                    break
                }
            }
        }
        if chunk.isEmpty {
            atEnd = true
            return false
        }
        if index >= buffer.count {
            bufferOffset += buffer.count
            buffer = chunk
        } else {
            bufferOffset += index
            buffer = Array(buffer[index...]) + chunk
        }
        index = 0
        peakHeldBytes = max(peakHeldBytes, buffer.count + field.capacity)
        return true
    }

    /// Makes `count` bytes available from `index` when the input has them.
    private mutating func ensureAvailable(_ count: Int) {
        while buffer.count - index < count, refill() {}
    }

    @inline(__always)
    private mutating func peekByte() -> UInt8? {
        if index < buffer.count { return buffer[index] }
        return refill() ? buffer[index] : nil
    }

    @inline(__always)
    private mutating func nextByte() -> UInt8? {
        if index < buffer.count {
            defer { index += 1 }
            return buffer[index]
        }
        guard refill() else { return nil }
        defer { index += 1 }
        return buffer[index]
    }

    // MARK: Records

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    /// `true` for `"`, CR and LF: the bytes that end a run of ordinary field bytes.
    private static let quoteOrBreak: [Bool] = (0...255).map {
        $0 == Int(UInt8(ascii: "\"")) || $0 == 0x0D || $0 == 0x0A
    }

    /// Reads the next record, or returns `nil` at the end of the input.
    public mutating func readRecord() -> CSVRecord? {
        if !checkedBOM {
            checkedBOM = true
            ensureAvailable(3)
            if buffer.count - index >= 3, buffer[index] == 0xEF, buffer[index + 1] == 0xBB, buffer[index + 2] == 0xBF {
                index += 3
            }
        }
        while true {
            guard let first = peekByte() else { return nil }
            // Blank lines and comment lines are not records.
            if first == UInt8(ascii: "\n") || first == UInt8(ascii: "\r") {
                consumeLineBreak()
                continue
            }
            if let comment, first == comment {
                skipLine()
                continue
            }
            return readNonEmptyRecord()
        }
    }

    private mutating func consumeLineBreak() {
        guard let byte = nextByte() else { return }
        if byte == UInt8(ascii: "\r"), peekByte() == UInt8(ascii: "\n") { index += 1 }
        line += 1
    }

    private mutating func skipLine() {
        while let byte = peekByte() {
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                consumeLineBreak()
                return
            }
            index += 1
        }
    }

    private mutating func readNonEmptyRecord() -> CSVRecord {
        let startOffset = offset
        let startLine = line
        var fields: [String] = []
        var problems: [CSVRecordProblem] = []
        var recordBytes = 0
        var truncated = false
        var state = State.fieldStart
        field.removeAll(keepingCapacity: true)

        func finishField(
            _ fields: inout [String], _ problems: inout [CSVRecordProblem], _ field: inout [UInt8],
            line: Int
        ) {
            if let text = String(validating: field, as: UTF8.self) {
                fields.append(text)
            } else {
                fields.append(String(decoding: field, as: UTF8.self))
                problems.append(CSVRecordProblem(.invalidUTF8, field: fields.count - 1, line: line))
            }
            field.removeAll(keepingCapacity: true)
        }

        while true {
            // Fast path: a run of ordinary bytes inside a field is copied in one go (the byte-wise
            // state machine below handles quotes, delimiters, line breaks and the record limit).
            if !truncated, state == .unquoted || state == .quoted, index < buffer.count {
                let end = min(buffer.count, index + max(0, maxRecordBytes - recordBytes))
                var stop = index
                if state == .quoted {
                    while stop < end && !Self.quoteOrBreak[Int(buffer[stop])] { stop += 1 }
                } else {
                    while stop < end && !Self.quoteOrBreak[Int(buffer[stop])] && buffer[stop] != delimiter { stop += 1 }
                }
                if stop > index {
                    field.append(contentsOf: buffer[index..<stop])
                    recordBytes += stop - index
                    index = stop
                    continue
                }
            }
            guard let byte = nextByte() else {
                if state == .quoted {
                    problems.append(CSVRecordProblem(.unterminatedQuote, field: fields.count, line: startLine))
                }
                finishField(&fields, &problems, &field, line: line)
                break
            }
            let isBreak = byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            if isBreak && state != .quoted {
                if byte == UInt8(ascii: "\r"), peekByte() == UInt8(ascii: "\n") { index += 1 }
                finishField(&fields, &problems, &field, line: line)
                line += 1
                break
            }
            if byte == delimiter && state != .quoted {
                finishField(&fields, &problems, &field, line: line)
                state = .fieldStart
                continue
            }
            var append: UInt8? = byte
            switch state {
            case .fieldStart:
                if byte == UInt8(ascii: "\"") {
                    state = .quoted
                    append = nil
                } else {
                    state = .unquoted
                }
            case .unquoted:
                if byte == UInt8(ascii: "\"") {
                    problems.append(CSVRecordProblem(.quoteInUnquotedField, field: fields.count, line: line))
                }
            case .quoted:
                if byte == UInt8(ascii: "\"") {
                    state = .quoteInQuoted
                    append = nil
                } else if byte == UInt8(ascii: "\n") {
                    line += 1
                } else if byte == UInt8(ascii: "\r") {
                    if peekByte() == UInt8(ascii: "\n") {
                        index += 1
                        if !truncated { field.append(byte) }
                        append = UInt8(ascii: "\n")
                    }
                    line += 1
                }
            case .quoteInQuoted:
                if byte == UInt8(ascii: "\"") {
                    state = .quoted
                } else {
                    problems.append(CSVRecordProblem(.textAfterClosingQuote, field: fields.count, line: line))
                    state = .unquoted
                }
            }
            if let append, !truncated {
                recordBytes += 1
                if recordBytes > maxRecordBytes {
                    truncated = true
                    problems.append(CSVRecordProblem(.recordTooLong, field: fields.count, line: line))
                } else {
                    field.append(append)
                }
            }
        }
        peakHeldBytes = max(peakHeldBytes, buffer.count + field.capacity)
        return CSVRecord(
            fields: fields, line: startLine, offset: startOffset, endOffset: offset, nextLine: line,
            problems: problems)
    }
}
