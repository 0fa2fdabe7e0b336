public import ClinicalModel
import HL7v2

/// MSA-1 in original acknowledgement mode (HL7 table 0008).
public enum HL7AcknowledgementCode: String, Hashable, Sendable, CaseIterable {
    /// Application accept: the message was converted (and written).
    case accept = "AA"
    /// Application error: the message was read but could not be processed (bad data, a write failure).
    case error = "AE"
    /// Application reject: the message type, structure or framing is not acceptable; resending the
    /// same bytes will not help.
    case reject = "AR"
}

/// One problem reported in an ERR segment: kind and position, never a value.
public struct HL7AcknowledgementIssue: Hashable, Sendable {
    public enum Severity: String, Hashable, Sendable {
        case error = "E"
        case warning = "W"
        case information = "I"
    }

    /// A stable machine-readable kind (`invalidSegmentID`), written to ERR-5.
    public var kind: String
    public var location: SourceLocation?
    public var errorCode: HL7ErrorCode
    public var severity: Severity
    /// Whether the issue makes the whole acknowledgement an `AR` rather than an `AE`.
    public var rejectsMessage: Bool

    public init(
        kind: String, location: SourceLocation?, errorCode: HL7ErrorCode, severity: Severity = .error,
        rejectsMessage: Bool
    ) {
        self.kind = kind
        self.location = location
        self.errorCode = errorCode
        self.severity = severity
        self.rejectsMessage = rejectsMessage
    }

    /// Classifies an engine error: unsupported types and structure (parse) problems reject the
    /// message (`AR`, codes 100, 101, 102, 200, 201, 203, 207); data problems are errors (`AE`, codes
    /// 101, 102, 103, 207).
    ///
    ///     HL7AcknowledgementIssue(SourceError(.unsupportedMessageType, at: nil)).errorCode   // 200, rejects
    ///     HL7AcknowledgementIssue(SourceError(.invalidTimestamp, at: nil)).errorCode         // 102, error
    public init(_ error: SourceError) {
        let (code, rejects) = Self.classify(error.kind)
        self.init(kind: error.kind.rawValue, location: error.location, errorCode: code, rejectsMessage: rejects)
    }

    static func classify(_ kind: IssueKind) -> (HL7ErrorCode, Bool) {
        switch kind {
        case .unsupportedMessageType, .unknownInputFormat, .unsupportedInputFormat:
            return (.unsupportedMessageType, true)
        case .noMessageHeader, .invalidSegmentID: return (.segmentSequenceError, true)
        case .missingMessageType: return (.requiredFieldMissing, true)
        case .invalidEncodingCharacters, .fieldTooLarge, .tooManySegments: return (.dataTypeError, true)
        case .messageTooLarge, .frameTooLarge, .unsupportedCharset: return (.applicationInternalError, true)
        default: break
        }
        if kind.hasPrefix("missing") || kind.hasPrefix("required") { return (.requiredFieldMissing, false) }
        if kind.hasPrefix("invalid") { return (.dataTypeError, false) }
        if kind.hasPrefix("unmapped") || kind.hasPrefix("unknownCode") { return (.tableValueNotFound, false) }
        return (.applicationInternalError, false)
    }
}

