public import ClinicalModel

/// One segment of a message: its ID, its position, and its fields by number.
///
///     let pid = message.firstSegment(named: "PID")!
///     pid[5][1].value           // family name (PID-5.1), decoded
///     pid.location(field: 5)    // message 1 PID[1]-5
///
/// Fields are numbered from 1 as in the standard. In MSH (and FHS, BHS) field 1 is the field
/// separator itself and field 2 the encoding characters; both are literal, never split or decoded.
public struct HL7Segment: Sendable {
    let storage: HL7MessageStorage
    /// 0-based position in the message.
    public let index: Int
    /// 1-based among the message's segments with the same ID.
    public let occurrence: Int

    init(storage: HL7MessageStorage, index: Int) {
        self.storage = storage
        self.index = index
        self.occurrence = Int(storage.segments[index].occurrence)
    }

    /// The three-character segment ID, such as `PID` or `ZLR`.
    public var id: String { storage.segmentID(index) }

    /// The highest field number present, trailing empty fields included (MSH counts MSH-1 and MSH-2).
    public var fieldCount: Int { Int(storage.segments[index].fieldCount) }

    /// The 1-based field; an empty field when absent.
    public subscript(_ field: Int) -> HL7Field {
        HL7Field(
            storage: storage, segment: index, number: field, range: storage.fieldRange(segment: index, field: field),
            isLiteral: storage.isLiteralField(segment: index, field: field))
    }

    /// Fields 1 through `fieldCount`.
    public var fields: [HL7Field] {
        fieldCount == 0 ? [] : (1...fieldCount).map { self[$0] }
    }

    /// The undecoded ER7 text of the whole segment, without its terminator.
    public var rawText: String {
        let record = storage.segments[index]
        return storage.rawText(Int(record.start)..<Int(record.end))
    }

    /// The 1-based number of the message this segment belongs to (0 for batch envelope segments).
    public var messageIndex: Int { storage.messageIndex }

    /// The delimiters in force for this segment.
    public var delimiters: HL7Delimiters { storage.delimiters }

    /// This segment's position, optionally narrowed to a field, repetition, component and subcomponent.
    public func location(
        field: Int? = nil, repetition: Int? = nil, component: Int? = nil, subcomponent: Int? = nil
    ) -> SourceLocation {
        storage.location(
            segment: index, field: field, repetition: repetition, component: component, subcomponent: subcomponent)
    }
}

/// One field of a segment, possibly repeated. Values are split and decoded only when asked for.
///
///     // PID|1||123^^^HOSP^MR~456^^^OTHER^PI||""|
///     pid[3].repetitions.count     // 2
///     pid[3][4].value              // "HOSP" (first repetition)
///     pid[5].isExplicitNull        // true
public struct HL7Field: Sendable {
    let storage: HL7MessageStorage
    let segment: Int
    /// The 1-based field number.
    public let number: Int
    let range: Range<Int>
    let isLiteral: Bool

    init(storage: HL7MessageStorage, segment: Int, number: Int, range: Range<Int>, isLiteral: Bool) {
        self.storage = storage
        self.segment = segment
        self.number = number
        self.range = range
        self.isLiteral = isLiteral
    }

    /// Absent or zero-length.
    public var isEmpty: Bool { range.isEmpty }

    /// Exactly `""`: HL7's "delete this value".
    public var isExplicitNull: Bool { storage.isExplicitNull(range) }

    /// The repetitions in order; `[]` when the field is empty. Empty repetitions keep their places.
    public var repetitions: [HL7Repetition] {
        if isLiteral { return range.isEmpty ? [] : [repetition(1, range)] }
        return storage.parts(of: range, separator: storage.delimiters.repetition).enumerated().map {
            repetition($0.offset + 1, $0.element)
        }
    }

    /// The number of repetitions (0 when empty).
    public var repetitionCount: Int {
        isLiteral ? (range.isEmpty ? 0 : 1) : storage.partCount(of: range, separator: storage.delimiters.repetition)
    }

    /// The first repetition; an empty one when the field is empty.
    public var first: HL7Repetition {
        if isLiteral { return repetition(1, range) }
        let part = storage.part(1, of: range, separator: storage.delimiters.repetition)
        return repetition(1, part ?? range.lowerBound..<range.lowerBound)
    }

    /// The 1-based repetition; an empty one when absent.
    public func repetition(_ number: Int) -> HL7Repetition {
        if isLiteral { return repetition(number, number == 1 ? range : range.upperBound..<range.upperBound) }
        let part = storage.part(number, of: range, separator: storage.delimiters.repetition)
        return repetition(number, part ?? range.upperBound..<range.upperBound)
    }

    /// The first repetition's 1-based component.
    public subscript(_ component: Int) -> HL7Component { first[component] }

    /// First repetition, component 1, subcomponent 1, decoded; `nil` if empty (or `""`).
    public var value: String? { first.value }

    /// The undecoded ER7 text of the whole field (repetitions and delimiters included).
    public var rawText: String { storage.rawText(range) }

