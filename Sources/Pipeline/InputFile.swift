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

    /// Whether `lhs` sorts before `rhs` with runs of digits compared as numbers (`a.2` < `a.10`).
    static func naturalOrder(_ lhs: String, _ rhs: String) -> Bool {
        var left = Array(lhs.utf8)[...]
        var right = Array(rhs.utf8)[...]
        func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
        while let a = left.first, let b = right.first {
            if isDigit(a) && isDigit(b) {
                let leftDigits = left.prefix(while: isDigit)
                let rightDigits = right.prefix(while: isDigit)
                let leftNumber = leftDigits.drop(while: { $0 == 0x30 })
                let rightNumber = rightDigits.drop(while: { $0 == 0x30 })
                if leftNumber.count != rightNumber.count { return leftNumber.count < rightNumber.count }
                if !leftNumber.elementsEqual(rightNumber) { return leftNumber.lexicographicallyPrecedes(rightNumber) }
                if leftDigits.count != rightDigits.count { return leftDigits.count < rightDigits.count }
                left = left.dropFirst(leftDigits.count)
                right = right.dropFirst(rightDigits.count)
                continue
            }
            if a != b { return a < b }
            left = left.dropFirst()
            right = right.dropFirst()
        }
        return left.isEmpty && !right.isEmpty
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
            // FHIR files in the order they were written: `x.2.json` before `x.10.json`, so that when two
            // bundle files hold one resource the later unit's version is read last, as in NDJSON
            files += (fhir ? found.sorted(by: Self.naturalOrder) : found.sorted()).map {
                InputFile(url: URL(fileURLWithPath: $0))
            }
        }
        return files
    }
}
