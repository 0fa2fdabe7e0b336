public import FHIRMapping
public import FHIRR4
import Foundation
public import MappingSpec
import Yams

/// `replay.yaml`: how the samples in its folder, and the folders below it, are replayed.
///
///     # Samples/malformed/replay.yaml
///     ignore: [generate.py]                  # file names (globs: * and ?) that are not samples
///     volatile: [Bundle.timestamp, Resource.meta.lastUpdated]   # left out of the comparison
///     ordered: [Composition.section]         # arrays whose order counts, besides the built-in ones
///     csvProfiles: [../csv/lab-results.profile.yaml]             # tried before the bundled ones
///     mappings: [site]                       # a site's folders laid over Mappings/ (as --mappings)
///     timezone: "+00:00"                     # zone for source times without one
///     bundleType: transaction                # transaction, batch or collection
///     limits: { maxMessageBytes: 131072, maxSegments: 500 }      # the engine's input limits
///     root: true                             # look no further up for replay.yaml files
///
/// A sample is replayed with every `replay.yaml` from its own folder upwards (to the file system
/// root, or to the first one that says `root: true`). Lists add up (`csvProfiles` from the nearest
/// file first); single values come from the nearest file that sets them. Engine settings in a
/// `replay.yaml` win over the command line's: the expectations beside it were recorded with them.
public struct ReplayConfiguration: Sendable, Hashable {
    public var ignore: [String] = []
    public var volatile: [FHIRElementPath] = []
    public var ordered: [FHIRElementPath] = []
    /// CSV profile files, as absolute paths.
    public var csvProfiles: [String] = []
    /// Folders laid over `Mappings/` (`--mappings`), as absolute paths, outermost file's first.
    public var mappings: [String] = []
    public var timezone: String?
    public var bundleType: BundleType?
    /// Limits by key (`maxMessageBytes`); unset ones keep the command line's.
    public var limits: [String: Int] = [:]
    public var isRoot = false

    /// The file name looked for in each folder.
    public static let fileName = "replay.yaml"

    static let limitKeys: Set<String> = [
        "maxMessageBytes", "maxFieldBytes", "maxSegments", "maxDocumentBytes", "maxXMLDepth", "maxCSVRowBytes",
        "maxCSVFieldBytes",
    ]

    public init() {}

    /// Reads one `replay.yaml`; errors are `file:line: message` (the file name relative to nothing:
    /// as the user's path gives it).
    public static func load(_ url: URL) throws(MappingLoadError) -> ReplayConfiguration {
        let reader = FileReader(file: url.path)
        let node = try composeYAML(url, name: url.path)
        return try reader.read(node, folder: url.deletingLastPathComponent())
    }

    struct FileReader: YAMLNodeReading {
        var file: String

        func read(_ node: Node, folder: URL) throws(MappingLoadError) -> ReplayConfiguration {
            let mapping = try mapping(node, "replay.yaml")
            try onlyKeys(
                mapping,
                [
                    "ignore", "volatile", "ordered", "csvProfiles", "mappings", "timezone", "bundleType", "limits",
                    "root",
                ])
            var configuration = ReplayConfiguration()
            configuration.ignore = try strings(mapping, "ignore")
            configuration.volatile = try paths(mapping, "volatile")
            configuration.ordered = try paths(mapping, "ordered")
            configuration.csvProfiles = try strings(mapping, "csvProfiles").map {
                URL(fileURLWithPath: $0, relativeTo: folder).standardizedFileURL.path
            }
            configuration.mappings = try strings(mapping, "mappings").map {
                URL(fileURLWithPath: $0, relativeTo: folder).standardizedFileURL.path
            }
            if let zone = try optionalString(mapping, "timezone") {
                guard zone.range(of: #"^[+-](0\d|1[0-4]):[0-5]\d$"#, options: .regularExpression) != nil else {
                    throw error(mapping["timezone"], "timezone must look like +00:00 or -05:00")
                }
                configuration.timezone = zone
            }
            if let type = try optionalString(mapping, "bundleType") {
                guard let bundleType = BundleType(rawValue: type), bundleType != .document else {
                    throw error(mapping["bundleType"], "bundleType must be transaction, batch or collection")
                }
                configuration.bundleType = bundleType
            }
            if let node = mapping["limits"] {
                let limits = try self.mapping(node, "limits")
                try onlyKeys(limits, ReplayConfiguration.limitKeys)
                for (key, value) in limits {
                    let name = try scalar(key, "key")
                    guard let number = Int(try scalar(value, name)), number > 0 else {
                        throw error(value, "\(name) must be a positive whole number")
                    }
                    configuration.limits[name] = number
                }
            }
            configuration.isRoot = try optionalBool(mapping, "root") ?? false
            return configuration
        }

