public import HL7v2

/// The MSH fields an acknowledgement echoes, read leniently from the first line of a message.
///
///     let header = HL7InboundHeader(scanning: frameBytes)
///     header?.controlID         // "MSG00001" (MSH-10, the correlation id for MSA-2)
///     header?.rawField(3)       // MSH-3 as written, escapes kept (copied verbatim into the ACK)
///
/// Only the MSH segment is read, so a header is found even when the rest of the message does not
/// parse. Fields are kept as written (ER7, in the message's own delimiters and character set), so
/// copying them into an ACK that uses the same delimiters and MSH-18 keeps them valid. A field with
/// control characters or longer than `maxFieldBytes` is dropped. When MSH-2 is unusable the header
/// falls back to the standard delimiters and keeps only fields made of plain characters.
public struct HL7InboundHeader: Sendable, Hashable {
    /// The message's delimiters, or `.standard` when its MSH-2 could not be read.
    public var delimiters: HL7Delimiters
    /// Whether `delimiters` were read from the message itself.
    public var hasOwnDelimiters: Bool
    /// Raw field bytes by field number (MSH-3 onwards; MSH-1 and MSH-2 are `delimiters`).
    private var fields: [Int: [UInt8]]

    /// The longest field kept; HD, ST control ids and versions are far shorter.
    public static let maxFieldBytes = 256

    /// A header with the given raw fields (for tests and hand-built replies).
    public init(delimiters: HL7Delimiters = .standard, fields: [Int: [UInt8]]) {
        self.delimiters = delimiters
        self.hasOwnDelimiters = true
        self.fields = fields.filter { Self.isKeepable($0.value, plainOnly: false) }
    }

    /// Reads the MSH segment at the start of `bytes` (after an optional BOM, MLLP start byte or
    /// blank lines), or the first MSH of a batch that starts with FHS/BHS; `nil` when there is no
    /// MSH segment with a usable field separator in the first 64 KiB.
    public init?(scanning bytes: some Collection<UInt8>) {
        var line = Array(bytes.prefix(64 * 1024))[...]
        while true {
            if line.starts(with: [0xEF, 0xBB, 0xBF]) {
                line = line.dropFirst(3)
            } else if let first = line.first,
                first == 0x0B || first == 0x0A || first == 0x0D || first == 0x20 || first == 0x09
            {
                line = line.dropFirst()
            } else {
                break
            }
        }
        // A batch (FHS/BHS first): the header of its first message.
        if !line.starts(with: Array("MSH".utf8)) {
            guard let found = Self.firstMSHLine(in: line) else { return nil }
            line = line[found...]
        }
        if let end = line.firstIndex(where: { $0 == 0x0D || $0 == 0x0A }) { line = line[..<end] }
        guard line.starts(with: Array("MSH".utf8)), line.count > 3 else { return nil }
        let separator = line[line.startIndex + 3]
        guard Self.isAcceptableDelimiter(separator) else { return nil }
        let parts = line.dropFirst(4).split(separator: separator, omittingEmptySubsequences: false)
        // parts[0] is MSH-2, parts[k] is MSH-(k + 2).
        let encoding = Array(parts.first ?? [])
        var delimiters = HL7Delimiters.standard
        var own = false
        if encoding.count == 4 || encoding.count == 5 {
            let all = [separator] + encoding
            if all.allSatisfy(Self.isAcceptableDelimiter), Set(all).count == all.count {
                delimiters = HL7Delimiters(
                    field: separator, component: encoding[0], repetition: encoding[1], escape: encoding[2],
                    subcomponent: encoding[3], truncation: encoding.count == 5 ? encoding[4] : nil)
                own = true
            }
        }
        var fields: [Int: [UInt8]] = [:]
        for (offset, part) in parts.enumerated() where offset >= 1 {
            let value = Array(part)
            if !value.isEmpty, Self.isKeepable(value, plainOnly: !own) { fields[offset + 2] = value }
        }
        self.delimiters = delimiters
        self.hasOwnDelimiters = own
        self.fields = fields
    }

    /// The field as written (ER7 bytes), empty when absent or dropped.
    public func rawField(_ number: Int) -> [UInt8] { fields[number] ?? [] }

    /// The first component of a field as written.
    public func rawComponent(_ number: Int, component: Int) -> [UInt8] {
        let field = rawField(number)
        let repetition = field.split(separator: delimiters.repetition, omittingEmptySubsequences: false).first ?? []
        let components = repetition.split(separator: delimiters.component, omittingEmptySubsequences: false)
        return component <= components.count ? Array(components[component - 1]) : []
    }

    /// MSH-10, the message control id, as written (it is not patient data; logs may show it).
    public var controlID: String { String(decoding: rawField(10), as: UTF8.self) }

    /// MSH-12.1, the version id (`2.5.1`), when given.
    public var version: String? {
        let value = rawComponent(12, component: 1)
        return value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
    }

    /// MSH-9.2, the trigger event (`A01`), as written.
    public var triggerEvent: [UInt8] { rawComponent(9, component: 2) }

    /// The start of the first line that begins with `MSH`.
    static func firstMSHLine(in bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard let end = bytes[index...].firstIndex(where: { $0 == 0x0D || $0 == 0x0A }) else { return nil }
            index = end + 1
            if bytes[index...].starts(with: Array("MSH".utf8)) { return index }
        }
        return nil
    }

    static func isAcceptableDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    /// Control characters (including MLLP framing) and oversized values are never echoed. Without
    /// the message's own delimiters only letters, digits and `.-_` survive.
    static func isKeepable(_ value: [UInt8], plainOnly: Bool) -> Bool {
        guard value.count <= maxFieldBytes else { return false }
        for byte in value {
            if byte < 0x20 || byte == 0x7F { return false }
            if plainOnly {
                let plain =
                    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x2D || byte == 0x5F
                if !plain { return false }
            }
        }
        return true
    }
}
