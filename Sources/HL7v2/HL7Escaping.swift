/// ER7 escape sequences (HL7 v2.5.1 chapter 2.7): decoding values and encoding text.
///
///     HL7Escaping.decode(#"Fish \T\ Chips\.br\2 \S\ 3"#)                    // "Fish & Chips\n2 ^ 3"
///     HL7Escaping.encode("Fish & Chips\n", delimiters: .standard)         // #"Fish \T\ Chips\.br\"#
///
/// Decoding rules (the escape character is shown as `\`):
/// - `\F\ \S\ \T\ \R\ \E\ \P\`: field, component, subcomponent, repetition, escape, truncation character.
/// - `\Xhhhh…\`: the bytes given in hexadecimal, read in the message's character set.
/// - `\.br\` and `\.sp\` (`\.sp n\`: n line feeds) become `"\n"`; `\.in\ \.ti\ \.sk\ \.ce\ \.fi\ \.nf\` and
///   `\H\ \N\` (highlighting) are dropped, as are the character set switches `\Cxxyy\` and `\Mxxyyzz\`.
/// - `\Zxx\` (locally defined) and any unknown sequence are kept verbatim, escape characters included.
/// - An escape character without a closing one before the end of the value is kept literally.
public enum HL7Escaping {
    /// Decodes the escape sequences of one value (a subcomponent's text) written in UTF-8.
    ///
    /// - Parameters:
    ///   - text: ER7 text without unescaped delimiters.
    ///   - delimiters: the message's delimiters (`\F\` becomes `delimiters.field`, and so on).
    /// - Returns: the plain text; `text` itself when it has no escape character.
    public static func decode(_ text: String, delimiters: HL7Delimiters = .standard) -> String {
        decode(Array(text.utf8), delimiters: delimiters, charset: .utf8)
    }

