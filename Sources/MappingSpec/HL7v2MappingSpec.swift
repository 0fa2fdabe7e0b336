import Foundation
import Yams

/// One field rule of a segment map: `PID-8: { to: gender, type: IS, table: "0001" }`.
public struct FieldRule: Sendable, Hashable {
    /// 1-based field number (`8` for `PID-8`).
    public var field: Int
    /// Optional component: `PV1-3.1` maps one component of a field.
    public var component: Int?
    /// The canonical path on the entity (`gender`, `identifiers`, …).
    public var target: String
    /// HL7 v2 data type of the field (`CX`, `XPN`, `CWE`, …).
    public var dataType: String
    /// HL7 v2 table for ID/IS/CWE codes (`0001`), which names the code system `v2-0001`.
    public var table: String?
    /// A concept map id in Terminology/ that translates the code (`v2-0001--administrative-gender`).
    public var conceptMap: String?
    /// A ContactPoint use or Address/HumanName use to apply (`home`, `work`).
    public var use: String?
    /// Whether only the first repetition is read (default: all repetitions).
    public var firstOnly: Bool
    public var line: Int?
}

/// What one segment produces for one kind of entity.
public struct SegmentEntityMap: Sendable, Hashable {
    /// `create` makes a new record; `augment` adds to the current one (PD1 to the patient);
    /// `extend` adds to the record the previous segment created when it is of this kind and was
    /// not extended yet (OBR after its ORC), and creates one otherwise.
    public enum Mode: String, Sendable, Hashable { case create, augment, extend }
    /// An `EntityKind` raw value (`patient`, `observation`, …).
    public var entity: String
    public var mode: Mode
    /// A named converter in Swift for rules that need logic (e.g. `observationValue`), run after the fields.
    public var converters: [String]
    public var fields: [FieldRule]
    public var line: Int?
}

/// The map of one segment: `Mappings/hl7v2/segments/PID.yaml`.
public struct SegmentMap: Sendable, Hashable {
    public var segment: String
    public var file: String
    /// Whether field 1 is a Set ID or Sub-ID (`setID: true`): numbering, not data, so the
    /// unused-data trace never reports it. Every map says so, so a new map cannot forget it.
    public var setID: Bool
    public var produces: [SegmentEntityMap]
}

/// The manifest of one message structure: `Mappings/hl7v2/messages/ADT_A01.yaml`.
public struct MessageManifest: Sendable, Hashable {
    public struct EventRule: Sendable, Hashable {
        /// `ADT^A01`
        public var trigger: String
        /// Event-specific settings, e.g. `encounterStatus: in-progress`.
        public var settings: [String: String]
    }

    public var structure: String
    public var file: String
    public var description: String?
    public var events: [EventRule]
    /// Segment id -> entity kinds it produces in this message (order as in the file).
    public var segments: [(id: String, entities: [String])]
    /// Segments known to carry nothing the canonical model holds yet; reported, not silently dropped.
    public var ignored: [String]

    public static func == (lhs: MessageManifest, rhs: MessageManifest) -> Bool {
        lhs.structure == rhs.structure && lhs.file == rhs.file
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(structure) }

    public func entities(for segment: String) -> [String]? {
        segments.first(where: { $0.id == segment })?.entities
    }
}

/// Every HL7 v2 mapping file, loaded and cross-checked.
public struct HL7v2MappingSpec: Sendable {
    /// Roles handled by the mapper itself rather than by a segment map: `note` attaches NTE
    /// comments to the record the previous segment created.
    public static let builtInRoles: Set<String> = ["note"]

    public var manifests: [String: MessageManifest]
    public var segmentMaps: [String: SegmentMap]
    /// `ADT^A04` -> `ADT_A01`
    public var structureByTrigger: [String: String]

