import ClinicalModel
import HL7v2
import MappingSpec

/// One non-empty element of a message and what became of it.
public struct ElementFate: Sendable {
    public enum Fate: Sendable, Hashable {
        /// It reached the canonical record.
        case carried
        /// It is declared not carried, for this reason (mapping data, never a value).
        case declared(String)
        /// Neither carried nor declared.
        case unaccounted
    }

    /// The segment's 0-based index in the message and its id.
    public var segmentIndex: Int
    public var segment: String
    public var element: HL7Element
    public var fate: Fate

    /// `PID-5.2`: the element path (`SourceAccount`).
    public var path: String { element.path(segment: segment) }
}

/// What `Mappings/hl7v2` declares not carried, indexed for the accounting of each message.
struct DeclarationIndex: Sendable {
    struct Segment: Sendable {
        /// field -> declarations of the field, a component or a subcomponent
        var fields: [Int: [DeclaredElement]] = [:]
        /// field -> the data type a rule reads it as (for `declared.yaml` `types`)
        var types: [Int: String] = [:]
    }

    var segments: [String: Segment] = [:]
    var types: [String: [DeclaredElement]]
    var explicitNull: String
    var cases: [DeclaredCase: String] = [:]

    /// Data types whose components are declared under another type's name.
    static let typeAliases: [String: String] = ["CE": "CWE", "CNE": "CWE", "CF": "CWE", "PN": "XPN", "TS": "DTM"]

    init(spec: HL7v2MappingSpec) throws(MappingLoadError) {
        types = spec.declarations.types
        explicitNull = spec.declarations.explicitNull
        for item in DeclaredCase.allCases {
            guard let reason = spec.declarations.cases[item.rawValue] else {
                throw MappingLoadError(file: "declared.yaml", line: nil, "cases: no reason for '\(item.rawValue)'")
            }
            cases[item] = reason
        }
        for map in spec.segmentMaps.values {
            var segment = Segment()
            var seen: Set<String> = []
            for declared in map.declared {
                let key = "\(declared.field).\(declared.component ?? 0).\(declared.subcomponent ?? 0)"
                guard seen.insert(key).inserted else {
                    throw MappingLoadError(file: map.file, line: declared.line, "element declared twice")
                }
                segment.fields[declared.field, default: []].append(declared)
            }
            if map.setID, segment.fields[1] == nil {
                segment.fields[1] = [
                    DeclaredElement(field: 1, component: nil, subcomponent: nil, reason: spec.declarations.setID)
                ]
            }
            for produce in map.produces {
                for rule in produce.fields where rule.component == nil && segment.types[rule.field] == nil {
                    segment.types[rule.field] = rule.dataType
                }
            }
            segments[map.segment] = segment
        }
    }

    /// The most specific declaration that covers an element: the segment map's own (subcomponent,
    /// component, field), then the data type's, then the manifest's reason for ignoring the segment.
    func reason(for element: HL7Element, segment id: String, ignored: String?) -> String? {
        if element.isExplicitNull { return explicitNull }
        let component = max(element.component, 1)
        let subcomponent = max(element.subcomponent, 1)
        if let segment = segments[id] {
            if let declared = segment.fields[element.field],
                let reason = Self.match(declared, component: component, subcomponent: subcomponent, field: true)
            {
                return reason
            }
            if let type = segment.types[element.field],
                let declared = types[type] ?? Self.typeAliases[type].flatMap({ types[$0] }),
                let reason = Self.match(declared, component: component, subcomponent: subcomponent, field: false)
            {
                return reason
            }
        }
        return ignored
    }

    private static func match(_ declared: [DeclaredElement], component: Int, subcomponent: Int, field: Bool)
        -> String?
    {
        var best: (rank: Int, reason: String)?
        for item in declared {
            let rank: Int
            switch (item.component, item.subcomponent) {
            case (component?, subcomponent?): rank = 3
            case (component?, nil): rank = 2
            case (nil, nil) where field: rank = 1
            default: continue
            }
            if rank > (best?.rank ?? 0) { best = (rank, item.reason) }
        }
        return best?.reason
    }
}

/// Counts of one message's elements by fate, gathered by element before paths are named.
struct AccountingFates {
    var account = SourceAccount()
    /// Keep each element's fate (`elementFates`), not only the counts.
    var keepElements = false
    var elements: [ElementFate] = []

    init(keepElements: Bool = false) { self.keepElements = keepElements }
}

extension HL7v2Mapper {
    /// Looks up every non-empty element of the message: carried (marked by the mapping), declared
    /// (the reason in `Mappings/hl7v2`), or unaccounted. Paths are named once per distinct element
    /// path of the message, not once per element.
    func account(
        _ message: HL7Message, manifest: MessageManifest, context: inout MappingContext, traceUnused: Bool,
        fates: inout AccountingFates
    ) {
        struct Tally {
            var segment: String
            var element: HL7Element
            var carried = 0
            var declared = 0
            var unaccounted = 0
            var reason: String?
        }
        var tallies: [UInt64: Tally] = [:]
        var unnamed = SourceAccount()
        for segment in message.segments {
            let id = segment.id
            let ignored = manifest.ignoredReasons[id]
            let traced = traceUnused && (id == "MSH" || (manifest.entities(for: id) ?? siteSegmentRoles(id)) != nil)
            var tracedFields: Set<Int> = []
            let code = UInt64(id.utf8.reduce(0) { $0 << 8 | UInt32($1) })
            segment.forEachElement { element in
                var fate = ElementFate.Fate.unaccounted
                if context.carried.contains(segment: segment.index, element) {
                    fate = .carried
                } else if let declared = context.carried.declaredCase(segment: segment.index, element),
                    let reason = declarations.cases[declared]
                {
                    fate = .declared(reason)
                } else if let reason = declarations.reason(for: element, segment: id, ignored: ignored) {
                    fate = .declared(reason)
                } else if traced, tracedFields.insert(element.field).inserted {
                    context.diagnose(.information, .fieldNotMapped, at: segment.location(field: element.field))
                }
                if fates.keepElements {
                    fates.elements.append(
                        ElementFate(segmentIndex: segment.index, segment: id, element: element, fate: fate))
                }
                guard element.field < 1 << 12, element.component < 1 << 10, element.subcomponent < 1 << 10 else {
                    // past the packing: named at once
                    switch fate {
                    case .carried: unnamed.carry(element.path(segment: id))
                    case .declared(let reason): unnamed.declare(element.path(segment: id), reason: reason)
                    case .unaccounted: unnamed.leave(element.path(segment: id))
                    }
                    return
                }
                // the path depends on whether component and subcomponent were written, not on the repetition
                let key =
                    code << 34 | UInt64(element.field) << 22 | UInt64(element.component) << 11
                    | UInt64(element.subcomponent) << 1 | (element.component == 0 ? 0 : 1)
                var tally = tallies[key] ?? Tally(segment: id, element: element)
                switch fate {
                case .carried: tally.carried += 1
                case .declared(let reason):
                    tally.declared += 1
                    if tally.reason == nil { tally.reason = reason }
                case .unaccounted: tally.unaccounted += 1
                }
                tallies[key] = tally
            }
        }
        var account = unnamed
        for tally in tallies.values {
            let path = tally.element.path(segment: tally.segment)
            if tally.carried > 0 { account.carry(path, count: tally.carried) }
            if tally.declared > 0 { account.declare(path, reason: tally.reason ?? "", count: tally.declared) }
            if tally.unaccounted > 0 { account.leave(path, count: tally.unaccounted) }
        }
        fates.account.add(account)
    }
}