    /// Decodes the escape sequences of one value's bytes, then reads the bytes in `charset`.
    public static func decode(
        _ bytes: [UInt8], delimiters: HL7Delimiters = .standard, charset: HL7Charset = .utf8
    ) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            guard let escape = delimiters.escape, buffer.contains(escape) else { return charset.string(buffer) }
            var unterminated = false
            return charset.string(decodeBytes(buffer, delimiters: delimiters, unterminated: &unterminated))
        }
    }

    /// Whether decoding `text` would meet an escape character with no closing one.
    public static func hasUnterminatedEscape(_ text: String, delimiters: HL7Delimiters = .standard) -> Bool {
        var unterminated = false
        Array(text.utf8).withUnsafeBufferPointer {
            _ = decodeBytes($0, delimiters: delimiters, unterminated: &unterminated)
        }
        return unterminated
    }

    /// Encodes text for an ER7 value: each delimiter becomes its escape sequence and each line
    /// break (CR, LF or CRLF) becomes `\.br\`. Without an escape character the text is returned as is.
    ///
    ///     HL7Escaping.encode("a|b^c", delimiters: .standard)   // #"a\F\b\S\c"#
    public static func encode(_ text: String, delimiters: HL7Delimiters) -> String {
        guard let escape = delimiters.escape else { return text }
        let utf8 = text.utf8
        var needsWork = false
        for byte in utf8 where byte < 0x80 {
            if byte == escape || byte == delimiters.field || byte == delimiters.component
                || byte == delimiters.repetition || byte == delimiters.subcomponent || byte == 0x0A || byte == 0x0D
                || byte == delimiters.truncation
            {
                needsWork = true
                break
            }
        }
        guard needsWork else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        func append(_ code: String) {
            out.append(escape)
            out.append(contentsOf: code.utf8)
            out.append(escape)
        }
        var previousWasCR = false
        for byte in utf8 {
            defer { previousWasCR = byte == 0x0D }
            switch byte {
            case escape: append("E")
            case delimiters.field: append("F")
            case delimiters.component: append("S")
            case delimiters.subcomponent: append("T")
            case delimiters.repetition: append("R")
            case 0x0D: append(".br")
            case 0x0A: if !previousWasCR { append(".br") }
            default:
                if let truncation = delimiters.truncation, byte == truncation {
                    append("P")
                } else {
                    out.append(byte)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes escape sequences into bytes of the message charset. `unterminated` is set when an
    /// escape character has no closing one (it is then kept literally).
    static func decodeBytes(
        _ input: UnsafeBufferPointer<UInt8>, delimiters: HL7Delimiters, unterminated: inout Bool
    ) -> [UInt8] {
        guard let escape = delimiters.escape else { return Array(input) }
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            guard byte == escape else {
                out.append(byte)
                index += 1
                continue
            }
            var close = index + 1
            while close < count && input[close] != escape { close += 1 }
            guard close < count else {
                unterminated = true
                out.append(byte)
                index += 1
                continue
            }
            let body = UnsafeBufferPointer(rebasing: input[(index + 1)..<close])
            if !appendEscape(body, delimiters: delimiters, to: &out) {
                out.append(contentsOf: input[index...close])
            }
            index = close + 1
        }
        return out
    }

    /// Appends what the escape `body` (text between the escape characters) stands for; `false`
    /// when the sequence is to be kept verbatim.
    private static func appendEscape(
        _ body: UnsafeBufferPointer<UInt8>, delimiters: HL7Delimiters, to out: inout [UInt8]
    ) -> Bool {
        guard let first = body.first else { return false }
        if body.count == 1 {
            switch first {
            case UInt8(ascii: "F"): out.append(delimiters.field)
            case UInt8(ascii: "S"): out.append(delimiters.component)
            case UInt8(ascii: "T"): out.append(delimiters.subcomponent)
            case UInt8(ascii: "R"): out.append(delimiters.repetition)
            case UInt8(ascii: "E"): out.append(delimiters.escape ?? first)
            case UInt8(ascii: "P"):
                guard let truncation = delimiters.truncation else { return false }
                out.append(truncation)
            case UInt8(ascii: "H"), UInt8(ascii: "N"): break
            default: return false
            }
            return true
        }
        let rest = UnsafeBufferPointer(rebasing: body[1...])
        switch first {
        case UInt8(ascii: "X"):
            guard rest.count % 2 == 0, rest.allSatisfy(isHexDigit) else { return false }
            var offset = 0
            while offset < rest.count {
                out.append(hexValue(rest[offset]) << 4 | hexValue(rest[offset + 1]))
                offset += 2
            }
            return true
        case UInt8(ascii: "C"):
            return rest.count == 4 && rest.allSatisfy(isHexDigit)
        case UInt8(ascii: "M"):
            return (rest.count == 4 || rest.count == 6) && rest.allSatisfy(isHexDigit)
        case UInt8(ascii: "."):
            guard rest.count >= 2 else { return false }
            let command = (rest[0] | 0x20, rest[1] | 0x20)
            let argument = String(decoding: rest[2...], as: UTF8.self).trimmingSpaces
            switch command {
            case (UInt8(ascii: "b"), UInt8(ascii: "r")):
                guard argument.isEmpty else { return false }
                out.append(0x0A)
            case (UInt8(ascii: "s"), UInt8(ascii: "p")):
                if argument.isEmpty || argument == "+" {
                    out.append(0x0A)
                } else if let lines = Int(argument.hasPrefix("+") ? String(argument.dropFirst()) : argument),
                    lines >= 0, lines <= 100
                {
                    out.append(contentsOf: repeatElement(0x0A, count: max(lines, 1)))
                } else {
                    return false
                }
            case (UInt8(ascii: "i"), UInt8(ascii: "n")), (UInt8(ascii: "t"), UInt8(ascii: "i")),
                (UInt8(ascii: "s"), UInt8(ascii: "k")), (UInt8(ascii: "c"), UInt8(ascii: "e")),
                (UInt8(ascii: "f"), UInt8(ascii: "i")), (UInt8(ascii: "n"), UInt8(ascii: "f")):
                break
            default:
                return false
            }
            return true
        default:
            return false
        }
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "F"),
            UInt8(ascii: "a")...UInt8(ascii: "f"):
            return true
        default: return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return byte - UInt8(ascii: "a") + 10
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
