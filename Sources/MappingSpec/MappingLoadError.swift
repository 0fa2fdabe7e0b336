/// A problem in a mapping file, positioned as `file:line`. Mapping files hold no patient data,
/// so the message may quote the offending key.
public struct MappingLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line.map(String.init) ?? "?"): \(message)" }
}
