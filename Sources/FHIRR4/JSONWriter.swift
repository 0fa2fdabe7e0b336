/// Writes `JSON` values as UTF-8 bytes: compact (for NDJSON and hashing) or pretty (2 spaces).
public struct JSONWriter: Sendable {
    public enum Style: Sendable { case compact, pretty }
    public var style: Style

    public init(style: Style = .compact) { self.style = style }

    public func bytes(_ value: JSON) -> [UInt8] {
        var output = ByteBuffer(capacity: 32_768)  // a typical bundle of one message
        write(value, into: &output, depth: 0)
        return output.array()
    }

    /// The value as it is written nested `depth` levels deep in a pretty document (its inner lines
    /// indented from there; the first line is not): for writing a large document piece by piece.
    public func bytes(_ value: JSON, depth: Int) -> [UInt8] {
        var output = ByteBuffer(capacity: 4_096)
        write(value, into: &output, depth: depth)
        return output.array()
    }

    public func string(_ value: JSON) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    private func write(_ value: JSON, into output: inout ByteBuffer, depth: Int) {
        switch value {
        case .null: output.append("null")
        case .bool(let flag): output.append(flag ? "true" : "false")
        case .number(let lexical): output.append(lexical)
        case .string(let text): Self.writeString(text, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            if items.isEmpty {
                output.append(UInt8(ascii: "]"))
                return
            }
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(&output, depth: depth + 1)
                write(item, into: &output, depth: depth + 1)
            }
            newline(&output, depth: depth)
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            if object.isEmpty {
                output.append(UInt8(ascii: "}"))
                return
            }
            var first = true
            for member in object.members {
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                newline(&output, depth: depth + 1)
                Self.writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                if style == .pretty { output.append(UInt8(ascii: " ")) }
                write(member.value, into: &output, depth: depth + 1)
            }
            newline(&output, depth: depth)
            output.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    private func newline(_ output: inout ByteBuffer, depth: Int) {
        guard style == .pretty else { return }
        output.append(UInt8(ascii: "\n"))
        for _ in 0..<(depth * 2) { output.append(UInt8(ascii: " ")) }
    }

    /// Appends a JSON string literal with the minimal escapes RFC 8259 requires.
    private static func writeString(_ text: String, into output: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            output.append(UInt8(ascii: "\""))
            // Runs of bytes that need no escape are copied in one go; most strings are one run.
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                writeEscaped(byte, into: &output)
                runStart = index + 1
            }
            output.append(UnsafeBufferPointer(rebasing: bytes[runStart...]))
            output.append(UInt8(ascii: "\""))
        }
    }

    private static func writeEscaped(_ byte: UInt8, into output: inout ByteBuffer) {
        output.append(92)  // backslash
        switch byte {
        case UInt8(ascii: "\""): output.append(34)
        case UInt8(ascii: "\\"): output.append(92)
        case 0x0A: output.append(110)
        case 0x0D: output.append(114)
        case 0x09: output.append(116)
        case 0x08: output.append(98)
        case 0x0C: output.append(102)
        default:
            output.append("u00")
            output.append(hexDigit(byte >> 4))
            output.append(hexDigit(byte & 0xF))
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }
}

/// A growable byte buffer for the writer: appending checks only the capacity (no uniqueness check
/// and no generic sequence path per call, as an `Array` append has). Owned by one `write` call
/// and freed by `array()`.
private struct ByteBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written, as an array.
    consuming func array() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