/// An HL7 v2 acknowledgement (original mode: MSH, MSA, ERR…) for one inbound message.
///
///     let ack = HL7Acknowledgement(issues: [HL7AcknowledgementIssue(error)])    // .error or .reject
///     let bytes = ack.bytes(replyingTo: header, controlID: "ACK0001", timestamp: "20240101120000+0000")
///     // MSH|^~\&|RECV|RECV_FAC|SEND|SEND_FAC|20240101120000+0000||ACK^A01^ACK|ACK0001|P|2.5.1\r
///     // MSA|AE|MSG00001\r
///     // ERR||PID^1^7^1|102^Data type error^HL70357|E|invalidTimestamp|||invalidTimestamp at message 1 PID[1]-7\r
///
/// Building is a pure function of the inbound header and the outcome. The reply uses the inbound
/// delimiters and character set (MSH-18, left out when `HL7Charset` does not know it, so that the ACK
/// stays readable), swaps sender and receiver (MSH-3/4 with MSH-5/6), echoes MSH-11 and MSH-12, and
/// puts the inbound MSH-10 in MSA-2. ERR segments say kind and position only:
/// v2.5 and later get ERR-2 (ERL: `PID^1^3^1`), ERR-3 (table 0357), ERR-4 (severity), ERR-5 (kind) and
/// ERR-8 (kind and position as text); earlier versions get ERR-1 (ELD: `PID^1^3^102&Data type error&HL70357`).
/// Any text is escaped with `HL7Escaping` for the inbound delimiters. Segments end with CR; MLLP
/// framing is added by `MLLPFrameEncoder`.
public struct HL7Acknowledgement: Hashable, Sendable {
    public var code: HL7AcknowledgementCode
    public var issues: [HL7AcknowledgementIssue]

    /// At most this many ERR segments are written (the rest are counted in the last one's text).
    public static let maxErrorSegments = 20

    public init(code: HL7AcknowledgementCode, issues: [HL7AcknowledgementIssue] = []) {
        self.code = code
        self.issues = issues
    }

    /// `AA` without issues, `AR` if any issue rejects the message, `AE` otherwise.
    public init(issues: [HL7AcknowledgementIssue]) {
        let code: HL7AcknowledgementCode
        if issues.contains(where: \.rejectsMessage) {
            code = .reject
        } else if issues.contains(where: { $0.severity == .error }) {
            code = .error
        } else {
            code = .accept
        }
        self.init(code: code, issues: issues)
    }

