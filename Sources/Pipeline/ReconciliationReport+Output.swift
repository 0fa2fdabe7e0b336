import ClinicalModel
import FHIRR4

extension ReconciliationReport {
    /// The report as a JSON value (stable member order).
    public var jsonValue: JSON {
        func counts(_ values: [EntityKind: Int]) -> JSON {
            var object = JSONObject()
            for kind in EntityKind.allCases where values[kind] != nil { object.append(kind.rawValue, .int(values[kind]!)) }
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
        object.append("sourceErrors", .array(sourceErrors.map { .string($0.description) }))
        object.append("sourceRollup", .string(sourceRollup))
        object.append("fhirRollup", .string(fhirRollup))
        return .object(object)
    }

    public func json() -> [UInt8] { JSONWriter(style: .pretty).bytes(jsonValue) + [0x0A] }

    /// The same content as YAML (block style; every string quoted).
    public func yaml() -> String {
        var lines: [String] = []
        func quote(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        func emit(_ value: JSON, indent: Int, key: String?) {
            let pad = String(repeating: "  ", count: indent)
            let prefix = key.map { "\(pad)\(quote($0)): " } ?? "\(pad)- "
            switch value {
            case let .object(object) where !object.isEmpty:
                if key != nil {
                    lines.append(prefix.trimmingTrailingSpace)
                    for member in object.members { emit(member.value, indent: indent + 1, key: member.key) }
                } else {
                    // list item: first member on the dash line
                    var first = true
                    for member in object.members {
                        let memberPad = first ? "\(pad)- " : "\(pad)  "
                        first = false
                        lines.append("\(memberPad)\(quote(member.key)): \(scalar(member.value))")
                    }
                }
            case let .array(items) where !items.isEmpty:
                lines.append(prefix.trimmingTrailingSpace)
                for item in items { emit(item, indent: indent + 1, key: nil) }
            case .object: lines.append(prefix + "{}")
            case .array: lines.append(prefix + "[]")
            default: lines.append(prefix + scalar(value))
            }
        }
        func scalar(_ value: JSON) -> String {
            switch value {
            case let .string(text): quote(text)
            case let .number(text): text
            case let .bool(flag): flag ? "true" : "false"
            default: "null"
            }
        }
        if case let .object(object) = jsonValue {
            for member in object.members { emit(member.value, indent: 0, key: member.key) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A short summary for standard error.
    public func summaryText() -> String {
        let total = { (counts: [EntityKind: Int]) in counts.values.reduce(0, +) }
        var text = "reconcile: \(total(sourceCounts)) source records, \(total(fhirCounts)) FHIR records, "
        text += "\(matched) matched, \(missing.count) missing, \(extra.count) extra, \(changed.count) changed, "
        text += "\(danglingInFHIR.count) dangling references in FHIR"
        if !sourceErrors.isEmpty { text += ", \(sourceErrors.count) source units failed" }
        return text + (isClean ? " — clean\n" : " — DIFFERENCES\n")
    }
}

extension String {
    fileprivate var trimmingTrailingSpace: String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
