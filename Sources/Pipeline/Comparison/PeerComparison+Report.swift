import Foundation

extension PeerComparison {
    /// The element counts of one resource type, sorted by the adjudications.
    public struct Judged: Sendable, Hashable {
        public var agree = 0
        public var fhirbridgeRight = 0
        public var fhirbridgeWrong = 0
        public var notReviewed = 0
        public var notComparable = 0
        public var onlyPeer = 0
        public var onlyFhirbridge = 0

        /// Element instances both sides map and that can be compared.
        public var comparable: Int { agree + fhirbridgeRight + fhirbridgeWrong + notReviewed }
        /// Agreement where both map the element, before adjudication (`nil` when nothing compares).
        public var agreement: Double? { comparable == 0 ? nil : Double(agree) / Double(comparable) }
        /// Agreement counting the differences where fhirbridge is right by the IG or R4.
        public var agreementOrRight: Double? {
            comparable == 0 ? nil : Double(agree + fhirbridgeRight) / Double(comparable)
        }

        mutating func add(_ tally: ElementTally, path: String, adjudications: Adjudications) {
            agree += tally.agree
            onlyPeer += tally.onlyPeer
            onlyFhirbridge += tally.onlyFhirbridge
            switch adjudications.verdict(for: path, when: .differs)?.verdict {
            case .fhirbridgeRight: fhirbridgeRight += tally.differs
            case .fhirbridgeWrong: fhirbridgeWrong += tally.differs
            case .notComparable: notComparable += tally.differs
            case nil: notReviewed += tally.differs
            }
        }
    }

    /// The judged counts of a type, over all its elements.
    public func judged(_ type: String, adjudications: Adjudications) -> Judged {
        var judged = Judged()
        for (path, tally) in types[type]?.elements ?? [:] {
            judged.add(tally, path: path, adjudications: adjudications)
        }
        return judged
    }

    /// Element paths of a type with their counts, the most unresolved disagreement first.
    public func elements(_ type: String) -> [(path: String, tally: ElementTally)] {
        (types[type]?.elements ?? [:]).map { ($0.key, $0.value) }
            .sorted { ($0.tally.differs, $0.tally.onlyPeer, $1.path) > ($1.tally.differs, $1.tally.onlyPeer, $0.path) }
    }

    /// Resource types, the ones the peer emits most first.
    public var sortedTypes: [String] {
        types.keys.sorted {
            let left = types[$0]!
            let right = types[$1]!
            return (left.peerCount, left.fhirbridgeCount, $1) > (right.peerCount, right.fhirbridgeCount, $0)
        }
    }

    /// The Markdown report: a table per resource type, notes on the types only the peer emits,
    /// the biggest open disagreements, and with `detail` a table of elements per type.
    public func markdown(adjudications: Adjudications, peer: String, detail: Bool, top: Int = 25) -> String {
        var out = "| resource | \(peer) | fhirbridge | paired | agree | fhirbridge right | fhirbridge wrong "
        out += "| not reviewed | not comparable | only \(peer) | only fhirbridge | agreement | with right |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        var total = Judged()
        for type in sortedTypes {
            let tally = types[type]!
            let judged = self.judged(type, adjudications: adjudications)
            total.agree += judged.agree
            total.fhirbridgeRight += judged.fhirbridgeRight
            total.fhirbridgeWrong += judged.fhirbridgeWrong
            total.notReviewed += judged.notReviewed
            total.notComparable += judged.notComparable
            total.onlyPeer += judged.onlyPeer
            total.onlyFhirbridge += judged.onlyFhirbridge
            out += "| \(type) | \(tally.peerCount) | \(tally.fhirbridgeCount) | \(tally.paired) | \(judged.agree) "
            out += "| \(judged.fhirbridgeRight) | \(judged.fhirbridgeWrong) | \(judged.notReviewed) "
            out += "| \(judged.notComparable) | \(judged.onlyPeer) | \(judged.onlyFhirbridge) "
            out += "| \(Self.percent(judged.agreement)) | \(Self.percent(judged.agreementOrRight)) |\n"
        }
        out += "| **all** | \(types.values.map(\.peerCount).reduce(0, +)) "
        out += "| \(types.values.map(\.fhirbridgeCount).reduce(0, +)) | \(types.values.map(\.paired).reduce(0, +)) "
        out += "| \(total.agree) | \(total.fhirbridgeRight) | \(total.fhirbridgeWrong) | \(total.notReviewed) "
        out += "| \(total.notComparable) | \(total.onlyPeer) | \(total.onlyFhirbridge) "
        out += "| \(Self.percent(total.agreement)) | \(Self.percent(total.agreementOrRight)) |\n"

        let missing = sortedTypes.filter { types[$0]!.peerCount > 0 && types[$0]!.fhirbridgeCount == 0 }
        if !missing.isEmpty {
            out += "\nResource types only \(peer) emits:\n\n"
            for type in missing {
                let count = types[type]!.peerCount
                if let entry = adjudications.verdict(for: type, when: .onlyPeer) {
                    out += "- \(type) (\(count)): \(entry.verdict.rawValue): \(entry.reason)\n"
                } else {
                    out += "- \(type) (\(count)): not produced by fhirbridge yet\n"
                }
            }
        }

        var open: [(type: String, path: String, count: Int, verdict: String)] = []
        for type in sortedTypes {
            for (path, tally) in elements(type) {
                let verdict = adjudications.verdict(for: path, when: .differs)?.verdict
                if tally.differs > 0, verdict == nil || verdict == .fhirbridgeWrong {
                    open.append((type, path, tally.differs, verdict?.rawValue ?? "not reviewed"))
                }
            }
        }
        open.sort { ($0.count, $1.path) > ($1.count, $0.path) }
        if !open.isEmpty {
            out += "\nBiggest open disagreements (element instances that differ, not judged fhirbridge right; "
            out += "conflict / fhirbridge has fewer values / more values):\n\n"
            out +=
                "| resource | element | differ | conflict | fewer | more | verdict |\n|---|---|---:|---:|---:|---:|---|\n"
            for item in open.prefix(top) {
                let tally = types[item.type]?.elements[item.path] ?? ElementTally()
                out +=
                    "| \(item.type) | `\(item.path)` | \(item.count) | \(tally.conflicts) | \(tally.fhirbridgeFewer) "
                out += "| \(tally.fhirbridgeMore) | \(item.verdict) |\n"
            }
        }

        if detail {
            for type in sortedTypes where !(types[type]!.elements.isEmpty) {
                out += "\n### \(type)\n\n| element | agree | conflict | fewer | more | verdict | only \(peer) "
                out += "| only fhirbridge |\n|---|---:|---:|---:|---:|---|---:|---:|\n"
                for (path, tally) in elements(type) {
                    let verdict =
                        tally.differs == 0
                        ? "" : adjudications.verdict(for: path, when: .differs)?.verdict.rawValue ?? "not reviewed"
                    out += "| `\(path)` | \(tally.agree) | \(tally.conflicts) | \(tally.fhirbridgeFewer) "
                    out += "| \(tally.fhirbridgeMore) | \(verdict) | \(tally.onlyPeer) | \(tally.onlyFhirbridge) |\n"
                }
            }
        }
        return out
    }

    static func percent(_ value: Double?) -> String {
        guard let value else { return "–" }
        return String(format: "%.1f%%", value * 100)
    }
}
