import ClinicalModel

/// The tree hashing encodes a record into: every node in one array, linked by index, so building
/// it allocates nothing per node once the array has grown to a record's size. `reset()` empties
/// it for the next record and keeps the room. Node 0 is the root.
///
/// `write` gives the same bytes as `CanonicalValue.write` of the reference form: objects with their
/// members sorted by key and without `source` or empty members, lists of objects (or of lists)
/// sorted by their bytes, strings trimmed with white space folded, and nothing for an empty value.
final class FlatTree {
    struct Node {
        enum Kind: UInt8 { case empty, bool, int, string, keyed, unkeyed }
        var kind = Kind.empty
        var flag = false
        var number = 0
        var text = ""
        /// The member name, for a member of an object.
        var key = ""
        var firstChild: Int32 = -1
        var lastChild: Int32 = -1
        var nextSibling: Int32 = -1
        var childCount: Int32 = 0
    }

    private(set) var nodes: [Node] = []
    private(set) var references: [EntityRef] = []

    init() { reset() }

    func reset() {
        nodes.removeAll(keepingCapacity: true)
        references.removeAll(keepingCapacity: true)
        nodes.append(Node())
    }

    // MARK: Building

    func set(_ index: Int32, _ value: Bool) {
        nodes[Int(index)].kind = .bool
        nodes[Int(index)].flag = value
    }

    func set(_ index: Int32, _ value: Int) {
        nodes[Int(index)].kind = .int
        nodes[Int(index)].number = value
    }

    func set(_ index: Int32, _ value: String) {
        nodes[Int(index)].kind = .string
        nodes[Int(index)].text = value
    }

    /// Makes the node a container of `kind`, dropping its children unless it already is one.
    func make(_ index: Int32, _ kind: Node.Kind) {
        guard nodes[Int(index)].kind != kind else { return }
        nodes[Int(index)].kind = kind
        nodes[Int(index)].firstChild = -1
        nodes[Int(index)].lastChild = -1
        nodes[Int(index)].childCount = 0
    }

    /// A new, empty member `key` of object `index`. A member with that key already there is emptied
    /// and reused (the later value replaces the earlier one, as in the reference tree).
    func member(of index: Int32, _ key: String) -> Int32 {
        var child = nodes[Int(index)].firstChild
        while child >= 0 {
            if nodes[Int(child)].key == key {
                let next = nodes[Int(child)].nextSibling
                nodes[Int(child)] = Node(key: key, nextSibling: next)
                return child
            }
            child = nodes[Int(child)].nextSibling
        }
        return append(to: index, Node(key: key))
    }

    /// A new, empty item at the end of list `index`.
    func item(of index: Int32) -> Int32 { append(to: index, Node()) }

    func childCount(_ index: Int32) -> Int { Int(nodes[Int(index)].childCount) }

    func addReference(_ ref: EntityRef) { references.append(ref) }

    private func append(to parent: Int32, _ node: Node) -> Int32 {
        let index = Int32(nodes.count)
        nodes.append(node)
        let last = nodes[Int(parent)].lastChild
        if last >= 0 {
            nodes[Int(last)].nextSibling = index
        } else {
            nodes[Int(parent)].firstChild = index
        }
        nodes[Int(parent)].lastChild = index
        nodes[Int(parent)].childCount += 1
        return index
    }

    // MARK: Writing

    /// Appends node `index`'s canonical bytes and returns what was written, or `nil` (and nothing
    /// appended) when the node is empty in canonical form.
    func write(_ index: Int32, into output: inout [UInt8]) -> CanonicalEncoder.Shape? {
        let node = nodes[Int(index)]
        switch node.kind {
        case .empty: return nil
        case .bool:
            output.append(contentsOf: node.flag ? "true".utf8 : "false".utf8)
            return .scalar
        case .int:
            output.append(contentsOf: String(node.number).utf8)
            return .scalar
        case .string:
            let normalized = CanonicalValue.normalize(node.text)
            guard !normalized.isEmpty else { return nil }
            CanonicalValue.writeString(normalized, into: &output)
            return .scalar
        case .keyed: return writeObject(node, into: &output)
        case .unkeyed: return writeList(node, into: &output)
        }
    }

    private func children(of node: Node) -> [Int32] {
        var children: [Int32] = []
        children.reserveCapacity(Int(node.childCount))
        var child = node.firstChild
        while child >= 0 {
            children.append(child)
            child = nodes[Int(child)].nextSibling
        }
        return children
    }

    private func writeObject(_ node: Node, into output: inout [UInt8]) -> CanonicalEncoder.Shape? {
        var members = children(of: node).filter { nodes[Int($0)].key != "source" }
        members.sort { nodes[Int($0)].key < nodes[Int($1)].key }
        let start = output.count
        output.append(UInt8(ascii: "{"))
        var wrote = false
        for member in members {
            let mark = output.count
            if wrote { output.append(UInt8(ascii: ",")) }
            CanonicalValue.writeString(nodes[Int(member)].key, into: &output)
            output.append(UInt8(ascii: ":"))
            if write(member, into: &output) == nil {
                output.removeSubrange(mark...)
            } else {
                wrote = true
            }
        }
        guard wrote else {
            output.removeSubrange(start...)
            return nil
        }
        output.append(UInt8(ascii: "}"))
        return .object
    }

    /// Items are written one after another at the end of `output`, then laid out again with
    /// brackets and commas, sorted by their bytes when all are objects or all are lists.
    private func writeList(_ node: Node, into output: inout [UInt8]) -> CanonicalEncoder.Shape? {
        let start = output.count
        var items: [(range: Range<Int>, shape: CanonicalEncoder.Shape)] = []
        items.reserveCapacity(Int(node.childCount))
        var child = node.firstChild
        while child >= 0 {
            let mark = output.count
            if let shape = write(child, into: &output) { items.append((mark..<output.count, shape)) }
            child = nodes[Int(child)].nextSibling
        }
        guard let first = items.first?.shape else { return nil }
        let written = Array(output[start...])
        output.removeSubrange(start...)
        if first != .scalar && items.allSatisfy({ $0.shape == first }) {
            items.sort {
                written[($0.range.lowerBound - start)..<($0.range.upperBound - start)].lexicographicallyPrecedes(
                    written[($1.range.lowerBound - start)..<($1.range.upperBound - start)])
            }
        }
        output.append(UInt8(ascii: "["))
        for (position, item) in items.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: written[(item.range.lowerBound - start)..<(item.range.upperBound - start)])
        }
        output.append(UInt8(ascii: "]"))
        return .list
    }
}

/// A node of a `FlatTree`: the tree and the node's index.
struct FlatNode: CanonicalTreeNode {
    let tree: FlatTree
    let index: Int32

    func set(_ value: Bool) { tree.set(index, value) }
    func set(_ value: Int) { tree.set(index, value) }
    func set(_ value: String) { tree.set(index, value) }
    func makeKeyed() { tree.make(index, .keyed) }
    func makeUnkeyed() { tree.make(index, .unkeyed) }
    func member(_ key: String) -> FlatNode { FlatNode(tree: tree, index: tree.member(of: index, key)) }
    func item() -> FlatNode { FlatNode(tree: tree, index: tree.item(of: index)) }
    var itemCount: Int { tree.childCount(index) }
    func addReference(_ ref: EntityRef) { tree.addReference(ref) }
}
