import ClinicalModel
import Foundation
import Terminology

/// One read of an export through a profile: the three passes described on `CSVSourceReader`.
struct CSVReadSession {
    /// Consecutive rows of one file that belong to one patient.
    struct Run {
        var file: Int
        var offset: Int
        var line: Int
        var count: Int
    }

    /// One input file bound to its table.
    struct InputFile {
        var url: URL
        var name: String
        var table: Int
        var header: CSVInput.Header
        var columns: [String: Int]
        var rules: [BoundRule]
        var patientRules: [BoundRule]
        /// The table's `when` conditions: rows that fail them are not the table's.
        var conditions: [BoundCondition]
        /// The file's size in bytes (read whole by the passes).
        var size: Int
    }

    struct PatientEntry {
        var patient: Patient
        var controlID: String
        /// Shared records the patient row references.
        var shared: [EntityRef]
        var runs: [Run] = []
        /// The cells of the patient's own row (patient file).
        var account = SourceAccount()
        /// For patients read from a `patient:` section: the file and line of the row that made them.
        var origin: (file: Int, line: Int)?
    }

    /// A key column: the value alone, or `system|value` when the column is an identifier.
    struct KeyColumn {
        var column: String
        var identifier: BoundRule?
    }

    /// What rows of one patient (or one shared table) have produced so far.
    struct Scope {
        var patientKey: String?
        var patientRef: EntityRef?
        var present: Set<EntityRef> = []
        var keyCounts: [String: Int] = [:]
        var shared: [EntityRef] = []
        /// The last foreign key resolved per target table: rows of one encounter come together.
        var lastResolved: [String: (raw: String, ref: EntityRef)] = [:]
    }

    let profile: CSVProfile
    let terminology: TerminologyStore
    let parser: CSVCellParser
    let inputName: String
    let limits: CSVLimits
    /// The bytes of a one-file input held in memory (an HTTP body), instead of reading `files`.
    let contents: [UInt8]?
    var diagnostics: [Diagnostic] = []
    var errors: [SourceError] = []

    var files: [InputFile] = []
    var sharedOrder: [Int] = []
    var perPatientOrder: [Int] = []
    var tableKeys: [String: [KeyColumn]] = [:]
    var inlineKeys: [Int: [KeyColumn]] = [:]

    var shared = ClinicalRecord(document: SourceDocument(format: .csv, inputName: "", index: 0))
    var sharedIndex: [EntityRef: Int] = [:]
    var sharedDependencies: [EntityRef: [EntityRef]] = [:]

    var patients: [PatientEntry] = []
    /// The next patient `nextRecord()` builds.
    var nextOrdinal = 0
    var ordinalByValue: [String: Int] = [:]
    var readers: [Int: CSVReader] = [:]
    var reported: Set<String> = []
    /// Setter tables, built once per kind.
    var mappings: [EntityKind: AnyCSVEntityMapping] = [:]
    /// Whether `mapRow` accounts for the cells of the rows it maps (into `rowAccount`).
    var accounting = false
    var rowAccount = SourceAccount()
    /// Cells of shared tables and of rows no table takes: given to the first patient's record.
    var pendingAccount = SourceAccount()
    /// The source account of the record `nextRecord()` returned last.
    var lastAccount = SourceAccount()
    /// The row that made the patient being built, for `patient:` sections.
    var currentOrigin: (file: Int, line: Int)?

