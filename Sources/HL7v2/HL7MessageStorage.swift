import ClinicalModel

/// Where one segment lies in its message's bytes.
struct HL7SegmentRecord: Sendable {
    /// The three ID bytes packed big-endian (`"PID"` is `0x504944`).
    var idCode: UInt32
    var occurrence: Int32
    /// Offset of the first ID byte and of the byte after the segment's last byte (its terminator).
    var start: UInt32
    var end: UInt32
    /// Index of the segment's first field in `fieldRanges` (counted in fields, two entries each).
    var firstField: UInt32
    var fieldCount: UInt32
    var flags: UInt8

    static let hasEncodingFields: UInt8 = 1
    static let hasEscape: UInt8 = 4
    static let hasHighBytes: UInt8 = 8
}

/// The immutable bytes of one message with the offsets of its segments and fields. Shared by
/// every view (`HL7Message`, `HL7Segment`, `HL7Field`, …); components and subcomponents are found
/// on demand, and escapes decoded only when a value is asked for.
final class HL7MessageStorage: Sendable {
    let bytes: [UInt8]
    /// The 1-based number of the message in its input; 0 for batch envelope segments.
    let messageIndex: Int
    let delimiters: HL7Delimiters
    let charset: HL7Charset
    let segments: [HL7SegmentRecord]
    /// Two entries per field: start and end offsets.
    let fieldRanges: [UInt32]

    init(
        bytes: [UInt8], messageIndex: Int, delimiters: HL7Delimiters, charset: HL7Charset,
        segments: [HL7SegmentRecord], fieldRanges: [UInt32]
    ) {
        self.bytes = bytes
        self.messageIndex = messageIndex
        self.delimiters = delimiters
        self.charset = charset
        self.segments = segments
        self.fieldRanges = fieldRanges
    }

    func segmentID(_ segment: Int) -> String {
        HL7SegmentID.string(segments[segment].idCode)
    }

    /// The range of a 1-based field of a segment; an empty range at the segment's end when absent.
    func fieldRange(segment: Int, field: Int) -> Range<Int> {
        let record = segments[segment]
        guard field >= 1, field <= Int(record.fieldCount) else { return Int(record.end)..<Int(record.end) }
        let slot = (Int(record.firstField) + field - 1) * 2
        return Int(fieldRanges[slot])..<Int(fieldRanges[slot + 1])
    }

    func isLiteralField(segment: Int, field: Int) -> Bool {
        field <= 2 && segments[segment].flags & HL7SegmentRecord.hasEncodingFields != 0
    }

    func location(
        segment: Int, field: Int? = nil, repetition: Int? = nil, component: Int? = nil, subcomponent: Int? = nil
    ) -> SourceLocation {
        .hl7(
            message: messageIndex, segment: segmentID(segment), occurrence: Int(segments[segment].occurrence),
            field: field, repetition: repetition, component: component, subcomponent: subcomponent)
    }

    /// The undecoded text of a range, read in the message charset.
    func rawText(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { charset.string(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The decoded text of one subcomponent's range; `nil` when empty or the explicit null `""`.
    func value(_ range: Range<Int>, literal: Bool) -> String? {
        guard !range.isEmpty, !isExplicitNull(range) else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            let slice = UnsafeBufferPointer(rebasing: buffer[range])
            guard !literal, let escape = delimiters.escape, slice.contains(escape) else {
                return charset.string(slice)
            }
            var unterminated = false
            return charset.string(HL7Escaping.decodeBytes(slice, delimiters: delimiters, unterminated: &unterminated))
        }
    }

    func isExplicitNull(_ range: Range<Int>) -> Bool {
        range.count == 2 && bytes[range.lowerBound] == 0x22 && bytes[range.lowerBound + 1] == 0x22
    }

    /// The `number`-th (1-based) part of `range` split on `separator`, or `nil` when there are fewer parts.
    func part(_ number: Int, of range: Range<Int>, separator: UInt8) -> Range<Int>? {
        guard number >= 1, !range.isEmpty else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            var start = range.lowerBound
            var remaining = number - 1
            var index = start
            while index < range.upperBound {
                if buffer[index] == separator {
                    if remaining == 0 { return start..<index }
                    remaining -= 1
                    start = index + 1
                }
                index += 1
            }
            return remaining == 0 ? start..<range.upperBound : nil
        }
    }

    /// All parts of `range` split on `separator`; `[]` for an empty range.
    func parts(of range: Range<Int>, separator: UInt8) -> [Range<Int>] {
        guard !range.isEmpty else { return [] }
        return bytes.withUnsafeBufferPointer { buffer in
            var result: [Range<Int>] = []
            var start = range.lowerBound
            for index in range where buffer[index] == separator {
                result.append(start..<index)
                start = index + 1
            }
            result.append(start..<range.upperBound)
            return result
        }
    }

    func partCount(of range: Range<Int>, separator: UInt8) -> Int {
        guard !range.isEmpty else { return 0 }
        return bytes.withUnsafeBufferPointer { buffer in
            var count = 1
            for index in range where buffer[index] == separator { count += 1 }
            return count
        }
    }
}

enum HL7SegmentID {
    static func code(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt32 {
        UInt32(a) << 16 | UInt32(b) << 8 | UInt32(c)
    }

    static func code(_ id: String) -> UInt32? {
        let utf8 = Array(id.utf8)
        guard utf8.count == 3 else { return nil }
        return code(utf8[0], utf8[1], utf8[2])
    }

    static func string(_ code: UInt32) -> String {
        String(unsafeUninitializedCapacity: 3) { buffer in
            buffer[0] = UInt8(truncatingIfNeeded: code >> 16)
            buffer[1] = UInt8(truncatingIfNeeded: code >> 8)
            buffer[2] = UInt8(truncatingIfNeeded: code)
            return 3
        }
    }

    static func isIDByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    static let msh = code(0x4D, 0x53, 0x48)
    static let fhs = code(0x46, 0x48, 0x53)
    static let bhs = code(0x42, 0x48, 0x53)
    static let bts = code(0x42, 0x54, 0x53)
    static let fts = code(0x46, 0x54, 0x53)
}
