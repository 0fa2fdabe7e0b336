import ClinicalModel
import Foundation
import Terminology

/// A `when` condition bound to one file's header (a regular expression compiled once).
struct BoundCondition {
    let condition: CSVCondition
    let index: Int?
    let regex: NSRegularExpression?

    init(_ condition: CSVCondition, header: [String: Int]) {
        self.condition = condition
        index = header[condition.column]
        if case .matches(let pattern) = condition.test {
            regex = try? NSRegularExpression(pattern: pattern)
        } else {
            regex = nil
        }
    }

    /// Whether the row's cell passes; a column the file lacks reads as empty.
    func holds(_ fields: [String]) -> Bool {
        let cell = CSVCellParser.cell(fields, index)
        switch condition.test {
        case .oneOf(let values): return cell.map(values.contains) ?? false
        case .noneOf(let values): return cell.map { !values.contains($0) } ?? true
        case .prefix(let prefixes): return cell.map { text in prefixes.contains { text.hasPrefix($0) } } ?? false
        case .matches:
            guard let cell, let regex else { return false }
            return regex.firstMatch(in: cell, range: NSRange(cell.startIndex..., in: cell)) != nil
        case .empty(let flag): return (cell == nil) == flag
        }
    }

    static func all(_ conditions: [BoundCondition], hold fields: [String]) -> Bool {
        conditions.allSatisfy { $0.holds(fields) }
    }
}

/// A column rule bound to one file's header and to the terminology: column positions found by
/// header name, code systems normalized to URIs, the concept map looked up. A class, so that rows
/// share one copy.
final class BoundRule {
    let rule: CSVColumnRule
    let type: CSVColumnType
    let column: String
    let target: String
    let required: Bool
    let item: Int
    /// Position of the rule's column; `nil` when the file has no such column.
    let index: Int?
    let displayIndex: Int?
    let unitIndex: Int?
    let typeIndex: Int?
    let systemIndex: Int?
    /// `rule.system` as a canonical URI.
    let system: String?
    let unitSystem: String?
    let conceptMap: ConceptMap?
    /// `true` when the rule names a map that `Terminology/` does not have.
    let missingConceptMap: Bool
    let conditions: [BoundCondition]
    let comparatorIndex: Int?
    let pattern: NSRegularExpression?

    init(_ rule: CSVColumnRule, header: [String: Int], terminology: TerminologyStore) {
        self.rule = rule
        type = rule.type
        column = rule.column
        target = rule.target
        required = rule.required
        item = rule.item
        index = header[rule.column]
        displayIndex = rule.display.flatMap { header[$0] }
        unitIndex = rule.unitColumn.flatMap { header[$0] }
        typeIndex = rule.typeColumn.flatMap { header[$0] }
        systemIndex = rule.systemColumn.flatMap { header[$0] }
        system = rule.system.map { terminology.normalizeSystem($0) ?? $0 }
        unitSystem = rule.unitSystem.map { terminology.normalizeSystem($0) ?? $0 }
        conceptMap = rule.conceptMap.flatMap { terminology.conceptMap(id: $0) }
        missingConceptMap = rule.conceptMap != nil && conceptMap == nil
        conditions = rule.when.map { BoundCondition($0, header: header) }
        comparatorIndex = rule.comparatorColumn.flatMap { header[$0] }
        pattern = rule.pattern.flatMap { try? NSRegularExpression(pattern: $0) }
    }

    /// Whether the rule applies to the row (`when`).
    func applies(_ fields: [String]) -> Bool { BoundCondition.all(conditions, hold: fields) }

    /// The columns whose cells this rule reads besides its own (display, unit, type, system,
    /// comparator), present in the file.
    var otherIndexes: [Int] { [displayIndex, unitIndex, typeIndex, systemIndex, comparatorIndex].compactMap { $0 } }

