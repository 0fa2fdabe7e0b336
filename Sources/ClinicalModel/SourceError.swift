/// A fatal problem with one source unit (message, document, CSV row): the unit is not converted,
/// the rest of the input goes on. Like `Diagnostic`, it says what kind and where, never what.
public struct SourceError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// A stable machine-readable kind, e.g. `invalidEncodingCharacters`, `unsupportedMessageType`.
    public var kind: IssueKind
    public var location: SourceLocation?
    /// A correlation id that is not patient data (e.g. the input name and message number).
    public var input: String?

    public init(_ kind: IssueKind, at location: SourceLocation?, input: String? = nil) {
        self.kind = kind
        self.location = location
        self.input = input
    }

    public var description: String {
        var text = kind.rawValue
        if let location { text += " at \(location)" }
        if let input { text += " in \(input)" }
        return text
    }
}
