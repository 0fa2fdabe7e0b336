import FHIRR4
import Foundation

/// One FHIR resource flattened for comparison with a peer's output: every primitive value under
/// its element path without indexes (`Patient.name.given`), and the keys used to pair it with a
/// resource of the other side.
///
/// Paths skip `id`, `meta` and `text` (generated on both sides). Extensions are told apart by their
/// URL (`Patient.extension:us-core-race.extension:ombCategory.valueCoding.code`, the last segment
/// of the URL), since one `extension` path would mix unrelated data. References are kept as the
/// resource they point to (`resolve` turns them into pairing tokens once both sides are paired).
///
///     Patient.name.given        -> ["Adam", "A."]
///     Observation.subject.reference -> ["ref:Patient/…"]   (a pairing token after `resolve`)
struct FlatResource {
    var type: String
    var id: String
    /// The key (`Type/id`) other resources of its bundle reference it by.
    var key: String { "\(type)/\(id)" }
    /// Element path -> normalized primitive values, in document order.
    var leaves: [String: [String]] = [:]
    /// Element path -> referenced resource keys (`Type/id` inside the bundle, or the reference as written).
    var references: [String: [String]] = [:]
    /// Weighted keys for pairing: `id:`, `code:`, `name:`, `value:`, `date:`.
    var pairingKeys: Set<String> = []

    init(_ resource: JSONObject, resolver: (String) -> String) {
        type = resource["resourceType"]?.stringValue ?? "?"
        id = resource["id"]?.stringValue ?? ""
        for member in resource where !Self.skipped.contains(member.key) {
            walk(member.value, path: "\(type).\(member.key)", resolver: resolver)
        }
        pairingKeys = PairingKeys.keys(of: resource)
    }

    static let skipped: Set<String> = ["resourceType", "id", "meta", "text", "contained"]

    private mutating func walk(_ value: JSON, path: String, resolver: (String) -> String) {
        switch value {
        case .null: return
        case .bool(let flag): leaves[path, default: []].append(flag ? "true" : "false")
        case .number(let lexical): leaves[path, default: []].append(Self.normalizedNumber(lexical))
        case .string(let text):
            if path.hasSuffix(".reference") {
                references[path, default: []].append(resolver(text))
            } else {
                leaves[path, default: []].append(Self.normalized(text))
            }
        case .array(let items):
            for item in items { walk(item, path: path, resolver: resolver) }
        case .object(let object):
            var base = path
            if path.hasSuffix(".extension") || path.hasSuffix(".modifierExtension"),
                let url = object["url"]?.stringValue
            {
                base = "\(path):\(Self.extensionName(url))"
            }
            for member in object where !(member.key == "url" && base != path) {
                walk(member.value, path: "\(base).\(member.key)", resolver: resolver)
            }
        }
    }

    /// The last segment of an extension URL (`http://hl7.org/fhir/us/core/StructureDefinition/us-core-race`
    /// -> `us-core-race`); a relative URL (`ombCategory`) as it is.
    static func extensionName(_ url: String) -> String {
        guard url.contains("/"), let last = url.split(separator: "/").last else { return url }
        return String(last)
    }

    /// Text trimmed with white space folded. A date/time with a time and a zone becomes the UTC
    /// instant at its own precision (`2015-02-08T11:34:19+01:10` and `2015-02-08T15:54:19+05:30`
    /// agree: one converter keeps the source's zone, the other writes its own), zero fractional
    /// seconds dropped. A code system the source names only locally (CWE-3 `L`, `99LAB`) is
    /// `local-system:<name>` on both sides: FHIR-Converter writes
    /// `http://example.com/v2-to-fhir-converter/CodeSystem/<name>`, fhirbridge
    /// `urn:fhirbridge:v2-coding-system:<name>`; neither is a real system, and the name is what both say.
    static func normalized(_ text: String) -> String {
        let folded = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for prefix in localSystemPrefixes where folded.hasPrefix(prefix) {
            let name = String(folded.dropFirst(prefix.count))
            return "local-system:" + (name.removingPercentEncoding ?? name)
        }
        let bytes = Array(folded.utf8)
        guard bytes.count >= 16, bytes[10] == UInt8(ascii: "T"), bytes[0] >= 48, bytes[0] <= 57,
            let instant = instant(folded)
        else { return folded }
        return instant
    }

    static let localSystemPrefixes = [
        "http://example.com/v2-to-fhir-converter/CodeSystem/", "urn:fhirbridge:v2-coding-system:",
    ]

