import Foundation
import MappingSpec
import Yams

/// Reviewed verdicts on where fhirbridge and a peer converter differ, read from a YAML file
/// (`Tools/compare/fhir-converter-adjudications.yaml`), each with the reason it was given.
///
///     adjudications:
///       - element: Observation.valueQuantity.system     # FHIR path without indexes; `.*` ends a subtree
///         when: differs                                 # differs (default), only-peer, only-fhirbridge
///         verdict: fhirbridge-right                     # fhirbridge-right, fhirbridge-wrong, not-comparable
///         reason: UCUM units by the R4 quantity binding
///
/// An `element` that is only a resource type (`MessageHeader`) with `when: only-peer` judges the
/// resources of that type the peer emits and fhirbridge does not. Checked at load: unknown keys,
/// verdicts or cases, an element that does not start with a resource type, a missing reason and a
/// second verdict for the same element and case are `file:line` errors.
public struct Adjudications: Sendable {
    public enum Verdict: String, Sendable, CaseIterable {
        case fhirbridgeRight = "fhirbridge-right"
        case fhirbridgeWrong = "fhirbridge-wrong"
        case notComparable = "not-comparable"
    }

    public enum Case: String, Sendable, CaseIterable {
        case differs
        case onlyPeer = "only-peer"
        case onlyFhirbridge = "only-fhirbridge"
    }

    public struct Entry: Sendable {
        public var element: String
        public var when: Case
        public var verdict: Verdict
        public var reason: String
        public var line: Int?

        public init(element: String, when: Case, verdict: Verdict, reason: String, line: Int? = nil) {
            self.element = element
            self.when = when
            self.verdict = verdict
            self.reason = reason
            self.line = line
        }

        /// Whether this verdict covers an element path (exactly, or below a `.*` subtree).
        public func matches(_ path: String) -> Bool {
            if element.hasSuffix(".*") { return path.hasPrefix(element.dropLast()) || path == element.dropLast(2) }
            return path == element
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    /// The verdict for `path` in `when`: an exact element wins over a subtree (`.*`), a longer subtree
    /// over a shorter one.
    public func verdict(for path: String, when: Case) -> Entry? {
        entries.filter { $0.when == when && $0.matches(path) }
            .max { specificity($0.element) < specificity($1.element) }
    }

    private func specificity(_ element: String) -> Int { element.hasSuffix(".*") ? element.count : Int.max }

    public static func load(_ url: URL) throws(MappingLoadError) -> Adjudications {
        let reader = Reader(file: url.lastPathComponent)
        return try reader.read(try composeYAML(url))
    }

    private struct Reader: YAMLNodeReading {
        var file: String

        func read(_ root: Node) throws(MappingLoadError) -> Adjudications {
            let top = try mapping(root, "the file")
            try onlyKeys(top, ["adjudications"])
            var entries: [Entry] = []
            var seen: [String: Int?] = [:]
            for node in try sequence(try required(top, "adjudications"), "adjudications") {
                let item = try mapping(node, "an adjudication")
                try onlyKeys(item, ["element", "when", "verdict", "reason"])
                let element = try string(item, "element")
                guard element.first?.isUppercase == true,
                    element.range(of: #"^[A-Za-z]+(\.[A-Za-z0-9_:\-\[\]/]+)*(\.\*)?$"#, options: .regularExpression)
                        != nil
                else {
                    throw error(item["element"], "'element' must be a FHIR path starting with a resource type")
                }
                let whenText = try optionalString(item, "when") ?? Case.differs.rawValue
                guard let when = Case(rawValue: whenText) else {
                    throw error(
                        item["when"],
                        "unknown 'when' '\(whenText)' (allowed: \(Case.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                let verdictText = try string(item, "verdict")
                guard let verdict = Verdict(rawValue: verdictText) else {
                    throw error(
                        item["verdict"],
                        "unknown verdict '\(verdictText)' (allowed: \(Verdict.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                let reason = try string(item, "reason")
                guard reason.split(separator: " ").count >= 3 else {
                    throw error(item["reason"], "'reason' must say why (a few words at least)")
                }
                let key = "\(element) \(when.rawValue)"
                if let first = seen[key] {
                    throw error(
                        node, "a second verdict for \(element) (\(when.rawValue)); the first is at line \(first ?? 0)")
                }
                seen[key] = node.mark?.line
                entries.append(
                    Entry(element: element, when: when, verdict: verdict, reason: reason, line: node.mark?.line))
            }
            return Adjudications(entries: entries)
        }
    }
}
