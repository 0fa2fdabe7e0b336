import ClinicalModel

/// Parses ER7 (pipe-delimited) HL7 v2 messages, versions 2.3 to 2.8.
///
///     let message = try HL7Parser.parse(bytes, index: 1)
///     let result = HL7Parser.parseAll(fileBytes)          // one Result per message
///
/// Segment terminators may be CR, LF or CRLF in any mix; a UTF-8 byte-order mark, MLLP framing
/// bytes (0x0B, 0x1C) and blank lines are skipped. Parsing records only where segments and
/// fields lie: components, subcomponents and escapes are handled when a value is asked for.
public enum HL7Parser {
    /// Parses one message's bytes (already split from its input).
    ///
    /// - Parameters:
    ///   - bytes: the message, starting with its MSH segment.
    ///   - index: the 1-based number of the message in its input, used in every location.
    ///   - limits: size limits; larger messages or fields fail.
    /// - Throws: `HL7ParseError` with the message number and position, never content.
    /// - Complexity: O(n) in the message's length.
    public static func parse(
        _ bytes: [UInt8], index: Int, limits: HL7Limits = .default
    ) throws(HL7ParseError) -> HL7Message {
        let headerLocation = SourceLocation.hl7(message: index, segment: "MSH", occurrence: 1)
        guard bytes.count <= limits.maxMessageBytes, bytes.count < Int(UInt32.max) else {
            throw HL7ParseError(.messageTooLarge, at: headerLocation)
        }
        let scanned = bytes.withUnsafeBufferPointer { buffer -> Result<(HL7Delimiters, Scan), HL7ParseError> in
            let start = firstContentOffset(buffer)
            guard start + 3 <= buffer.count, buffer[start] == UInt8(ascii: "M"),
                buffer[start + 1] == UInt8(ascii: "S"), buffer[start + 2] == UInt8(ascii: "H")
            else {
                return .failure(HL7ParseError(.noMessageHeader, at: headerLocation, segmentNumber: 1))
            }
            let delimiters: HL7Delimiters
            switch readHeaderDelimiters(buffer, at: start) {
            case .success(let found): delimiters = found
            case .failure(let failure):
                return .failure(
                    HL7ParseError(
                        .invalidEncodingCharacters,
                        at: .hl7(message: index, segment: "MSH", occurrence: 1, field: failure.field),
                        segmentNumber: 1))
            }
            return scanSegments(buffer, from: start, delimiters: delimiters, messageIndex: index, limits: limits)
                .map { (delimiters, $0) }
        }
        let (delimiters, scan): (HL7Delimiters, Scan)
        switch scanned {
        case .success(let value): (delimiters, scan) = value
        case .failure(let error): throw error
        }

        var storage = HL7MessageStorage(
            bytes: bytes, messageIndex: index, delimiters: delimiters, charset: .utf8, segments: scan.segments,
            fieldRanges: scan.fieldRanges)
        let header = HL7Segment(storage: storage, index: 0)
        let charsetField = header[18].first[1]
        guard let charset = HL7Charset(msh18: charsetField.isExplicitNull ? "" : charsetField.rawText) else {
            throw HL7ParseError(
                .unsupportedCharset, at: .hl7(message: index, segment: "MSH", occurrence: 1, field: 18),
                segmentNumber: 1)
        }
        if charset != .utf8 {
            storage = HL7MessageStorage(
                bytes: bytes, messageIndex: index, delimiters: delimiters, charset: charset, segments: scan.segments,
                fieldRanges: scan.fieldRanges)
        }
        let typeField = HL7Segment(storage: storage, index: 0)[9].first
        guard let code = typeField[1].value else {
            throw HL7ParseError(
                .missingMessageType, at: .hl7(message: index, segment: "MSH", occurrence: 1, field: 9), segmentNumber: 1
            )
        }
        let messageType = HL7MessageType(code: code, event: typeField[2].value, writtenStructure: typeField[3].value)
        let diagnostics = scan.needsReview ? review(storage) : []
        return HL7Message(storage: storage, messageType: messageType, diagnostics: diagnostics)
    }

    /// Splits a whole in-memory input (a file, stdin) into messages and parses each one.
    ///
    /// A bad message does not stop the others: each gets its own `Result`, numbered from 1 in
    /// input order. Content before the first MSH that is not a batch header fails as a message of
    /// its own (`noMessageHeader`); an input with no message at all gives one such failure.
    /// FHS/BHS/BTS/FTS envelope segments are not part of any message; see `HL7ParseResult`.
    public static func parseAll(_ bytes: [UInt8], limits: HL7Limits = .default) -> HL7ParseResult {
        var splitter = HL7InputSplitter(bytes: bytes, limits: limits)
        return parseAll(from: &splitter, limits: limits)
    }

