/// An HL7 error condition code, HL7 table 0357 ("Message error condition codes", v2.5.1 chapter 2.16.5),
/// written in ERR-3 (v2.5+) or ERR-1.4 (earlier versions).
///
///     HL7ErrorCode.dataTypeError.code   // 102
public struct HL7ErrorCode: Hashable, Sendable, CustomStringConvertible {
    public let code: Int
    /// The table's description, written as the CWE text component.
    public let text: String

    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }

    public static let messageAccepted = HL7ErrorCode(code: 0, text: "Message accepted")
    public static let segmentSequenceError = HL7ErrorCode(code: 100, text: "Segment sequence error")
    public static let requiredFieldMissing = HL7ErrorCode(code: 101, text: "Required field missing")
    public static let dataTypeError = HL7ErrorCode(code: 102, text: "Data type error")
    public static let tableValueNotFound = HL7ErrorCode(code: 103, text: "Table value not found")
    public static let unsupportedMessageType = HL7ErrorCode(code: 200, text: "Unsupported message type")
    public static let unsupportedEventCode = HL7ErrorCode(code: 201, text: "Unsupported event code")
    public static let unsupportedProcessingID = HL7ErrorCode(code: 202, text: "Unsupported processing id")
    public static let unsupportedVersionID = HL7ErrorCode(code: 203, text: "Unsupported version id")
    public static let unknownKeyIdentifier = HL7ErrorCode(code: 204, text: "Unknown key identifier")
    public static let duplicateKeyIdentifier = HL7ErrorCode(code: 205, text: "Duplicate key identifier")
    public static let applicationRecordLocked = HL7ErrorCode(code: 206, text: "Application record locked")
    public static let applicationInternalError = HL7ErrorCode(code: 207, text: "Application internal error")

    public var description: String { "\(code) \(text)" }
}