    /// This field's position: `message 1 PID[1]-3`.
    public var location: SourceLocation { storage.location(segment: segment, field: number) }

    private func repetition(_ number: Int, _ range: Range<Int>) -> HL7Repetition {
        HL7Repetition(
            storage: storage, segment: segment, field: self.number, number: number, range: range, isLiteral: isLiteral)
    }
}

/// One repetition of a field: a list of components.
public struct HL7Repetition: Sendable {
    let storage: HL7MessageStorage
    let segment: Int
    let field: Int
    /// The 1-based repetition number.
    public let number: Int
    let range: Range<Int>
    let isLiteral: Bool

    init(storage: HL7MessageStorage, segment: Int, field: Int, number: Int, range: Range<Int>, isLiteral: Bool) {
        self.storage = storage
        self.segment = segment
        self.field = field
        self.number = number
        self.range = range
        self.isLiteral = isLiteral
    }

    public var isEmpty: Bool { range.isEmpty }

    /// Exactly `""`.
    public var isExplicitNull: Bool { storage.isExplicitNull(range) }

    /// The number of components written (0 when empty), trailing empty ones included.
    public var componentCount: Int {
        isLiteral ? (range.isEmpty ? 0 : 1) : storage.partCount(of: range, separator: storage.delimiters.component)
    }

    /// The 1-based component; an empty one when absent.
    public subscript(_ component: Int) -> HL7Component {
        if isLiteral { return self.component(component, component == 1 ? range : range.upperBound..<range.upperBound) }
        let part = storage.part(component, of: range, separator: storage.delimiters.component)
        return self.component(component, part ?? range.upperBound..<range.upperBound)
    }

    /// Component 1, subcomponent 1, decoded; `nil` if empty.
    public var value: String? { self[1].value }

    /// The components in order; `[]` when empty.
    public var components: [HL7Component] {
        if isLiteral { return range.isEmpty ? [] : [component(1, range)] }
        return storage.parts(of: range, separator: storage.delimiters.component).enumerated().map {
            component($0.offset + 1, $0.element)
        }
    }

    /// The undecoded ER7 text of this repetition.
    public var rawText: String { storage.rawText(range) }

    public var location: SourceLocation { storage.location(segment: segment, field: field, repetition: number) }

    private func component(_ number: Int, _ range: Range<Int>) -> HL7Component {
        HL7Component(
            storage: storage, segment: segment, field: field, repetition: self.number, number: number, range: range,
            isLiteral: isLiteral)
    }
}

/// One component of a repetition: a list of subcomponents, decoded on access.
public struct HL7Component: Sendable {
    let storage: HL7MessageStorage
    let segment: Int
    let field: Int
    let repetition: Int
    /// The 1-based component number.
    public let number: Int
    let range: Range<Int>
    let isLiteral: Bool

    init(
        storage: HL7MessageStorage, segment: Int, field: Int, repetition: Int, number: Int, range: Range<Int>,
        isLiteral: Bool
    ) {
        self.storage = storage
        self.segment = segment
        self.field = field
        self.repetition = repetition
        self.number = number
        self.range = range
        self.isLiteral = isLiteral
    }

    public var isEmpty: Bool { range.isEmpty }

    /// Exactly `""`.
    public var isExplicitNull: Bool { storage.isExplicitNull(range) }

    /// The number of subcomponents written (0 when empty).
    public var subcomponentCount: Int {
        isLiteral ? (range.isEmpty ? 0 : 1) : storage.partCount(of: range, separator: storage.delimiters.subcomponent)
    }

    /// The 1-based subcomponent, decoded; `nil` if empty, absent or `""`.
    public subscript(_ subcomponent: Int) -> String? {
        if isLiteral { return subcomponent == 1 ? storage.value(range, literal: true) : nil }
        guard let part = storage.part(subcomponent, of: range, separator: storage.delimiters.subcomponent) else {
            return nil
        }
        return storage.value(part, literal: false)
    }

    /// Subcomponent 1, decoded; `nil` if empty (the explicit null `""` gives `nil` too: check
    /// `isExplicitNull` on the field).
    public var value: String? { self[1] }

    /// All subcomponents, decoded; `[]` when empty.
    public var subcomponents: [String?] {
        if isLiteral { return range.isEmpty ? [] : [storage.value(range, literal: true)] }
        return storage.parts(of: range, separator: storage.delimiters.subcomponent).map {
            storage.value($0, literal: false)
        }
    }

    /// The undecoded ER7 text of this component (subcomponent delimiters included).
    public var rawText: String { storage.rawText(range) }

    public var location: SourceLocation {
        storage.location(segment: segment, field: field, repetition: repetition, component: number)
    }

    /// The position of one of this component's subcomponents.
    public func location(subcomponent: Int) -> SourceLocation {
        storage.location(
            segment: segment, field: field, repetition: repetition, component: number, subcomponent: subcomponent)
    }
}
