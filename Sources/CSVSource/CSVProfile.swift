import ClinicalModel
import Foundation
import MappingSpec

/// A column profile: which files of an export hold which entity, which column is which canonical
/// field, with its type, code system, date format and zone, and the foreign keys between files.
/// Loaded from `Mappings/csv/<name>.yaml` (format: `Mappings/csv/README.md`).
///
///     let profile = try CSVProfile.load(mappings.appendingPathComponent("csv/synthea-csv-2.yaml"))
///     profile.name                         // "synthea-csv-2"
///     profile.tables.map(\.name)           // ["organizations", "providers", "patients", …]
public struct CSVProfile: Sendable, Hashable {
    /// The profile's name (`profile:`), used as `SourceDocument.type`.
    public var name: String
    public var description: String?
    /// The YAML file the profile was loaded from (file name only).
    public var file: String
    /// Zone for date-times written without one (`timeZone:`, default `Z`).
    var timeZone: CSVZone
    /// The field delimiter byte (`delimiter:`, default `,`).
    public var delimiter: UInt8
    /// Lines starting with this byte are skipped (`comment:`), e.g. `#` for a preamble.
    public var comment: UInt8?
    /// The files of the export, in the profile's order.
    public var tables: [CSVTableSpec]

    /// Loads and checks one profile.
    ///
    /// - Throws: `MappingLoadError` with the file name and line for YAML syntax, unknown keys, paths,
    ///   types or converters, bad date formats or zones, and foreign keys to unknown files.
    public static func load(_ url: URL) throws(MappingLoadError) -> CSVProfile {
        try CSVProfileLoader(url: url).load()
    }

    /// The table with this name.
    public func table(named name: String) -> CSVTableSpec? { tables.first { $0.name == name } }

    /// The table whose rows are patients (`entity: patient`), if the export has one.
    public var patientTable: CSVTableSpec? { tables.first { $0.entity == .patient } }
}

/// One kind of file in an export: `encounters.csv` holds encounters.
public struct CSVTableSpec: Sendable, Hashable {
    /// What to do when two rows of one patient give the same key.
    public enum DuplicatePolicy: String, Sendable, Hashable {
        /// Keep both; the later gets `#2`, `#3`… after its key (an `information` diagnostic says so).
        case number
        /// Keep the first; later rows with the key add nothing (one study written as one row per instance).
        case merge
    }

    /// What to do with a row whose patient key no patient row has.
    public enum UnknownPatientPolicy: String, Sendable, Hashable {
        /// The row is an error (`unknownPatient`).
        case error
        /// The row is kept against a patient stub carrying only the key (`patientStub`, information).
        case stub
    }

    /// The table's name in the profile (`encounters`): foreign keys name it.
    public var name: String
    /// File name patterns (`*` and `?`, case-insensitive), e.g. `encounters.csv`, `encounters_*.csv`.
    public var match: [String]
    /// The canonical kind each row becomes.
    public var entity: EntityKind
    /// A folder without such a file is an error rather than a smaller export.
    public var required: Bool
    /// The columns whose values identify a row (within its patient, unless the row is a patient or
    /// a shared table such as organizations). A key column needs no rule; when it has an identifier
    /// rule, its key part is `system|value`.
    public var key: [String]
    public var duplicates: DuplicatePolicy
    /// Rows the table takes (`when:`); every condition must hold. A file matched by several tables
    /// with conditions is read by each of them: a long (one row per fact) table routed by column.
    public var when: [CSVCondition] = []
    /// What a row whose patient the patient file does not list becomes (`unknownPatient:`).
    public var unknownPatient: UnknownPatientPolicy = .error
    /// Column rules in profile order; a column may have several.
    public var columns: [CSVColumnRule]
    /// Columns read on purpose into nothing: no `columnNotMapped` diagnostic for them.
    public var ignored: [String]
    /// Why each ignored column is not carried (`ignore: { COST: "billing, not clinical" }`), for
    /// the source account; columns ignored in list form have none.
    public var ignoreReasons: [String: String] = [:]
    /// Values set on every record of the table, such as `status: final`.
    public var constants: [CSVConstant]
    /// Named Swift rules run over a patient's records of this table (e.g. `bloodPressurePair`).
    public var converters: [CSVConverterUse]
    /// For layouts with patient columns on every row (one row per lab result): the patient each
    /// row belongs to, read from the same row.
    public var inlinePatient: CSVInlinePatient?
    /// Line of the table in the profile file.
    public var line: Int?

