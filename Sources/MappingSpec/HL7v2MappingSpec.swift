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

/// One extension rule of a segment map (a site's Z-segment field the canonical model has no path
/// for): `ZPI-2: { url: "https://example.org/fhir/StructureDefinition/vip", type: CWE }`. The value
/// becomes a FHIR extension with that URL on the record's resource.
public struct ExtensionRule: Sendable, Hashable {
    public var field: Int
    public var component: Int?
    /// The site's extension URL (checked when the mapper loads: absolute, outside HL7's namespace).
    public var url: String
    /// HL7 v2 data type of the field; it decides the extension's `value[x]`.
    public var dataType: String
    public var table: String?
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
    /// Fields that become FHIR extensions with a site's URL (`extensions:`).
    public var extensions: [ExtensionRule] = []
}

/// A source element declared not carried, with the reason: `PID-19: "…"` declares a whole field,
/// `PID-5.8` one component, `PID-3.4.1` one subcomponent; in `types`, `CX.2` one component of a
/// data type.
public struct DeclaredElement: Sendable, Hashable {
    public var field: Int
    public var component: Int?
    public var subcomponent: Int?
    public var reason: String
    public var line: Int?

    public init(field: Int, component: Int?, subcomponent: Int?, reason: String, line: Int? = nil) {
        self.field = field
        self.component = component
        self.subcomponent = subcomponent
        self.reason = reason
        self.line = line
    }
}

/// The map of one segment: `Mappings/hl7v2/segments/PID.yaml`.
public struct SegmentMap: Sendable, Hashable {
    public var segment: String
    public var file: String
    /// Whether field 1 is a Set ID or Sub-ID (`setID: true`): numbering, not data, declared not
    /// carried with `HL7v2Declarations.setID`. Every map says so, so a new map cannot forget it.
    public var setID: Bool
    public var produces: [SegmentEntityMap]
    /// Fields and components of this segment that no rule carries, each with its reason.
    public var declared: [DeclaredElement] = []
}

/// `Mappings/hl7v2/declared.yaml`: what is declared not carried beyond single segment fields,
/// with the reasons: whole segments a manifest ignores, components of data types, set IDs.
public struct HL7v2Declarations: Sendable {
    /// The reason for field 1 of every segment map with `setID: true`.
    public var setID: String
    /// The reason for an element that is exactly `""` (HL7's "delete this value").
    public var explicitNull: String
    /// Segment id -> the reason a manifest may ignore it for.
    public var segments: [String: String]
    /// Data type -> its components not carried where a field of that type is mapped (`CX.2`).
    public var types: [String: [DeclaredElement]]
    /// Case name -> the reason for what the mapper leaves out in that case (an encapsulated
    /// document, a repeated identical record); the names are the mapper's (`DeclaredCase`).
    public var cases: [String: String] = [:]
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
    /// Segments known to carry nothing the canonical model holds yet, each declared not carried.
    public var ignored: [String]
    /// Segment id -> why it is ignored (the manifest's own reason, or `declared.yaml`'s).
    public var ignoredReasons: [String: String] = [:]

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
    /// `declared.yaml`: segments, data type components and set IDs declared not carried.
    public var declarations: HL7v2Declarations

    /// Loads `<mappings>/hl7v2/declared.yaml`, `<mappings>/hl7v2/messages/*.yaml` and
    /// `<mappings>/hl7v2/segments/*.yaml`.
    public static func load(from mappingsDirectory: URL) throws(MappingLoadError) -> HL7v2MappingSpec {
        let base = mappingsDirectory.appendingPathComponent("hl7v2")
        var manifests: [String: MessageManifest] = [:]
        var segmentMaps: [String: SegmentMap] = [:]
        var structureByTrigger: [String: String] = [:]
        let declarations = try parseDeclarations(base.appendingPathComponent("declared.yaml"))
        for url in try yamlFiles(in: base.appendingPathComponent("messages")) {
            let manifest = try parseManifest(url, declarations: declarations)
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
            manifests: manifests, segmentMaps: segmentMaps, structureByTrigger: structureByTrigger,
            declarations: declarations)
    }

