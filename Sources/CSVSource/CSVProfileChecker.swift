import ClinicalModel
import MappingSpec

/// Checks across the tables of a profile: one source of patients, keys that name mapped columns,
/// foreign keys to known tables with one-column keys, known converters, and an order of tables in
/// which every foreign key points back.
struct CSVProfileChecker {
    let profile: CSVProfile
    let file: String

    func error(_ line: Int?, _ message: String) -> MappingLoadError {
        MappingLoadError(file: file, line: line, message)
    }

    func check() throws(MappingLoadError) {
        let patientTables = profile.tables.filter { $0.entity == .patient }
        if patientTables.count > 1 {
            throw error(patientTables[1].line, "only one file may hold patients")
        }
        let inline = profile.tables.filter { $0.inlinePatient != nil }
        if let patientTable = patientTables.first, let first = inline.first {
            throw error(
                first.inlinePatient?.line,
                "patients come from file '\(patientTable.name)'; a file cannot also read them from its rows")
        }
        if patientTables.isEmpty && inline.isEmpty {
            throw error(nil, "the profile needs a file of patients or a 'patient:' section in a file")
        }
        for table in profile.tables {
            try checkTable(table)
        }
        _ = try Self.order(profile, file: file)
    }

    func checkTable(_ table: CSVTableSpec) throws(MappingLoadError) {
        if table.key.isEmpty { throw error(table.line, "file '\(table.name)' needs a key (the columns naming a row)") }
        if let inline = table.inlinePatient {
            if inline.key.isEmpty { throw error(inline.line, "the patient section needs a key") }
            if table.entity == .patient { throw error(inline.line, "a patient file has no patient section") }
            if table.patientRule != nil {
                throw error(inline.line, "rows read their patient either from a patient section or a patient column")
            }
            try checkReferences(inline.columns, in: table, entity: .patient)
        }
        let isShared =
            CSVPaths.sharedKinds.contains(table.entity) && table.patientRule == nil
            && table.inlinePatient == nil
        if table.entity != .patient && !isShared && table.patientRule == nil && table.inlinePatient == nil {
            throw error(
                table.line,
                "file '\(table.name)' (\(table.entity.rawValue)) needs a column with 'to: patient, type: reference' or a patient section"
            )
        }
        try checkReferences(table.columns, in: table, entity: table.entity)
        try checkPrecedence(table.columns, entity: table.entity)
        if let inline = table.inlinePatient { try checkPrecedence(inline.columns, entity: .patient) }
        if table.when.isEmpty == false && table.entity == .patient {
            throw error(table.line, "the patient file takes every row: 'when' does not apply")
        }
        if table.unknownPatient == .stub && table.patientRule == nil {
            throw error(table.line, "unknownPatient: stub needs a column with 'to: patient, type: reference'")
        }
        for use in table.converters {
            guard let converter = CSVConverters.catalog[use.name] else {
                throw error(
                    use.line,
                    "unknown converter '\(use.name)' (known: \(CSVConverters.catalog.keys.sorted().joined(separator: ", ")))"
                )
            }
            guard converter.entity == table.entity else {
                throw error(use.line, "converter '\(use.name)' works on \(converter.entity.rawValue) files")
            }
            for option in use.options.keys where converter.defaults[option] == nil {
                throw error(
                    use.line,
                    "converter '\(use.name)' has no option '\(option)' (known: \(converter.defaults.keys.sorted().joined(separator: ", ")))"
                )
            }
        }
    }

    /// Rules that set one single-valued path (and item) must say which wins: each a different
    /// `priority`, or each a `when` condition (two values in one row are then a row error).
    func checkPrecedence(_ rules: [CSVColumnRule], entity: EntityKind) throws(MappingLoadError) {
        let paths = CSVPaths.paths(for: entity) ?? [:]
        var groups: [String: [CSVColumnRule]] = [:]
        var order: [String] = []
        for rule in rules where paths[rule.target]?.single == true {
            let key = rule.item == 1 ? rule.target : "\(rule.target) (item \(rule.item))"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(rule)
        }
        for key in order {
            guard let group = groups[key], group.count > 1 else { continue }
            let priorities = group.compactMap(\.priority)
            let columns = group.map { "'\($0.column)'" + ($0.line.map { " (line \($0))" } ?? "") }
                .joined(separator: ", ")
            if priorities.count == group.count {
                if Set(priorities).count != priorities.count {
                    throw error(group[1].line, "rules to '\(key)' need different priorities: \(columns)")
                }
                continue
            }
            if priorities.isEmpty && group.allSatisfy({ !$0.when.isEmpty }) { continue }
            throw error(
                group[1].line,
                "path '\(key)' is set by more than one rule (\(columns)): give each a 'priority' (1 wins) or a 'when' condition"
            )
        }
    }

    func checkReferences(_ rules: [CSVColumnRule], in table: CSVTableSpec, entity: EntityKind) throws(MappingLoadError)
    {
        let paths = CSVPaths.paths(for: entity) ?? [:]
        for rule in rules where rule.type == .reference {
            guard let targetName = rule.table, let target = profile.table(named: targetName) else {
                throw error(rule.line, "reference to unknown file '\(rule.table ?? "")'")
            }
            guard target.key.count == 1 else {
                throw error(rule.line, "file '\(targetName)' needs a one-column key to be referenced")
            }
            guard let info = paths[rule.target], info.targets.contains(target.entity) else {
                throw error(rule.line, "path '\(rule.target)' cannot point to \(target.entity.rawValue) records")
            }
            if target.entity == .patient && rule.target != "patient" {
                throw error(rule.line, "a reference to the patient file must be written 'to: patient'")
            }
            if rule.target == "patient" && target.entity != .patient {
                throw error(rule.line, "'to: patient' must point to the patient file")
            }
            let targetShared = Self.isShared(target)
            let sourceShared = Self.isShared(table) || table.entity == .patient
            if sourceShared && !targetShared {
                throw error(rule.line, "a shared file cannot point to per-patient file '\(targetName)'")
            }
        }
    }

    /// A table with no patient: its rows are looked up by key and included where referenced.
    static func isShared(_ table: CSVTableSpec) -> Bool {
        table.entity != .patient && table.patientRule == nil && table.inlinePatient == nil
    }

    /// Shared and per-patient tables, each in an order where foreign keys point to tables before.
    static func order(_ profile: CSVProfile, file: String) throws(MappingLoadError)
        -> (shared: [CSVTableSpec], perPatient: [CSVTableSpec])
    {
        (
            try order(profile.tables.filter(isShared), file: file),
            try order(profile.tables.filter { $0.entity != .patient && !isShared($0) }, file: file)
        )
    }

    /// `tables` in an order where each one's foreign keys into `tables` point to tables before it.
    static func order(_ tables: [CSVTableSpec], file: String) throws(MappingLoadError) -> [CSVTableSpec] {
        var ordered: [CSVTableSpec] = []
        var placed = Set<String>()
        var remaining = tables
        while !remaining.isEmpty {
            let ready = remaining.firstIndex { table in
                table.columns.allSatisfy { rule in
                    guard rule.type == .reference, let target = rule.table else { return true }
                    if target == table.name { return false }
                    return placed.contains(target) || !tables.contains { $0.name == target }
                }
            }
            guard let ready else {
                throw MappingLoadError(
                    file: file, line: remaining.first?.line,
                    "foreign keys between '\(remaining.map(\.name).joined(separator: "', '"))' form a cycle")
            }
            let table = remaining.remove(at: ready)
            placed.insert(table.name)
            ordered.append(table)
        }
        return ordered
    }
}
