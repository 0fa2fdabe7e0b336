import ClinicalModel

/// Converts an HL7 v3 TS value (`YYYYMMDDHHMMSS.UUUU[+|-ZZzz]`, HL7 V3 Data Types R1 §TS, as
/// C-CDA R2.1 uses it) to FHIR `dateTime` lexical form, keeping the precision the source gave.
///
///     CCDADateTime.parse("20240305", defaultZone: "+00:00")              // "2024-03-05"
///     CCDADateTime.parse("202403051030-0500", defaultZone: "+00:00")     // "2024-03-05T10:30:00-05:00"
///     CCDADateTime.parse("20240305103015.25", defaultZone: "+01:00")     // "2024-03-05T10:30:15.25+01:00"
///
/// FHIR requires a zone on a time: a time without one takes `defaultZone`. A zone on a bare date
/// is dropped (a FHIR date has none). Hour precision is written `hh:00:00`, minute precision with
/// `:00` seconds, which FHIR's grammar requires and which adds no information.
/// - Returns: `nil` for anything that is not a valid TS (the caller reports `invalidTimestamp`).
enum CCDADateTime {
    static func parse(_ raw: String, defaultZone: String) -> ClinicalDateTime? {
        var bytes = Array(raw.trimmingXMLSpace().utf8)[...]
        guard bytes.count >= 4 else { return nil }
        var zone: String?
        if bytes.last == UInt8(ascii: "Z") {
            zone = "Z"
            bytes = bytes.dropLast()
        } else if let sign = bytes.dropFirst(4).firstIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
        ) {
            let digits = bytes[(sign + 1)...]
            guard digits.count == 4 || digits.count == 2, digits.allSatisfy(isDigit) else { return nil }
            let values = Array(digits)
            let hours = number(values, 0, 2)
            let minutes = values.count == 4 ? number(values, 2, 2) : 0
            guard hours <= 14, minutes < 60 else { return nil }
            let text = (bytes[sign] == UInt8(ascii: "+") ? "+" : "-") + pad(hours) + ":" + pad(minutes)
            zone = text == "-00:00" ? "+00:00" : text
            bytes = bytes[..<sign]
        }
        var fraction: String?
        if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) {
            let digits = bytes[(dot + 1)...]
            guard !digits.isEmpty, digits.allSatisfy(isDigit) else { return nil }
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
        }
        if digits.count >= 8 {
            let month = number(digits, 4, 2)
            let day = number(digits, 6, 2)
            guard day >= 1, day <= daysIn(month: month, year: year) else { return nil }
            result += "-" + pad(day)
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