    /// `declared.yaml`: `setID`, `explicitNull`, `segments` (id -> reason) and `types` (type ->
    /// `TYPE.N[.M]` -> reason).
    static func parseDeclarations(_ url: URL) throws(MappingLoadError) -> HL7v2Declarations {
        let file = url.lastPathComponent
        let reader = NodeReader(file: file)
        let mapping = try reader.mapping(try composeYAML(url), "document")
        try reader.onlyKeys(mapping, ["setID", "explicitNull", "segments", "types", "cases"])
        var segments: [String: String] = [:]
        for (key, value) in try reader.mapping(try reader.required(mapping, "segments"), "segments") {
            let id = try reader.segmentID(key)
            segments[id] = try reader.reason(value, id)
        }
        var types: [String: [DeclaredElement]] = [:]
        for (key, value) in try reader.mapping(try reader.required(mapping, "types"), "types") {
            let type = try reader.scalar(key, "type")
            for (pathKey, reasonNode) in try reader.mapping(value, type) {
                let path = try reader.scalar(pathKey, "component")
                let (component, subcomponent) = try parseTypePath(
                    path, type: type, file: file, line: pathKey.mark?.line)
                types[type, default: []].append(
                    DeclaredElement(
                        field: 0, component: component, subcomponent: subcomponent,
                        reason: try reader.reason(reasonNode, path), line: pathKey.mark?.line))
            }
        }
        var cases: [String: String] = [:]
        if let node = mapping["cases"] {
            for (key, value) in try reader.mapping(node, "cases") {
                let name = try reader.scalar(key, "case")
                cases[name] = try reader.reason(value, name)
            }
        }
        return HL7v2Declarations(
            setID: try reader.reason(try reader.required(mapping, "setID"), "setID"),
            explicitNull: try reader.reason(try reader.required(mapping, "explicitNull"), "explicitNull"),
            segments: segments, types: types, cases: cases)
    }

