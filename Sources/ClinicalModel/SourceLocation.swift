/// Where a value came from in its source, without the value itself.
///
/// A location names a position, never content: `PID[1]-7`, `patients.csv:12 BIRTHDATE`,
/// `/ClinicalDocument[1]/recordTarget[1]/patientRole[1]/id[2]`. It is safe to print in logs,
/// errors and reports (see DEVELOPERS.md: no patient data in any diagnostic).
public enum SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    /// An HL7 v2 position. `occurrence` counts segments with the same id from 1; `field`,
    /// `repetition`, `component` and `subcomponent` are 1-based as in the HL7 v2 standard.
    case hl7(
        message: Int, segment: String, occurrence: Int, field: Int? = nil, repetition: Int? = nil,
        component: Int? = nil, subcomponent: Int? = nil)
    /// A CSV position: file name (no directory), 1-based physical line and the header name of the column.
    case csv(file: String, line: Int, column: String?)
    /// An XML position as a positional XPath (no predicates on content) and an optional line.
    case xml(xpath: String, line: Int?)
    /// A whole input (file name only) with an optional byte offset.
    case input(name: String, offset: Int?)

    public var description: String {
        switch self {
        case .hl7(let message, let segment, let occurrence, let field, let repetition, let component, let subcomponent):
            var text = "message \(message) \(segment)[\(occurrence)]"
            if let field {
                text += "-\(field)"
                if let repetition, repetition > 1 { text += "(\(repetition))" }
                if let component {
                    text += ".\(component)"
                    if let subcomponent { text += ".\(subcomponent)" }
                }
            }
            return text
        case .csv(let file, let line, let column):
            return column.map { "\(file):\(line) column \($0)" } ?? "\(file):\(line)"
        case .xml(let xpath, let line):
            return line.map { "\(xpath) (line \($0))" } ?? xpath
        case .input(let name, let offset):
            return offset.map { "\(name) at byte \($0)" } ?? name
        }
    }

    /// The same HL7 position narrowed to a field, repetition or component.
    public func narrowed(field: Int? = nil, repetition: Int? = nil, component: Int? = nil) -> SourceLocation {
        guard
            case .hl7(let message, let segment, let occurrence, let oldField, let oldRepetition, let oldComponent, _) =
                self
        else {
            return self
        }
        return .hl7(
            message: message, segment: segment, occurrence: occurrence, field: field ?? oldField,
            repetition: repetition ?? oldRepetition, component: component ?? oldComponent)
    }
}
