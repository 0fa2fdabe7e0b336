import Foundation

/// A problem finding inputs. Paths are the user's own arguments, not patient data.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// A path that does not exist is a usage error (64); an unreadable one an I/O error (74).
    public var isUsage: Bool

    public init(_ description: String, isUsage: Bool = false) {
        self.description = description
        self.isUsage = isUsage
    }
}

/// One input: a file, or standard input.
public struct InputFile: Sendable {
    public var url: URL?
    /// A name to show instead of the file's (see `SourceInput.redactingName()`).
    public var alias: String?
    /// The file name without its folder, or `stdin`, or the alias.
    public var name: String { alias ?? url?.lastPathComponent ?? "stdin" }
    /// The file name without its extension, for output names (the alias when there is one).
    public var stem: String { alias ?? url?.deletingPathExtension().lastPathComponent ?? "stdin" }

    public init(url: URL?, alias: String? = nil) {
        self.url = url
        self.alias = alias
    }

    public func read() throws -> [UInt8] {
        if let url { return Array(try Data(contentsOf: url)) }
        return Array(FileHandle.standardInput.readDataToEndOfFile())
    }

    /// Expands files and folders (recursively, sorted, hidden files skipped); no paths means stdin.
    /// Folders yield source files; with `fhir`, they yield FHIR files (`.json`, `.ndjson`) instead.
    public static func collect(_ paths: [String], fhir: Bool = false) throws(InputError) -> [InputFile] {
        if paths.isEmpty { return [InputFile(url: nil)] }
        var files: [InputFile] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError("no such file or folder: \(path)", isUsage: true)
            }
            if !isDirectory.boolValue {
                files.append(InputFile(url: URL(fileURLWithPath: path)))
                continue
            }
            guard let enumerator = manager.enumerator(atPath: path) else {
                throw InputError("cannot list folder: \(path)")
            }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") { continue }
                let full = (path as NSString).appendingPathComponent(relative)
                var isDir: ObjCBool = false
                // sealed outputs (--encrypt) count as FHIR files too
                let isFHIR = [".json", ".ndjson", ".json.enc", ".ndjson.enc"].contains { name.hasSuffix($0) }
                if manager.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue, !name.hasSuffix(".md"),
                    isFHIR == fhir
                {
                    found.append(full)
                }
            }
            files += found.sorted().map { InputFile(url: URL(fileURLWithPath: $0)) }
        }
        return files
    }
}