    /// `CX.2` or `CX.4.1` -> (2, nil), (4, 1).
    static func parseTypePath(_ path: String, type: String, file: String, line: Int?) throws(MappingLoadError)
        -> (Int, Int?)
    {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.first.map(String.init) == type, (2...3).contains(parts.count),
            let component = Int(parts[1]), component >= 1
        else {
            throw MappingLoadError(file: file, line: line, "component must be written \(type).N or \(type).N.M")
        }
        if parts.count == 3 {
            guard let subcomponent = Int(parts[2]), subcomponent >= 1 else {
                throw MappingLoadError(file: file, line: line, "subcomponent must be a positive number")
            }
            return (component, subcomponent)
        }
        return (component, nil)
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

    static func parseManifest(_ url: URL, declarations: HL7v2Declarations) throws(MappingLoadError)
        -> MessageManifest
    {
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
        // each ignored segment is declared not carried: `- GT1` takes its reason from declared.yaml,
        // `- GT1: "…"` gives its own; none at all is an error at its line
        var ignored: [String] = []
        var reasons: [String: String] = [:]
        if let ignoredNode = mapping["ignored"] {
            for node in try reader.sequence(ignoredNode, "ignored") {
                if case .mapping(let item) = node {
                    guard item.count == 1, let (key, value) = item.first else {
                        throw reader.error(node, "an ignored segment is written SEG or SEG: reason")
                    }
                    let id = try reader.segmentID(key)
                    ignored.append(id)
                    reasons[id] = try reader.reason(value, id)
                    continue
                }
                let id = try reader.segmentID(node)
                guard let reason = declarations.segments[id] else {
                    throw reader.error(
                        node,
                        "ignored segment \(id) has no reason: write \(id): \"reason\" here, or give one in declared.yaml"
                    )
                }
                ignored.append(id)
                reasons[id] = reason
            }
        }
        var manifest = MessageManifest(
            structure: structure, file: file, description: try reader.optionalString(mapping, "description"),
            events: events, segments: segments, ignored: ignored)
        manifest.ignoredReasons = reasons
        return manifest
    }

    static func parseSegmentMap(_ url: URL) throws(MappingLoadError) -> SegmentMap {
        let file = url.lastPathComponent
        let root = try composeYAML(url)
        let reader = NodeReader(file: file)
        let mapping = try reader.mapping(root, "document")
        try reader.onlyKeys(mapping, ["segment", "description", "setID", "produces", "declared"])
        let segment = try reader.string(mapping, "segment")
        let setID = try reader.bool(try reader.required(mapping, "setID"), "setID")
        guard file == segment + ".yaml" else {
            throw MappingLoadError(file: file, line: 1, "file name must be \(segment).yaml")
        }
        var produces: [SegmentEntityMap] = []
        for (entityKey, entityNode) in try reader.mapping(try reader.required(mapping, "produces"), "produces") {
            let entity = try reader.scalar(entityKey, "entity")
            let entityMap = try reader.mapping(entityNode, entity)
            try reader.onlyKeys(entityMap, ["mode", "converters", "fields", "extensions"])
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
            var extensions: [ExtensionRule] = []
            if let extensionsNode = entityMap["extensions"] {
                for (fieldKey, ruleNode) in try reader.mapping(extensionsNode, "extensions") {
                    let path = try reader.scalar(fieldKey, "field")
                    let (field, component) = try parseFieldPath(
                        path, segment: segment, file: file, line: fieldKey.mark?.line)
                    let ruleMap = try reader.mapping(ruleNode, path)
                    try reader.onlyKeys(ruleMap, ["url", "type", "table", "first"])
                    extensions.append(
                        ExtensionRule(
                            field: field, component: component, url: try reader.string(ruleMap, "url"),
                            dataType: try reader.string(ruleMap, "type"),
                            table: try reader.optionalString(ruleMap, "table"),
                            firstOnly: try reader.optionalBool(ruleMap, "first") ?? false,
                            line: ruleNode.mark?.line ?? fieldKey.mark?.line))
                }
            }
            produces.append(
                SegmentEntityMap(
                    entity: entity, mode: mode, converters: converters, fields: fields, line: entityKey.mark?.line,
                    extensions: extensions))
        }
        var declared: [DeclaredElement] = []
        if let node = mapping["declared"] {
            for (key, reasonNode) in try reader.mapping(node, "declared") {
                let path = try reader.scalar(key, "field")
                let line = key.mark?.line
                let (field, component, subcomponent) = try parseElementPath(
                    path, segment: segment, file: file, line: line)
                declared.append(
                    DeclaredElement(
                        field: field, component: component, subcomponent: subcomponent,
                        reason: try reader.reason(reasonNode, path), line: line))
            }
        }
        return SegmentMap(segment: segment, file: file, setID: setID, produces: produces, declared: declared)
    }

    /// `PID-19`, `PID-5.8` or `PID-3.4.1`.
    static func parseElementPath(_ path: String, segment: String, file: String, line: Int?) throws(MappingLoadError)
        -> (Int, Int?, Int?)
    {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 3 else {
            throw MappingLoadError(file: file, line: line, "declared element must be written \(segment)-N[.M[.S]]")
        }
        let (field, component) = try parseFieldPath(
            parts.prefix(2).joined(separator: "."), segment: segment, file: file, line: line)
        guard parts.count == 3 else { return (field, component, nil) }
        guard let subcomponent = Int(parts[2]), subcomponent >= 1 else {
            throw MappingLoadError(file: file, line: line, "subcomponent must be a positive number")
        }
        return (field, component, subcomponent)
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

    /// A declaration's reason: a non-empty single value.
    func reason(_ node: Node, _ what: String) throws(MappingLoadError) -> String {
        let text = try scalar(node, what).trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw error(node, "\(what) needs a reason") }
        return text
    }

    func segmentID(_ node: Node) throws(MappingLoadError) -> String {
        let id = try scalar(node, "segment")
        guard id.range(of: #"^[A-Z][A-Z0-9]{2}$"#, options: .regularExpression) != nil else {
            throw error(node, "segment id must be three capitals or digits")
        }
        return id
    }
}
