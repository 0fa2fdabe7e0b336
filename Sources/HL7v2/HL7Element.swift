/// One non-empty leaf of a segment's field tree: a field, repetition, component and subcomponent
/// that holds text. The unit of a source accounting (`SourceAccount`).
///
///     // PID|1||123^^^HOSP&2.16.840.1.113883.19.5&ISO^MR~456||DOE^JOHN
///     pid.forEachElement { element in … }
///     // field 1 (1): 1; field 3: (1, 1), (1, 4, 1), (1, 4, 2), (1, 4, 3), (1, 5), (2, 0); field 5: (1, 1), (1, 2)
///
/// `component` is 0 when the repetition is written without a component separator (a simple value),
/// and `subcomponent` is 0 when the component is written without a subcomponent separator: such an
/// element is component 1 (or subcomponent 1) of its data type.
public struct HL7Element: Sendable, Hashable {
    /// The 1-based field number.
    public var field: Int
    /// The 1-based repetition number.
    public var repetition: Int
    /// The 1-based component, or 0 for a repetition without components.
    public var component: Int
    /// The 1-based subcomponent, or 0 for a component without subcomponents.
    public var subcomponent: Int
    /// Where the element's bytes lie in the message (`HL7Message.bytes`).
    public var range: Range<Int>
    /// Exactly `""`: HL7's "delete this value".
    public var isExplicitNull: Bool

    /// The element path, with the repetition left out: `PID-8`, `PID-5.2`, `PID-3.4.1`.
    public func path(segment: String) -> String {
        var text = segment + "-" + String(field)
        if component > 0 || subcomponent > 0 { text += "." + String(max(component, 1)) }
        if subcomponent > 0 { text += "." + String(subcomponent) }
        return text
    }
}

extension HL7Segment {
    /// Calls `body` for every non-empty element of the segment, in field order: every repetition,
    /// component and subcomponent that holds text (escapes are not decoded). MSH-1 and MSH-2 are one
    /// element each.
    ///
    /// - Complexity: O(n) in the segment's bytes; no allocation.
    public func forEachElement(_ body: (HL7Element) -> Void) {
        let count = fieldCount
        guard count > 0 else { return }
        let delimiters = storage.delimiters
        for field in 1...count {
            let range = storage.fieldRange(segment: index, field: field)
            if range.isEmpty { continue }
            if storage.isLiteralField(segment: index, field: field) {
                body(
                    HL7Element(
                        field: field, repetition: 1, component: 0, subcomponent: 0, range: range, isExplicitNull: false)
                )
                continue
            }
            storage.bytes.withUnsafeBufferPointer { bytes in
                var repetition = 0
                Self.split(bytes, range, on: delimiters.repetition) { repRange in
                    repetition += 1
                    if repRange.isEmpty { return }
                    let hasComponents = Self.contains(bytes, repRange, delimiters.component)
                    var component = 0
                    Self.split(bytes, repRange, on: delimiters.component) { componentRange in
                        component += 1
                        if componentRange.isEmpty { return }
                        let componentNumber = hasComponents ? component : 0
                        guard Self.contains(bytes, componentRange, delimiters.subcomponent) else {
                            body(
                                HL7Element(
                                    field: field, repetition: repetition, component: componentNumber, subcomponent: 0,
                                    range: componentRange, isExplicitNull: storage.isExplicitNull(componentRange)))
                            return
                        }
                        var subcomponent = 0
                        Self.split(bytes, componentRange, on: delimiters.subcomponent) { subRange in
                            subcomponent += 1
                            if subRange.isEmpty { return }
                            body(
                                HL7Element(
                                    field: field, repetition: repetition, component: componentNumber,
                                    subcomponent: subcomponent, range: subRange,
                                    isExplicitNull: storage.isExplicitNull(subRange)))
                        }
                    }
                }
            }
        }
    }

    private static func split(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, on separator: UInt8, _ part: (Range<Int>) -> Void
    ) {
        var start = range.lowerBound
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == separator {
                part(start..<index)
                start = index + 1
            }
            index += 1
        }
        part(start..<range.upperBound)
    }

    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ byte: UInt8) -> Bool {
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == byte { return true }
            index += 1
        }
        return false
    }
}

extension HL7Repetition {
    /// The 0-based index of the segment this repetition belongs to in its message.
    public var segmentIndex: Int { segment }
    /// The 1-based number of the field this repetition belongs to.
    public var fieldNumber: Int { field }
}
