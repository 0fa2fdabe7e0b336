import CLibXML2
import ClinicalModel

/// An element of an `XMLDocument`, read without copying: names and attributes are compared in
/// place, text is gathered from text nodes directly (no libxml2 allocation to free). Valid only
/// while its document is alive.
struct XMLNode {
    let pointer: xmlNodePtr

    init(_ pointer: xmlNodePtr) { self.pointer = pointer }

    // MARK: Names

    /// The local name (`section`, `templateId`).
    var name: String { pointer.pointee.name.map { String(cString: $0) } ?? "" }

    var namespaceURI: String? { pointer.pointee.ns?.pointee.href.map { String(cString: $0) } }

    /// Whether this element is `name` in `namespace` (the CDA namespace unless given).
    func isElement(_ name: String, in namespace: String = XMLNamespace.cda) -> Bool {
        Self.equals(pointer.pointee.name, name) && Self.equals(pointer.pointee.ns?.pointee.href, namespace)
    }

    /// Whether this element is in the CDA namespace.
    var isCDA: Bool { Self.equals(pointer.pointee.ns?.pointee.href, XMLNamespace.cda) }

    // MARK: Navigation

    var parent: XMLNode? {
        guard let parent = pointer.pointee.parent, parent.pointee.type == XML_ELEMENT_NODE else { return nil }
        return XMLNode(parent)
    }