    /// Loads `<mappings>/hl7v2/messages/*.yaml` and `<mappings>/hl7v2/segments/*.yaml`.
    public static func load(from mappingsDirectory: URL) throws(MappingLoadError) -> HL7v2MappingSpec {
        let base = mappingsDirectory.appendingPathComponent("hl7v2")
        var manifests: [String: MessageManifest] = [:]
        var segmentMaps: [String: SegmentMap] = [:]
        var structureByTrigger: [String: String] = [:]
        for url in try yamlFiles(in: base.appendingPathComponent("messages")) {
            let manifest = try parseManifest(url)
            if let existing = manifests[manifest.structure] {
                throw MappingLoadError(
                    file: url.lastPathComponent, line: nil,
                    "structure \(manifest.structure) is also defined in \(existing.file)")
            }
            manifests[manifest.structure] = manifest
            for event in manifest.events {
                if let other = structureByTrigger[event.trigger] {
                    throw MappingLoadError(
                        file: manifest.file, line: nil, "trigger \(event.trigger) is also routed to \(other)")
                }
                structureByTrigger[event.trigger] = manifest.structure
            }
        }
        for url in try yamlFiles(in: base.appendingPathComponent("segments")) {
            let map = try parseSegmentMap(url)
            segmentMaps[map.segment] = map
        }
        // every segment a manifest routes must have a map producing those entities
        for manifest in manifests.values.sorted(by: { $0.structure < $1.structure }) {
            for (segment, entities) in manifest.segments {
                if entities.allSatisfy(Self.builtInRoles.contains) { continue }
                guard let map = segmentMaps[segment] else {
                    throw MappingLoadError(
                        file: manifest.file, line: nil,
                        "segment \(segment) has no map in hl7v2/segments/\(segment).yaml")
                }
                for entity in entities
                where !Self.builtInRoles.contains(entity) && !map.produces.contains(where: { $0.entity == entity }) {
                    throw MappingLoadError(
                        file: manifest.file, line: nil, "segment \(segment) map does not produce \(entity)")
                }
            }
        }
        return HL7v2MappingSpec(
            manifests: manifests, segmentMaps: segmentMaps, structureByTrigger: structureByTrigger)
    }