    /// Every column the table reads (a key, mapped, used by a rule as display, unit, type or system, or ignored).
    public var knownColumns: Set<String> {
        var names = Set(ignored + key + (inlinePatient?.key ?? []) + when.map(\.column))
        for rule in columns + (inlinePatient?.columns ?? []) {
            names.insert(rule.column)
            for other in [rule.display, rule.unitColumn, rule.typeColumn, rule.systemColumn, rule.comparatorColumn] {
                if let other { names.insert(other) }
            }
            for condition in rule.when { names.insert(condition.column) }
        }
        return names
    }

    /// Columns that must be in the header (rules marked `required`, and key columns).
    public var requiredColumns: [String] {
        var names: [String] = []
        for rule in columns + (inlinePatient?.columns ?? []) where rule.required && !names.contains(rule.column) {
            names.append(rule.column)
        }
        for column in key + (inlinePatient?.key ?? []) where !names.contains(column) { names.append(column) }
        return names
    }

    /// The rule that sets the row's patient (`to: patient, type: reference`), if any.
    public var patientRule: CSVColumnRule? {
        columns.first { $0.target == "patient" && $0.type == .reference }
    }
}

/// The patient of a row, read from the row itself.
public struct CSVInlinePatient: Sendable, Hashable {
    public var key: [String]
    public var columns: [CSVColumnRule]
    public var constants: [CSVConstant]
    public var line: Int?
}

/// A fixed value for a canonical path: `constants: { status: final }`.
public struct CSVConstant: Sendable, Hashable {
    public var target: String
    public var value: String
    public var line: Int?
}

/// A named converter with its options: `bloodPressurePair: { panel: 85354-9 }`.
public struct CSVConverterUse: Sendable, Hashable {
    public var name: String
    public var options: [String: String]
    public var line: Int?
}

/// The type of a column: how its text becomes a canonical value.
public enum CSVColumnType: String, Sendable, Hashable, CaseIterable {
    /// Text as written (trimmed of spaces and tabs).
    case string
    /// A FHIR `date` (`YYYY-MM-DD`) read with `format`; a time in the value is dropped.
    case date
    /// A FHIR `dateTime` read with `format`, with the zone read or `zone`/`timeZone`.
    case dateTime
    case decimal
    case integer
    /// `true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0` (any case).
    case boolean
    /// A coding in `system` (a URI or OID), translated by `values` or a Terminology concept map
    /// (`map`), with the display from another column (`display`).
    case code
    /// An identifier in `system`, with an optional v2 table 0203 type (`identifierType`).
    case identifier
    /// A foreign key: the value is the key of a row of `table`.
    case reference
    /// `present` when the cell has a value, `absent` when it is empty (e.g. a stop date means `resolved`).
    case presence
    /// A decimal with its unit from `unitColumn`.
    case quantity
    /// An observation value: a quantity when numeric (or as `typeColumn` says), else text.
    case observationValue
}

/// One translation in a `values` table.
public struct CSVValueEntry: Sendable, Hashable {
    public var code: String
    public var display: String?
    public var system: String?
}

/// The value kinds an observation value may take, named by a type column (`types: { numeric: quantity }`).
public enum CSVObservationValueKind: String, Sendable, Hashable, CaseIterable {
    case quantity, string, concept, integer, boolean, dateTime
}