    /// The rule's value transform for codes and identifiers: zero padding, then the prefix.
    func transformCode(_ raw: String) -> String {
        var code = raw
        if let width = rule.zeroPad, code.count < width, code.allSatisfy({ $0.isASCII && $0.isNumber }) {
            code = String(repeating: "0", count: width - code.count) + code
        }
        if let prefix = rule.prefix, !code.hasPrefix(prefix) { code = prefix + code }
        return code
    }
}

/// What reading one cell gave.
enum CellOutcome {
    case value(CSVValue)
    /// The cell (or its column) is empty.
    case empty
    /// The cell does not fit the rule's type or format.
    case invalid
    /// A code with no translation: `deliberate` when the profile says so (`~`), else reported.
    case unmapped(deliberate: Bool)
}

/// Turns cells into typed values by their rule. Never keeps or reports cell text.
struct CSVCellParser {
    let terminology: TerminologyStore
    let defaultZone: CSVZone

    static let defaultDateFormats: [CSVDatePattern] = (try? [CSVDatePattern("yyyy-MM-dd")]) ?? []
    static let defaultDateTimeFormats: [CSVDatePattern] =
        (try? [
            CSVDatePattern("yyyy-MM-dd'T'HH:mm:ssXXX"), CSVDatePattern("yyyy-MM-dd'T'HH:mm:ss.SXXX"),
            CSVDatePattern("yyyy-MM-dd'T'HH:mmXXX"), CSVDatePattern("yyyy-MM-dd'T'HH:mm:ss"),
            CSVDatePattern("yyyy-MM-dd'T'HH:mm:ss.S"), CSVDatePattern("yyyy-MM-dd"),
        ]) ?? []

    /// The entry for `key`, else for the first key that differs only in case (`nil`: not listed).
    static func lookup<Value>(_ table: [String: Value], _ key: String) -> Value? {
        if let index = table.index(forKey: key) { return table[index].value }
        let lowered = key.lowercased()
        guard let index = table.firstIndex(where: { $0.key.lowercased() == lowered }) else { return nil }
        return table[index].value
    }

    static func cell(_ fields: [String], _ index: Int?) -> String? {
        guard let index, index < fields.count else { return nil }
        let text = fields[index].trimmingSpaces()
        return text.isEmpty ? nil : text
    }

    /// Reads the rule's cell of a row. References are resolved by the caller (`.value(.text(raw))`).
    func parse(_ bound: BoundRule, _ fields: [String]) -> CellOutcome {
        let raw = Self.cell(fields, bound.index)
        if bound.type == .presence {
            guard bound.index != nil else { return .empty }
            guard let text = raw == nil ? bound.rule.absent : bound.rule.present else { return .empty }
            return .value(.text(text))
        }
        guard let raw else { return .empty }
        switch bound.type {
        case .string, .reference, .presence:
            return .value(.text(raw))
        default:
            return parseTyped(raw, bound, fields)
        }
    }

