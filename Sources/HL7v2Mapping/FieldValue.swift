import ClinicalModel

/// One converted value of one field repetition, typed by its HL7 v2 data type.
public enum FieldValue: Sendable {
    case text(String)
    case coding(Coding)
    case concept(Concept)
    case identifier(Identifier)
    case name(HumanName)
    case address(Address)
    case contact(ContactPoint)
    case dateTime(ClinicalDateTime)
    case decimal(DecimalValue)
    case quantity(Quantity)
    case period(Period)
    case reference(EntityRef)

    /// What a value is, as field maps and paths name it (`concept`, `dateTime`).
    public enum Kind: String, Sendable, Hashable, Comparable, CaseIterable {
        case text, coding, concept, identifier, name, address, contact, dateTime, decimal, quantity, period, reference

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }
}

/// HL7 v2 data types that field maps may name (HL7 v2.5.1 ch. 2A). Each converts one field
/// repetition into a `FieldValue`.
public enum V2DataType: String, Sendable, CaseIterable {
    case ST, TX, FT, ID, IS, SI, NM, DT, DTM, TS, CWE, CE, CNE, CF, CX, EI, HD, XPN, XAD, XTN, XCN, XON, PL, CQ, DR, PN

    /// The kind of `FieldValue` this type converts to (used to check field maps at load time).
    public var valueKind: FieldValue.Kind {
        switch self {
        case .ST, .TX, .FT, .SI: .text
        case .ID, .IS: .coding
        case .NM: .decimal
        case .DT, .DTM, .TS: .dateTime
        case .CWE, .CE, .CNE, .CF: .concept
        case .CX, .EI, .HD: .identifier
        case .XPN, .PN: .name
        case .XAD: .address
        case .XTN: .contact
        case .XCN, .XON, .PL: .reference
        case .CQ: .quantity
        case .DR: .period
        }
    }
}
