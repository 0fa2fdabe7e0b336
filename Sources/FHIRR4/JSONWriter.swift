/// Writes `JSON` values as UTF-8 bytes: compact (for NDJSON and hashing) or pretty (2 spaces).
public struct JSONWriter: Sendable {
    public enum Style: Sendable { case compact, pretty }
    public var style: Style

    public init(style: Style = .compact) { self.style = style }

    public func bytes(_ value: JSON) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(32_768)  // a typical bundle of one message; regrowing copies it
        write(value, into: &output, depth: 0)
        return output
    }

    public func string(_ value: JSON) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    public func write(_ value: JSON, into output: inout [UInt8], depth: Int) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case let .bool(flag): output.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case let .number(lexical): output.append(contentsOf: lexical.utf8)
        case let .string(text): JSONWriter.writeString(text, into: &output)
        case let .array(items):
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
        case let .object(object):
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
                JSONWriter.writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                if style == .pretty { output.append(UInt8(ascii: " ")) }
                write(member.value, into: &output, depth: depth + 1)
            }
            newline(&output, depth: depth)
            output.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    private func newline(_ output: inout [UInt8], depth: Int) {
        guard style == .pretty else { return }
        output.append(UInt8(ascii: "\n"))
        for _ in 0..<(depth * 2) { output.append(UInt8(ascii: " ")) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Writes a JSON string literal with the minimal escapes RFC 8259 requires.
    public static func writeString(_ text: String, into output: inout [UInt8]) {
        var text = text
        text.withUTF8 { buffer in
            output.append(UInt8(ascii: "\""))
            // Runs of bytes that need no escape are copied in one go; most strings are one run.
            var runStart = 0
            for index in 0..<buffer.count {
                let byte = buffer[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<index])) }
                writeEscaped(byte, into: &output)
                runStart = index + 1
            }
            if runStart < buffer.count { output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart...])) }
            output.append(UInt8(ascii: "\""))
        }
    }

    private static func writeEscaped(_ byte: UInt8, into output: inout [UInt8]) {
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
            output.append(contentsOf: [117, 48, 48])  // u00
            output.append(hex[Int(byte >> 4)])
            output.append(hex[Int(byte & 0xF)])
        }
    }
}
