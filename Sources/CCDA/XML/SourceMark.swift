import CLibXML2

/// What the reader did with the nodes of a document, kept in each libxml2 node's `_private`
/// field (which libxml2 leaves to its users and never reads): an attribute or text node the reader
/// *consumed* (its value reached the record), or an element whose subtree is *declared* not
/// carried, with the index of the reason. `DocumentAccountant` reads the marks back in one walk.
///
///     SourceMark.markRead(attribute)            // XMLNode.attribute(_:) does this
///     SourceMark.tag(entry, reason: 3)          // a subtree declared for reason 3
///     SourceMark.isRead(attribute)              // true
///
/// No allocation, nothing copied: the tree itself is the ledger, and it dies with the document.
enum SourceMark {
    /// `_private` of a consumed attribute or text node.
    @inline(__always) private static var readValue: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: 1) }

    static func markRead(_ attribute: xmlAttrPtr) { attribute.pointee._private = readValue }
    static func markRead(_ node: xmlNodePtr) { node.pointee._private = readValue }

    static func isRead(_ attribute: xmlAttrPtr) -> Bool { attribute.pointee._private == readValue }
    static func isRead(_ node: xmlNodePtr) -> Bool { node.pointee._private == readValue }

    /// Tags an element: what its subtree holds and nothing consumed is declared for reason `reason`.
    /// A later tag replaces an earlier one.
    static func tag(_ element: xmlNodePtr, reason: Int) {
        element.pointee._private = UnsafeMutableRawPointer(bitPattern: reason + 2)
    }

    /// Clears an element: its subtree is read for itself, and a tag on an ancestor does not reach
    /// into it (a subsection of a section not mapped, which is read in its own right).
    static func clear(_ element: xmlNodePtr) { element.pointee._private = readValue }

    /// What an element was marked with: `nil` when unmarked (it inherits its ancestor's mark),
    /// `.some(nil)` when cleared, `.some(reason)` when tagged.
    static func mark(of element: xmlNodePtr) -> Int?? {
        guard let mark = element.pointee._private else { return nil }
        let value = Int(bitPattern: mark)
        return .some(value >= 2 ? value - 2 : nil)
    }

    /// The reason an element was tagged with, or `nil`.
    static func reason(of element: xmlNodePtr) -> Int? {
        mark(of: element) ?? nil
    }
}
