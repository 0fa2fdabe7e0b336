/// The kind of a `SourceError` or a `Diagnostic`: a stable, machine-readable name (`unmappedCode`,
/// `invalidTimestamp`) that summaries count, reports print and tests compare. Every kind is a
/// constant of the catalogue in `IssueKind+Catalogue.swift`, so a misspelt kind does not compile;
/// the raw value is the text printed and serialised.
///
///     Diagnostic(.warning, .invalidTimestamp, at: location).description   // "warning: invalidTimestamp at …"
///     IssueKind.unmappedCode.rawValue                                    // "unmappedCode"
///
/// An open set, like `CSVRecordProblem.Kind`: a new kind breaks no caller.
public struct IssueKind: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// A kind by name. Code names kinds by their constants; this is for kinds read back from a
    /// serialised report and for the typed kinds of other error types (`HL7ParseError.Kind`).
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static func < (lhs: IssueKind, rhs: IssueKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether the name starts with `prefix` (`unsupported…`, `missing…`), for the coarse classes
    /// an ACK or an OperationOutcome maps kinds to.
    public func hasPrefix(_ prefix: String) -> Bool { rawValue.hasPrefix(prefix) }

    /// Whether the name ends with `suffix` (`…TooLarge`).
    public func hasSuffix(_ suffix: String) -> Bool { rawValue.hasSuffix(suffix) }
}

extension SourceError {
    public typealias Kind = IssueKind
}

extension Diagnostic {
    public typealias Kind = IssueKind
}
