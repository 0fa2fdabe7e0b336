public import ClinicalModel
public import Foundation

/// Splits an input (a file, stdin, MLLP frames, any byte chunks) into messages, reading it
/// incrementally: memory stays bounded by the largest message, not the input's size.
///
///     var splitter = try HL7InputSplitter(path: "batch.hl7")
///     while let (index, bytes) = splitter.next() {
///         let message = try HL7Parser.parse(bytes, index: index)
///     }
///     splitter.batchHeaders      // FHS/BHS segments seen so far
///
/// A message starts at each MSH segment and runs to the next MSH, FHS, BHS, BTS or FTS or the end.
/// Batch envelope segments (FHS/BHS/BTS/FTS) are not part of any message: `nextItem()` yields them
/// in order, `next()` skips them, and both collect them in `envelopeSegments`. BTS-1 and FTS-1 are
/// checked against the messages and batches counted (`batchCountMismatch` diagnostics).
/// Content before the first MSH that is not an envelope segment is yielded as a chunk of its own,
/// so that parsing it fails (`noMessageHeader`) with its own number while the rest goes on.
///
/// Each yielded message has its segments terminated by CR, whatever the input used (CR, LF, CRLF);
/// blank lines, a UTF-8 byte-order mark and MLLP framing bytes (0x0B, 0x1C) are dropped. A message
/// longer than `limits.maxMessageBytes` is cut just past the limit, so that parsing it fails with
/// `messageTooLarge` without the splitter holding the rest.
public struct HL7InputSplitter: IteratorProtocol {
    public typealias Element = (index: Int, bytes: [UInt8])

    /// One piece of the input, in order.
    public enum Item: Sendable {
        /// A message's bytes (or content that is not a message) with its 1-based number.
        case message(index: Int, bytes: [UInt8])
        /// An FHS, BHS, BTS or FTS segment (message number 0 in its location).
        case envelope(HL7Segment)
    }

    public let limits: HL7Limits
    /// FHS and BHS segments seen so far.
    public private(set) var batchHeaders: [HL7Segment] = []
    /// FHS, BHS, BTS and FTS segments seen so far.
    public private(set) var envelopeSegments: [HL7Segment] = []
    /// Findings about the input: `batchCountMismatch`, or an unreadable envelope segment.
    public private(set) var diagnostics: [Diagnostic] = []
    /// The error that stopped reading, if any (the input then ends there).
    public private(set) var readError: (any Error)?
    /// Bytes of input taken in so far (all of them for an input given in memory).
    public private(set) var bytesRead: Int
    /// Whether the input ended inside a segment: its last non-blank line had no terminator (CR, LF
    /// or an MLLP end byte), as when a file or body is cut short. Known once `next()` returned `nil`
    /// or the last message was yielded.
    public private(set) var endedWithoutTerminator = false

    private var readChunk: (() throws -> [UInt8]?)?
    private var buffer: [UInt8]
    private var position = 0
    private var searchFrom = 0
    private var exhausted: Bool
    private var skippingLine = false

    private enum State { case idle, message, other }
    private var state = State.idle
    private var current: [UInt8] = []
    private var currentIsOversize = false
    private var pending: [Item] = []
    private var nextIndex = 1
    private var lastDelimiters = HL7Delimiters.standard
    private var messagesInBatch = 0
    private var batchesInFile = 0
    private var envelopeOccurrences: [UInt32: Int] = [:]

    /// The most bytes held in the read buffer at once (for tests of bounded memory).
    private(set) var peakBufferedBytes = 0

    /// Splits an input already in memory.
    public init(bytes: [UInt8], limits: HL7Limits = .default) {
        self.limits = limits
        self.buffer = bytes
        self.exhausted = true
        self.bytesRead = bytes.count
    }

