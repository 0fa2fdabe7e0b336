public import ClinicalModel

extension SourceLocation {
    /// The position as text for replies (ERR-8, OperationOutcome): the location's own description,
    /// except that an HL7 segment whose ID could not be read is named by its number
    /// (`message 1 segment 3`), since the unreadable ID might be content.
    public var positionText: String {
        if case .hl7(let message, let segment, let occurrence, _, _, _, _) = self, segment.isEmpty {
            return "message \(message) segment \(occurrence)"
        }
        return description
    }
}
