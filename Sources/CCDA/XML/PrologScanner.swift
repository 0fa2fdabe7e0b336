/// Looks at the prolog of an XML document, before libxml2 sees it, for a document type
/// declaration that declares entities: internal entities are how "billion laughs" expansion
/// works, external ones (`SYSTEM`/`PUBLIC`) are how XXE reads files or the network. C-CDA never
/// needs either (HL7 CDA R2 documents have no DTD), so such a document is refused outright.
///
///     PrologScanner.scan(Array("<?xml version=\"1.0\"?><ClinicalDocument/>".utf8))   // nil
///     PrologScanner.scan(Array("<!DOCTYPE a [<!ENTITY x \"y\">]><a/>".utf8))          // entity, line 1
///
/// UTF-16 input is narrowed to its low bytes first, so markup is found in either byte order.
/// - Complexity: O(n) in the prolog's length; scanning stops at the root element.
enum PrologScanner {
    struct EntityDeclaration: Hashable {
        /// 1-based line of the `<!ENTITY` in the source.
        var line: Int
        /// `true` when the entity names a `SYSTEM` or `PUBLIC` resource.
        var external: Bool
    }

    static func scan(_ bytes: [UInt8]) -> EntityDeclaration? {
        let text = narrowed(bytes)
        var index = text.startIndex
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { index += 3 }
        while index < text.endIndex {
            let byte = text[index]
            if isSpace(byte) {
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "<") else { return nil }
            if matches(text, at: index, "<?") {
                index = end(of: "?>", in: text, from: index + 2)
            } else if matches(text, at: index, "<!--") {
                index = end(of: "-->", in: text, from: index + 4)
            } else if matches(text, at: index, "<!DOCTYPE") {
                return scanDoctype(text, from: index + 9)
            } else {
                return nil  // the root element: no document type declaration
            }
        }
        return nil
    }

    /// Scans a `<!DOCTYPE …>` up to its closing `>`, through any internal subset `[…]`.
    private static func scanDoctype(_ text: [UInt8], from start: Int) -> EntityDeclaration? {
        var index = start
        var quote: UInt8?
        var inSubset = false
        while index < text.count {
            let byte = text[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if inSubset, matches(text, at: index, "<!--") {
                index = end(of: "-->", in: text, from: index + 4)
                continue
            } else if inSubset, matches(text, at: index, "<!ENTITY") {
                let close = end(of: ">", in: text, from: index)
                let declaration = text[index..<min(close, text.count)]
                let external = contains(declaration, "SYSTEM") || contains(declaration, "PUBLIC")
                return EntityDeclaration(line: line(of: index, in: text), external: external)
            } else if byte == UInt8(ascii: "[") {
                inSubset = true
            } else if byte == UInt8(ascii: "]") {
                inSubset = false
            } else if byte == UInt8(ascii: ">"), !inSubset {
                return nil
            }
            index += 1
        }
        return nil
    }

    /// UTF-16 (by BOM or by a zero byte beside the first `<`) keeps every other byte.
    static func narrowed(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 2 else { return bytes }
        let (first, second) = (bytes[0], bytes[1])
        var offset: Int?
        if first == 0xFF && second == 0xFE { offset = 2 }  // little-endian BOM: low bytes at even indexes
        if first == UInt8(ascii: "<") && second == 0 { offset = 0 }
        if first == 0xFE && second == 0xFF { offset = 3 }  // big-endian BOM: low bytes at odd indexes
        if first == 0 && second == UInt8(ascii: "<") { offset = 1 }
        guard let offset else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count / 2)
        var index = offset
        while index < bytes.count {
            result.append(bytes[index])
            index += 2
        }
        return result
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func matches(_ text: [UInt8], at index: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= text.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for offset in 0..<count where text[index + offset] != buffer[offset] { return false }
            return true
        }
    }

    private static func contains(_ text: ArraySlice<UInt8>, _ literal: StaticString) -> Bool {
        let array = Array(text)
        guard array.count >= literal.utf8CodeUnitCount else { return false }
        for index in 0...(array.count - literal.utf8CodeUnitCount) where matches(array, at: index, literal) {
            return true
        }
        return false
    }

    /// The index just past `terminator`, or the end of the text.
    private static func end(of terminator: StaticString, in text: [UInt8], from start: Int) -> Int {
        var index = start
        while index < text.count {
            if matches(text, at: index, terminator) { return index + terminator.utf8CodeUnitCount }
            index += 1
        }
        return text.count
    }

    private static func line(of index: Int, in text: [UInt8]) -> Int {
        var line = 1
        for byte in text[..<index] where byte == 0x0A { line += 1 }
        return line
    }
}
