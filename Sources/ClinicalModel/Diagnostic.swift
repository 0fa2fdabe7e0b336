/// A finding that does not stop a record: an unmapped code, a value that could not be read,
/// a field that was ignored. It carries a kind, a location and optionally code-system facts
/// (a code system URI and a code are terminology, not patient data); never a patient value.
public struct Diagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        case information, warning, error
        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.information, .warning, .error]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    public var severity: Severity
    /// A stable machine-readable kind, e.g. `unmappedCode`, `invalidTimestamp`, `unsupportedMessageType`.
    public var kind: IssueKind
    public var location: SourceLocation?
    /// For terminology findings only: the code system (URI or v2 table id).
    public var system: String?
    /// For terminology findings only: the code. Codes come from code systems, not from patients;
    /// free text never goes here.
    public var code: String?

    public init(
        _ severity: Severity, _ kind: IssueKind, at location: SourceLocation? = nil, system: String? = nil,
        code: String? = nil
    ) {
        self.severity = severity
        self.kind = kind
        self.location = location
        self.system = system
        self.code = code
    }

    public var description: String {
        var text = "\(severity): \(kind)"
        if let location { text += " at \(location)" }
        // Only well-formed system URIs are printed; codes and raw system names come from the
        // input and stay in the structured fields for aggregated terminology reports.
        if let system, system.hasPrefix("http://") || system.hasPrefix("https://") { text += " [system \(system)]" }
        return text
    }
}