    /// Splits the bytes a function returns chunk by chunk (`nil` at the end). Chunks may cut
    /// segments and terminators anywhere.
    public init(nextChunk: @escaping () throws -> [UInt8]?, limits: HL7Limits = .default) {
        self.limits = limits
        self.buffer = []
        self.exhausted = false
        self.readChunk = nextChunk
        self.bytesRead = 0
    }

    /// Splits a sequence of byte chunks.
    public init<Chunks: Sequence<[UInt8]>>(chunks: Chunks, limits: HL7Limits = .default) {
        var iterator = chunks.makeIterator()
        self.init(nextChunk: { iterator.next() }, limits: limits)
    }

    /// Reads a file handle (a file, a pipe, stdin) `chunkSize` bytes at a time.
    public init(fileHandle: FileHandle, chunkSize: Int = 256 * 1024, limits: HL7Limits = .default) {
        self.init(
            nextChunk: {
                guard let data = try fileHandle.read(upToCount: chunkSize), !data.isEmpty else { return nil }
                return [UInt8](data)
            }, limits: limits)
    }

    /// Opens and reads a file incrementally.
    /// - Throws: when the file cannot be opened.
    public init(path: String, chunkSize: Int = 256 * 1024, limits: HL7Limits = .default) throws {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        self.init(fileHandle: handle, chunkSize: chunkSize, limits: limits)
    }

    /// The next message's bytes and its 1-based number, skipping envelope segments.
    public mutating func next() -> Element? {
        while let item = nextItem() {
            if case .message(let index, let bytes) = item { return (index, bytes) }
        }
        return nil
    }

    /// The next message or envelope segment, in input order.
    public mutating func nextItem() -> Item? {
        while pending.isEmpty {
            guard let line = nextLine() else {
                flush()
                break
            }
            handle(line)
        }
        return pending.isEmpty ? nil : pending.removeFirst()
    }

    // MARK: - Lines

    private static func isTerminator(_ byte: UInt8) -> Bool {
        byte == 0x0D || byte == 0x0A || byte == 0x0B || byte == 0x1C
    }

    /// The range in `buffer` of the next line (without terminator), reading more input as needed.
    private mutating func nextLine() -> Range<Int>? {
        while true {
            let count = buffer.count
            let from = searchFrom
            let found: Int? = buffer.withUnsafeBufferPointer { bytes in
                var index = from
                while index < count {
                    let byte = bytes[index]
                    if byte <= 0x1C, Self.isTerminator(byte) { return index }
                    index += 1
                }
                return nil
            }
            if let terminator = found {
                let line = position..<terminator
                position = terminator + 1
                searchFrom = position
                if skippingLine {
                    skippingLine = false
                    continue
                }
                return line
            }
            searchFrom = count
            if exhausted {
                guard position < count else { return nil }
                let line = position..<count
                position = count
                if skippingLine {
                    skippingLine = false
                    return nil
                }
                // a last line of only blanks is not a cut segment
                if buffer[line].contains(where: { $0 > 0x20 }) { endedWithoutTerminator = true }
                return line
            }
            let lineCap = limits.maxMessageBytes + 1
            if count - position > lineCap {
                if !skippingLine {  // hand out the head of an endless line, then drop the rest of it
                    let line = position..<(position + lineCap)
                    position = count
                    skippingLine = true
                    return line
                }
                position = count
            }
            if position > 0 {
                buffer.removeSubrange(0..<position)
                searchFrom -= position
                position = 0
            }
            do {
                if let chunk = try readChunk?() {
                    bytesRead += chunk.count
                    buffer.append(contentsOf: chunk)
                    peakBufferedBytes = max(peakBufferedBytes, buffer.count)
                } else {
                    exhausted = true
                }
            } catch {
                readError = error
                exhausted = true
            }
        }
    }

    private enum LineKind {
        case message
        case envelope(UInt32)
        case other
    }

