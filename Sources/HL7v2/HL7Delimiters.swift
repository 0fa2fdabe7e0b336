/// The five (or six) characters that structure an ER7 message, read from MSH-1 and MSH-2
/// (or FHS-1/FHS-2, BHS-1/BHS-2).
///
///     MSH|^~\&|…        // field "|", component "^", repetition "~", escape "\", subcomponent "&"
///     MSH|^~\&#|…       // v2.7+: truncation "#"
///     MSH$%*!@$…        // any characters may be chosen
///
/// All delimiters are single ASCII bytes (HL7 v2.5.1 chapter 2.5.4). They must differ from each
/// other and may not be letters, digits, spaces or control characters.
public struct HL7Delimiters: Hashable, Sendable {
    public var field: UInt8
    public var component: UInt8
    public var repetition: UInt8
    public var subcomponent: UInt8
    /// `nil` only for hand-built delimiters that have no escape character: values are then never decoded.
    public var escape: UInt8?
    /// The v2.7+ truncation character (5th character of MSH-2), when present.
    public var truncation: UInt8?

    public init(
        field: UInt8 = UInt8(ascii: "|"), component: UInt8 = UInt8(ascii: "^"),
        repetition: UInt8 = UInt8(ascii: "~"), escape: UInt8? = UInt8(ascii: "\\"),
        subcomponent: UInt8 = UInt8(ascii: "&"), truncation: UInt8? = nil
    ) {
        self.field = field
        self.component = component
        self.repetition = repetition
        self.escape = escape
        self.subcomponent = subcomponent
        self.truncation = truncation
    }

    /// `|^~\&`, the delimiters nearly every message uses.
    public static let standard = HL7Delimiters()

    /// The MSH-2 text: component, repetition, escape, subcomponent and (if any) truncation characters.
    public var encodingCharacters: String {
        var bytes = [component, repetition]
        if let escape { bytes.append(escape) }
        bytes.append(subcomponent)
        if let truncation { bytes.append(truncation) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads delimiters from a header's separator byte and its encoding characters (MSH-2 bytes).
    ///
    /// Returns `nil` when MSH-2 is not 4 or 5 characters long, when two delimiters are equal, or
    /// when one is a letter, a digit, a space, a control character or not ASCII.
    init?(field: UInt8, encodingCharacters chars: some Collection<UInt8>) {
        let chars = Array(chars)
        guard chars.count == 4 || chars.count == 5 else { return nil }
        let all = [field] + chars
        for (offset, byte) in all.enumerated() {
            guard Self.isAcceptableDelimiter(byte) else { return nil }
            if all[(offset + 1)...].contains(byte) { return nil }
        }
        self.init(
            field: field, component: chars[0], repetition: chars[1], escape: chars[2], subcomponent: chars[3],
            truncation: chars.count == 5 ? chars[4] : nil)
    }

    static func isAcceptableDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }
}
