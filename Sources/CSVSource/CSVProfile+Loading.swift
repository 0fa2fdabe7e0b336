import ClinicalModel
import Foundation
import MappingSpec
import Yams

/// Reads one profile YAML and checks it against the canonical paths, the column types and the
/// converters, with `file:line` errors. The file holds no patient data, so messages may quote keys.
struct CSVProfileLoader: YAMLNodeReading {
    let url: URL
    var file: String { url.lastPathComponent }

    static let topKeys: Set<String> = ["profile", "description", "timeZone", "delimiter", "comment", "files"]
    static let tableKeys: Set<String> = [
        "match", "entity", "required", "key", "duplicates", "columns", "ignore", "constants", "converters", "patient",
        "when", "unknownPatient",
    ]
    static let patientKeys: Set<String> = ["key", "columns", "constants"]
    static let ruleKeys: Set<String> = [
        "to", "type", "system", "systemColumn", "systems", "format", "zone", "display", "values", "map", "required",
        "identifierType", "unitColumn", "unitSystem", "typeColumn", "types", "present", "absent", "table", "zeroPad",
        "prefix", "item", "when", "priority", "split", "pattern", "unlisted", "comparatorColumn", "comparators",
        "units",
    ]

    func load() throws(MappingLoadError) -> CSVProfile {
        let root = try composeYAML(url)
        let top = try mapping(root, "document")
        try onlyKeys(top, Self.topKeys)
        let name = try string(top, "profile")
        guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]*$"#, options: .regularExpression) != nil else {
            throw error(top["profile"], "profile name may hold letters, digits, '.', '_' and '-'")
        }
        var timeZone = CSVZone.fixed("Z")
        if let node = top["timeZone"] { timeZone = try zone(node) }
        let delimiter = try singleByte(top, "delimiter") ?? UInt8(ascii: ",")
        guard delimiter != UInt8(ascii: "\""), delimiter != UInt8(ascii: "\n"), delimiter != UInt8(ascii: "\r") else {
            throw error(top["delimiter"], "delimiter cannot be a quote or a line break")
        }
        let comment = try singleByte(top, "comment")
        var tables: [CSVTableSpec] = []
        let filesNode = try required(top, "files")
        for (key, value) in try mapping(filesNode, "files") {
            let tableName = try scalar(key, "file")
            if tables.contains(where: { $0.name == tableName }) {
                throw error(key, "file '\(tableName)' is defined twice")
            }
            tables.append(try table(tableName, value, keyNode: key))
        }
        guard !tables.isEmpty else { throw error(filesNode, "files must list at least one file") }
        let profile = CSVProfile(
            name: name, description: try optionalString(top, "description"), file: file, timeZone: timeZone,
            delimiter: delimiter, comment: comment, tables: tables)
        try CSVProfileChecker(profile: profile, file: file).check()
        return profile
    }

    // MARK: Tables

    func table(_ name: String, _ node: Node, keyNode: Node) throws(MappingLoadError) -> CSVTableSpec {
        let map = try mapping(node, name)
        try onlyKeys(map, Self.tableKeys)
        let entityName = try string(map, "entity")
        guard let entity = EntityKind(rawValue: entityName), CSVPaths.supportedKinds.contains(entity) else {
            throw error(
                map["entity"],
                "unknown entity '\(entityName)' (allowed: \(CSVPaths.supportedKinds.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        let match = try stringList(try required(map, "match"), "match")
        guard !match.isEmpty else { throw error(map["match"], "match needs a file name pattern") }
        var duplicates = CSVTableSpec.DuplicatePolicy.number
        if let text = try optionalString(map, "duplicates") {
            guard let policy = CSVTableSpec.DuplicatePolicy(rawValue: text) else {
                throw error(map["duplicates"], "duplicates must be number or merge")
            }
            duplicates = policy
        }
        let paths = CSVPaths.paths(for: entity) ?? [:]
        let columns = try readColumns(try required(map, "columns"), entity: entity, paths: paths)
        let key = try map["key"].map { node throws(MappingLoadError) in try stringList(node, "key") } ?? []
        var inlinePatient: CSVInlinePatient?
        if let patientNode = map["patient"] {
            let patientMap = try mapping(patientNode, "patient")
            try onlyKeys(patientMap, Self.patientKeys)
            let patientPaths = CSVPaths.paths(for: .patient) ?? [:]
            inlinePatient = CSVInlinePatient(
                key: try stringList(try required(patientMap, "key"), "key"),
                columns: try readColumns(try required(patientMap, "columns"), entity: .patient, paths: patientPaths),
                constants: try constants(patientMap["constants"], paths: patientPaths, entity: .patient),
                line: patientNode.mark?.line)
        }
        var converters: [CSVConverterUse] = []
        if let node = map["converters"] {
            if case .sequence = node {
                for item in try sequence(node, "converters") {
                    converters.append(
                        CSVConverterUse(name: try scalar(item, "converter"), options: [:], line: item.mark?.line))
                }
            } else {
                for (nameNode, optionsNode) in try mapping(node, "converters") {
                    var options: [String: String] = [:]
                    if case .mapping = optionsNode {
                        for (optionKey, optionValue) in try mapping(optionsNode, "converter options") {
                            options[try scalar(optionKey, "option")] = try scalar(optionValue, "option")
                        }
                    } else if optionsNode.null == nil, (try scalar(optionsNode, "converter")) != "" {
                        throw error(optionsNode, "converter options must be a mapping")
                    }
                    converters.append(
                        CSVConverterUse(
                            name: try scalar(nameNode, "converter"), options: options, line: nameNode.mark?.line))
                }
            }
        }
        var ignored: [String] = []
        var ignoreReasons: [String: String] = [:]
        if let node = map["ignore"] {
            if case .mapping = node {
                for (columnNode, reasonNode) in try mapping(node, "ignore") {
                    let column = try scalar(columnNode, "column")
                    let reason = try scalar(reasonNode, "reason")
                    guard !reason.isEmpty else {
                        throw error(reasonNode, "the reason for ignoring '\(column)' is empty")
                    }
                    ignored.append(column)
                    ignoreReasons[column] = reason
                }
            } else {
                ignored = try stringList(node, "ignore")
            }
        }
        var spec = CSVTableSpec(
            name: name, match: match, entity: entity, required: try flag(map, "required"), key: key,
            duplicates: duplicates, columns: columns, ignored: ignored,
            constants: try constants(map["constants"], paths: paths, entity: entity), converters: converters,
            inlinePatient: inlinePatient, line: keyNode.mark?.line)
        spec.ignoreReasons = ignoreReasons
        if let node = map["when"] { spec.when = try conditions(node) }
        if let text = try optionalString(map, "unknownPatient") {
            guard let policy = CSVTableSpec.UnknownPatientPolicy(rawValue: text) else {
                throw error(map["unknownPatient"], "unknownPatient must be error or stub")
            }
            spec.unknownPatient = policy
        }
        return spec
    }

    /// `when: { COLUMN: value | [values] | { not | prefix | matches | empty: … } }`.
    func conditions(_ node: Node) throws(MappingLoadError) -> [CSVCondition] {
        var result: [CSVCondition] = []
        for (columnNode, testNode) in try mapping(node, "when") {
            let column = try scalar(columnNode, "column")
            guard !column.isEmpty else { throw error(columnNode, "column name must not be empty") }
            let test: CSVCondition.Test
            switch testNode {
            case .scalar, .sequence:
                test = .oneOf(try stringList(testNode, "value"))
            default:
                let testMap = try mapping(testNode, column)
                guard testMap.count == 1, let (keyNode, valueNode) = testMap.first else {
                    throw error(testNode, "a condition takes one of not, prefix, matches, empty")
                }
                switch try scalar(keyNode, "condition") {
                case "not": test = .noneOf(try stringList(valueNode, "value"))
                case "prefix": test = .prefix(try stringList(valueNode, "prefix"))
                case "matches":
                    let pattern = try scalar(valueNode, "matches")
                    guard (try? NSRegularExpression(pattern: pattern)) != nil else {
                        throw error(valueNode, "not a valid regular expression")
                    }
                    test = .matches(pattern)
                case "empty":
                    guard let flag = Self.boolean(try scalar(valueNode, "empty")) else {
                        throw error(valueNode, "empty must be true or false")
                    }
                    test = .empty(flag)
                case let other:
                    throw error(keyNode, "unknown condition '\(other)' (allowed: not, prefix, matches, empty)")
                }
            }
            if case .oneOf(let values) = test, values.isEmpty { throw error(testNode, "a condition needs a value") }
            result.append(CSVCondition(column: column, test: test, line: columnNode.mark?.line))
        }
        guard !result.isEmpty else { throw error(node, "when needs at least one condition") }
        return result
    }

    func constants(_ node: Node?, paths: [String: CSVPathInfo], entity: EntityKind) throws(MappingLoadError)
        -> [CSVConstant]
    {
        guard let node else { return [] }
        var result: [CSVConstant] = []
        for (key, value) in try mapping(node, "constants") {
            let path = try scalar(key, "path")
            guard let info = paths[path] else {
                throw error(key, "unknown path '\(path)' for \(entity.rawValue)")
            }
            let text = try scalar(value, path)
            guard info.accepts.contains(.text) || (info.accepts.contains(.boolean) && Self.boolean(text) != nil) else {
                throw error(key, "path '\(path)' takes no constant text")
            }
            result.append(CSVConstant(target: path, value: text, line: key.mark?.line))
        }
        return result
    }

    // MARK: Columns

    func readColumns(_ node: Node, entity: EntityKind, paths: [String: CSVPathInfo]) throws(MappingLoadError)
        -> [CSVColumnRule]
    {
        var rules: [CSVColumnRule] = []
        for (key, value) in try mapping(node, "columns") {
            let column = try scalar(key, "column")
            guard !column.isEmpty else { throw error(key, "column name must not be empty") }
            let ruleNodes: [Node]
            if case .sequence = value { ruleNodes = try sequence(value, column) } else { ruleNodes = [value] }
            for ruleNode in ruleNodes {
                rules.append(try rule(column, ruleNode, entity: entity, paths: paths))
            }
        }
        return rules
    }

    func rule(_ column: String, _ node: Node, entity: EntityKind, paths: [String: CSVPathInfo])
        throws(MappingLoadError) -> CSVColumnRule
    {
        let map = try mapping(node, column)
        try onlyKeys(map, Self.ruleKeys)
        let line = node.mark?.line
        let target = try string(map, "to")
        guard let info = paths[target] else {
            throw error(
                map["to"],
                "unknown path '\(target)' for \(entity.rawValue) (known: \(paths.keys.sorted().joined(separator: ", ")))"
            )
        }
        let typeName = try string(map, "type")
        guard let type = CSVColumnType(rawValue: typeName) else {
            throw error(
                map["type"],
                "unknown type '\(typeName)' (allowed: \(CSVColumnType.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        guard info.accepts.contains(type.valueKind) else {
            throw error(map["type"], "path '\(target)' does not take a \(type.rawValue) value")
        }
        var rule = CSVColumnRule(
            column: column, target: target, type: type, system: try optionalString(map, "system"),
            systemColumn: try optionalString(map, "systemColumn"), systems: [:], formats: [], zone: nil,
            display: try optionalString(map, "display"), values: [:], conceptMap: try optionalString(map, "map"),
            required: try flag(map, "required"), identifierType: try optionalString(map, "identifierType"),
            unitColumn: try optionalString(map, "unitColumn"), unitSystem: try optionalString(map, "unitSystem"),
            typeColumn: try optionalString(map, "typeColumn"), valueTypes: [:],
            present: try optionalString(map, "present"), absent: try optionalString(map, "absent"),
            table: try optionalString(map, "table"), zeroPad: nil, prefix: try optionalString(map, "prefix"),
            item: 1, line: line)
        if let node = map["item"] {
            guard let item = Int(try scalar(node, "item")), item >= 1 else {
                throw error(node, "item must be 1 or more")
            }
            rule.item = item
        }
        if let node = map["zeroPad"] {
            guard let width = Int(try scalar(node, "zeroPad")), (1...20).contains(width) else {
                throw error(node, "zeroPad must be a width from 1 to 20")
            }
            rule.zeroPad = width
        }
        for (systemKey, value) in [("system", rule.system), ("unitSystem", rule.unitSystem)] {
            if let value, !Self.isSystem(value) {
                throw error(map[systemKey], "\(systemKey) must be a URI or an OID")
            }
        }
        if let node = map["systems"] {
            for (key, value) in try mapping(node, "systems") {
                let system = try scalar(value, "system")
                guard Self.isSystem(system) else { throw error(value, "system must be a URI or an OID") }
                rule.systems[try scalar(key, "system name")] = system
            }
        }
        if let node = map["values"] {
            for (key, value) in try mapping(node, "values") {
                rule.values.updateValue(try valueEntry(value), forKey: try scalar(key, "value"))
            }
        }
        if let node = map["types"] {
            for (key, value) in try mapping(node, "types") {
                if value.null != nil {
                    rule.valueTypes.updateValue(nil, forKey: try scalar(key, "type name"))
                    continue
                }
                let kindName = try scalar(value, "type")
                guard let kind = CSVObservationValueKind(rawValue: kindName) else {
                    throw error(
                        value,
                        "unknown value type '\(kindName)' (allowed: \(CSVObservationValueKind.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                rule.valueTypes[try scalar(key, "type name")] = kind
            }
        }
        if let node = map["format"] {
            let texts: [String]
            if case .sequence = node {
                texts = try stringList(node, "format")
            } else {
                texts = [try scalar(node, "format")]
            }
            for text in texts {
                do {
                    rule.formats.append(try CSVDatePattern(text))
                } catch {
                    throw self.error(node, error.message)
                }
            }
        }
        if let node = map["zone"] { rule.zone = try zone(node) }
        try readRowOptions(&rule, map)
        try checkOptions(rule, map)
        return rule
    }

    /// `when`, `priority`, code transforms, `unlisted`, comparators and unit maps.
    func readRowOptions(_ rule: inout CSVColumnRule, _ map: Node.Mapping) throws(MappingLoadError) {
        if let node = map["when"] { rule.when = try conditions(node) }
        if let node = map["priority"] {
            guard let priority = Int(try scalar(node, "priority")), priority >= 1 else {
                throw error(node, "priority must be 1 or more (1 wins)")
            }
            rule.priority = priority
        }
        if let node = map["split"] {
            let separator = try scalar(node, "split")
            guard !separator.isEmpty else { throw error(node, "split needs a separator") }
            rule.split = separator
        }
        if let node = map["pattern"] {
            let pattern = try scalar(node, "pattern")
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                throw error(node, "not a valid regular expression")
            }
            let named = ["system", "code"].allSatisfy { pattern.contains("(?<\($0)>") }
            guard named || regex.numberOfCaptureGroups >= 2 else {
                throw error(node, "pattern needs groups named system and code (or two groups: system, then code)")
            }
            rule.pattern = pattern
        }
        if rule.split != nil && rule.pattern != nil {
            throw error(map["pattern"], "use either split or pattern, not both")
        }
        if let text = try optionalString(map, "unlisted") {
            guard let policy = CSVUnlistedPolicy(rawValue: text) else {
                throw error(map["unlisted"], "unlisted must be report or keep")
            }
            rule.unlisted = policy
        }
        rule.comparatorColumn = try optionalString(map, "comparatorColumn")
        if let node = map["comparators"] {
            for (key, value) in try mapping(node, "comparators") {
                let name = try scalar(key, "comparator")
                if value.null != nil {
                    rule.comparators.updateValue(nil, forKey: name)
                    continue
                }
                let comparator = try scalar(value, "comparator")
                guard ["<", "<=", ">=", ">"].contains(comparator) else {
                    throw error(value, "a comparator is <, <=, >= or > (or ~ for none)")
                }
                rule.comparators[name] = comparator
            }
        }
        if rule.comparatorColumn != nil && rule.comparators.isEmpty {
            throw error(map["comparatorColumn"], "comparatorColumn needs comparators (e.g. E: ~, LE: \"<=\")")
        }
        if let node = map["units"] {
            for (key, value) in try mapping(node, "units") {
                let name = try scalar(key, "unit")
                if value.null != nil {
                    rule.units.updateValue(nil, forKey: name)
                } else {
                    rule.units[name] = try scalar(value, "unit")
                }
            }
        }
    }

    /// Options that only some types take, and options some types need.
    func checkOptions(_ rule: CSVColumnRule, _ map: Node.Mapping) throws(MappingLoadError) {
        let allowed: [CSVColumnType: Set<String>] = [
            .string: [], .decimal: [], .integer: [],
            .boolean: ["values", "unlisted"],
            .date: ["format", "zone"], .dateTime: ["format", "zone"],
            .code: [
                "system", "systemColumn", "systems", "display", "values", "map", "zeroPad", "prefix", "split",
                "pattern",
                "unlisted",
            ],
            .identifier: ["system", "identifierType", "zeroPad", "prefix"],
            .reference: ["table"],
            .presence: ["present", "absent"],
            .quantity: ["unitColumn", "unitSystem", "comparatorColumn", "comparators", "units"],
            .observationValue: [
                "unitColumn", "unitSystem", "typeColumn", "types", "comparatorColumn", "comparators", "units",
            ],
        ]
        let common: Set<String> = ["to", "type", "required", "item", "when", "priority"]
        for (key, _) in map {
            let name = try scalar(key, "key")
            if common.contains(name) { continue }
            guard allowed[rule.type, default: []].contains(name) else {
                throw error(key, "'\(name)' does not apply to type \(rule.type.rawValue)")
            }
        }
        switch rule.type {
        case .code:
            guard
                rule.system != nil || rule.conceptMap != nil || rule.systemColumn != nil
                    || ((rule.split != nil || rule.pattern != nil) && !rule.systems.isEmpty)
                    || (!rule.values.isEmpty && rule.values.values.allSatisfy { $0 == nil || $0?.system != nil })
            else {
                throw error(
                    map["type"], "a code needs a system, a systemColumn, split or pattern with systems, or a map")
            }
            if (rule.split != nil || rule.pattern != nil) && rule.systemColumn != nil {
                throw error(map["systemColumn"], "the system comes either from split/pattern or from systemColumn")
            }
            if (rule.split != nil || rule.pattern != nil) && rule.systems.isEmpty {
                throw error(map["split"] ?? map["pattern"], "split and pattern need systems (name -> URI)")
            }
            if rule.unlisted == .keep && rule.values.isEmpty && rule.systems.isEmpty {
                throw error(map["unlisted"], "unlisted applies to values or systems tables")
            }
            if rule.unlisted == .keep && rule.system == nil && !rule.values.isEmpty {
                throw error(map["unlisted"], "unlisted: keep needs a system for the codes kept as written")
            }
            if rule.conceptMap != nil && !rule.values.isEmpty {
                throw error(map["map"], "use either map or values, not both")
            }
        case .identifier:
            if rule.system == nil { throw error(map["type"], "an identifier needs a system") }
        case .reference:
            if rule.table == nil { throw error(map["type"], "a reference needs the table it points to") }
        case .presence:
            if rule.present == nil && rule.absent == nil {
                throw error(map["type"], "presence needs present or absent")
            }
        case .observationValue:
            if rule.typeColumn != nil && rule.valueTypes.isEmpty {
                throw error(map["typeColumn"], "typeColumn needs types (e.g. numeric: quantity, text: string)")
            }
        default:
            break
        }
    }

    func valueEntry(_ node: Node) throws(MappingLoadError) -> CSVValueEntry? {
        if node.null != nil { return nil }
        if case .mapping = node {
            let map = try mapping(node, "value")
            try onlyKeys(map, ["code", "display", "system"])
            let system = try optionalString(map, "system")
            if let system, !Self.isSystem(system) { throw error(map["system"], "system must be a URI or an OID") }
            return CSVValueEntry(
                code: try string(map, "code"), display: try optionalString(map, "display"), system: system)
        }
        let code = try scalar(node, "value")
        guard !code.isEmpty else { throw error(node, "a value must not be empty (write ~ for no value)") }
        return CSVValueEntry(code: code, display: nil, system: nil)
    }

    // MARK: Scalars

    func zone(_ node: Node) throws(MappingLoadError) -> CSVZone {
        let text = try scalar(node, "zone")
        do {
            return try CSVZone(text)
        } catch {
            throw self.error(node, error.message)
        }
    }

    func singleByte(_ map: Node.Mapping, _ key: String) throws(MappingLoadError) -> UInt8? {
        guard let text = try optionalString(map, key) else { return nil }
        let value = text == "\\t" ? "\t" : text
        guard value.utf8.count == 1, let byte = value.utf8.first else {
            throw error(map[key], "\(key) must be one ASCII character (or \\t)")
        }
        return byte
    }

    static func isSystem(_ text: String) -> Bool {
        if text.contains(":") { return !text.contains(" ") }
        let arcs = text.split(separator: ".", omittingEmptySubsequences: false)
        return arcs.count >= 2 && arcs.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    static func boolean(_ text: String) -> Bool? {
        switch text.trimmingSpaces().lowercased() {
        case "true", "yes", "y", "1", "t": true
        case "false", "no", "n", "0", "f": false
        default: nil
        }
    }

    /// A list of strings, or one string as a list of one.
    func stringList(_ node: Node, _ what: String) throws(MappingLoadError) -> [String] {
        if case .sequence = node {
            return try sequence(node, what).map { item throws(MappingLoadError) in try scalar(item, what) }
        }
        return [try scalar(node, what)]
    }

    func flag(_ mapping: Node.Mapping, _ key: String) throws(MappingLoadError) -> Bool {
        guard let node = mapping[key] else { return false }
        guard let value = Self.boolean(try scalar(node, key)) else { throw error(node, "\(key) must be true or false") }
        return value
    }
}
