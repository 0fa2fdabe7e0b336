import ClinicalModel

/// The kinds of value a column rule produces and a canonical path accepts.
enum CSVValueKind: String, Sendable, Hashable, CaseIterable {
    case text, dateTime, decimal, integer, boolean, coding, identifier, reference, quantity, observationValue
}

/// A typed cell value, ready for a setter.
enum CSVValue: Sendable, Hashable {
    case text(String)
    case dateTime(ClinicalDateTime)
    case decimal(DecimalValue)
    case integer(Int)
    case boolean(Bool)
    /// A coding and the concept text (the display column).
    case coding(Coding, text: String?)
    case identifier(Identifier)
    case reference(EntityRef)
    case quantity(Quantity)
    case observationValue(ObservationValue)

    var kind: CSVValueKind {
        switch self {
        case .text: .text
        case .dateTime: .dateTime
        case .decimal: .decimal
        case .integer: .integer
        case .boolean: .boolean
        case .coding: .coding
        case .identifier: .identifier
        case .reference: .reference
        case .quantity: .quantity
        case .observationValue: .observationValue
        }
    }
}

extension CSVColumnType {
    /// What a rule of this type hands to its path.
    var valueKind: CSVValueKind {
        switch self {
        case .string, .presence: .text
        case .date, .dateTime: .dateTime
        case .decimal: .decimal
        case .integer: .integer
        case .boolean: .boolean
        case .code: .coding
        case .identifier: .identifier
        case .reference: .reference
        case .quantity: .quantity
        case .observationValue: .observationValue
        }
    }
}
