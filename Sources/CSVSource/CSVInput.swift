import ClinicalModel
import Foundation

/// Finding an export's files and reading their headers.
enum CSVInput {
    /// The header of a file: names (trimmed) and where the data starts.
    struct Header {
        var names: [String]
        var line: Int
        var dataOffset: Int
        var dataLine: Int
    }

    /// The files of a folder (not its subfolders; hidden files left out), sorted by name; or the
    /// file itself when `url` is a file.
    static func list(_ url: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw CocoaError(.fileNoSuchFile)
        }
        guard isDirectory.boolValue else { return [url] }
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        return names.filter { !$0.hasPrefix(".") }.sorted().compactMap { name in
            let file = url.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder)
            return isFolder.boolValue ? nil : file
        }
    }

    /// Which files belong to which table (first table whose pattern matches), and the files no table
    /// takes. A file whose first table has `when:` conditions also goes to every later table with
    /// conditions that matches it (one long table routed by column). A single file that no pattern
    /// matches goes to a profile's only table.
    static func assign(_ files: [URL], to profile: CSVProfile) -> (files: [[URL]], unmatched: [URL]) {
        var assigned = Array(repeating: [URL](), count: profile.tables.count)
        var unmatched: [URL] = []
        for file in files {
            let name = file.lastPathComponent
            let matching = profile.tables.indices.filter { profile.tables[$0].match.contains { glob($0, name) } }
            if let index = matching.first {
                assigned[index].append(file)
                guard !profile.tables[index].when.isEmpty else { continue }
                for other in matching.dropFirst() where !profile.tables[other].when.isEmpty {
                    assigned[other].append(file)
                }
            } else {
                unmatched.append(file)
            }
        }
        if files.count == 1, unmatched.count == 1, profile.tables.count == 1 {
            return ([files], [])
        }
        return (assigned, unmatched)
    }

    /// The header of a file, or of `contents` (a file's bytes already in memory) when given.
    static func header(
        _ url: URL, contents: [UInt8]? = nil, profile: CSVProfile, maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes
    ) -> Header? {
        guard
            var reader = contents.map({
                CSVReader(
                    bytes: $0, delimiter: profile.delimiter, comment: profile.comment, maxRecordBytes: maxRecordBytes)
            })
                ?? (try? CSVReader(
                    url: url, delimiter: profile.delimiter, comment: profile.comment, maxRecordBytes: maxRecordBytes))
        else {
            return nil
        }
        defer { reader.close() }
        guard let record = reader.readRecord() else { return nil }
        return Header(
            names: record.fields.map { $0.trimmingSpaces() }, line: record.line, dataOffset: record.endOffset,
            dataLine: record.nextLine)
    }

    /// Case-insensitive file name matching with `*` (any run) and `?` (one character).
    ///
    ///     glob("encounters*.csv", "Encounters_2.CSV")   // true
    static func glob(_ pattern: String, _ name: String) -> Bool {
        let pattern = Array(pattern.lowercased())
        let name = Array(name.lowercased())
        var p = 0
        var n = 0
        var star: Int?
        var mark = 0
        while n < name.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == name[n] {
                p += 1
                n += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                mark = n
                p += 1
            } else if let star {
                p = star + 1
                mark += 1
                n = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
