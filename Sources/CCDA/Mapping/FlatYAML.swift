import MappingSpec

/// The YAML subset `Mappings/ccda` is written in: named maps of scalar keys to scalar values, two
/// levels deep, with comments. Every such file is valid YAML, and every entry keeps its line so
/// load errors can say `file:line`.
///
///     sections:                                      # a map: a name at column 0, then a colon
///       2.16.840.1.113883.10.20.22.2.6.1: allergies  # an entry: indented `key: value`
///       "48765-2": allergies                         # keys and values may be quoted
///
/// Tabs in indentation, duplicate maps, duplicate keys, empty values and anything nested deeper
/// are errors. A `#` starts a comment at the start of a line or after a space, outside quotes.
struct FlatYAML {
    struct Entry: Hashable {
        var key: String
        var value: String
        var line: Int
    }

    struct Map {
        var name: String
        var line: Int
        var entries: [Entry]
    }

    var file: String
    var maps: [Map]

    func map(_ name: String) -> Map? { maps.first { $0.name == name } }

    /// Parses `text`; `file` names it in errors (relative to `Mappings/`).
    static func parse(_ text: String, file: String) throws(MappingLoadError) -> FlatYAML {
        var maps: [Map] = []
        var keys: Set<String> = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            var line = Substring(stripComment(rawLine))
            while let last = line.last, last == " " || last == "\r" { line = line.dropLast() }
            if line.isEmpty || line == "---" { continue }
            let indentation = line.prefix { $0 == " " || $0 == "\t" }
            if indentation.contains("\t") { throw MappingLoadError(file: file, line: number, "tab in indentation") }
            let content = line.dropFirst(indentation.count)
            guard let (key, value) = try splitPair(content, file: file, line: number) else {
                throw MappingLoadError(file: file, line: number, "expected `key: value`")
            }
            if indentation.isEmpty {
                guard value.isEmpty else {
                    throw MappingLoadError(
                        file: file, line: number, "a map name must end with ':' and nothing after it")
                }
                guard !maps.contains(where: { $0.name == key }) else {
                    throw MappingLoadError(file: file, line: number, "map '\(key)' appears twice")
                }
                maps.append(Map(name: key, line: number, entries: []))
                keys = []
            } else {
                guard !maps.isEmpty else {
                    throw MappingLoadError(file: file, line: number, "entry outside any map")
                }
                guard !value.isEmpty else {
                    throw MappingLoadError(file: file, line: number, "'\(key)' has no value (nesting is not supported)")
                }
                guard keys.insert(key).inserted else {
                    throw MappingLoadError(
                        file: file, line: number, "key '\(key)' appears twice in '\(maps[maps.count - 1].name)'")
                }
                maps[maps.count - 1].entries.append(Entry(key: key, value: value, line: number))
            }
        }
        return FlatYAML(file: file, maps: maps)
    }

    /// Removes a comment: `#` at the start or after whitespace, outside quotes.
    private static func stripComment(_ line: Substring) -> Substring {
        var quote: Character?
        var previous: Character = " "
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#", previous == " " || previous == "\t" {
                return line[..<index]
            }
            previous = character
        }
        return line
    }

    /// `key: value` or `key:` split at the first colon followed by a space or the end of line.
    private static func splitPair(_ content: Substring, file: String, line: Int) throws(MappingLoadError)
        -> (String, String)?
    {
        var quote: Character?
        var index = content.startIndex
        while index < content.endIndex {
            let character = content[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == ":" {
                let next = content.index(after: index)
                if next == content.endIndex || content[next] == " " {
                    let key = try unquote(content[..<index], file: file, line: line)
                    let value = try unquote(content[next...], file: file, line: line)
                    guard !key.isEmpty else { return nil }
                    return (key, value)
                }
            }
            index = content.index(after: index)
        }
        return nil
    }

    private static func unquote(_ raw: Substring, file: String, line: Int) throws(MappingLoadError) -> String {
        let text = raw.trimmingCharacters(in: " ")
        guard let first = text.first, first == "\"" || first == "'" else {
            if text.hasPrefix("{") || text.hasPrefix("[") || text.hasPrefix("- ") || text == "-" {
                throw MappingLoadError(file: file, line: line, "flow collections and lists are not supported here")
            }
            return text
        }
        guard text.count >= 2, text.last == first else {
            throw MappingLoadError(file: file, line: line, "unterminated quote")
        }
        return String(text.dropFirst().dropLast())
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var slice = self
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return String(slice)
    }
}
