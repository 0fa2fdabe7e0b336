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
