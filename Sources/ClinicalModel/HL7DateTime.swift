/// The HL7 timestamp grammar, `YYYY[MM[DD[HH[MM[SS[.S…]]]]]][+/-ZZZZ]`, as HL7 v2 writes DT, DTM
/// and TS (HL7 v2.5.1 §2.A.22 DTM) and HL7 v3 writes TS (V3 Data Types R1 §TS, as C-CDA R2.1 uses
/// it), converted to FHIR `dateTime` lexical form keeping the precision the source gave.
///
///     HL7DateTime.parse("20240305", defaultZone: "+00:00", syntax: .v2)             // "2024-03-05"
///     HL7DateTime.parse("202403051030-0500", defaultZone: "+00:00", syntax: .v2)    // "2024-03-05T10:30:00-05:00"
///     HL7DateTime.parse("20240305103015.25", defaultZone: "+01:00", syntax: .v3)    // "2024-03-05T10:30:15.25+01:00"
///
/// FHIR requires a zone on a time: a time without one takes `defaultZone` (the run's
/// `--timezone`, UTC unless set). A zone on a bare date is dropped (a FHIR date has none), and
/// `-0000` is written `+00:00`. Hour precision is written `hh:00:00`, minute precision with `:00`
/// seconds, which FHIR's grammar requires and which adds no information.
public enum HL7DateTime {
    /// What the two standards' spellings of the grammar allow beyond their common part.
    public struct Syntax: Hashable, Sendable {
        /// The most digits a fraction of a second may have, or `nil` for any number.
        public var maxFractionDigits: Int?
        /// Whether a zone may give hours only (`+01`).
        public var allowsHourOnlyZone: Bool
        /// Whether a trailing `Z` may stand for UTC.
        public var allowsZ: Bool
        /// Whether line breaks around the value are trimmed as well as spaces and tabs.
        public var trimsLineBreaks: Bool

        /// HL7 v2 DTM: up to four fraction digits, `+/-ZZZZ` zones; spaces and tabs trimmed.
        public static let v2 = Syntax(
            maxFractionDigits: 4, allowsHourOnlyZone: false, allowsZ: false, trimsLineBreaks: false)
        /// HL7 v3 TS: any number of fraction digits, `+/-ZZ[ZZ]` or `Z` zones; XML white space trimmed.
        public static let v3 = Syntax(
            maxFractionDigits: nil, allowsHourOnlyZone: true, allowsZ: true, trimsLineBreaks: true)
    }

    /// The FHIR `dateTime` for `raw`, or `nil` for anything that is not a valid timestamp in
    /// `syntax` (the caller reports `invalidTimestamp` with the position).
    ///
    /// - Complexity: O(*n*) in the length of `raw`.
    public static func parse(_ raw: String, defaultZone: String, syntax: Syntax) -> ClinicalDateTime? {
        var bytes = trimmed(Array(raw.utf8), lineBreaks: syntax.trimsLineBreaks)
        guard bytes.count >= 4 else { return nil }
        var zone: String?
        if syntax.allowsZ, bytes.last == UInt8(ascii: "Z") {
            zone = "Z"
            bytes = bytes.dropLast()
        } else if let sign = bytes.dropFirst(4).firstIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
        ) {
            let digits = Array(bytes[(sign + 1)...])
            guard digits.count == 4 || (syntax.allowsHourOnlyZone && digits.count == 2), digits.allSatisfy(isDigit)
            else {
                return nil
            }
            let hours = number(digits, 0, 2)
            let minutes = digits.count == 4 ? number(digits, 2, 2) : 0
            guard hours <= 14, minutes < 60 else { return nil }
            let text = (bytes[sign] == UInt8(ascii: "+") ? "+" : "-") + pad(hours) + ":" + pad(minutes)
            zone = text == "-00:00" ? "+00:00" : text
            bytes = bytes[..<sign]
        }
        var fraction: String?
        if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) {
            let digits = bytes[(dot + 1)...]
            guard !digits.isEmpty, digits.count <= syntax.maxFractionDigits ?? Int.max, digits.allSatisfy(isDigit)
            else {
                return nil
            }
            fraction = String(decoding: digits, as: UTF8.self)
            bytes = bytes[..<dot]
        }
        guard bytes.allSatisfy(isDigit) else { return nil }
        let digits = Array(bytes)
        guard [4, 6, 8, 10, 12, 14].contains(digits.count), fraction == nil || digits.count == 14 else { return nil }
        let year = number(digits, 0, 4)
        guard year >= 1 else { return nil }
        var result = pad4(year)
        if digits.count >= 6 {
            let month = number(digits, 4, 2)
            guard (1...12).contains(month) else { return nil }
            result += "-" + pad(month)
            if digits.count >= 8 {
                let day = number(digits, 6, 2)
                guard day >= 1, day <= daysIn(month: month, year: year) else { return nil }
                result += "-" + pad(day)
            }
        }
        if digits.count >= 10 {
            let hour = number(digits, 8, 2)
            let minute = digits.count >= 12 ? number(digits, 10, 2) : 0
            let second = digits.count >= 14 ? number(digits, 12, 2) : 0
            guard hour < 24, minute < 60, second < 60 else { return nil }
            result += "T" + pad(hour) + ":" + pad(minute) + ":" + pad(second)
            if let fraction { result += "." + fraction }
            result += zone ?? defaultZone
        }
        return ClinicalDateTime(fhir: result)
    }

    private static func trimmed(_ bytes: [UInt8], lineBreaks: Bool) -> ArraySlice<UInt8> {
        func isSpace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
                || (lineBreaks && (byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")))
        }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return bytes[first...last]
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func number(_ digits: [UInt8], _ start: Int, _ length: Int) -> Int {
        var value = 0
        for index in start..<(start + length) { value = value * 10 + Int(digits[index] - 48) }
        return value
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func pad4(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
