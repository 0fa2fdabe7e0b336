import CanonicalHash
import ClinicalModel
import Foundation

/// Per-record digests as a stream, and roll-ups that combine across shards.
///
/// `convert --digests FILE` writes one line per record of each converted unit, in unit order:
///
///     <input name> TAB <unit number> TAB <Type/derived id> TAB <canonical digest>
///
/// (positions, one-way resource names and digests: no patient data). `fhirbridge rollup FILE…`
/// reads the lines of any number of shards and rolls them up as one process would: per resource
/// the version of the last unit in source order (input name, then unit number: the order of a
/// sorted folder), then per FHIR resource type and over all the SHA-256 of the sorted digests
/// (`CanonicalHasher.rollup`). Shards that split a source any way give the roll-up of the whole.
public struct DigestRollup: Sendable, Equatable {
    /// Per resource, the position and digest of its last version so far.
    private var latest: [String: (input: String, unit: Int, digest: String)] = [:]

    public init() {}

    public static func == (lhs: DigestRollup, rhs: DigestRollup) -> Bool {
        lhs.latest.mapValues(\.digest) == rhs.latest.mapValues(\.digest)
    }

    /// The lines of one unit's record.
    public static func lines(input: String, unit: Int, record: ClinicalRecord) -> String {
        var text = ""
        for (entry, _) in LedgerEntry.entries(record) {
            text += "\(input)\t\(unit)\t\(entry.resource)\t\(entry.digest)\n"
        }
        return text
    }

    /// A line that is not four tab-separated fields with a unit number, by its line number.
    public struct LineError: Error, CustomStringConvertible, Sendable {
        public var line: Int
        public var description: String { "line \(line) is not <input> TAB <unit> TAB <resource> TAB <digest>" }
    }

    /// Adds the lines of a digest stream (any order; a later position wins, as in the source).
    public mutating func add(lines text: Substring) throws(LineError) {
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if line.isEmpty { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 4, let unit = Int(fields[1]), !fields[2].isEmpty, !fields[3].isEmpty else {
                throw LineError(line: number)
            }
            add(input: String(fields[0]), unit: unit, resource: String(fields[2]), digest: String(fields[3]))
        }
    }

    public mutating func add(input: String, unit: Int, resource: String, digest: String) {
        if let known = latest[resource], (known.input, known.unit) > (input, unit) { return }
        latest[resource] = (input, unit, digest)
    }

    /// Records (each resource once).
    public var count: Int { latest.count }

    /// The roll-up over every record.
    public var rollup: String { CanonicalHasher.rollup(latest.values.map(\.digest)) }

    /// Per FHIR resource type: the records and their roll-up.
    public var byType: [String: (count: Int, rollup: String)] {
        var digests: [String: [String]] = [:]
        for (resource, value) in latest {
            digests[String(resource.prefix { $0 != "/" }), default: []].append(value.digest)
        }
        return digests.mapValues { ($0.count, CanonicalHasher.rollup($0)) }
    }
}