        func strings(_ mapping: Node.Mapping, _ key: String) throws(MappingLoadError) -> [String] {
            guard let node = mapping[key] else { return [] }
            var values: [String] = []
            for item in try sequence(node, key) { values.append(try scalar(item, key)) }
            return values
        }

        func paths(_ mapping: Node.Mapping, _ key: String) throws(MappingLoadError) -> [FHIRElementPath] {
            guard let node = mapping[key] else { return [] }
            var values: [FHIRElementPath] = []
            for item in try sequence(node, key) {
                guard let path = FHIRElementPath(try scalar(item, key)) else {
                    throw error(
                        item,
                        "\(key) entries are FHIR element paths: a resource type and element names (Bundle.timestamp)")
                }
                values.append(path)
            }
            return values
        }
    }

    /// `inner` (a folder's own file) over `self` (the files above it).
    func overlaid(by inner: ReplayConfiguration) -> ReplayConfiguration {
        var merged = self
        merged.ignore += inner.ignore
        merged.volatile += inner.volatile
        merged.ordered += inner.ordered
        merged.csvProfiles = inner.csvProfiles + csvProfiles
        merged.mappings = mappings + inner.mappings
        merged.timezone = inner.timezone ?? timezone
        merged.bundleType = inner.bundleType ?? bundleType
        merged.limits.merge(inner.limits) { _, new in new }
        return merged
    }

    /// Whether a file name matches one of the `ignore` globs.
    func ignores(_ name: String) -> Bool {
        ignore.contains { Self.glob($0, matches: name) }
    }

    /// `*` (any run of characters) and `?` (one character) glob matching.
    static func glob(_ pattern: String, matches name: String) -> Bool {
        let p = Array(pattern)
        let n = Array(name)
        var pi = 0
        var ni = 0
        var star: (p: Int, n: Int)?
        while ni < n.count {
            if pi < p.count, p[pi] == "?" || p[pi] == n[ni] {
                pi += 1
                ni += 1
            } else if pi < p.count, p[pi] == "*" {
                star = (pi, ni)
                pi += 1
            } else if let last = star {
                pi = last.p + 1
                ni = last.n + 1
                star = (last.p, last.n + 1)
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// The comparison these settings ask for.
    public var comparison: FHIRComparison { FHIRComparison(ignoring: volatile, ordered: ordered) }

    /// `base` with this file's engine settings applied.
    func engineConfiguration(over base: EngineConfiguration) -> EngineConfiguration {
        var configuration = base
        if let timezone { configuration.defaultZone = timezone }
        if let bundleType { configuration.bundleType = bundleType }
        configuration.mappingsOverlays += mappings.map { URL(fileURLWithPath: $0) }
        var limits = configuration.limits
        for (key, value) in self.limits {
            switch key {
            case "maxMessageBytes": limits.hl7.maxMessageBytes = value
            case "maxFieldBytes": limits.hl7.maxFieldBytes = value
            case "maxSegments": limits.hl7.maxSegments = value
            case "maxDocumentBytes": limits.ccda.maxDocumentBytes = value
            case "maxXMLDepth": limits.ccda.maxDepth = value
            case "maxCSVRowBytes": limits.csv.maxRecordBytes = value
            case "maxCSVFieldBytes": limits.csv.maxFieldBytes = value
            default: break
            }
        }
        configuration.limits = limits
        return configuration
    }
}