    init(
        profile: CSVProfile, terminology: TerminologyStore, input: URL, contents: [UInt8]? = nil,
        limits: CSVLimits = CSVLimits()
    ) throws(SourceError) {
        self.profile = profile
        self.limits = limits
        self.contents = contents
        self.terminology = terminology
        self.parser = CSVCellParser(terminology: terminology, defaultZone: profile.timeZone)
        self.inputName = input.lastPathComponent
        let urls: [URL]
        do {
            urls = contents == nil ? try CSVInput.list(input) : [input]
        } catch {
            throw SourceError(.unreadableInput, at: .input(name: input.lastPathComponent, offset: nil))
        }
        let assignment = CSVInput.assign(urls, to: profile)
        for url in assignment.unmatched {
            diagnostics.append(
                Diagnostic(.information, .fileNotMapped, at: .input(name: url.lastPathComponent, offset: nil)))
        }
        for (tableIndex, table) in profile.tables.enumerated() {
            if table.required && assignment.files[tableIndex].isEmpty {
                throw SourceError(
                    .missingFile, at: .input(name: table.match.first ?? table.name, offset: nil), input: inputName)
            }
            for url in assignment.files[tableIndex] { bind(url, table: tableIndex) }
            tableKeys[table.name] = keyColumns(table.key, rules: table.columns)
            if let inline = table.inlinePatient {
                inlineKeys[tableIndex] = keyColumns(inline.key, rules: inline.columns)
            }
        }
        if let order = try? CSVProfileChecker.order(profile, file: profile.file) {
            sharedOrder = order.shared.compactMap { table in profile.tables.firstIndex { $0.name == table.name } }
            perPatientOrder = order.perPatient.compactMap { table in profile.tables.firstIndex { $0.name == table.name }
            }
        }
    }

    /// Bytes of the export's files that the passes read (each file once, however many tables take it).
    var bytesRead: Int {
        var seen = Set<String>()
        return files.reduce(0) { total, file in seen.insert(file.url.path).inserted ? total + file.size : total }
    }

    func keyColumns(_ columns: [String], rules: [CSVColumnRule]) -> [KeyColumn] {
        columns.map { column in
            KeyColumn(
                column: column,
                identifier: rules.first { $0.column == column && $0.type == .identifier }.map {
                    BoundRule($0, header: [:], terminology: terminology)
                })
        }
    }

