import ClinicalModel
import Foundation

/// Plain-text formatting of model values for charts (escaped later by `HTMLWriter`).
enum ChartFormat {
    /// `2024-03-16T08:00:00-05:00` → `2024-03-16 08:00`; dates keep their precision.
    static func dateTime(_ value: ClinicalDateTime?) -> String {
        guard let fhir = value?.fhir else { return "" }
        guard fhir.count > 10 else { return fhir }
        let time = fhir.dropFirst(11).prefix(5)
        return "\(fhir.prefix(10)) \(time)"
    }

    /// `start – end`; with `openEnded`, a period without an end reads `start –` (ongoing).
    static func period(_ period: Period?, openEnded: Bool = false) -> String {
        guard let period, !period.isEmpty else { return "" }
        let start = dateTime(period.start)
        let end = dateTime(period.end)
        if end.isEmpty { return start.isEmpty || !openEnded ? start : "\(start) –" }
        if start.isEmpty { return "– \(end)" }
        return start == end ? start : "\(start) – \(end)"
    }

    static func quantity(_ quantity: Quantity?, withUnit: Bool = true) -> String {
        guard let quantity else { return "" }
        var text = (quantity.comparator ?? "") + (quantity.value?.lexical ?? "")
        if withUnit, let unit = unit(quantity), !unit.isEmpty { text += text.isEmpty ? unit : " \(unit)" }
        return text
    }

    static func unit(_ quantity: Quantity?) -> String? {
        guard let quantity else { return nil }
        if let unit = quantity.unit, !unit.isEmpty { return unit }
        return quantity.code
    }

    static func range(_ ranges: [ReferenceRange]) -> String {
        ranges.map { range in
            let low = quantity(range.low, withUnit: false)
            let high = quantity(range.high, withUnit: false)
            var text = ""
            switch (low.isEmpty, high.isEmpty) {
            case (false, false): text = "\(low)–\(high)"
            case (false, true): text = "≥ \(low)"
            case (true, false): text = "≤ \(high)"
            case (true, true): text = ""
            }
            if let unit = unit(range.high) ?? unit(range.low), !text.isEmpty { text += " \(unit)" }
            if let words = range.text, !words.isEmpty { text = text.isEmpty ? words : "\(text) (\(words))" }
            return text
        }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    static func name(_ name: HumanName?) -> String {
        guard let name else { return "" }
        if let text = name.text, !text.isEmpty, name.family == nil, name.given.isEmpty { return text }
        let given = (name.prefix + name.given).joined(separator: " ")
        var result = [name.family, given.isEmpty ? nil : given].compactMap { $0 }.filter { !$0.isEmpty }
            .joined(separator: ", ")
        if !name.suffix.isEmpty { result += " " + name.suffix.joined(separator: " ") }
        return result.isEmpty ? (name.text ?? "") : result
    }

    /// The official (else usual, else first) name.
    static func preferredName(_ names: [HumanName]) -> HumanName? {
        names.first { $0.use == "official" } ?? names.first { $0.use == "usual" } ?? names.first { !$0.isEmpty }
    }

    static func address(_ address: Address) -> String {
        if address.lines.isEmpty, address.city == nil, let text = address.text { return text }
        let cityLine = [address.city, address.state, address.postalCode].compactMap { $0 }.filter { !$0.isEmpty }
            .joined(separator: " ")
        return (address.lines + [cityLine, address.country ?? ""]).filter { !$0.isEmpty }.joined(separator: ", ")
    }

    /// A number for SVG coordinates: fixed, short, locale-independent.
    static func coordinate(_ value: Double) -> String {
        String(format: "%.1f", locale: Locale(identifier: "en_US_POSIX"), value)
    }
}