/// One rule of a column: `CODE: { to: code, type: code, system: "http://snomed.info/sct", display: DESCRIPTION }`.
public struct CSVColumnRule: Sendable, Hashable {
    /// The header name.
    public var column: String
    /// The canonical path on the entity (`code`, `periodStart`, `name.family`, `reaction.severity`…).
    public var target: String
    public var type: CSVColumnType
    /// Code or identifier system as written in the profile (URI or OID).
    public var system: String?
    /// A column naming each row's code system, translated by `systems`.
    public var systemColumn: String?
    public var systems: [String: String]
    /// Date patterns tried in order.
    var formats: [CSVDatePattern]
    public var formatTexts: [String] { formats.map(\.text) }
    /// Zone for times without one, overriding the profile's `timeZone`.
    var zone: CSVZone?
    /// A column holding the display text of a code.
    public var display: String?
    /// Source value → code (`"*"` matches any other value); a `nil` entry means deliberately no value.
    public var values: [String: CSVValueEntry?]
    /// A concept map id in `Terminology/` (`v2-0001--administrative-gender`).
    public var conceptMap: String?
    /// An empty cell or missing column makes the row (or, for a missing column, the file) an error.
    public var required: Bool
    /// v2 table 0203 identifier type code (`MR`, `SS`, `DL`, `PPN`).
    public var identifierType: String?
    public var unitColumn: String?
    public var unitSystem: String?
    public var typeColumn: String?
    /// Type column value -> value kind; a `nil` entry means deliberately no value.
    public var valueTypes: [String: CSVObservationValueKind?]
    public var present: String?
    public var absent: String?
    /// For references: the table whose key the value is.
    public var table: String?
    /// Left-pads all-digit codes with zeros to this width (`08` for CVX after a spreadsheet dropped it).
    public var zeroPad: Int?
    /// Text put before each code (`urn:oid:` for DICOM SOP class UIDs).
    public var prefix: String?
    /// For repeated groups (`reaction`): which one, from 1.
    public var item: Int
    /// The rule applies only to rows where every condition holds (`when:`).
    public var when: [CSVCondition] = []
    /// Among rules setting one single-valued path, the lower number wins (`priority: 1`).
    public var priority: Int?
    /// `code`: the cell holds a system name and a code, split at the first of this separator
    /// (`LOINC:2345-7` with `split: ":"`); the name is looked up in `systems`.
    public var split: String?
    /// `code`: a regular expression whose groups `system` and `code` (or groups 1 and 2) take the
    /// cell apart; a cell it does not match is unmapped.
    public var pattern: String?
    /// What becomes of a value that `values` or `systems` do not list.
    public var unlisted: CSVUnlistedPolicy = .report
    /// `quantity`/`observationValue`: a column holding the comparator, translated by `comparators`.
    public var comparatorColumn: String?
    /// Comparator column value -> `<`, `<=`, `>=`, `>`; a `nil` entry means no comparator (`E: ~`).
    public var comparators: [String: String?] = [:]
    /// Unit as written -> unit; a `nil` entry means no unit (`"NOT DEFINED IN SOURCE": ~`).
    public var units: [String: String?] = [:]
    /// Line of the rule in the profile file.
    public var line: Int?
}

/// What becomes of a code that a rule's `values` or `systems` table does not list.
public enum CSVUnlistedPolicy: String, Sendable, Hashable {
    /// The value is dropped and reported (`unmappedCode`); a row error for `required` rules.
    case report
    /// The code passes through as written, in the rule's `system`.
    case keep
}

/// A condition on one cell of a row (`when: { VALTYPE_CD: N }`), for rules and tables. Cells are
/// compared trimmed, case-sensitively.
public struct CSVCondition: Sendable, Hashable {
    public enum Test: Sendable, Hashable {
        /// The cell is one of these values (`VALTYPE_CD: N`, `VALTYPE_CD: [N, T]`).
        case oneOf([String])
        /// The cell is none of these values, or empty (`{ not: [N, T] }`).
        case noneOf([String])
        /// The cell starts with one of these (`{ prefix: [ADMINMED, HOMEMED] }`).
        case prefix([String])
        /// A regular expression finds a match in the cell (`{ matches: "^ICD(9|10):" }`).
        case matches(String)
        /// The cell is empty (`{ empty: true }`) or not (`{ empty: false }`).
        case empty(Bool)
    }

    /// The header name.
    public var column: String
    public var test: Test
    public var line: Int?
}
