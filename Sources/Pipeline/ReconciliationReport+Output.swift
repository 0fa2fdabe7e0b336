import ClinicalModel
import FHIRR4
import Yams

extension ReconciliationReport {
    /// The report as a JSON value (stable member order).
    public var jsonValue: JSON {
        func counts(_ values: [EntityKind: Int]) -> JSON {
            var object = JSONObject()
            for kind in EntityKind.allCases where values[kind] != nil {
                object.append(kind.rawValue, .int(values[kind]!))
            }
            return .object(object)
        }
        func records(_ items: [ReconciledRecord]) -> JSON {
            .array(
                items.map { item in
                    var object = JSONObject()
                    object.append("resource", .string(item.resource))
                    if let digest = item.sourceDigest { object.append("sourceDigest", .string(digest)) }
                    if let digest = item.fhirDigest { object.append("fhirDigest", .string(digest)) }
                    return .object(object)
                })
        }
        func dangling(_ items: [DanglingReference]) -> JSON {
            .array(items.map { .object(JSONObject(["from": .string($0.from), "to": .string($0.to)])) })
        }
        var object = JSONObject()
        object.append("canonicalForm", .string(canonicalForm))
        object.append("clean", .bool(isClean))
        object.append("sourceCounts", counts(sourceCounts))
        object.append("fhirCounts", counts(fhirCounts))
        object.append("matched", .int(matched))
        object.append("missing", records(missing))
        object.append("extra", records(extra))
        object.append("changed", records(changed))
        object.append("danglingReferencesInSource", dangling(danglingInSource))
        object.append("danglingReferencesInFHIR", dangling(danglingInFHIR))
        var unused = JSONObject()
        for (key, count) in unusedSource.sorted(by: { $0.key < $1.key }) { unused.append(key, .int(count)) }
        object.append("unusedSource", .object(unused))
        object.append(
            "sourceAccount", RunSummary.accountJSON(sourceAccount, unitsNotAccounted: unitsNotAccounted))
        object.append("sourceErrors", .array(sourceErrors.map { .string($0.description) }))
        object.append("sourceRollup", .string(sourceRollup))
        object.append("fhirRollup", .string(fhirRollup))
        return .object(object)
    }

    public func json() -> [UInt8] { JSONWriter(style: .pretty).bytes(jsonValue) + [0x0A] }

    /// The same content as YAML (block style; keys and strings double-quoted, escaped by the
    /// emitter, so any text reads back as the same string).
    ///
    /// - Throws: `YamlError` if the emitter fails.
    public func yaml() throws -> String {
        func node(_ value: JSON) -> Node {
            switch value {
            case .object(let object):
                let pairs = object.members.map { (Node($0.key, .implicit, .doubleQuoted), node($0.value)) }
                return Node(pairs, .implicit, pairs.isEmpty ? .flow : .block)
            case .array(let items):
                return Node(items.map(node), .implicit, items.isEmpty ? .flow : .block)
            case .string(let text): return Node(text, .implicit, .doubleQuoted)
            case .number(let text): return Node(text, .implicit, .plain)
            case .bool(let flag): return Node(flag ? "true" : "false", .implicit, .plain)
            default: return Node("null", .implicit, .plain)
            }
        }
        return try Yams.serialize(node: node(jsonValue), indent: 2, width: -1, allowUnicode: true)
    }

    /// A short summary for standard error.
    public func summaryText() -> String {
        let total = { (counts: [EntityKind: Int]) in counts.values.reduce(0, +) }
        var text = "reconcile: \(total(sourceCounts)) source records, \(total(fhirCounts)) FHIR records, "
        text += "\(matched) matched, \(missing.count) missing, \(extra.count) extra, \(changed.count) changed, "
        text += "\(danglingInFHIR.count) dangling references in FHIR"
        if !sourceErrors.isEmpty { text += ", \(sourceErrors.count) source units failed" }
        if !sourceAccount.isEmpty {
            let totals = sourceAccount.totals
            text += "; source elements \(totals.carried) carried, \(totals.declared) declared, "
            text += "\(totals.unaccounted) unaccounted"
        }
        return text + (isClean ? " — clean\n" : " — DIFFERENCES\n")
    }
}
