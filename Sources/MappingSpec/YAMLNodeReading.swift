import Foundation
public import Yams

/// Typed access to the YAML nodes of one mapping file, with `file:line` errors. Loaders of
/// `Mappings/` (HL7 v2 manifests and segment maps, CSV profiles) conform by naming their file.
public protocol YAMLNodeReading {
    /// The file name errors point at.
    var file: String { get }
}

extension YAMLNodeReading {
    public func error(_ node: Node?, _ message: String) -> MappingLoadError {
        MappingLoadError(file: file, line: node?.mark?.line, message)
    }

    public func mapping(_ node: Node, _ what: String) throws(MappingLoadError) -> Node.Mapping {
        guard case .mapping(let mapping) = node else { throw error(node, "\(what) must be a mapping") }
        return mapping
    }

    public func sequence(_ node: Node, _ what: String) throws(MappingLoadError) -> [Node] {
        guard case .sequence(let sequence) = node else { throw error(node, "\(what) must be a list") }
        return Array(sequence)
    }

    public func scalar(_ node: Node, _ what: String) throws(MappingLoadError) -> String {
        guard case .scalar(let scalar) = node else { throw error(node, "\(what) must be a single value") }
        return scalar.string
    }

    public func required(_ mapping: Node.Mapping, _ key: String) throws(MappingLoadError) -> Node {
        guard let node = mapping[key] else {
            throw MappingLoadError(file: file, line: mapping.mark?.line, "missing key '\(key)'")
        }
        return node
    }

    public func string(_ mapping: Node.Mapping, _ key: String) throws(MappingLoadError) -> String {
        let value = try scalar(try required(mapping, key), key)
        guard !value.isEmpty else { throw error(mapping[key], "'\(key)' must not be empty") }
        return value
    }

    public func optionalString(_ mapping: Node.Mapping, _ key: String) throws(MappingLoadError) -> String? {
        guard let node = mapping[key] else { return nil }
        return try scalar(node, key)
    }

    /// A `true` or `false` (quoted or not); anything else is an error at its line.
    public func bool(_ node: Node, _ what: String) throws(MappingLoadError) -> Bool {
        switch try scalar(node, what) {
        case "true": return true
        case "false": return false
        default: throw error(node, "\(what) must be true or false")
        }
    }

    public func optionalBool(_ mapping: Node.Mapping, _ key: String) throws(MappingLoadError) -> Bool? {
        guard let node = mapping[key] else { return nil }
        return try bool(node, key)
    }

    public func onlyKeys(_ mapping: Node.Mapping, _ allowed: Set<String>) throws(MappingLoadError) {
        for (key, _) in mapping {
            let name = try scalar(key, "key")
            guard allowed.contains(name) else {
                throw error(key, "unknown key '\(name)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }
}

/// Reads and composes one YAML mapping file; errors name the file (`name`, by default the file's
/// last path component) and, for syntax errors, the line. Tabs in indentation, which YAML forbids,
/// are reported as such.
public func composeYAML(_ url: URL, name: String? = nil) throws(MappingLoadError) -> Node {
    let name = name ?? url.lastPathComponent
    let text: String
    do {
        text = try String(contentsOf: url, encoding: .utf8)
    } catch {
        throw MappingLoadError(file: name, line: nil, "cannot read file")
    }
    do {
        guard let node = try Yams.compose(yaml: text) else {
            throw MappingLoadError(file: name, line: 1, "empty document")
        }
        return node
    } catch let error as MappingLoadError {
        throw error
    } catch let error as YamlError {
        let line = yamlLine(error)
        if let tab = firstTabIndentedLine(text), tab <= line ?? Int.max {
            throw MappingLoadError(file: name, line: tab, "tab in indentation")
        }
        throw MappingLoadError(file: name, line: line, "YAML syntax error")
    } catch {
        throw MappingLoadError(file: name, line: nil, "YAML error")
    }
}

/// The 1-based number of the first line whose indentation holds a tab.
private func firstTabIndentedLine(_ text: String) -> Int? {
    text.split(separator: "\n", omittingEmptySubsequences: false)
        .firstIndex { $0.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") }
        .map { $0 + 1 }
}

private func yamlLine(_ error: YamlError) -> Int? {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
        return mark.line
    default: return nil
    }
}