    /// The acknowledgement's ER7 bytes.
    ///
    /// - Parameters:
    ///   - header: the inbound MSH as read by `HL7InboundHeader(scanning:)`; `nil` when no MSH could be
    ///     read (standard delimiters, empty MSA-2).
    ///   - controlID: MSH-10 of the acknowledgement itself.
    ///   - timestamp: MSH-7 (`YYYYMMDDHHMMSS+ZZZZ`).
    /// - Complexity: O(n) in the header and issue count.
    public func bytes(replyingTo header: HL7InboundHeader?, controlID: String, timestamp: String) -> [UInt8] {
        let delimiters = header?.delimiters ?? .standard
        let field = delimiters.field
        let component = delimiters.component
        let subcomponent = delimiters.subcomponent
        func text(_ value: String) -> [UInt8] { Array(HL7Escaping.encode(value, delimiters: delimiters).utf8) }
        func raw(_ number: Int) -> [UInt8] { header?.rawField(number) ?? [] }

        var out: [UInt8] = []
        out.reserveCapacity(256 + issues.count * 128)
        // MSH
        out.append(contentsOf: Array("MSH".utf8))
        out.append(field)
        out.append(contentsOf: Array(delimiters.encodingCharacters.utf8))
        for value in [raw(5), raw(6), raw(3), raw(4), text(timestamp), []] {
            out.append(field)
            out.append(contentsOf: value)
        }
        out.append(field)  // MSH-9
        out.append(contentsOf: Array("ACK".utf8))
        if let event = header?.triggerEvent, !event.isEmpty {
            out.append(component)
            out.append(contentsOf: event)
            out.append(component)
            out.append(contentsOf: Array("ACK".utf8))
        }
        out.append(field)
        out.append(contentsOf: text(controlID))
        out.append(field)
        let processing = raw(11)
        out.append(contentsOf: processing.isEmpty ? Array("P".utf8) : processing)
        out.append(field)
        let version = raw(12)
        out.append(contentsOf: version.isEmpty ? text("2.5.1") : version)  // `.` may be a delimiter
        // MSH-18 only when it names a character set the parser reads (as the parser reads it, first
        // repetition and component): an unknown one would make the ACK itself unreadable.
        let charset = raw(18)
        let named = String(decoding: header?.rawComponent(18, component: 1) ?? [], as: UTF8.self)
        if !charset.isEmpty, HL7Charset(msh18: named) != nil {
            out.append(contentsOf: [UInt8](repeating: field, count: 6))  // MSH-13 … MSH-18
            out.append(contentsOf: charset)
        }
        out.append(0x0D)
        // MSA
        out.append(contentsOf: Array("MSA".utf8))
        out.append(field)
        out.append(contentsOf: Array(code.rawValue.utf8))
        out.append(field)
        out.append(contentsOf: raw(10))
        out.append(0x0D)
        // ERR
        let legacy = Self.usesLegacyErrorSegment(version: header?.version)
        for (offset, issue) in issues.prefix(Self.maxErrorSegments).enumerated() {
            var message = issue.location.map { "\(issue.kind) at \($0.positionText)" } ?? issue.kind
            if offset == Self.maxErrorSegments - 1, issues.count > Self.maxErrorSegments {
                message += " (and \(issues.count - Self.maxErrorSegments) more)"
            }
            out.append(contentsOf: Array("ERR".utf8))
            out.append(field)
            let position = Self.errorLocation(issue.location)
            let codeText = text(String(issue.errorCode.code))
            if legacy {
                // ERR-1 ELD: segment ID ^ sequence ^ field position ^ code & text & table
                let parts = position.prefix(3).map(text)
                for index in 0..<3 {
                    if index < parts.count { out.append(contentsOf: parts[index]) }
                    out.append(component)
                }
                out.append(contentsOf: codeText)
                out.append(subcomponent)
                out.append(contentsOf: text(issue.errorCode.text))
                out.append(subcomponent)
                out.append(contentsOf: Array("HL70357".utf8))
            } else {
                out.append(field)  // ERR-1 empty, ERR-2 ERL
                for (index, part) in position.enumerated() {
                    if index > 0 { out.append(component) }
                    out.append(contentsOf: text(part))
                }
                out.append(field)  // ERR-3 HL7 error code (CWE)
                out.append(contentsOf: codeText)
                out.append(component)
                out.append(contentsOf: text(issue.errorCode.text))
                out.append(component)
                out.append(contentsOf: Array("HL70357".utf8))
                out.append(field)  // ERR-4 severity
                out.append(contentsOf: Array(issue.severity.rawValue.utf8))
                out.append(field)  // ERR-5 application error code
                out.append(contentsOf: text(issue.kind))
                out.append(contentsOf: [field, field, field])  // ERR-6, ERR-7, ERR-8 user message
                out.append(contentsOf: text(message))
            }
            out.append(0x0D)
        }
        return out
    }

    /// ERL components (segment ID, sequence, field, repetition, component, subcomponent) for an HL7
    /// position; empty for other positions or a segment whose ID could not be read.
    static func errorLocation(_ location: SourceLocation?) -> [String] {
        guard
            case .hl7(_, let segment, let occurrence, let field, let repetition, let component, let subcomponent)? =
                location,
            !segment.isEmpty
        else { return [] }
        var parts = [segment, String(occurrence)]
        if let field {
            parts.append(String(field))
            parts.append(String(repetition ?? 1))
            if let component {
                parts.append(String(component))
                if let subcomponent { parts.append(String(subcomponent)) }
            }
        }
        return parts
    }

    /// ERR-1 (ELD) before v2.5, ERR-2…ERR-8 from v2.5 on (and when the version is unknown).
    static func usesLegacyErrorSegment(version: String?) -> Bool {
        guard let version else { return false }
        let numbers = version.split(separator: ".").map { Int($0) ?? 0 }
        guard let major = numbers.first else { return false }
        let minor = numbers.count > 1 ? numbers[1] : 0
        return major == 2 && minor < 5
    }
}
