public import ClinicalModel

/// A fatal problem with one message: it is not parsed, the other messages of the input go on.
///
/// Like every error and diagnostic of the engine it says what kind and where, never what:
///
///     String(describing: error)   // "invalidSegmentID at message 3 segment 7"
///     String(describing: error)   // "missingMessageType at message 1 MSH[1]-9"
///
/// The location always carries the 1-based number of the message within its input. When the
/// segment's own ID is unreadable (`invalidSegmentID`), the location's segment is empty and its
/// occurrence is the 1-based segment number in the message, since the ID might be content.
public struct HL7ParseError: Error, Sendable, CustomStringConvertible, Equatable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// No MSH segment where a message should start (or an input with no message at all).
        case noMessageHeader
        /// MSH-1/MSH-2 (or FHS/BHS) missing, duplicated, alphanumeric or of the wrong length.
        case invalidEncodingCharacters
        /// A segment ID that is not three uppercase letters or digits followed by the field separator.
        case invalidSegmentID
        /// MSH-9 (its first component) is empty.
        case missingMessageType
        /// The message is larger than `HL7Limits.maxMessageBytes`.
        case messageTooLarge
        /// A field is larger than `HL7Limits.maxFieldBytes`.
        case fieldTooLarge
        /// The message has more segments than `HL7Limits.maxSegments`.
        case tooManySegments
        /// MSH-18 names a character set this parser does not decode.
        case unsupportedCharset

        /// The engine-wide kind of the same name.
        public var issueKind: IssueKind { IssueKind(rawValue: rawValue) }
    }

    public var kind: Kind
    public var location: SourceLocation
    /// The 1-based number of the offending segment among the message's non-blank lines, when known.
    public var segmentNumber: Int?

    public init(_ kind: Kind, at location: SourceLocation, segmentNumber: Int? = nil) {
        self.kind = kind
        self.location = location
        self.segmentNumber = segmentNumber
    }

    /// The 1-based number of the message within its input.
    public var messageIndex: Int {
        if case .hl7(let message, _, _, _, _, _, _) = location { return message }
        return 0
    }

    /// Kind and position only: `invalidSegmentID at message 3 segment 7`, `fieldTooLarge at message 2 OBX[4]-5`.
    public var description: String {
        if case .hl7(let message, let segment, let occurrence, _, _, _, _) = location, segment.isEmpty {
            return "\(kind.rawValue) at message \(message) segment \(segmentNumber ?? occurrence)"
        }
        return "\(kind.rawValue) at \(location)"
    }

    /// The same finding as the engine-wide `SourceError` (same kind name, same location).
    public var sourceError: SourceError {
        SourceError(kind.issueKind, at: location)
    }
}
