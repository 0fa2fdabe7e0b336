import CLibXML2

/// The narrative blocks of a document (`section/text` and anything else carrying an `ID`), by ID,
/// so `originalText/reference/@value="#x"` and `text/reference` resolve to the words a clinician
/// saw (CDA R2 §4.3.5.1: a reference into the narrative block).
struct NarrativeIndex {
    private var elements: [String: xmlNodePtr] = [:]

    init(_ document: XMLDocument) {
        guard let root = document.root else { return }
        var elements: [String: xmlNodePtr] = [:]
        XMLNode.walk(root.pointer) { node, _ in
            if node.pointee.properties != nil, let id = XMLNode(node).peekAttribute("ID"), elements[id] == nil {
                elements[id] = node
            }
            return true
        }
        self.elements = elements
    }

    /// The element a reference value (`#id`, or a bare `id`) points at, or `nil`.
    func element(for reference: String) -> XMLNode? {
        var id = Substring(reference.trimmingXMLSpace())
        if id.hasPrefix("#") { id = id.dropFirst() }
        return elements[String(id)].map(XMLNode.init)
    }
}

/// Renders CDA narrative (`paragraph`, `list`, `table`, `br`, `content`…) as plain text lines:
/// blocks and table rows start new lines, cells are separated by ` | `, runs of whitespace inside
/// a line collapse to one space. Used for notes; short references use `XMLNode.normalizedText`.
enum NarrativeText {
    private static let blocks: Set<String> = [
        "paragraph", "list", "item", "table", "thead", "tbody", "tfoot", "tr", "caption", "title", "text",
        "section", "renderMultiMedia",
    ]

    static func render(_ node: XMLNode) -> String? {
        var lines: [String] = []
        var line = ""
        func endLine() {
            let trimmed = line.collapsingXMLSpace()
            if !trimmed.isEmpty { lines.append(trimmed) }
            line = ""
        }
        func walk(_ pointer: xmlNodePtr) {
            var child = pointer.pointee.children
            while let current = child {
                switch current.pointee.type {
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    SourceMark.markRead(current)
                    if let content = current.pointee.content { line += String(cString: content) }
                case XML_ELEMENT_NODE:
                    let name = XMLNode(current).name
                    if name == "br" {
                        endLine()
                    } else if name == "td" || name == "th" {
                        if line.hasNonXMLSpace { line += " | " }
                        walk(current)
                    } else if blocks.contains(name) {
                        endLine()
                        walk(current)
                        endLine()
                    } else {
                        walk(current)
                    }
                default:
                    break
                }
                child = current.pointee.next
            }
        }
        walk(node.pointer)
        endLine()
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }
}