    /// Child elements in document order, in any namespace.
    var elements: [XMLNode] {
        var result: [XMLNode] = []
        var child = pointer.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(XMLNode(current)) }
            child = current.pointee.next
        }
        return result
    }

    /// Child elements called `name` in `namespace` (CDA unless given).
    func children(_ name: String, in namespace: String = XMLNamespace.cda) -> [XMLNode] {
        var result: [XMLNode] = []
        var child = pointer.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE, Self.equals(current.pointee.name, name),
                Self.equals(current.pointee.ns?.pointee.href, namespace)
            {
                result.append(XMLNode(current))
            }
            child = current.pointee.next
        }
        return result
    }

    /// The first child element called `name` in `namespace` (CDA unless given).
    func child(_ name: String, in namespace: String = XMLNamespace.cda) -> XMLNode? {
        var child = pointer.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE, Self.equals(current.pointee.name, name),
                Self.equals(current.pointee.ns?.pointee.href, namespace)
            {
                return XMLNode(current)
            }
            child = current.pointee.next
        }
        return nil
    }

    /// Follows a path of CDA child names, first match at each step:
    /// `node.path("participantRole", "playingEntity", "code")`.
    func path(_ names: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in names { node = node?.child(name) }
        return node
    }

    // MARK: Attributes

    /// An attribute in no namespace (`code`, `value`, `root`), or `nil`. Reading it marks it as
    /// consumed (see `SourceMark`); `peekAttribute(_:)` only looks.
    func attribute(_ name: String) -> String? {
        guard let found = Self.findAttribute(pointer, name, namespace: nil) else { return nil }
        SourceMark.markRead(found)
        return Self.value(of: found)
    }

    /// An attribute in no namespace, read without marking it consumed: for decisions (which
    /// template, which kind of relationship), not for values that reach the record.
    func peekAttribute(_ name: String) -> String? {
        Self.findAttribute(pointer, name, namespace: nil).map(Self.value(of:))
    }

    /// A namespaced attribute (`xsi:type`), or `nil`; marked consumed like `attribute(_:)`.
    func attribute(_ name: String, in namespace: String) -> String? {
        guard let found = Self.findAttribute(pointer, name, namespace: namespace) else { return nil }
        SourceMark.markRead(found)
        return Self.value(of: found)
    }

    /// The attribute `name`, in no namespace when `namespace` is `nil`.
    private static func findAttribute(_ element: xmlNodePtr, _ name: String, namespace: String?) -> xmlAttrPtr? {
        var attribute = element.pointee.properties
        while let current = attribute {
            if Self.equals(current.pointee.name, name) {
                if let namespace {
                    if Self.equals(current.pointee.ns?.pointee.href, namespace) { return current }
                } else if current.pointee.ns == nil {
                    return current
                }
            }
            attribute = current.pointee.next
        }
        return nil
    }

    /// A non-empty attribute value with surrounding whitespace removed, or `nil`.
    func value(_ name: String) -> String? {
        guard let raw = attribute(name) else { return nil }
        let trimmed = raw.trimmingXMLSpace()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The local part of `xsi:type` (`PQ`, `CD`, `IVL_TS`). A fragment whose `xsi` prefix is not
    /// declared keeps the attribute under its raw name `xsi:type`, which is accepted too.
    var xsiType: String? {
        guard let raw = attribute("type", in: XMLNamespace.xsi) ?? attribute("xsi:type") else { return nil }
        let type = raw.trimmingXMLSpace()
        if let colon = type.lastIndex(of: ":") { return String(type[type.index(after: colon)...]) }
        return type.isEmpty ? nil : type
    }

    /// `nullFlavor`, when the element carries one.
    /// `value(_:)` without marking the attribute consumed (see `peekAttribute(_:)`).
    func peekValue(_ name: String) -> String? {
        guard let raw = peekAttribute(name) else { return nil }
        let trimmed = raw.trimmingXMLSpace()
        return trimmed.isEmpty ? nil : trimmed
    }

    var nullFlavor: String? { value("nullFlavor") }

    /// `negationInd="true"`.
    var isNegated: Bool { attribute("negationInd")?.trimmingXMLSpace().lowercased() == "true" }

    /// `isNegated` without marking `@negationInd` consumed: for an entry that is then left out.
    var isNegatedPeek: Bool { peekAttribute("negationInd")?.trimmingXMLSpace().lowercased() == "true" }

    // MARK: Text

    /// All descendant text in document order, unchanged.
    var textContent: String {
        var bytes: [UInt8] = []
        Self.appendText(of: pointer, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Descendant text with runs of XML whitespace collapsed to one space and trimmed; `nil` when empty.
    var normalizedText: String? {
        let text = textContent.collapsingXMLSpace()
        return text.isEmpty ? nil : text
    }

    private static func appendText(of node: xmlNodePtr, to bytes: inout [UInt8]) {
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                SourceMark.markRead(current)
                if let content = current.pointee.content {
                    var index = 0
                    while content[index] != 0 {
                        bytes.append(content[index])
                        index += 1
                    }
                }
            case XML_ELEMENT_NODE:
                appendText(of: current, to: &bytes)
            default:
                break
            }
            child = current.pointee.next
        }
    }

    /// Visits every element of the subtree at `root` in document order with its depth (`root`
    /// is 1), following child, sibling and parent links: no recursion, no allocation. Stops when
    /// `visit` returns `false`.
    static func walk(_ root: xmlNodePtr, _ visit: (xmlNodePtr, Int) -> Bool) {
        var node = root
        var depth = 1
        while true {
            if !visit(node, depth) { return }
            if let child = firstElement(from: node.pointee.children) {
                node = child
                depth += 1
                continue
            }
            while true {
                if node == root { return }
                if let next = firstElement(from: node.pointee.next) {
                    node = next
                    break
                }
                guard let parent = node.pointee.parent else { return }
                node = parent
                depth -= 1
            }
        }
    }

    /// The first element among `node` and its following siblings.
    private static func firstElement(from node: xmlNodePtr?) -> xmlNodePtr? {
        var current = node
        while let candidate = current {
            if candidate.pointee.type == XML_ELEMENT_NODE { return candidate }
            current = candidate.pointee.next
        }
        return nil
    }

    // MARK: Position

    /// The 1-based source line of the start tag.
    var line: Int { Int(xmlGetLineNo(pointer)) }

    /// The positional XPath of this element, with no namespace prefixes and no predicates on
    /// content: `/ClinicalDocument[1]/component[1]/structuredBody[1]/component[3]/section[1]`.
    var xpath: String {
        var steps: [(name: UnsafePointer<xmlChar>?, position: Int)] = []
        var node: xmlNodePtr? = pointer
        while let current = node, current.pointee.type == XML_ELEMENT_NODE {
            var position = 1
            var sibling = current.pointee.prev
            while let previous = sibling {
                if previous.pointee.type == XML_ELEMENT_NODE, Self.sameName(previous, current) { position += 1 }
                sibling = previous.pointee.prev
            }
            steps.append((current.pointee.name, position))
            node = current.pointee.parent
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(steps.count * 24)
        for step in steps.reversed() {
            bytes.append(UInt8(ascii: "/"))
            if let name = step.name {
                var index = 0
                while name[index] != 0 {
                    bytes.append(name[index])
                    index += 1
                }
            } else {
                bytes.append(UInt8(ascii: "*"))
            }
            bytes.append(UInt8(ascii: "["))
            bytes.append(contentsOf: String(step.position).utf8)
            bytes.append(UInt8(ascii: "]"))
        }
        return bytes.isEmpty ? "/" : String(decoding: bytes, as: UTF8.self)
    }

    /// `.xml(xpath:line:)` for this element.
    var location: SourceLocation { .xml(xpath: xpath, line: line) }

    /// The location of one of this element's attributes: `…/effectiveTime[1]/low[1]/@value`.
    func location(attribute name: String) -> SourceLocation { .xml(xpath: xpath + "/@" + name, line: line) }

    // MARK: C strings

    private static func sameName(_ left: xmlNodePtr, _ right: xmlNodePtr) -> Bool {
        // Names come from the parser's dictionary, so equal names are usually the same pointer.
        if left.pointee.name == right.pointee.name, left.pointee.ns == right.pointee.ns { return true }
        guard let a = left.pointee.name, let b = right.pointee.name, xmlStrEqual(a, b) != 0 else { return false }
        switch (left.pointee.ns?.pointee.href, right.pointee.ns?.pointee.href) {
        case (nil, nil): return true
        case (let x?, let y?): return xmlStrEqual(x, y) != 0
        default: return false
        }
    }

    /// Compares a NUL-terminated libxml2 string with a Swift string byte by byte.
    static func equals(_ cString: UnsafePointer<xmlChar>?, _ string: String) -> Bool {
        guard let cString else { return false }
        var index = 0
        for byte in string.utf8 {
            if cString[index] != byte { return false }
            index += 1
        }
        return cString[index] == 0
    }

    /// The text of an attribute, as written (not marked consumed).
    static func value(of attribute: xmlAttrPtr) -> String {
        var bytes: [UInt8] = []
        var child = attribute.pointee.children
        while let current = child {
            if let content = current.pointee.content {
                var index = 0
                while content[index] != 0 {
                    bytes.append(content[index])
                    index += 1
                }
            }
            child = current.pointee.next
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// Trims XML whitespace (space, tab, CR, LF) only.
    func trimmingXMLSpace() -> String {
        let scalars = unicodeScalars
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
        }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) }) ?? first
        return String(scalars[first...last])
    }

    /// Collapses runs of XML whitespace (and no-break spaces) to one space and trims the ends.
    func collapsingXMLSpace() -> String {
        // Over the UTF-8 bytes: the spaces are ASCII, and U+00A0 is the pair C2 A0 (an A0 byte on
        // its own is the continuation of another character, such as à = C3 A0).
        var source = self
        return source.withUTF8 { bytes in
            var result: [UInt8] = []
            result.reserveCapacity(bytes.count)
            var pendingSpace = false
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                let width = byte == 0xC2 && index + 1 < bytes.count && bytes[index + 1] == 0xA0 ? 2 : 1
                if width == 2 || byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                    pendingSpace = !result.isEmpty
                } else {
                    if pendingSpace { result.append(0x20) }
                    pendingSpace = false
                    result.append(byte)
                }
                index += width
            }
            return String(decoding: result, as: UTF8.self)
        }
    }

    /// Whether the text holds anything but XML whitespace and no-break spaces: whether
    /// `collapsingXMLSpace()` would be non-empty, without building it.
    var hasNonXMLSpace: Bool {
        var previous: UInt8 = 0
        for byte in utf8 {
            defer { previous = byte }
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0xC2 { continue }
            if byte == 0xA0 && previous == 0xC2 { continue }
            return true
        }
        // a lone C2 at the end cannot occur in valid UTF-8
        return false
    }
}
