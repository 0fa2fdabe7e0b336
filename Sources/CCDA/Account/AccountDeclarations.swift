import ClinicalModel

/// The element paths `Mappings/ccda/account.yaml` declares not carried, each with its reason:
/// a rule `templateId/@root` matches every path that ends with those steps
/// (`/ClinicalDocument/templateId/@root`, `…/entry/act/templateId/@root`); a rule that starts with
/// `/` matches that one path.
///
///     declarations.reason(forPath: "/ClinicalDocument/component/structuredBody/component/section/templateId/@root")
///     // "template identifiers: document structure, not clinical data"
struct AccountDeclarations: Sendable {
    /// Rules for single elements and attributes (`declared`).
    private var items = Rules()
    /// Rules for whole subtrees (`declaredSubtrees`): an element's descendants the reader did not
    /// consume.
    private var subtrees = Rules()
    /// Reasons by path, shared by every document read with these declarations.
    private let memo = BoundedMemo<String, Reason>(capacity: 8192)

    private struct Reason {
        var item: String?
        var subtree: String?
    }

    /// Exact paths and path tails, each with its reason.
    private struct Rules {
        /// Absolute rules: path -> reason.
        var exact: [String: String] = [:]
        /// Relative rules as the path tail they match (`/templateId/@root`) -> reason.
        var tails: [String: String] = [:]

        mutating func add(_ rule: String, reason: String) -> Bool {
            if rule.hasPrefix("/") {
                return exact.updateValue(reason, forKey: rule) == nil
            }
            return tails.updateValue(reason, forKey: "/" + rule) == nil
        }

        var isEmpty: Bool { exact.isEmpty && tails.isEmpty }

        /// The exact rule, else the longest tail that starts at a step boundary.
        func match(_ path: String) -> String? {
            if let reason = exact[path] { return reason }
            guard !tails.isEmpty else { return nil }
            var index = path.startIndex
            while let slash = path[index...].firstIndex(of: "/") {
                if let reason = tails[String(path[slash...])] { return reason }
                index = path.index(after: slash)
            }
            return nil
        }
    }

    init() {}

    /// Adds a rule for one element or attribute. Returns `false` when the rule is already there.
    mutating func add(_ rule: String, reason: String) -> Bool {
        items.add(rule, reason: reason)
    }

    /// Adds a rule for an element's whole subtree. Returns `false` when the rule is already there.
    mutating func addSubtree(_ rule: String, reason: String) -> Bool {
        subtrees.add(rule, reason: reason)
    }

    var isEmpty: Bool { items.isEmpty && subtrees.isEmpty }

    /// The reason of the rule that matches `path` (the exact one, else the longest tail), or `nil`.
    func reason(forPath path: String) -> String? {
        lookup(path).item
    }

    /// The reason of the subtree rule that matches the element at `path`, or `nil`.
    func subtreeReason(forPath path: String) -> String? {
        lookup(path).subtree
    }

    private func lookup(_ path: String) -> Reason {
        memo.value(for: path) { Reason(item: items.match(path), subtree: subtrees.match(path)) }
    }
}