    private func parseTyped(_ raw: String, _ bound: BoundRule, _ fields: [String]) -> CellOutcome {
        let rule = bound.rule
        switch rule.type {
        case .string, .reference, .presence:
            return .value(.text(raw))
        case .date, .dateTime:
            return dateTime(raw, rule: rule).map { .value(.dateTime($0)) } ?? .invalid
        case .decimal:
            return DecimalValue(parsing: raw).map { .value(.decimal($0)) } ?? .invalid
        case .integer:
            return Int(raw).map { .value(.integer($0)) } ?? .invalid
        case .boolean:
            if !rule.values.isEmpty {
                guard let entry = rule.values[raw] ?? rule.values["*"] else { return .unmapped(deliberate: false) }
                guard let entry, let flag = CSVProfileLoader.boolean(entry.code) else {
                    return .unmapped(deliberate: true)
                }
                return .value(.boolean(flag))
            }
            return CSVProfileLoader.boolean(raw).map { .value(.boolean($0)) } ?? .invalid
        case .code:
            return code(raw, bound, fields)
        case .identifier:
            var identifier = Identifier(system: bound.system, value: bound.transformCode(raw))
            if let type = rule.identifierType {
                identifier.type = Concept(
                    Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0203", code: type))
            }
            return .value(.identifier(identifier))
        case .quantity:
            guard var quantity = Self.quantity(raw), applyComparator(&quantity, bound, fields) else { return .invalid }
            applyUnit(&quantity, bound, fields)
            return .value(.quantity(quantity))
        case .observationValue:
            return observationValue(raw, bound, fields)
        }
    }

    func dateTime(_ raw: String, rule: CSVColumnRule) -> ClinicalDateTime? {
        let patterns =
            rule.formats.isEmpty
            ? (rule.type == .date ? Self.defaultDateFormats : Self.defaultDateTimeFormats) : rule.formats
        for pattern in patterns {
            if let parts = pattern.parse(raw) {
                return parts.fhir(dateOnly: rule.type == .date, defaultZone: rule.zone ?? defaultZone)
            }
        }
        return nil
    }

    /// The system name and code of a cell that `split` or `pattern` takes apart.
    func splitCode(_ raw: String, _ bound: BoundRule) -> (system: String, code: String)? {
        if let separator = bound.rule.split {
            guard let range = raw.range(of: separator) else { return nil }
            let system = String(raw[..<range.lowerBound]).trimmingSpaces()
            let code = String(raw[range.upperBound...]).trimmingSpaces()
            return system.isEmpty || code.isEmpty ? nil : (system, code)
        }
        guard let regex = bound.pattern,
            let match = regex.firstMatch(in: raw, range: NSRange(raw.startIndex..., in: raw))
        else { return nil }
        func group(_ name: String, _ number: Int) -> String? {
            var range = match.range(withName: name)
            if range.location == NSNotFound, number < match.numberOfRanges { range = match.range(at: number) }
            guard range.location != NSNotFound, let found = Range(range, in: raw) else { return nil }
            let text = String(raw[found]).trimmingSpaces()
            return text.isEmpty ? nil : text
        }
        guard let system = group("system", 1), let code = group("code", 2) else { return nil }
        return (system, code)
    }

    func code(_ cell: String, _ bound: BoundRule, _ fields: [String]) -> CellOutcome {
        let rule = bound.rule
        let display = Self.cell(fields, bound.displayIndex)
        var raw = cell
        var splitSystem: String?
        if rule.split != nil || rule.pattern != nil {
            guard let parts = splitCode(cell, bound) else { return .unmapped(deliberate: false) }
            raw = parts.code
            if let listed = rule.systems[parts.system]
                ?? rule.systems.first(where: { $0.key.lowercased() == parts.system.lowercased() })?.value
            {
                splitSystem = terminology.normalizeSystem(listed) ?? listed
            } else if rule.unlisted == .keep, let system = bound.system {
                splitSystem = system
            } else {
                return .unmapped(deliberate: false)
            }
        }
        if !rule.values.isEmpty {
            var found = Self.lookup(rule.values, raw)
            if found == nil, let any = rule.values.index(forKey: "*") { found = rule.values[any].value }
            guard let found else {
                if rule.unlisted == .keep {
                    return .value(
                        .coding(
                            Coding(
                                system: splitSystem ?? bound.system, code: bound.transformCode(raw), display: display),
                            text: display))
                }
                return .unmapped(deliberate: false)
            }
            guard let entry = found else { return .unmapped(deliberate: true) }
            let system = entry.system.map { terminology.normalizeSystem($0) ?? $0 } ?? splitSystem ?? bound.system
            return .value(
                .coding(Coding(system: system, code: entry.code, display: entry.display ?? display), text: display))
        }
        if let map = bound.conceptMap {
            guard let mapped = map.translate(raw) else { return .unmapped(deliberate: false) }
            return .value(
                .coding(Coding(system: mapped.system, code: mapped.code, display: mapped.display), text: display))
        }
        if bound.missingConceptMap { return .unmapped(deliberate: false) }
        var system = splitSystem ?? bound.system
        if let name = Self.cell(fields, bound.systemIndex) {
            if let listed = rule.systems[name]
                ?? rule.systems.first(where: { $0.key.lowercased() == name.lowercased() })?.value
            {
                system = terminology.normalizeSystem(listed) ?? listed
            } else if let known = terminology.normalizeSystem(name), known.contains(":") {
                system = known
            } else {
                return .unmapped(deliberate: false)
            }
        }
        return .value(.coding(Coding(system: system, code: bound.transformCode(raw), display: display), text: display))
    }

    /// A decimal with an optional comparator in front (`<0.5`, `>= 10`).
    static func quantity(_ raw: String) -> Quantity? {
        var text = Substring(raw)
        var comparator: String?
        for candidate in ["<=", ">=", "<", ">"] where text.hasPrefix(candidate) {
            comparator = candidate
            text = text.dropFirst(candidate.count)
            break
        }
        guard let value = DecimalValue(parsing: String(text)) else { return nil }
        return Quantity(value: value, comparator: comparator)
    }

    /// The comparator from `comparatorColumn` through `comparators`; `false` when the column's value
    /// is not listed, or contradicts a comparator written in the value itself.
    func applyComparator(_ quantity: inout Quantity, _ bound: BoundRule, _ fields: [String]) -> Bool {
        guard let name = Self.cell(fields, bound.comparatorIndex) else { return true }
        guard let entry = Self.lookup(bound.rule.comparators, name) else { return false }
        guard let comparator = entry else { return true }
        if let written = quantity.comparator, written != comparator { return false }
        quantity.comparator = comparator
        return true
    }

    func applyUnit(_ quantity: inout Quantity, _ bound: BoundRule, _ fields: [String]) {
        guard var unit = Self.cell(fields, bound.unitIndex) else { return }
        if let entry = bound.rule.units[unit] {
            guard let mapped = entry else { return }
            unit = mapped
        }
        quantity.unit = unit
        if let system = bound.unitSystem {
            quantity.system = system
            quantity.code = unit
        }
    }

    func observationValue(_ raw: String, _ bound: BoundRule, _ fields: [String]) -> CellOutcome {
        let rule = bound.rule
        var kind: CSVObservationValueKind?
        if let typeName = Self.cell(fields, bound.typeIndex) {
            // a type the table does not list is not guessed: the value is not read
            guard let listed = Self.lookup(rule.valueTypes, typeName) else { return .unmapped(deliberate: false) }
            guard let listed else { return .unmapped(deliberate: true) }
            kind = listed
        }
        switch kind {
        case nil:
            guard var quantity = Self.quantity(raw) else { return .value(.observationValue(.string(raw))) }
            guard applyComparator(&quantity, bound, fields) else { return .invalid }
            applyUnit(&quantity, bound, fields)
            return .value(.observationValue(.quantity(quantity)))
        case .quantity:
            guard var quantity = Self.quantity(raw), applyComparator(&quantity, bound, fields) else { return .invalid }
            applyUnit(&quantity, bound, fields)
            return .value(.observationValue(.quantity(quantity)))
        case .string:
            return .value(.observationValue(.string(raw)))
        case .concept:
            return .value(.observationValue(.concept(Concept(text: raw))))
        case .integer:
            return Int(raw).map { .value(.observationValue(.integer($0))) } ?? .invalid
        case .boolean:
            return CSVProfileLoader.boolean(raw).map { .value(.observationValue(.boolean($0))) } ?? .invalid
        case .dateTime:
            var dateRule = rule
            dateRule.type = .dateTime
            return dateTime(raw, rule: dateRule).map { .value(.observationValue(.dateTime($0))) } ?? .invalid
        }
    }
}
