import ClinicalModel

/// An abnormal result marker: shown with colour and with text, so it does not rely on colour alone
/// (WCAG 2.1 success criterion 1.4.1).
struct AbnormalFlag: Hashable, Sendable {
    /// Text marker, e.g. `▲ High`, `▼▼ Critical low`, `! Abnormal`.
    var marker: String
    var critical: Bool

    /// Interpretation codes from HL7 v2 table 0078 / v3 ObservationInterpretation that mean "not normal".
    static let abnormalCodes: Set<String> = [
        "H", "HH", "HU", "H>", "L", "LL", "LU", "L<", "A", "AA", ">", "<", "POS", "DET", "R", "RR", "W", "IND", "E",
        "EX", "HX", "LX", "CRITICAL", "ABNORMAL", "HIGH", "LOW",
    ]

    /// The flag from an observation's interpretation, else from its value against the reference
    /// range; `nil` when normal or unknown.
    static func of(value: ObservationValue?, interpretation: [Concept], ranges: [ReferenceRange]) -> AbnormalFlag? {
        for concept in interpretation {
            let codes = concept.codings.compactMap(\.code) + [concept.text].compactMap { $0 }
            for raw in codes {
                let code = raw.trimmingSpaces().uppercased()
                guard abnormalCodes.contains(code) else { continue }
                return flag(code)
            }
        }
        guard case .quantity(let quantity)? = value, let number = quantity.value?.doubleValue else { return nil }
        for range in ranges {
            if let low = range.low?.value?.doubleValue, number < low || (number == low && quantity.comparator == "<") {
                return AbnormalFlag(marker: "▼ Low (outside reference range)", critical: false)
            }
            if let high = range.high?.value?.doubleValue,
                number > high || (number == high && quantity.comparator == ">")
            {
                return AbnormalFlag(marker: "▲ High (outside reference range)", critical: false)
            }
        }
        return nil
    }

    static func flag(_ code: String) -> AbnormalFlag {
        switch code {
        case "H", "H>", "HIGH", "HX": AbnormalFlag(marker: "▲ High (\(code))", critical: false)
        case "HH", "HU": AbnormalFlag(marker: "▲▲ Critical high (\(code))", critical: true)
        case "L", "L<", "LOW", "LX": AbnormalFlag(marker: "▼ Low (\(code))", critical: false)
        case "LL", "LU": AbnormalFlag(marker: "▼▼ Critical low (\(code))", critical: true)
        case "AA", "CRITICAL", "RR": AbnormalFlag(marker: "!! Critical (\(code))", critical: true)
        case ">": AbnormalFlag(marker: "▲ Above measurable range (>)", critical: false)
        case "<": AbnormalFlag(marker: "▼ Below measurable range (<)", critical: false)
        default: AbnormalFlag(marker: "! Abnormal (\(code))", critical: false)
        }
    }
}
