import HL7v2

/// The source elements of one message that its mapping carried into the record, by position.
///
/// Converters mark what they put into a value as they read it (`MappingContext.carry`); the marks
/// are *pending* until the value is kept. A field rule commits them when its setter holds the value
/// after applying it, and drops them when the setter refused it (a single-valued path already set to
/// something else); named converters commit what they mark. The source accounting then looks each
/// non-empty element up here.
struct CarriedElements {
    private var marks: Set<UInt64> = []
    private var pending: [UInt64] = []
    /// Segment index -> a case that leaves the whole segment out (`DeclaredCase`).
    var declaredSegments: [Int: DeclaredCase] = [:]
    /// Segment index and field (packed) -> a case that leaves the field out.
    var declaredFields: [Int: DeclaredCase] = [:]

    /// The key of one element: segment index, field, repetition, component and subcomponent (each
    /// 1-based; 0 written as 1), packed; `nil` past the packing's range (never marked, so unaccounted).
    static func key(segment: Int, field: Int, repetition: Int, component: Int, subcomponent: Int) -> UInt64? {
        let component = max(component, 1)
        let subcomponent = max(subcomponent, 1)
        guard segment >= 0, segment < 1 << 20, field >= 1, field < 1 << 12, repetition >= 1, repetition < 1 << 12,
            component < 1 << 10, subcomponent < 1 << 10
        else { return nil }
        return UInt64(segment) << 44 | UInt64(field) << 32 | UInt64(repetition) << 20 | UInt64(component) << 10
            | UInt64(subcomponent)
    }

    mutating func mark(segment: Int, field: Int, repetition: Int, component: Int, subcomponent: Int) {
        if let key = Self.key(
            segment: segment, field: field, repetition: repetition, component: component, subcomponent: subcomponent)
        {
            pending.append(key)
        }
    }

    /// Keeps the pending marks: their value reached the record.
    mutating func commit() {
        if pending.isEmpty { return }
        marks.formUnion(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Drops the pending marks: their value did not reach the record.
    mutating func discard() {
        pending.removeAll(keepingCapacity: true)
    }

    /// The case that declares an element of a segment not carried, if any.
    func declaredCase(segment: Int, _ element: HL7Element) -> DeclaredCase? {
        declaredFields[segment << 12 | element.field] ?? declaredSegments[segment]
    }

    func contains(segment: Int, _ element: HL7Element) -> Bool {
        guard
            let key = Self.key(
                segment: segment, field: element.field, repetition: element.repetition,
                component: element.component, subcomponent: element.subcomponent)
        else { return false }
        return marks.contains(key)
    }
}

/// The cases in which the mapper leaves source elements out on purpose; the reason for each is
/// data, in `Mappings/hl7v2/declared.yaml` under `cases` (a case without one is a load error).
enum DeclaredCase: String, CaseIterable, Sendable {
    /// OBX-2 ED or RP: an encapsulated document or a reference pointer.
    case encapsulatedData
    /// The fields of a funding OBX (LOINC 30963-3, 64994-7) beyond its code and value.
    case immunizationFunding
}

extension MappingContext {
    /// Declares a whole segment not carried, for `reason`.
    mutating func declare(_ segment: HL7Segment, _ reason: DeclaredCase) {
        carried.declaredSegments[segment.index] = reason
    }

    /// Declares a field of a segment not carried (the elements of it that were not carried).
    mutating func declare(_ segment: HL7Segment, field: Int, _ reason: DeclaredCase) {
        carried.declaredFields[segment.index << 12 | field] = reason
    }

    /// Marks component `component` (subcomponent `subcomponent`) of a repetition as carried into the
    /// value being built.
    mutating func carry(_ repetition: HL7Repetition, _ component: Int, subcomponent: Int = 1) {
        carried.mark(
            segment: repetition.segmentIndex, field: repetition.fieldNumber, repetition: repetition.number,
            component: component, subcomponent: subcomponent)
    }

    /// Marks the components of a repetition whose first subcomponents are non-empty among `components`.
    mutating func carry(_ repetition: HL7Repetition, components: some Sequence<Int>) {
        for component in components { carry(repetition, component) }
    }

    /// Marks a field's first repetition, component `component`, as carried.
    mutating func carry(_ field: HL7Field, _ component: Int = 1, subcomponent: Int = 1) {
        carry(field.first, component, subcomponent: subcomponent)
    }
}
