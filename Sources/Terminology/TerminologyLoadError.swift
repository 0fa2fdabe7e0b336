import Foundation

/// A `Terminology/` file that cannot be used. It names the file (relative to the `Terminology/` folder)
/// and a line or a JSON path, so an analyst can fix the data without reading Swift.
///
///     v2-to-fhir/v2-0001--administrative-gender.json: $.map.F.code: expected a string
///     systems/oid-uri.json:12: invalid JSON (unexpected character)
public struct TerminologyLoadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as an open set (a new kind breaks no caller's `switch`).
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let missingDirectory = Kind("missingDirectory")
        public static let missingFile = Kind("missingFile")
        public static let unreadableFile = Kind("unreadableFile")
        public static let invalidJSON = Kind("invalidJSON")
        public static let invalidContent = Kind("invalidContent")
        public static let duplicateID = Kind("duplicateID")
    }

    public let kind: Kind
    /// Path relative to the `Terminology/` folder.
    public let file: String
    public let line: Int?
    /// JSON path such as `$.map.F.code`.
    public let jsonPath: String?
    public let message: String

    init(_ kind: Kind, file: String, line: Int? = nil, jsonPath: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.jsonPath = jsonPath
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let jsonPath { text += ": \(jsonPath)" }
        return text + ": " + message
    }
}

extension TerminologyLoadError {
    /// Wraps a JSONDecoder error with the file, the JSON path and, for syntax errors, the line.
    static func decoding(_ error: any Error, file: String, data: Data) -> TerminologyLoadError {
        guard let error = error as? DecodingError else {
            return TerminologyLoadError(.invalidJSON, file: file, "\(error)")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // JSONDecoder does not say where; JSONSerialization does ("around character N").
            let detail = syntaxErrorDetail(data) ?? context.debugDescription
            return TerminologyLoadError(
                .invalidJSON, file: file, line: lineNumber(in: detail, data: data), "invalid JSON (\(detail))")
        case .dataCorrupted(let context):
            return TerminologyLoadError(
                .invalidContent, file: file, jsonPath: jsonPath(context.codingPath), context.debugDescription)
        case .keyNotFound(let key, let context):
            return TerminologyLoadError(
                .invalidContent, file: file, jsonPath: jsonPath(context.codingPath + [key]), "missing field")
        case .typeMismatch(let type, let context):
            return TerminologyLoadError(
                .invalidContent, file: file, jsonPath: jsonPath(context.codingPath),
                "expected \(readableType(type))")
        case .valueNotFound(let type, let context):
            return TerminologyLoadError(
                .invalidContent, file: file, jsonPath: jsonPath(context.codingPath),
                "expected \(readableType(type)), found null")
        @unknown default:
            return TerminologyLoadError(.invalidJSON, file: file, "\(error)")
        }
    }

    static func jsonPath(_ path: [any CodingKey]) -> String {
        var text = "$"
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += "." + key.stringValue }
        }
        return text
    }

    private static func readableType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is [String: String].Type: return "an object of strings"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Dictionary") { return "an object" }
            if name.hasPrefix("Array") { return "an array" }
            return "a value of type \(name)"
        }
    }

    private static func syntaxErrorDetail(_ data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data)
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        }
    }

    /// The 1-based line of a syntax error: from `line N` in the parser's message, else from the
    /// byte offset in `character N`.
    private static func lineNumber(in message: String, data: Data) -> Int? {
        func number(after word: String) -> Int? {
            guard let range = message.range(of: word) else { return nil }
            return Int(message[range.upperBound...].prefix { $0.isNumber })
        }
        if let line = number(after: "line ") { return line }
        guard let offset = number(after: "character ") else { return nil }
        return data.prefix(offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }
}
