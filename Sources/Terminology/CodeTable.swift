import Foundation

/// One code system's metadata, from an `@system` line of a table file in `Terminology/`.
///
///     @system	http://loinc.org	name=LOINC	content=subset	displays=corpus	caseSensitive=false
public struct CodeSystemInfo: Hashable, Sendable {
    /// Whether the table lists every code of the system or only a subset.
    public enum Content: String, Hashable, Sendable { case complete, subset }
    /// Whether displays come from the code system's publisher or were collected from sample data.
    public enum Displays: String, Hashable, Sendable { case authoritative, corpus }

    public var uri: String
    public var name: String?
    public var version: String?
    public var content: Content
    public var displays: Displays
    public var caseSensitive: Bool
    /// Number of codes in the table.
    public var count: Int
    /// The table file, relative to `Terminology/`.
    public var file: String
    public var source: TerminologySource
}

/// A code found in a code system table: its canonical spelling, display and other displays.
public struct CodeSystemConcept: Hashable, Sendable {
    public var system: String
    public var code: String
    public var display: String?
    /// Further displays (synonyms, or other spellings seen in the corpus for subset tables).
    public var designations: [String]

    public init(system: String, code: String, display: String?, designations: [String] = []) {
        self.system = system
        self.code = code
        self.display = display
        self.designations = designations
    }
}

/// A parsed table file (`#fhirbridge-codes 1`): its bytes and, per code system, the offsets of its
/// code lines, sorted by code bytes so that a lookup is a binary search.
///
/// The file is read once; nothing is decoded until a code is looked up.
final class CodeTableFile: Sendable {
    static let magic = "#fhirbridge-codes 1"

    struct Section: Sendable {
        var info: CodeSystemInfo
        /// Byte offset of each code line.
        var lineStarts: [Int32]
    }

    let path: String
    let bytes: [UInt8]
    let source: TerminologySource
    let notes: [String]
    let sections: [Section]

    /// Parses a table. The file must start with the magic line, name its source, and list each
    /// section's codes in byte order without duplicates.
    /// - Throws: `TerminologyLoadError` with the file and line.
    init(path: String, bytes: [UInt8]) throws {
        self.path = path
        self.bytes = bytes
        guard bytes.count < Int(Int32.max) else {
            throw TerminologyLoadError(.invalidContent, file: path, "table larger than 2 GB")
        }
        var header: [String: String] = [:]
        var notes: [String] = []
        var sections: [Section] = []
        var current: (info: CodeSystemInfo, starts: [Int32])?
        var lineNumber = 0
        var start = 0
        var previous: Range<Int>?
        let fileSource = { () -> TerminologySource in
            TerminologySource(
                name: header["source.name"] ?? "", url: header["source.url"] ?? "",
                version: header["source.version"] ?? "", licence: header["source.licence"] ?? "",
                file: header["source.file"])
        }
        func finish() {
            if var section = current {
                section.info.count = section.starts.count
                sections.append(Section(info: section.info, lineStarts: section.starts))
            }
            current = nil
        }
        let lineEnds = Self.lineEnds(bytes)
        for end in lineEnds {
            lineNumber += 1
            defer { start = end + 1 }
            if end == start { continue }
            let first = bytes[start]
            if lineNumber == 1 {
                guard String(decoding: bytes[start..<end], as: UTF8.self) == Self.magic else {
                    throw TerminologyLoadError(.invalidContent, file: path, line: 1, "not a code table (\(Self.magic))")
                }
                continue
            }
            if first == UInt8(ascii: "#") {
                let fields = Self.fields(bytes, start + 1, end)
                if fields.count >= 2 {
                    if fields[0] == "note" { notes.append(fields[1]) } else { header[fields[0]] = fields[1] }
                }
                continue
            }
            if first == UInt8(ascii: "@") {
                let fields = Self.fields(bytes, start + 1, end)
                guard fields.first == "system", fields.count >= 2, TerminologyStore.isURI(fields[1]) else {
                    throw TerminologyLoadError(
                        .invalidContent, file: path, line: lineNumber, "expected @system<TAB>URI")
                }
                finish()
                var attributes: [String: String] = [:]
                for field in fields.dropFirst(2) {
                    guard let equals = field.firstIndex(of: "=") else { continue }
                    attributes[String(field[..<equals])] = String(field[field.index(after: equals)...])
                }
                let content = CodeSystemInfo.Content(rawValue: attributes["content"] ?? "complete")
                let displays = CodeSystemInfo.Displays(rawValue: attributes["displays"] ?? "authoritative")
                guard let content, let displays else {
                    throw TerminologyLoadError(
                        .invalidContent, file: path, line: lineNumber,
                        "content must be complete|subset, displays authoritative|corpus")
                }
                current = (
                    CodeSystemInfo(
                        uri: fields[1], name: attributes["name"], version: attributes["version"], content: content,
                        displays: displays, caseSensitive: attributes["caseSensitive"] != "false", count: 0, file: path,
                        source: fileSource()),
                    []
                )
                previous = nil
                continue
            }
            guard current != nil else {
                throw TerminologyLoadError(
                    .invalidContent, file: path, line: lineNumber, "code line before any @system line")
            }
            let codeEnd = Self.firstTab(bytes, start, end)
            guard codeEnd > start else {
                throw TerminologyLoadError(.invalidContent, file: path, line: lineNumber, "empty code")
            }
            if let previous {
                let order = Self.compare(bytes, previous, start..<codeEnd)
                guard order < 0 else {
                    throw TerminologyLoadError(
                        .invalidContent, file: path, line: lineNumber,
                        order == 0 ? "duplicate code" : "codes not sorted (byte order)")
                }
            }
            previous = start..<codeEnd
            current?.starts.append(Int32(start))
        }
        finish()
        for key in ["source.name", "source.url", "source.version", "source.licence"] where (header[key] ?? "").isEmpty {
            throw TerminologyLoadError(.invalidContent, file: path, "missing #\(key) header line")
        }
        let source = fileSource()
        self.source = source
        self.notes = notes
        self.sections = sections.map { section in
            var section = section
            section.info.source = source
            return section
        }
    }