    /// Reads a file's header, checks its columns and binds the table's rules to it.
    mutating func bind(_ url: URL, table tableIndex: Int) {
        let name = url.lastPathComponent
        let table = profile.tables[tableIndex]
        guard
            let header = CSVInput.header(
                url, contents: contents, profile: profile, maxRecordBytes: limits.maxRecordBytes)
        else {
            diagnostics.append(Diagnostic(.warning, .emptyFile, at: .input(name: name, offset: nil)))
            return
        }
        var columns: [String: Int] = [:]
        for (index, column) in header.names.enumerated() {
            if columns[column] != nil {
                diagnostics.append(
                    Diagnostic(.warning, .duplicateColumn, at: .csv(file: name, line: header.line, column: column)))
                continue
            }
            columns[column] = index
        }
        let missing = table.requiredColumns.filter { columns[$0] == nil }
        if !missing.isEmpty {
            for column in missing {
                errors.append(
                    SourceError(
                        .missingColumn, at: .csv(file: name, line: header.line, column: column), input: inputName))
            }
            return
        }
        let known = table.knownColumns
        for column in header.names where !known.contains(column) {
            diagnostics.append(
                Diagnostic(.information, .columnNotMapped, at: .csv(file: name, line: header.line, column: column)))
        }
        let size =
            contents?.count
            ?? ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0)
        files.append(
            InputFile(
                url: url, name: name, table: tableIndex, header: header, columns: columns,
                rules: table.columns.map { BoundRule($0, header: columns, terminology: terminology) },
                patientRules: (table.inlinePatient?.columns ?? []).map {
                    BoundRule($0, header: columns, terminology: terminology)
                }, conditions: table.when.map { BoundCondition($0, header: columns) }, size: size))
    }

    // MARK: Passes

    mutating func run(emit: (ClinicalRecord) -> Void) {
        prepare()
        while let record = nextRecord() { emit(record) }
    }

    /// Passes 1 and 2: shared tables, patients, and the index of each patient's rows.
    mutating func prepare() {
        for tableIndex in sharedOrder { loadShared(tableIndex) }
        if let patientTable = profile.tables.firstIndex(where: { $0.entity == .patient }) {
            loadPatients(patientTable)
        }
        for tableIndex in perPatientOrder {
            for fileIndex in files.indices where files[fileIndex].table == tableIndex { index(fileIndex) }
        }
    }

    /// Pass 3, one patient per call, in patient order; `nil` after the last (the files are then closed).
    mutating func nextRecord() -> ClinicalRecord? {
        guard nextOrdinal < patients.count else {
            for reader in readers.values { reader.close() }
            readers = [:]
            return nil
        }
        let ordinal = nextOrdinal
        nextOrdinal += 1
        let record = buildRecord(ordinal)
        patients[ordinal].runs = []
        return record
    }

    /// Opens a file positioned at its first data row.
    mutating func openReader(_ fileIndex: Int) -> CSVReader? {
        let file = files[fileIndex]
        if let contents {
            var reader = CSVReader(
                bytes: contents, delimiter: profile.delimiter, comment: profile.comment,
                maxRecordBytes: limits.maxRecordBytes)
            reader.seek(toOffset: file.header.dataOffset, line: file.header.dataLine)
            return reader
        }
        do {
            return try CSVReader(
                url: file.url, offset: file.header.dataOffset, line: file.header.dataLine, delimiter: profile.delimiter,
                comment: profile.comment, maxRecordBytes: limits.maxRecordBytes)
        } catch {
            errors.append(SourceError(.unreadableFile, at: .input(name: file.name, offset: nil), input: inputName))
            return nil
        }
    }

    mutating func finish(_ reader: CSVReader, _ fileIndex: Int) {
        reader.close()
        if reader.readFailed {
            errors.append(
                SourceError(.unreadableFile, at: .input(name: files[fileIndex].name, offset: nil), input: inputName))
        }
    }

    /// Pass 1: a shared table, read whole and indexed by key.
    mutating func loadShared(_ tableIndex: Int) {
        let table = profile.tables[tableIndex]
        var scope = Scope()
        for fileIndex in files.indices where files[fileIndex].table == tableIndex {
            guard var reader = openReader(fileIndex) else { continue }
            let reportsStructure = files.firstIndex { $0.url == files[fileIndex].url } == fileIndex
            while let record = reader.readRecord() {
                guard checkStructure(record, fileIndex, report: reportsStructure) else { continue }
                guard BoundCondition.all(files[fileIndex].conditions, hold: record.fields) else {
                    leaveIfUntaken(record, fileIndex)
                    continue
                }
                var target = shared
                shared = ClinicalRecord(document: target.document)
                let before = Self.count(table.entity, in: target)
                scope.shared = []
                scope.lastResolved = [:]
                accounting = true
                defer {
                    accounting = false
                    pendingAccount.add(rowAccount)
                    rowAccount = SourceAccount()
                }
                let mapped = mapRow(
                    table: table, entity: table.entity, rules: files[fileIndex].rules, constants: table.constants,
                    key: tableKeys[table.name] ?? [], record: record, fileIndex: fileIndex, scope: &scope,
                    into: &target)
                shared = target
                guard let ref = mapped else { continue }
                sharedIndex[ref] = before
                if !scope.shared.isEmpty { sharedDependencies[ref] = scope.shared }
            }
            finish(reader, fileIndex)
        }
    }

    /// Pass 1: the patient table, one entry per row in file order.
    mutating func loadPatients(_ tableIndex: Int) {
        let table = profile.tables[tableIndex]
        let key = tableKeys[table.name] ?? []
        for fileIndex in files.indices where files[fileIndex].table == tableIndex {
            guard var reader = openReader(fileIndex) else { continue }
            while let record = reader.readRecord() {
                guard checkStructure(record, fileIndex) else { continue }
                guard let parts = rawKey(key, record.fields, fileIndex, line: record.line) else { continue }
                let raw = Self.lookup(parts)
                if ordinalByValue[raw] != nil {
                    fail(.duplicatePatient, fileIndex, line: record.line, column: key.first?.column)
                    continue
                }
                var scope = Scope()
                var scratch = ClinicalRecord(document: SourceDocument(format: .csv, inputName: inputName, index: 0))
                accounting = true
                defer {
                    accounting = false
                    rowAccount = SourceAccount()
                }
                guard
                    mapRow(
                        table: table, entity: .patient, rules: files[fileIndex].rules, constants: table.constants,
                        key: key, record: record, fileIndex: fileIndex, scope: &scope, into: &scratch) != nil,
                    let patient = scratch.patients.first
                else { continue }
                ordinalByValue[raw] = patients.count
                patients.append(
                    PatientEntry(patient: patient, controlID: raw, shared: scope.shared, account: rowAccount))
            }
            finish(reader, fileIndex)
        }
    }

    /// Pass 2: which runs of a per-patient file belong to which patient.
    mutating func index(_ fileIndex: Int) {
        guard var reader = openReader(fileIndex) else { return }
        var previous: Int?
        let conditions = files[fileIndex].conditions
        // a file several tables read reports its broken rows once, through its first table
        let reportsStructure = files.firstIndex { $0.url == files[fileIndex].url } == fileIndex
        while let record = reader.readRecord() {
            guard checkStructure(record, fileIndex, report: reportsStructure) else {
                previous = nil
                continue
            }
            if !conditions.isEmpty, !BoundCondition.all(conditions, hold: record.fields) {
                leaveIfUntaken(record, fileIndex)
                // another table's row: it rides along in the current run and is skipped when mapped
                if let previous, let last = patients[previous].runs.indices.last {
                    patients[previous].runs[last].count += 1
                }
                continue
            }
            guard let ordinal = patientOrdinal(record, fileIndex) else {
                previous = nil
                continue
            }
            if previous == ordinal, let last = patients[ordinal].runs.indices.last {
                patients[ordinal].runs[last].count += 1
            } else {
                patients[ordinal].runs.append(Run(file: fileIndex, offset: record.offset, line: record.line, count: 1))
            }
            previous = ordinal
        }
        finish(reader, fileIndex)
    }

    /// The patient a row belongs to, creating inline patients on first sight; errors are reported.
    mutating func patientOrdinal(_ record: CSVRecord, _ fileIndex: Int) -> Int? {
        let file = files[fileIndex]
        let table = profile.tables[file.table]
        if let inline = table.inlinePatient {
            let key = inlineKeys[file.table] ?? []
            guard let parts = rawKey(key, record.fields, fileIndex, line: record.line) else { return nil }
            let raw = Self.lookup(parts)
            if let ordinal = ordinalByValue[raw] { return ordinal }
            var scope = Scope()
            var scratch = ClinicalRecord(document: SourceDocument(format: .csv, inputName: inputName, index: 0))
            guard
                mapRow(
                    table: table, entity: .patient, rules: file.patientRules, constants: inline.constants, key: key,
                    record: record, fileIndex: fileIndex, scope: &scope, into: &scratch) != nil,
                let patient = scratch.patients.first
            else { return nil }
            ordinalByValue[raw] = patients.count
            patients.append(
                PatientEntry(
                    patient: patient, controlID: raw, shared: scope.shared, origin: (fileIndex, record.line)))
            return patients.count - 1
        }
        guard let rule = table.patientRule else { return nil }
        guard let raw = CSVCellParser.cell(record.fields, file.columns[rule.column]) else {
            fail(.missingPatient, fileIndex, line: record.line, column: rule.column)
            return nil
        }
        guard let ordinal = ordinalByValue[raw] else {
            guard table.unknownPatient == .stub, let stub = stubPatient(raw) else {
                fail(.unknownPatient, fileIndex, line: record.line, column: rule.column)
                return nil
            }
            note(.information, .patientStub, fileIndex, line: record.line, column: rule.column)
            ordinalByValue[raw] = patients.count
            patients.append(PatientEntry(patient: stub, controlID: raw, shared: []))
            return patients.count - 1
        }
        return ordinal
    }

    /// A patient known only by its key, for rows whose patient the patient file lacks: the key it
    /// would have had, and the identifier when the key column is one.
    func stubPatient(_ raw: String) -> Patient? {
        guard let table = profile.patientTable, let key = tableKeys[table.name], key.count == 1 else { return nil }
        var patient = Patient(ref: EntityRef(.patient, key: Self.key(key, values: [raw], scope: nil)))
        if let identifier = key[0].identifier {
            patient.identifiers.append(Identifier(system: identifier.system, value: identifier.transformCode(raw)))
        }
        return patient
    }

    /// Pass 3: one patient's record.
    mutating func buildRecord(_ ordinal: Int) -> ClinicalRecord {
        let entry = patients[ordinal]
        var document = SourceDocument(format: .csv, inputName: inputName, index: ordinal + 1)
        document.controlID = entry.controlID
        document.type = profile.name
        var record = ClinicalRecord(document: document)
        record.patients = [entry.patient]
        var scope = Scope(
            patientKey: entry.patient.ref.key, patientRef: entry.patient.ref, present: [entry.patient.ref],
            shared: entry.shared)
        accounting = true
        rowAccount = entry.account
        currentOrigin = entry.origin
        if ordinal == 0 {
            rowAccount.add(pendingAccount)
            pendingAccount = SourceAccount()
        }
        defer {
            accounting = false
            lastAccount = rowAccount
            rowAccount = SourceAccount()
        }
        for tableIndex in perPatientOrder {
            let table = profile.tables[tableIndex]
            let start = Self.count(table.entity, in: record)
            for run in entry.runs where files[run.file].table == tableIndex {
                guard var reader = readers[run.file] ?? openReader(run.file) else { continue }
                if reader.offset != run.offset { reader.seek(toOffset: run.offset, line: run.line) }
                let conditions = files[run.file].conditions
                for _ in 0..<run.count {
                    guard let row = reader.readRecord() else { break }
                    guard checkStructure(row, run.file, report: false),
                        conditions.isEmpty || BoundCondition.all(conditions, hold: row.fields)
                    else { continue }
                    _ = mapRow(
                        table: table, entity: table.entity, rules: files[run.file].rules, constants: table.constants,
                        key: tableKeys[table.name] ?? [], record: row, fileIndex: run.file, scope: &scope,
                        into: &record)
                }
                readers[run.file] = reader
            }
            let end = Self.count(table.entity, in: record)
            for use in table.converters {
                guard let converter = CSVConverters.catalog[use.name], end > start else { continue }
                converter.run(converter.defaults.merging(use.options) { _, new in new }, &record, start..<end)
            }
        }
        includeShared(scope.shared, into: &record)
        return record
    }

    /// Adds the shared records referenced (and those they reference), once each, in first-use order.
    func includeShared(_ refs: [EntityRef], into record: inout ClinicalRecord) {
        var queue = refs
        var seen = Set<EntityRef>()
        var position = 0
        while position < queue.count {
            let ref = queue[position]
            position += 1
            guard seen.insert(ref).inserted, let index = sharedIndex[ref] else { continue }
            switch ref.kind {
            case .organization: record.organizations.append(shared.organizations[index])
            case .practitioner: record.practitioners.append(shared.practitioners[index])
            case .location: record.locations.append(shared.locations[index])
            default: continue
            }
            queue += sharedDependencies[ref] ?? []
        }
    }

    // MARK: Rows

    /// Checks a record's syntax and field count; reports the first problem when `report` is set.
    mutating func checkStructure(_ record: CSVRecord, _ fileIndex: Int, report: Bool = true) -> Bool {
        let names = files[fileIndex].header.names
        func column(_ field: Int) -> String? { field < names.count ? names[field] : nil }
        if let problem = record.problems.first(where: \.isFatal) {
            if report { fail(problem.kind.issueKind, fileIndex, line: problem.line, column: column(problem.field)) }
            return false
        }
        if let field = record.fields.firstIndex(where: { $0.utf8.count > limits.maxFieldBytes }) {
            if report { fail(.fieldTooLong, fileIndex, line: record.line, column: column(field)) }
            return false
        }
        if record.fields.count != names.count {
            if report { fail(.fieldCountMismatch, fileIndex, line: record.line, column: column(record.fields.count)) }
            return false
        }
        if report {
            for problem in record.problems {
                note(.warning, problem.kind.issueKind, fileIndex, line: problem.line, column: column(problem.field))
            }
        }
        return true
    }

    /// The raw key values of a row, or `nil` with an error.
    mutating func rawKey(_ key: [KeyColumn], _ fields: [String], _ fileIndex: Int, line: Int) -> [String]? {
        var parts: [String] = []
        parts.reserveCapacity(key.count)
        for column in key {
            guard let raw = CSVCellParser.cell(fields, files[fileIndex].columns[column.column]) else {
                fail(.missingValue, fileIndex, line: line, column: column.column)
                return nil
            }
            parts.append(raw)
        }
        return parts
    }

    /// Raw key values as one lookup string (the source's own ids).
    static func lookup(_ parts: [String]) -> String { parts.count == 1 ? parts[0] : parts.joined(separator: "\u{1F}") }

    /// How many records of `kind` a record holds, without building `counts`.
    static func count(_ kind: EntityKind, in record: ClinicalRecord) -> Int {
        switch kind {
        case .patient: record.patients.count
        case .practitioner: record.practitioners.count
        case .organization: record.organizations.count
        case .location: record.locations.count
        case .encounter: record.encounters.count
        case .condition: record.conditions.count
        case .allergy: record.allergies.count
        case .procedure: record.procedures.count
        case .immunization: record.immunizations.count
        case .medication: record.medications.count
        case .observation: record.observations.count
        case .carePlan: record.carePlans.count
        case .imagingStudy: record.imagingStudies.count
        default: record.counts[kind] ?? 0
        }
    }

    /// The canonical key for key values: `system|value` for identifier columns, the value otherwise,
    /// joined by `|`, after the patient's key for per-patient tables.
    static func key(_ columns: [KeyColumn], values: [String], scope: String?) -> String {
        var parts: [String] = scope.map { [$0] } ?? []
        for (column, raw) in zip(columns, values) {
            if let identifier = column.identifier {
                parts.append((identifier.system ?? "") + "|" + identifier.transformCode(raw))
            } else {
                parts.append(raw)
            }
        }
        return parts.joined(separator: "|")
    }

    /// Maps one row to a record of `entity` and appends it to `record`; returns its reference, or
    /// `nil` when the row is an error (reported) or merges into an earlier row.
    mutating func mapRow(
        table: CSVTableSpec, entity: EntityKind, rules: [BoundRule], constants: [CSVConstant], key: [KeyColumn],
        record row: CSVRecord, fileIndex: Int, scope: inout Scope, into record: inout ClinicalRecord
    ) -> EntityRef? {
        guard let mapping = mappings[entity] ?? CSVPaths.mapping(for: entity) else { return nil }
        if mappings[entity] == nil { mappings[entity] = mapping }
        let line = row.line
        var assignments: [(String, CSVValue, Int)] = []
        assignments.reserveCapacity(rules.count + constants.count + 1)
        /// The rule of each column assignment, for single-valued paths set twice.
        var sources: [BoundRule] = []
        var deliberateRules: [BoundRule] = []
        for bound in rules {
            guard bound.index != nil, bound.conditions.isEmpty || bound.applies(row.fields) else { continue }
            if bound.missingConceptMap, reported.insert("map|\(files[fileIndex].name)|\(bound.column)").inserted {
                note(.error, .unknownConceptMap, fileIndex, line: files[fileIndex].header.line, column: bound.column)
            }
            switch parser.parse(bound, row.fields) {
            case .value(let value):
                if bound.type == .reference, case .text(let raw) = value {
                    guard let ref = resolve(bound.rule, raw, scope: &scope) else {
                        if bound.required {
                            fail(.unresolvedForeignKey, fileIndex, line: line, column: bound.column)
                            return nil
                        }
                        note(.warning, .unresolvedForeignKey, fileIndex, line: line, column: bound.column)
                        continue
                    }
                    assignments.append((bound.target, .reference(ref), bound.item))
                } else {
                    assignments.append((bound.target, value, bound.item))
                }
                sources.append(bound)
            case .empty:
                if bound.required {
                    fail(.missingValue, fileIndex, line: line, column: bound.column)
                    return nil
                }
            case .invalid:
                if bound.required {
                    fail(.invalidValue, fileIndex, line: line, column: bound.column)
                    return nil
                }
                note(.warning, .invalidValue, fileIndex, line: line, column: bound.column)
            case .unmapped(let deliberate):
                if bound.required && !deliberate {
                    fail(.unmappedCode, fileIndex, line: line, column: bound.column)
                    return nil
                }
                if deliberate {
                    if accounting { deliberateRules.append(bound) }
                } else {
                    note(.warning, .unmappedCode, fileIndex, line: line, column: bound.column, system: bound.system)
                }
            }
        }
        guard let dropped = precedence(assignments, sources, mapping, fileIndex, line: line) else { return nil }
        var used = sources
        if !dropped.isEmpty {
            assignments = assignments.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
            used = sources.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        }
        for constant in constants {
            guard let info = mapping.paths[constant.target] else { continue }
            if info.accepts.contains(.text) {
                assignments.append((constant.target, .text(constant.value), 1))
            } else if let flag = CSVProfileLoader.boolean(constant.value) {
                assignments.append((constant.target, .boolean(flag), 1))
            }
        }
        if entity != .patient, table.inlinePatient != nil, let patient = scope.patientRef,
            mapping.paths["patient"] != nil
        {
            assignments.append(("patient", .reference(patient), 1))
        }
        guard let values = rawKey(key, row.fields, fileIndex, line: line) else { return nil }
        var business = Self.key(key, values: values, scope: entity == .patient ? nil : scope.patientKey)
        let counted = entity.rawValue + "|" + business
        if let count = scope.keyCounts[counted] {
            if table.duplicates == .merge && entity == table.entity {
                if accounting {
                    let names = files[fileIndex].header.names
                    for (index, name) in names.enumerated() where CSVCellParser.cell(row.fields, index) != nil {
                        rowAccount.declare(table.name + ":" + name, reason: Self.mergedReason)
                    }
                }
                return nil
            }
            scope.keyCounts[counted] = count + 1
            business += "#\(count + 1)"
            note(.information, .duplicateKey, fileIndex, line: line, column: nil)
        } else {
            scope.keyCounts[counted] = 1
        }
        let ref = EntityRef(entity, key: business)
        mapping.build(ref, .csv(file: files[fileIndex].name, line: line, column: nil), assignments, &record)
        scope.present.insert(ref)
        if accounting {
            let superseded = dropped.map { sources[$0] }.filter { $0.rule.priority != nil }
            account(
                row, fileIndex, table: table, key: key, used: used, deliberate: deliberateRules, superseded: superseded,
                patientSection: entity != .patient)
        }
        return ref
    }

    static let conditionReason = "chooses the rules and tables that read the row (when:)"
    static let deliberateReason = "the profile maps this value to no value (~)"
    static let supersededReason = "a rule with a better priority gave the value"
    static let mergedReason = "merged into the first row with the same key (duplicates: merge)"
    static let patientRowReason = "patient columns: read from the patient's first row, repeated on the others"

    /// Accounts for every non-empty cell of a mapped row (`table:COLUMN`): carried when a key or a
    /// rule that gave the record a value read it, declared with a reason, else unaccounted.
    mutating func account(
        _ row: CSVRecord, _ fileIndex: Int, table: CSVTableSpec, key: [KeyColumn], used: [BoundRule],
        deliberate: [BoundRule], superseded: [BoundRule], patientSection: Bool
    ) {
        let file = files[fileIndex]
        var carried = Set<Int>()
        for column in key { if let index = file.columns[column.column] { carried.insert(index) } }
        for bound in used {
            if let index = bound.index { carried.insert(index) }
            carried.formUnion(bound.otherIndexes)
        }
        var declared: [Int: String] = [:]
        for bound in deliberate { if let index = bound.index { declared[index] = Self.deliberateReason } }
        for bound in superseded { if let index = bound.index { declared[index] = Self.supersededReason } }
        var patientColumns = Set<String>()
        var patientRowRead = false
        if patientSection, let inline = table.inlinePatient {
            patientColumns = Set(inline.key + inline.columns.map(\.column))
            if let origin = currentOrigin {
                patientRowRead = origin.file == fileIndex && origin.line == row.line
            }
        }
        let conditionColumns = Set(table.when.map(\.column) + table.columns.flatMap { $0.when.map(\.column) })
        for (index, name) in file.header.names.enumerated() where index < row.fields.count {
            guard CSVCellParser.cell(row.fields, index) != nil else { continue }
            let path = table.name + ":" + name
            if carried.contains(index) {
                rowAccount.carry(path)
            } else if let reason = declared[index] {
                rowAccount.declare(path, reason: reason)
            } else if patientColumns.contains(name) {
                if patientRowRead {
                    rowAccount.carry(path)
                } else {
                    rowAccount.declare(path, reason: Self.patientRowReason)
                }
            } else if let reason = table.ignoreReasons[name] {
                rowAccount.declare(path, reason: reason)
            } else if conditionColumns.contains(name) {
                rowAccount.declare(path, reason: Self.conditionReason)
            } else {
                rowAccount.leave(path)
            }
        }
    }

    /// A row of a shared file that fails this table's conditions: when no table bound to the same
    /// file takes it either, its cells are unaccounted (checked once, by the file's first table).
    mutating func leaveIfUntaken(_ row: CSVRecord, _ fileIndex: Int) {
        let url = files[fileIndex].url
        let siblings = files.indices.filter { files[$0].url == url }
        guard siblings.first == fileIndex else { return }
        for other in siblings where BoundCondition.all(files[other].conditions, hold: row.fields) { return }
        let table = profile.tables[files[fileIndex].table]
        for (index, name) in files[fileIndex].header.names.enumerated() where index < row.fields.count {
            if CSVCellParser.cell(row.fields, index) != nil { pendingAccount.leave(table.name + ":" + name) }
        }
    }

    /// The column assignments with one value per single-valued path: the rule with the lower
    /// `priority` wins; two different values from rules without one are a row error
    /// (`conflictingValues`, at the second rule's column), `nil`.
    mutating func precedence(
        _ assignments: [(String, CSVValue, Int)], _ sources: [BoundRule], _ mapping: AnyCSVEntityMapping,
        _ fileIndex: Int, line: Int
    ) -> Set<Int>? {
        guard sources.count > 1 else { return [] }
        var winner: [String: Int] = [:]
        var dropped = Set<Int>()
        for (index, assignment) in assignments.enumerated() where mapping.paths[assignment.0]?.single == true {
            let slot = assignment.0 + "#\(assignment.2)"
            guard let other = winner[slot] else {
                winner[slot] = index
                continue
            }
            if assignments[other].1 == assignment.1 {
                dropped.insert(index)
            } else if let mine = sources[index].rule.priority, let theirs = sources[other].rule.priority {
                if mine < theirs {
                    dropped.insert(other)
                    winner[slot] = index
                } else {
                    dropped.insert(index)
                }
            } else {
                fail(.conflictingValues, fileIndex, line: line, column: sources[index].column)
                return nil
            }
        }
        return dropped
    }

    /// The record a foreign key names, or `nil` when there is none (the caller reports it).
    mutating func resolve(_ rule: CSVColumnRule, _ raw: String, scope: inout Scope) -> EntityRef? {
        guard let name = rule.table else { return nil }
        if let last = scope.lastResolved[name], last.raw == raw { return last.ref }
        guard let ref = resolveUncached(name, raw, scope: &scope) else { return nil }
        scope.lastResolved[name] = (raw, ref)
        return ref
    }

    mutating func resolveUncached(_ name: String, _ raw: String, scope: inout Scope) -> EntityRef? {
        guard let target = profile.table(named: name) else { return nil }
        let columns = tableKeys[name] ?? []
        if target.entity == .patient {
            let ref = EntityRef(.patient, key: Self.key(columns, values: [raw], scope: nil))
            return ref == scope.patientRef ? ref : nil
        }
        if CSVProfileChecker.isShared(target) {
            let ref = EntityRef(target.entity, key: Self.key(columns, values: [raw], scope: nil))
            guard sharedIndex[ref] != nil else { return nil }
            if !scope.shared.contains(ref) { scope.shared.append(ref) }
            return ref
        }
        let ref = EntityRef(target.entity, key: Self.key(columns, values: [raw], scope: scope.patientKey))
        return scope.present.contains(ref) ? ref : nil
    }

    // MARK: Reporting

    mutating func fail(_ kind: IssueKind, _ fileIndex: Int, line: Int, column: String?) {
        errors.append(
            SourceError(kind, at: .csv(file: files[fileIndex].name, line: line, column: column), input: inputName))
    }

    mutating func note(
        _ severity: Diagnostic.Severity, _ kind: IssueKind, _ fileIndex: Int, line: Int, column: String?,
        system: String? = nil
    ) {
        diagnostics.append(
            Diagnostic(
                severity, kind, at: .csv(file: files[fileIndex].name, line: line, column: column), system: system))
    }
}

extension CSVRecordProblem.Kind {
    /// The engine-wide kind of the same name.
    fileprivate var issueKind: IssueKind { IssueKind(rawValue: rawValue) }
}
