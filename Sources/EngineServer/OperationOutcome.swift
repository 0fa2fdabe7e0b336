public import ClinicalModel
public import FHIRR4
import MLLP

/// FHIR R4 OperationOutcome resources (http://hl7.org/fhir/R4/operationoutcome.html) for errors:
/// kind and position, never a value from the input.
///
///     OperationOutcome.issue(SourceError(.invalidSegmentID, at: location))
///     // {"severity":"error","code":"structure","details":{"text":"invalidSegmentID at message 1 segment 3"},
///     //  "diagnostics":"invalidSegmentID","location":["message 1 segment 3"],"expression":["message 1 segment 3"]}
public enum OperationOutcome {
    /// IssueType codes used here (http://hl7.org/fhir/R4/valueset-issue-type.html).
    public enum IssueType: String, Sendable, Hashable {
        case invalid, structure
        case notSupported = "not-supported"
        case tooCostly = "too-costly"
        case security, transient, exception
        case notFound = "not-found"
        case processing
    }

    /// A whole OperationOutcome with the given issues.
    public static func resource(_ issues: [JSONObject]) -> JSONObject {
        var outcome = JSONObject()
        outcome.append("resourceType", .string("OperationOutcome"))
        outcome.append("issue", .array(issues.map { .object($0) }))
        return outcome
    }

    /// One issue: `severity` error, the type `code`, `diagnostics` = kind, `details.text` = kind and
    /// position, and the position in both `location` and `expression`.
    public static func issue(code: IssueType, kind: String, position: String? = nil) -> JSONObject {
        var issue = JSONObject()
        issue.append("severity", .string("error"))
        issue.append("code", .string(code.rawValue))
        var details = JSONObject()
        details.append("text", .string(position.map { "\(kind) at \($0)" } ?? kind))
        issue.append("details", .object(details))
        issue.append("diagnostics", .string(kind))
        if let position {
            issue.append("location", .array([.string(position)]))
            issue.append("expression", .array([.string(position)]))
        }
        return issue
    }

    /// The issue for an engine error; the input correlation (`input`) is not included.
    public static func issue(_ error: SourceError) -> JSONObject {
        issue(code: issueType(forKind: error.kind), kind: error.kind.rawValue, position: error.location.map(position))
    }

    /// The IssueType for an error kind: unsupported things are `not-supported`, sizes `too-costly`,
    /// message structure `structure`, everything else (bad values) `invalid`.
    public static func issueType(forKind kind: IssueKind) -> IssueType {
        switch kind {
        case .unsupportedMessageType, .unsupportedCharset, .unsupportedInputFormat, .unknownInputFormat:
            return .notSupported
        case .messageTooLarge, .fieldTooLarge, .frameTooLarge, .documentTooLarge:
            return .tooCostly
        case .noMessageHeader, .invalidEncodingCharacters, .invalidSegmentID, .missingMessageType,
            .notAClinicalDocument, .missingColumn, .unreadableInput:
            return .structure
        default:
            if kind.hasPrefix("unsupported") { return .notSupported }
            if kind.hasSuffix("TooLarge") || kind.hasPrefix("tooMany") { return .tooCostly }
            if kind.hasPrefix("malformed") { return .structure }
            return .invalid
        }
    }

    /// A position as text, as the engine writes it: `message 1 PID[1]-3` for HL7 v2,
    /// `patients.csv:12 column BIRTHDATE` for CSV, the positional XPath for XML.
    /// An HL7 segment whose ID could not be read is named by its number (`message 1 segment 3`).
    public static func position(_ location: SourceLocation) -> String {
        location.positionText
    }
}
