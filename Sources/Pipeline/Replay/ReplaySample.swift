import Foundation

/// One sample of a test suite: an input (a source file, or a folder of CSV files) and the
/// expectations beside it, named after the input without its extension:
///
/// | file | what it holds |
/// |---|---|
/// | `NAME.expected.json` | the Bundle that `convert NAME.ext` writes (every unit of the input in one Bundle) |
/// | `NAME.expected.ndjson/` | instead of the Bundle: `<ResourceType>.ndjson` files, as `convert --ndjson` writes them |
/// | `NAME.expected` | the errors and warnings the input gives (`ExpectedOutcome`), or `output: none` |
public struct ReplaySample: Sendable, Hashable {
    /// The input file or CSV folder.
    public var input: URL
    /// The input as shown: the path given on the command line joined with the path below it.
    public var name: String
    /// The folder the sample sits in, as shown (the JUnit test suite).
    public var suite: String
    /// Whether the input is a folder (a CSV export).
    public var isFolder: Bool
    /// Every `replay.yaml` that applies, merged.
    public var configuration: ReplayConfiguration

    public init(input: URL, name: String, suite: String, isFolder: Bool, configuration: ReplayConfiguration) {
        self.input = input
        self.name = name
        self.suite = suite
        self.isFolder = isFolder
        self.configuration = configuration
    }

    /// The input's name without its extension (a folder's whole name).
    public var stem: String {
        isFolder ? input.lastPathComponent : input.deletingPathExtension().lastPathComponent
    }

    var folder: URL { input.deletingLastPathComponent() }
    public var expectedJSON: URL { folder.appendingPathComponent(stem + ".expected.json") }
    public var expectedNDJSON: URL { folder.appendingPathComponent(stem + ".expected.ndjson") }
    public var expectedOutcome: URL { folder.appendingPathComponent(stem + ".expected") }

    /// Whether any expectation exists.
    var hasExpectation: Bool {
        [expectedJSON, expectedNDJSON, expectedOutcome].contains { FileManager.default.fileExists(atPath: $0.path) }
    }
}

/// A problem finding samples: a usage error (a path that does not exist, a `replay.yaml` or CSV
/// profile that does not load: `file:line`) or an I/O error (a folder that cannot be listed).
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public var isUsage: Bool

    public init(_ description: String, isUsage: Bool) {
        self.description = description
        self.isUsage = isUsage
    }
}

/// Which files are not samples, whatever their content: expectations, documentation, settings,
/// FHIR files and scripts.
enum SampleFiles {
    static let skippedSuffixes = [
        ".expected", ".expected.json", ".md", ".json", ".ndjson", ".yaml", ".yml", ".py", ".sh", ".swift", ".enc",
    ]

    static func isSkipped(_ name: String) -> Bool {
        name.hasPrefix(".") || skippedSuffixes.contains { name.hasSuffix($0) }
    }
}

/// The parts of a sample's shown path, split on `/` as written (Foundation's `NSString` path
/// methods trap on some short paths, such as `.`, on Linux).
enum DisplayPath {
    /// Everything before the last `/` (`/` for a top-level absolute path), or `""` when there is none.
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Everything after the last `/`, or the whole path.
    static func last(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