    /// Parses every message a splitter yields (for example one reading a file incrementally),
    /// keeping all results in memory. For flat memory, call `splitter.next()` and `parse` yourself.
    public static func parseAll(from splitter: inout HL7InputSplitter, limits: HL7Limits = .default) -> HL7ParseResult {
        var messages: [Result<HL7Message, HL7ParseError>] = []
        while let chunk = splitter.next() {
            do {
                messages.append(.success(try parse(chunk.bytes, index: chunk.index, limits: limits)))
            } catch {
                messages.append(.failure(error))
            }
        }
        if messages.isEmpty {
            messages.append(
                .failure(
                    HL7ParseError(
                        .noMessageHeader, at: .hl7(message: 1, segment: "MSH", occurrence: 1), segmentNumber: 1)))
        }
        return HL7ParseResult(
            messages: messages, batchHeaders: splitter.batchHeaders, envelopeSegments: splitter.envelopeSegments,
            diagnostics: splitter.diagnostics)
    }

    // MARK: - Scanning

    struct Scan {
        var segments: [HL7SegmentRecord]
        var fieldRanges: [UInt32]
        /// Some segment has an escape character or a byte above 0x7F.
        var needsReview: Bool
    }

    static func isTerminator(_ byte: UInt8) -> Bool {
        byte == 0x0D || byte == 0x0A || byte == 0x0B || byte == 0x1C
    }

    /// The offset of the first segment: after a byte-order mark, terminators and blank lines.
    static func firstContentOffset(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 0
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { index = 3 }
        var lineStart = index
        while index < buffer.count {
            let byte = buffer[index]
            if isTerminator(byte) {
                index += 1
                lineStart = index
            } else if byte <= 0x20 {
                index += 1
            } else {
                return lineStart
            }
        }
        return index
    }

    /// Reads MSH-1 and MSH-2 (or FHS/BHS) of the header at `start`; on failure, the field to blame.
    static func readHeaderDelimiters(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int) -> Result<
        HL7Delimiters, HeaderFieldError
    > {
        let separatorOffset = start + 3
        guard separatorOffset < buffer.count, HL7Delimiters.isAcceptableDelimiter(buffer[separatorOffset]) else {
            return .failure(HeaderFieldError(field: 1))
        }
        let separator = buffer[separatorOffset]
        var end = separatorOffset + 1
        while end < buffer.count, buffer[end] != separator, !isTerminator(buffer[end]) { end += 1 }
        guard
            let delimiters = HL7Delimiters(
                field: separator, encodingCharacters: UnsafeBufferPointer(rebasing: buffer[(separatorOffset + 1)..<end])
            )
        else { return .failure(HeaderFieldError(field: 2)) }
        return .success(delimiters)
    }

    struct HeaderFieldError: Error {
        var field: Int
    }

    private static let classField: UInt8 = 1
    private static let classTerminator: UInt8 = 2
    private static let classEscape: UInt8 = HL7SegmentRecord.hasEscape
    private static let classHigh: UInt8 = HL7SegmentRecord.hasHighBytes

