import FHIRR4

/// Element-by-element agreement between fhirbridge's bundles and a peer converter's expected
/// bundles for the same inputs (Microsoft FHIR-Converter's), by resource type and element path.
///
/// For each input the two bundles' resources are paired (`BundlePairing`); for each pair every
/// element path either side has (without indexes) is counted once as *agree* (the same set of
/// values), a difference (*conflict*, *fhirbridge fewer*: our values are some of the peer's, or
/// *fhirbridge more*), *only peer* or *only fhirbridge*. Counts only: no value is kept, so the report
/// carries no patient data. `Adjudications` then sort the differences into fhirbridge right,
/// fhirbridge wrong and not comparable; the rest stay *not reviewed*.
public struct PeerComparison: Sendable {
    public struct ElementTally: Sendable, Hashable {
        public var agree = 0
        /// Both sides have values and neither side's set holds the other's.
        public var conflicts = 0
        /// fhirbridge's values are some of the peer's (the peer fills the element from more source
        /// fields or repetitions: an identifier from PID-19 besides PID-3).
        public var fhirbridgeFewer = 0
        /// The peer's values are some of fhirbridge's.
        public var fhirbridgeMore = 0
        public var onlyPeer = 0
        public var onlyFhirbridge = 0

        /// Element instances where both sides have values that are not the same.
        public var differs: Int { conflicts + fhirbridgeFewer + fhirbridgeMore }
    }

    public struct TypeTally: Sendable {
        /// Resources of the type each side emitted, and how many were paired.
        public var peerCount = 0
        public var fhirbridgeCount = 0
        public var paired = 0
        public var elements: [String: ElementTally] = [:]
    }

    public var types: [String: TypeTally] = [:]
    /// Inputs compared (each with its expected bundle).
    public var inputs = 0

    public init() {}

    /// Adds one input: the peer's expected bundle and fhirbridge's bundle.
    public mutating func add(expected: JSON, actual: JSON) {
        inputs += 1
        let pairing = BundlePairing(expected: expected, actual: actual)
        for resource in pairing.expected { types[resource.type, default: TypeTally()].peerCount += 1 }
        for resource in pairing.actual { types[resource.type, default: TypeTally()].fhirbridgeCount += 1 }
        let tokens = pairing.referenceTokens()
        for (expectedIndex, actualIndex) in pairing.pairs {
            let peer = pairing.expected[expectedIndex]
            let ours = pairing.actual[actualIndex]
            var tally = types[peer.type, default: TypeTally()]
            tally.paired += 1
            let peerValues = Self.values(peer, tokens: tokens.expected, side: "peer")
            let ourValues = Self.values(ours, tokens: tokens.actual, side: "fhirbridge")
            for path in Set(peerValues.keys).union(ourValues.keys) {
                var element = tally.elements[path, default: ElementTally()]
                switch (peerValues[path], ourValues[path]) {
                case (let left?, let right?):
                    if left == right {
                        element.agree += 1
                    } else if right.isSubset(of: left) {
                        element.fhirbridgeFewer += 1
                    } else if left.isSubset(of: right) {
                        element.fhirbridgeMore += 1
                    } else {
                        element.conflicts += 1
                    }
                case (.some, nil): element.onlyPeer += 1
                case (nil, .some): element.onlyFhirbridge += 1
                case (nil, nil): break
                }
                tally.elements[path] = element
            }
            types[peer.type] = tally
        }
    }

    /// Path -> set of values, references as pairing tokens (an unpaired target never agrees).
    private static func values(_ resource: FlatResource, tokens: [String: String], side: String) -> [String: Set<
        String
    >] {
        var result: [String: Set<String>] = [:]
        for (path, values) in resource.leaves { result[path, default: []].formUnion(values) }
        for (path, keys) in resource.references {
            result[path, default: []].formUnion(keys.map { tokens[$0] ?? "unpaired-\(side):\($0)" })
        }
        return result
    }
}
