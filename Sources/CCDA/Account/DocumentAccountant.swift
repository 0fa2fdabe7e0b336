import CLibXML2
import ClinicalModel

/// Classifies every element and attribute of a read document that holds data, in one walk over
/// the tree after the reader is done: an attribute with a non-empty value, or an element with
/// non-whitespace text of its own. Each is
///
/// 1. *carried* when the reader consumed it (`SourceMark.isRead`: its value reached the record);
/// 2. else *declared* when a path rule of `Mappings/ccda/account.yaml` names it (template ids,
///    RIM class codes, …), or when it lies in a subtree the reader tagged with a reason (an entry
///    template not converted, the narrative of a section whose entries are carried) or a subtree
///    rule of `account.yaml` names (`declaredSubtrees`; the reader's tag wins);
/// 3. else *unaccounted*.
///
/// Elements are counted by their element path (`SourceAccount`): the XPath of the element's text
/// or of the attribute, without positions, CDA elements unprefixed and others with their
/// namespace's prefix (`sdtc:raceCode`, `@xsi:type`).
///
/// - Complexity: O(n) in the nodes of the document; each distinct path is named and matched
///   against the rules once per document.
struct DocumentAccountant {
    let declarations: AccountDeclarations
    /// Reasons of tagged subtrees, by the index `SourceMark.tag` stored.
    let subtreeReasons: [String]

    private struct PathKey: Hashable {
        var parent: Int32
        var name: UInt
        var namespace: UInt
        var isAttribute: Bool
    }

    private struct PathCounts {
        var path: String
        var declaredByRule: String?
        var subtreeRule: String?
        var carried = 0
        var declared = 0
        var declaredReason: String?
        var unaccounted = 0
    }

    /// One walk over `document`.
    func account(_ document: XMLDocument) -> SourceAccount {
        guard let root = xmlDocGetRootElement(document.pointer) else { return SourceAccount() }
        var ids: [PathKey: Int32] = [:]
        var paths: [PathCounts] = []

        func pathID(parent: Int32, name: UnsafePointer<xmlChar>?, namespace: xmlNsPtr?, isAttribute: Bool) -> Int32 {
            let key = PathKey(
                parent: parent, name: UInt(bitPattern: name), namespace: UInt(bitPattern: namespace?.pointee.href),
                isAttribute: isAttribute)
            if let known = ids[key] { return known }
            let prefix = parent >= 0 ? paths[Int(parent)].path : ""
            let step = Self.qualifiedName(name, namespace)
            let path = prefix + (isAttribute ? "/@" : "/") + step
            let id = Int32(paths.count)
            paths.append(
                PathCounts(
                    path: path, declaredByRule: declarations.reason(forPath: path),
                    subtreeRule: isAttribute ? nil : declarations.subtreeReason(forPath: path)))
            ids[key] = id
            return id
        }

        func count(_ id: Int32, read: Bool, subtree: String?) {
            let index = Int(id)
            if read {
                paths[index].carried += 1
            } else if let reason = paths[index].declaredByRule {
                paths[index].declared += 1
                if paths[index].declaredReason == nil { paths[index].declaredReason = reason }
            } else if let subtree {
                paths[index].declared += 1
                if paths[index].declaredReason == nil { paths[index].declaredReason = subtree }
            } else {
                paths[index].unaccounted += 1
            }
        }

        // Depth-first without recursion: (element, its path id, the subtree reason of its parent).
        var stack: [(node: xmlNodePtr, path: Int32, subtree: String?)] = []
        stack.reserveCapacity(64)
        stack.append(
            (root, pathID(parent: -1, name: root.pointee.name, namespace: root.pointee.ns, isAttribute: false), nil))
        var children: [xmlNodePtr] = []
        while let (node, path, inherited) = stack.popLast() {
            // the reader's tag, else a subtree rule, else (unless the reader cleared it) the parent's
            let subtree: String?
            switch SourceMark.mark(of: node) {
            case .some(.some(let index)) where index < subtreeReasons.count:
                subtree = subtreeReasons[index]
            case .some:
                subtree = paths[Int(path)].subtreeRule
            case nil:
                subtree = paths[Int(path)].subtreeRule ?? inherited
            }
            var attribute = node.pointee.properties
            while let current = attribute {
                if Self.hasData(current) {
                    let id = pathID(
                        parent: path, name: current.pointee.name, namespace: current.pointee.ns, isAttribute: true)
                    count(id, read: SourceMark.isRead(current), subtree: subtree)
                }
                attribute = current.pointee.next
            }
            var hasText = false
            var textRead = false
            children.removeAll(keepingCapacity: true)
            var child = node.pointee.children
            while let current = child {
                switch current.pointee.type {
                case XML_ELEMENT_NODE:
                    children.append(current)
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if Self.hasText(current.pointee.content) {
                        hasText = true
                        if SourceMark.isRead(current) { textRead = true }
                    }
                default:
                    break
                }
                child = current.pointee.next
            }
            if hasText { count(path, read: textRead, subtree: subtree) }
            for element in children.reversed() {
                let id = pathID(
                    parent: path, name: element.pointee.name, namespace: element.pointee.ns, isAttribute: false)
                stack.append((element, id, subtree))
            }
        }

        var account = SourceAccount()
        for counts in paths {
            if counts.carried > 0 { account.carry(counts.path, count: counts.carried) }
            if counts.declared > 0, let reason = counts.declaredReason {
                account.declare(counts.path, reason: reason, count: counts.declared)
            }
            if counts.unaccounted > 0 { account.leave(counts.path, count: counts.unaccounted) }
        }
        return account
    }

    /// `name` in the CDA namespace, `prefix:name` in another (`sdtc:raceCode`, `xsi:type`), as
    /// libxml2 read the prefix.
    static func qualifiedName(_ name: UnsafePointer<xmlChar>?, _ namespace: xmlNsPtr?) -> String {
        let local = name.map { String(cString: $0) } ?? "*"
        guard let namespace, !XMLNode.equals(namespace.pointee.href, XMLNamespace.cda) else { return local }
        if XMLNode.equals(namespace.pointee.href, XMLNamespace.sdtc) { return "sdtc:" + local }
        if XMLNode.equals(namespace.pointee.href, XMLNamespace.xsi) { return "xsi:" + local }
        guard let prefix = namespace.pointee.prefix else { return local }
        return String(cString: prefix) + ":" + local
    }

    /// Whether an attribute's value holds anything but XML whitespace.
    static func hasData(_ attribute: xmlAttrPtr) -> Bool {
        var child = attribute.pointee.children
        while let current = child {
            if hasText(current.pointee.content) { return true }
            child = current.pointee.next
        }
        return false
    }

    /// Whether a NUL-terminated text holds anything but XML whitespace (and no-break spaces, as
    /// `String.hasNonXMLSpace`).
    static func hasText(_ content: UnsafeMutablePointer<xmlChar>?) -> Bool {
        guard let content else { return false }
        var index = 0
        var previous: UInt8 = 0
        while true {
            let byte = content[index]
            if byte == 0 { return false }
            defer { previous = byte }
            index += 1
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0xC2 { continue }
            if byte == 0xA0 && previous == 0xC2 { continue }
            return true
        }
    }
}