    /// Finds every segment and field from `start`, validating segment IDs and field sizes.
    static func scanSegments(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, delimiters: HL7Delimiters, messageIndex: Int,
        limits: HL7Limits
    ) -> Result<Scan, HL7ParseError> {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { table -> Result<Scan, HL7ParseError> in
            table.initialize(repeating: 0)
            for byte in 0x80...0xFF { table[byte] = classHigh }
            for byte: UInt8 in [0x0D, 0x0A, 0x0B, 0x1C] { table[Int(byte)] = classTerminator }
            if let escape = delimiters.escape { table[Int(escape)] = classEscape }
            let separator = delimiters.field
            table[Int(separator)] = classField

            let count = buffer.count
            let maxField = limits.maxFieldBytes
            var segments: [HL7SegmentRecord] = []
            segments.reserveCapacity(24)
            var ranges: [UInt32] = []
            ranges.reserveCapacity(count / 8 + 16)
            var occurrences: [(code: UInt32, count: Int32)] = []
            var needsReview = false
            var position = start

            while position < count {
                let first = buffer[position]
                if table[Int(first)] == classTerminator {
                    position += 1
                    continue
                }
                let segmentNumber = segments.count + 1
                if segmentNumber > limits.maxSegments, first > 0x20 {
                    return .failure(
                        HL7ParseError(
                            .tooManySegments, at: .hl7(message: messageIndex, segment: "", occurrence: segmentNumber),
                            segmentNumber: segmentNumber))
                }
                if first <= 0x20 {  // whitespace-only lines are blank; leading whitespace is not an ID
                    var probe = position
                    while probe < count, buffer[probe] <= 0x20, table[Int(buffer[probe])] != classTerminator {
                        probe += 1
                    }
                    if probe == count || table[Int(buffer[probe])] == classTerminator {
                        position = probe
                        continue
                    }
                }
                guard position + 3 <= count, HL7SegmentID.isIDByte(first), HL7SegmentID.isIDByte(buffer[position + 1]),
                    HL7SegmentID.isIDByte(buffer[position + 2]),
                    position + 3 == count || buffer[position + 3] == separator
                        || table[Int(buffer[position + 3])] == classTerminator
                else {
                    return .failure(
                        HL7ParseError(
                            .invalidSegmentID, at: .hl7(message: messageIndex, segment: "", occurrence: segmentNumber),
                            segmentNumber: segmentNumber))
                }
                let code = HL7SegmentID.code(first, buffer[position + 1], buffer[position + 2])
                var occurrence: Int32 = 1
                if let slot = occurrences.firstIndex(where: { $0.code == code }) {
                    occurrences[slot].count += 1
                    occurrence = occurrences[slot].count
                } else {
                    occurrences.append((code, 1))
                }
                let firstField = ranges.count / 2
                var flags: UInt8 = 0
                var cursor = position + 3
                func tooLarge(_ field: Int) -> HL7ParseError {
                    HL7ParseError(
                        .fieldTooLarge,
                        at: .hl7(
                            message: messageIndex, segment: HL7SegmentID.string(code), occurrence: Int(occurrence),
                            field: field),
                        segmentNumber: segmentNumber)
                }
                if cursor < count, buffer[cursor] == separator,
                    code == HL7SegmentID.msh || code == HL7SegmentID.fhs || code == HL7SegmentID.bhs
                {
                    var end = cursor + 1
                    while end < count, buffer[end] != separator, table[Int(buffer[end])] != classTerminator { end += 1 }
                    ranges.append(UInt32(cursor))
                    ranges.append(UInt32(cursor + 1))
                    ranges.append(UInt32(cursor + 1))
                    ranges.append(UInt32(end))
                    flags |= HL7SegmentRecord.hasEncodingFields
                    cursor = end
                }
                if cursor < count, buffer[cursor] == separator {
                    cursor += 1
                    var fieldStart = cursor
                    var seen: UInt8 = 0
                    while cursor < count {
                        let kind = table[Int(buffer[cursor])]
                        if kind == 0 {
                            cursor += 1
                            continue
                        }
                        if kind == classField {
                            if cursor - fieldStart > maxField {
                                return .failure(tooLarge(ranges.count / 2 - firstField + 1))
                            }
                            ranges.append(UInt32(fieldStart))
                            ranges.append(UInt32(cursor))
                            fieldStart = cursor + 1
                        } else if kind == classTerminator {
                            break
                        } else {
                            seen |= kind
                        }
                        cursor += 1
                    }
                    if cursor - fieldStart > maxField { return .failure(tooLarge(ranges.count / 2 - firstField + 1)) }
                    ranges.append(UInt32(fieldStart))
                    ranges.append(UInt32(cursor))
                    flags |= seen
                    if seen != 0 { needsReview = true }
                } else {
                    while cursor < count, table[Int(buffer[cursor])] != classTerminator { cursor += 1 }
                }
                segments.append(
                    HL7SegmentRecord(
                        idCode: code, occurrence: occurrence, start: UInt32(position), end: UInt32(cursor),
                        firstField: UInt32(firstField), fieldCount: UInt32(ranges.count / 2 - firstField), flags: flags)
                )
                position = cursor
            }
            return .success(Scan(segments: segments, fieldRanges: ranges, needsReview: needsReview))
        }
    }

    // MARK: - Diagnostics