    /// Reads and parses a table file.
    convenience init(url: URL, relativePath: String) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TerminologyLoadError(.unreadableFile, file: relativePath, "cannot read the file")
        }
        try self.init(path: relativePath, bytes: [UInt8](data))
    }

    /// The concept for a code in one section, matched byte for byte.
    /// - Complexity: O(log n) comparisons.
    func lookup(_ code: String, section index: Int) -> CodeSystemConcept? {
        let section = sections[index]
        let key = Array(code.utf8)
        let found: Int? = key.withUnsafeBufferPointer { keyBuffer in
            bytes.withUnsafeBufferPointer { buffer -> Int? in
                guard let base = buffer.baseAddress else { return nil }
                var low = 0
                var high = section.lineStarts.count - 1
                while low <= high {
                    let middle = (low + high) / 2
                    let start = Int(section.lineStarts[middle])
                    var end = start
                    while end < buffer.count, buffer[end] != 0x09, buffer[end] != 0x0A, buffer[end] != 0x0D { end += 1 }
                    let length = end - start
                    let common = min(length, keyBuffer.count)
                    var order = 0
                    if common > 0, let keyBase = keyBuffer.baseAddress {
                        order = Int(memcmp(base + start, keyBase, common))
                    }
                    if order == 0 { order = length == keyBuffer.count ? 0 : (length < keyBuffer.count ? -1 : 1) }
                    if order == 0 { return start }
                    if order < 0 { low = middle + 1 } else { high = middle - 1 }
                }
                return nil
            }
        }
        return found.flatMap { concept(at: $0, system: section.info.uri) }
    }

    /// Every concept of a section, in table order (for `terminology lookup --all` and tests).
    func concepts(section index: Int) -> [CodeSystemConcept] {
        let section = sections[index]
        return section.lineStarts.compactMap { concept(at: Int($0), system: section.info.uri) }
    }

    private func concept(at start: Int, system: String) -> CodeSystemConcept? {
        let end: Int = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, let found = memchr(base + start, 0x0A, buffer.count - start) else {
                return buffer.count
            }
            return UnsafeRawPointer(found) - UnsafeRawPointer(base)
        }
        let fields = Self.fields(bytes, start, end)
        guard let code = fields.first else { return nil }
        let display = fields.count > 1 && !fields[1].isEmpty ? fields[1] : nil
        return CodeSystemConcept(system: system, code: code, display: display, designations: Array(fields.dropFirst(2)))
    }

    static func fields(_ bytes: [UInt8], _ start: Int, _ end: Int) -> [String] {
        var end = end
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return bytes[start..<end].split(separator: 0x09, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// Offsets of every line feed, plus the end of the bytes when the last line has none.
    static func lineEnds(_ bytes: [UInt8]) -> [Int] {
        var ends: [Int] = []
        ends.reserveCapacity(bytes.count / 40)
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                guard let found = memchr(base + offset, 0x0A, buffer.count - offset) else {
                    ends.append(buffer.count)
                    return
                }
                let position = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                ends.append(position)
                offset = position + 1
            }
        }
        return ends
    }

    static func firstTab(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, end > start, let found = memchr(base + start, 0x09, end - start) else {
                return end
            }
            return UnsafeRawPointer(found) - UnsafeRawPointer(base)
        }
    }

    /// Byte comparison of two ranges of the same bytes: negative, zero or positive.
    static func compare(_ bytes: [UInt8], _ a: Range<Int>, _ b: Range<Int>) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            let common = min(a.count, b.count)
            let order = common == 0 ? 0 : memcmp(base + a.lowerBound, base + b.lowerBound, common)
            if order != 0 { return order < 0 ? -1 : 1 }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        }
    }
}