    private func kind(of line: Range<Int>) -> LineKind {
        guard line.count >= 3 else { return .other }
        let start = line.lowerBound
        if line.count > 3, HL7SegmentID.isIDByte(buffer[start + 3]) { return .other }
        let code = HL7SegmentID.code(buffer[start], buffer[start + 1], buffer[start + 2])
        switch code {
        case HL7SegmentID.msh: return .message
        case HL7SegmentID.fhs, HL7SegmentID.bhs, HL7SegmentID.bts, HL7SegmentID.fts: return .envelope(code)
        default: return .other
        }
    }

    private mutating func handle(_ range: Range<Int>) {
        var line = range
        if line.count >= 3, buffer[line.lowerBound] == 0xEF, buffer[line.lowerBound + 1] == 0xBB,
            buffer[line.lowerBound + 2] == 0xBF
        {
            line = (line.lowerBound + 3)..<line.upperBound
        }
        guard let first = line.first.map({ buffer[$0] }) else { return }
        if first <= 0x20, buffer[line].allSatisfy({ $0 <= 0x20 }) { return }
        switch kind(of: line) {
        case .message:
            flush()
            state = .message
            messagesInBatch += 1
            if case .success(let delimiters) = buffer.withUnsafeBufferPointer({
                HL7Parser.readHeaderDelimiters(UnsafeBufferPointer(rebasing: $0[line]), at: 0)
            }) {
                lastDelimiters = delimiters
            }
            append(line)
        case .envelope(let code):
            flush()
            envelope(code, Array(buffer[line]))
        case .other:
            if state == .idle { state = .other }
            append(line)
        }
    }

    /// Appends a segment and its CR to the current chunk, cutting it just past the size limit.
    private mutating func append(_ line: Range<Int>) {
        guard !currentIsOversize else { return }
        let room = limits.maxMessageBytes + 1 - current.count
        if line.count + 1 <= room {
            current.append(contentsOf: buffer[line])
            current.append(0x0D)
        } else {
            current.append(contentsOf: buffer[line.lowerBound..<(line.lowerBound + min(room, line.count))])
            if current.count <= limits.maxMessageBytes { current.append(0x0D) }
            currentIsOversize = true
        }
    }

    private mutating func flush() {
        guard state != .idle else { return }
        pending.append(.message(index: nextIndex, bytes: current))
        nextIndex += 1
        let size = current.count
        current = []
        current.reserveCapacity(min(size + size / 8 + 64, limits.maxMessageBytes + 1))
        currentIsOversize = false
        state = .idle
    }

    private mutating func envelope(_ code: UInt32, _ line: [UInt8]) {
        let occurrence = (envelopeOccurrences[code] ?? 0) + 1
        envelopeOccurrences[code] = occurrence
        let segment: HL7Segment
        switch HL7Parser.parseEnvelopeSegment(line, fallback: lastDelimiters, occurrence: occurrence, limits: limits) {
        case .success(let parsed): segment = parsed
        case .failure(let error):
            diagnostics.append(Diagnostic(.warning, error.kind.issueKind, at: error.location))
            return
        }
        envelopeSegments.append(segment)
        pending.append(.envelope(segment))
        switch code {
        case HL7SegmentID.fhs:
            batchHeaders.append(segment)
            lastDelimiters = segment.delimiters
            batchesInFile = 0
        case HL7SegmentID.bhs:
            batchHeaders.append(segment)
            lastDelimiters = segment.delimiters
            batchesInFile += 1
            messagesInBatch = 0
        case HL7SegmentID.bts:
            if let declared = Self.count(segment[1]), declared != messagesInBatch {
                diagnostics.append(Diagnostic(.warning, .batchCountMismatch, at: segment.location(field: 1)))
            }
            messagesInBatch = 0
        default:  // FTS
            if batchesInFile > 0, let declared = Self.count(segment[1]), declared != batchesInFile {
                diagnostics.append(Diagnostic(.warning, .batchCountMismatch, at: segment.location(field: 1)))
            }
            batchesInFile = 0
        }
    }

    private static func count(_ field: HL7Field) -> Int? {
        field.value.flatMap { Int($0.trimmingSpaces) }
    }
}