    /// Finds invalid UTF-8 and unterminated escapes in the segments the scan flagged.
    static func review(_ storage: HL7MessageStorage) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let delimiters = storage.delimiters
        storage.bytes.withUnsafeBufferPointer { buffer in
            for (segment, record) in storage.segments.enumerated()
            where record.flags & (HL7SegmentRecord.hasEscape | HL7SegmentRecord.hasHighBytes) != 0 {
                guard record.fieldCount > 0 else { continue }
                for field in 1...Int(record.fieldCount) {
                    let range = storage.fieldRange(segment: segment, field: field)
                    guard !range.isEmpty else { continue }
                    if record.flags & HL7SegmentRecord.hasHighBytes != 0, storage.charset != .latin1,
                        !UTF8Validation.isValid(UnsafeBufferPointer(rebasing: buffer[range]))
                    {
                        diagnostics.append(
                            Diagnostic(.warning, .invalidUTF8, at: storage.location(segment: segment, field: field)))
                    }
                    guard record.flags & HL7SegmentRecord.hasEscape != 0, let escape = delimiters.escape,
                        !storage.isLiteralField(segment: segment, field: field)
                    else { continue }
                    var repetition = 1
                    var component = 1
                    var subcomponent = 1
                    var index = range.lowerBound
                    while index < range.upperBound {
                        let byte = buffer[index]
                        if byte == delimiters.repetition {
                            repetition += 1
                            component = 1
                            subcomponent = 1
                        } else if byte == delimiters.component {
                            component += 1
                            subcomponent = 1
                        } else if byte == delimiters.subcomponent {
                            subcomponent += 1
                        } else if byte == escape {
                            var close = index + 1
                            while close < range.upperBound {
                                let next = buffer[close]
                                if next == escape || next == delimiters.repetition || next == delimiters.component
                                    || next == delimiters.subcomponent
                                {
                                    break
                                }
                                close += 1
                            }
                            if close < range.upperBound, buffer[close] == escape {
                                index = close + 1
                                continue
                            }
                            diagnostics.append(
                                Diagnostic(
                                    .warning, .unterminatedEscape,
                                    at: storage.location(
                                        segment: segment, field: field, repetition: repetition, component: component,
                                        subcomponent: subcomponent)))
                        }
                        index += 1
                    }
                }
            }
        }
        return diagnostics
    }

    // MARK: - Envelope segments

    /// Parses one FHS, BHS, BTS or FTS line into a stand-alone segment (message number 0).
    /// FHS and BHS define their own delimiters; BTS and FTS use `fallback`.
    static func parseEnvelopeSegment(
        _ line: [UInt8], fallback: HL7Delimiters, occurrence: Int, limits: HL7Limits
    ) -> Result<HL7Segment, HL7ParseError> {
        let result = line.withUnsafeBufferPointer { buffer -> Result<(HL7Delimiters, Scan), HL7ParseError> in
            var delimiters = fallback
            let id = buffer.count >= 3 ? HL7SegmentID.code(buffer[0], buffer[1], buffer[2]) : 0
            let name = HL7SegmentID.string(id)
            if id == HL7SegmentID.fhs || id == HL7SegmentID.bhs {
                switch readHeaderDelimiters(buffer, at: 0) {
                case .success(let found): delimiters = found
                case .failure(let failure):
                    return .failure(
                        HL7ParseError(
                            .invalidEncodingCharacters,
                            at: .hl7(message: 0, segment: name, occurrence: occurrence, field: failure.field),
                            segmentNumber: 1))
                }
            } else if buffer.count > 3, HL7Delimiters.isAcceptableDelimiter(buffer[3]) {
                var adjusted = delimiters
                adjusted.field = buffer[3]
                let others = [adjusted.component, adjusted.repetition, adjusted.subcomponent]
                if !others.contains(buffer[3]) && adjusted.escape != buffer[3] { delimiters = adjusted }
            }
            return scanSegments(buffer, from: 0, delimiters: delimiters, messageIndex: 0, limits: limits)
                .map { (delimiters, $0) }
        }
        switch result {
        case .failure(let error):
            return .failure(error)
        case .success((let delimiters, var scan)):
            guard !scan.segments.isEmpty else {
                return .failure(HL7ParseError(.invalidSegmentID, at: .hl7(message: 0, segment: "", occurrence: 1)))
            }
            scan.segments[0].occurrence = Int32(clamping: occurrence)
            let storage = HL7MessageStorage(
                bytes: line, messageIndex: 0, delimiters: delimiters, charset: .utf8, segments: scan.segments,
                fieldRanges: scan.fieldRanges)
            return .success(HL7Segment(storage: storage, index: 0))
        }
    }
}
