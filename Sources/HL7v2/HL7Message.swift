public import ClinicalModel

/// One parsed HL7 v2 message: its bytes, delimiters, charset and segments.
///
///     let message = try HL7Parser.parse(bytes, index: 1)
///     message.messageType.description            // "ADT^A01^ADT_A01"
///     message.firstSegment(named: "PID")?[5][1].value
///
/// The message keeps its bytes in one array; segments and fields are offsets into it. Views are
/// cheap values that share the storage, so a message is `Sendable` and safe to hand across tasks.
public struct HL7Message: Sendable {
    /// The 1-based position of the message in its input.
    public let index: Int
    public let delimiters: HL7Delimiters
    public let charset: HL7Charset
    /// MSH-9, with the structure derived from table 0354 when MSH-9.3 is empty.
    public let messageType: HL7MessageType
    /// Non-fatal findings while parsing: `invalidUTF8` and `unterminatedEscape`, each with its location.
    public let diagnostics: [Diagnostic]
    let storage: HL7MessageStorage

    init(storage: HL7MessageStorage, messageType: HL7MessageType, diagnostics: [Diagnostic]) {
        self.index = storage.messageIndex
        self.delimiters = storage.delimiters
        self.charset = storage.charset
        self.messageType = messageType
        self.diagnostics = diagnostics
        self.storage = storage
    }

    /// All segments in order (blank lines are not segments).
    public var segments: [HL7Segment] {
        (0..<storage.segments.count).map { HL7Segment(storage: storage, index: $0) }
    }

    /// The number of segments.
    public var segmentCount: Int { storage.segments.count }

    /// The MSH segment (always the first).
    public var header: HL7Segment { HL7Segment(storage: storage, index: 0) }

    /// The segments with the given ID, in order.
    public func segments(named id: String) -> [HL7Segment] {
        guard let code = HL7SegmentID.code(id) else { return [] }
        return storage.segments.indices.lazy.filter { storage.segments[$0].idCode == code }
            .map { HL7Segment(storage: storage, index: $0) }
    }

    /// The first segment with the given ID.
    public func firstSegment(named id: String) -> HL7Segment? {
        guard let code = HL7SegmentID.code(id),
            let found = storage.segments.firstIndex(where: { $0.idCode == code })
        else { return nil }
        return HL7Segment(storage: storage, index: found)
    }

    /// MSH-10, the message control ID.
    public var controlID: String? { header[10].value }

    /// MSH-12.1, the version ID (`2.5.1`).
    public var version: String? { header[12].value }

    public var byteCount: Int { storage.bytes.count }

    /// The message's own bytes, as given to the parser (the splitter ends each segment with CR).
    public var bytes: [UInt8] { storage.bytes }
}
