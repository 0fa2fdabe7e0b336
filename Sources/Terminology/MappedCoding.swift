/// A code in a FHIR code system, as a concept map or a code system table gives it.
///
///     MappedCoding(system: "http://hl7.org/fhir/administrative-gender", code: "female", display: "Female")
public struct MappedCoding: Hashable, Sendable, CustomStringConvertible {
    /// The canonical code system URI.
    public var system: String
    public var code: String
    public var display: String?

    public init(system: String, code: String, display: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
    }

    public var description: String { "\(system)|\(code)" }
}

/// Where a terminology file's content comes from: the header object every file in `Terminology/` carries.
public struct TerminologySource: Hashable, Sendable, Codable {
    public var name: String
    public var url: String
    public var version: String
    public var licence: String
    /// The upstream file a generated file was converted from, when there is one.
    public var file: String?

    public init(name: String, url: String, version: String, licence: String, file: String? = nil) {
        self.name = name
        self.url = url
        self.version = version
        self.licence = licence
        self.file = file
    }
}