    /// `yyyy-mm-ddThh:mm[:ss[.fff]](Z|±hh:mm)` as the UTC instant (`…Z`) with the same digits of
    /// precision; `nil` for anything else.
    static func instant(_ text: String) -> String? {
        let pattern = #"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(:(\d\d)(\.\d+)?)?(Z|([+-])(\d\d):(\d\d))$"#
        guard
            let match = try? NSRegularExpression(pattern: pattern).firstMatch(
                in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ index: Int) -> String? {
            Range(match.range(at: index), in: text).map { String(text[$0]) }
        }
        guard let year = group(1).flatMap(Int.init), let month = group(2).flatMap(Int.init),
            let day = group(3).flatMap(Int.init), let hour = group(4).flatMap(Int.init),
            let minute = group(5).flatMap(Int.init)
        else { return nil }
        var offset = 0
        if let sign = group(10), let hours = group(11).flatMap(Int.init), let minutes = group(12).flatMap(Int.init) {
            offset = (hours * 60 + minutes) * (sign == "-" ? -1 : 1)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let components = DateComponents(
            year: year, month: month, day: day, hour: hour, minute: minute, second: group(7).flatMap(Int.init))
        guard let local = calendar.date(from: components) else { return nil }
        let date = local.addingTimeInterval(TimeInterval(-offset * 60))
        let utc = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int = 2) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var result = "\(pad(utc.year, 4))-\(pad(utc.month))-\(pad(utc.day))T\(pad(utc.hour)):\(pad(utc.minute))"
        if group(7) != nil {
            result += ":\(pad(utc.second))"
            if var fraction = group(8) {
                while fraction.hasSuffix("0") { fraction.removeLast() }
                if fraction != "." { result += fraction }
            }
        }
        return result + "Z"
    }

    /// A number by value (`1.50` and `1.5` agree): FHIR-Converter keeps the lexical form less often.
    static func normalizedNumber(_ lexical: String) -> String {
        guard let value = Decimal(string: lexical, locale: Locale(identifier: "en_US_POSIX")) else { return lexical }
        return "\(value)"
    }
}

/// The keys two resources of one type are paired by (see `ResourcePairing`).
enum PairingKeys {
    /// Elements whose codes say what a resource is.
    static let codeElements = [
        "code", "vaccineCode", "medicationCodeableConcept", "type", "relationship", "class", "serviceType",
        "specimenType",
    ]
    /// Elements whose day says when it happened.
    static let dateElements = [
        "effectiveDateTime", "effectivePeriod", "onsetDateTime", "onsetPeriod", "recordedDate", "recorded",
        "occurrenceDateTime", "authoredOn", "period", "performedDateTime", "performedPeriod", "issued", "birthDate",
        "start", "date", "collection", "whenHandedOver", "dateAsserted", "effectiveInstant",
    ]

    static func keys(of resource: JSONObject) -> Set<String> {
        var keys: Set<String> = []
        for identifier in items(resource["identifier"]) {
            if let value = identifier["value"]?.stringValue, !value.isEmpty { keys.insert("id:\(value)") }
        }
        for element in codeElements {
            for concept in items(resource[element]) {
                for coding in concept["coding"]?.arrayValue ?? [] {
                    if let code = coding["code"]?.stringValue, !code.isEmpty { keys.insert("code:\(code)") }
                }
                if let code = concept["code"]?.stringValue, !code.isEmpty { keys.insert("code:\(code)") }
            }
        }
        for element in dateElements {
            guard let value = resource[element] else { continue }
            let texts: [String] =
                value.stringValue.map { [$0] }
                ?? ["start", "collectedDateTime"].compactMap { value[$0]?.stringValue }
            for text in texts where text.count >= 10 { keys.insert("date:\(text.prefix(10))") }
        }
        // a Device is named by the sending application: FHIR-Converter puts it in `identifier`,
        // fhirbridge in `deviceName`
        for name in items(resource["deviceName"]) {
            if let text = name["name"]?.stringValue { keys.insert("name:\(text.lowercased())") }
        }
        if resource["resourceType"]?.stringValue == "Device" {
            for identifier in items(resource["identifier"]) {
                if let value = identifier["value"]?.stringValue { keys.insert("name:\(value.lowercased())") }
            }
        }
        for name in items(resource["name"]) {
            if let text = name.stringValue { keys.insert("name:\(text.lowercased())") }
            if let family = name["family"]?.stringValue { keys.insert("name:\(family.lowercased())") }
        }
        if let quantity = resource["valueQuantity"]?["value"]?.numberLexical {
            keys.insert("value:\(FlatResource.normalizedNumber(quantity))")
        }
        if let text = resource["valueString"]?.stringValue { keys.insert("value:\(FlatResource.normalized(text))") }
        return keys
    }

    static func weight(_ key: String) -> Int {
        if key.hasPrefix("id:") { return 4 }
        if key.hasPrefix("code:") || key.hasPrefix("name:") { return 3 }
        if key.hasPrefix("value:") { return 2 }
        return 1
    }

    private static func items(_ value: JSON?) -> [JSON] {
        guard let value else { return [] }
        return value.arrayValue ?? [value]
    }
}