    static func yamlFiles(in directory: URL) throws(MappingLoadError) -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MappingLoadError(file: directory.path, line: nil, "cannot list directory")
        }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func parseManifest(_ url: URL) throws(MappingLoadError) -> MessageManifest {
        let file = url.lastPathComponent
        let root = try composeYAML(url)
        let reader = NodeReader(file: file)
        let mapping = try reader.mapping(root, "document")
        try reader.onlyKeys(mapping, ["structure", "description", "events", "segments", "ignored"])
        let structure = try reader.string(mapping, "structure")
        guard file == structure + ".yaml" else {
            throw MappingLoadError(file: file, line: 1, "file name must be \(structure).yaml")
        }
        var events: [MessageManifest.EventRule] = []
        if let eventsNode = mapping["events"] {
            let eventsMap = try reader.mapping(eventsNode, "events")
            for (key, value) in eventsMap {
                let trigger = try reader.scalar(key, "event")
                guard trigger.range(of: #"^[A-Z0-9]{3}(\^[A-Z0-9]{3})?$"#, options: .regularExpression) != nil else {
                    throw MappingLoadError(file: file, line: key.mark?.line, "event must look like ADT^A01")
                }
                var settings: [String: String] = [:]
                if case .mapping = value {
                    for (settingKey, settingValue) in try reader.mapping(value, trigger) {
                        settings[try reader.scalar(settingKey, "setting")] = try reader.scalar(settingValue, "setting")
                    }
                } else if case .scalar = value, (try reader.scalar(value, trigger)) != "" {
                    throw MappingLoadError(file: file, line: value.mark?.line, "event settings must be a mapping")
                }
                events.append(.init(trigger: trigger, settings: settings))
            }
        }
        var segments: [(id: String, entities: [String])] = []
        let segmentsMap = try reader.mapping(try reader.required(mapping, "segments"), "segments")
        for (key, value) in segmentsMap {
            let id = try reader.segmentID(key)
            let entities: [String]
            if case .scalar = value {
                entities = [try reader.scalar(value, id)]
            } else {
                entities = try reader.sequence(value, id).map { node throws(MappingLoadError) in
                    try reader.scalar(node, id)
                }
            }
            segments.append((id, entities))
        }
        var ignored: [String] = []
        if let ignoredNode = mapping["ignored"] {
            for node in try reader.sequence(ignoredNode, "ignored") { ignored.append(try reader.segmentID(node)) }
        }
        return MessageManifest(
            structure: structure, file: file, description: try reader.optionalString(mapping, "description"),
            events: events, segments: segments, ignored: ignored)
    }

    static func parseSegmentMap(_ url: URL) throws(MappingLoadError) -> SegmentMap {
        let file = url.lastPathComponent
        let root = try composeYAML(url)
        let reader = NodeReader(file: file)
        let mapping = try reader.mapping(root, "document")
        try reader.onlyKeys(mapping, ["segment", "description", "setID", "produces"])
        let segment = try reader.string(mapping, "segment")
        let setID = try reader.bool(try reader.required(mapping, "setID"), "setID")
        guard file == segment + ".yaml" else {
            throw MappingLoadError(file: file, line: 1, "file name must be \(segment).yaml")
        }
        var produces: [SegmentEntityMap] = []
        for (entityKey, entityNode) in try reader.mapping(try reader.required(mapping, "produces"), "produces") {
            let entity = try reader.scalar(entityKey, "entity")
            let entityMap = try reader.mapping(entityNode, entity)
            try reader.onlyKeys(entityMap, ["mode", "converters", "fields"])
            let modeText = try reader.optionalString(entityMap, "mode") ?? "create"
            guard let mode = SegmentEntityMap.Mode(rawValue: modeText) else {
                throw MappingLoadError(
                    file: file, line: entityMap["mode"]?.mark?.line, "mode must be create, augment or extend")
            }
            var converters: [String] = []
            if let node = entityMap["converters"] {
                for item in try reader.sequence(node, "converters") {
                    converters.append(try reader.scalar(item, "converter"))
                }
            }
            var fields: [FieldRule] = []
            if let fieldsNode = entityMap["fields"] {
                for (fieldKey, ruleNode) in try reader.mapping(fieldsNode, "fields") {
                    let path = try reader.scalar(fieldKey, "field")
                    let line = fieldKey.mark?.line
                    let (field, component) = try parseFieldPath(path, segment: segment, file: file, line: line)
                    let ruleNodes: [Node]
                    if case .sequence = ruleNode {
                        ruleNodes = try reader.sequence(ruleNode, path)
                    } else {
                        ruleNodes = [ruleNode]
                    }
                    for ruleNode in ruleNodes {
                        let ruleMap = try reader.mapping(ruleNode, path)
                        try reader.onlyKeys(ruleMap, ["to", "type", "table", "map", "use", "first"])
                        fields.append(
                            FieldRule(
                                field: field, component: component, target: try reader.string(ruleMap, "to"),
                                dataType: try reader.string(ruleMap, "type"),
                                table: try reader.optionalString(ruleMap, "table"),
                                conceptMap: try reader.optionalString(ruleMap, "map"),
                                use: try reader.optionalString(ruleMap, "use"),
                                firstOnly: try reader.optionalBool(ruleMap, "first") ?? false,
                                line: ruleNode.mark?.line ?? line))
                    }
                }
            }
            produces.append(
                SegmentEntityMap(
                    entity: entity, mode: mode, converters: converters, fields: fields, line: entityKey.mark?.line))
        }
        return SegmentMap(segment: segment, file: file, setID: setID, produces: produces)
    }

    static func parseFieldPath(_ path: String, segment: String, file: String, line: Int?) throws(MappingLoadError)
        -> (Int, Int?)
    {
        let prefix = segment + "-"
        guard path.hasPrefix(prefix) else {
            throw MappingLoadError(file: file, line: line, "field must be written \(segment)-N or \(segment)-N.M")
        }
        let parts = path.dropFirst(prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let field = Int(parts[0]), field >= 1 else {
            throw MappingLoadError(file: file, line: line, "field must be written \(segment)-N or \(segment)-N.M")
        }
        if parts.count == 2 {
            guard let component = Int(parts[1]), component >= 1 else {
                throw MappingLoadError(file: file, line: line, "component must be a positive number")
            }
            return (field, component)
        }
        return (field, nil)
    }
}

/// Typed access to YAML nodes with `file:line` errors.
struct NodeReader: YAMLNodeReading {
    let file: String

    func segmentID(_ node: Node) throws(MappingLoadError) -> String {
        let id = try scalar(node, "segment")
        guard id.range(of: #"^[A-Z][A-Z0-9]{2}$"#, options: .regularExpression) != nil else {
            throw error(node, "segment id must be three capitals or digits")
        }
        return id
    }
}
