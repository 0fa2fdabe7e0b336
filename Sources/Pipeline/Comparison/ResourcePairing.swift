import FHIRR4

/// The resources of two bundles of one input (a peer's and ours), flattened and paired.
///
/// Ids differ between the two sides (each derives its own), so resources are paired by type plus
/// what they say: business identifiers (weight 4), codes of the element that says what the resource
/// is (`code`, `vaccineCode`, `medicationCodeableConcept`, `type`, `relationship`, `class`, …;
/// weight 3), names (family name, or an organization's or location's name; 3), the value of an
/// observation (2) and the day of its main date (1). Every pair of one type scores the summed
/// weights of the keys both share; pairs are taken greedily, highest score first (ties in document
/// order), and need a score of 3 or more, so a shared date alone never pairs. A type that each side
/// emits exactly once is paired whatever the score (the one Patient, the one Encounter of a message).
/// References are then compared through the pairing: two references agree when they point to
/// resources that were paired with each other.
struct BundlePairing {
    var expected: [FlatResource]
    var actual: [FlatResource]
    /// Index in `expected` -> index in `actual`.
    var pairs: [Int: Int] = [:]

    init(expected expectedBundle: JSON, actual actualBundle: JSON) {
        expected = Self.flatten(expectedBundle)
        actual = Self.flatten(actualBundle)
        pair()
    }

    static let minimumScore = 3

    static func resources(_ bundle: JSON) -> [(fullUrl: String?, resource: JSONObject)] {
        (bundle["entry"]?.arrayValue ?? []).compactMap { entry in
            guard let resource = entry["resource"]?.objectValue else { return nil }
            return (entry["fullUrl"]?.stringValue, resource)
        }
    }

    private static func flatten(_ bundle: JSON) -> [FlatResource] {
        let entries = resources(bundle)
        var byFullUrl: [String: String] = [:]
        for (fullUrl, resource) in entries {
            guard let fullUrl, let type = resource["resourceType"]?.stringValue, let id = resource["id"]?.stringValue
            else { continue }
            byFullUrl[fullUrl] = "\(type)/\(id)"
        }
        let resolver: (String) -> String = { reference in
            if let key = byFullUrl[reference] { return key }
            // `Patient/123`, or an absolute URL ending in Type/id
            let parts = reference.split(separator: "/")
            if parts.count >= 2 { return "\(parts[parts.count - 2])/\(parts[parts.count - 1])" }
            return reference
        }
        return entries.map { FlatResource($0.resource, resolver: resolver) }
    }

    private mutating func pair() {
        var expectedByType: [String: [Int]] = [:]
        var actualByType: [String: [Int]] = [:]
        for (index, resource) in expected.enumerated() { expectedByType[resource.type, default: []].append(index) }
        for (index, resource) in actual.enumerated() { actualByType[resource.type, default: []].append(index) }
        for (type, expectedIndexes) in expectedByType {
            guard let actualIndexes = actualByType[type] else { continue }
            if expectedIndexes.count == 1 && actualIndexes.count == 1 {
                pairs[expectedIndexes[0]] = actualIndexes[0]
                continue
            }
            var candidates: [(score: Int, expected: Int, actual: Int)] = []
            for e in expectedIndexes {
                for a in actualIndexes {
                    let shared = expected[e].pairingKeys.intersection(actual[a].pairingKeys)
                    let score = shared.reduce(0) { $0 + PairingKeys.weight($1) }
                    if score >= Self.minimumScore { candidates.append((score, e, a)) }
                }
            }
            candidates.sort { ($0.score, -$0.expected, -$0.actual) > ($1.score, -$1.expected, -$1.actual) }
            var usedActual: Set<Int> = []
            for candidate in candidates where pairs[candidate.expected] == nil && !usedActual.contains(candidate.actual)
            {
                pairs[candidate.expected] = candidate.actual
                usedActual.insert(candidate.actual)
            }
        }
    }

    /// A token per resource that is equal on both sides exactly for paired resources.
    func referenceTokens() -> (expected: [String: String], actual: [String: String]) {
        var expectedTokens: [String: String] = [:]
        var actualTokens: [String: String] = [:]
        for (index, resource) in expected.enumerated() {
            if let partner = pairs[index] {
                expectedTokens[resource.key] = "\(resource.type)#\(index)"
                actualTokens[actual[partner].key] = "\(resource.type)#\(index)"
            }
        }
        return (expectedTokens, actualTokens)
    }
}
