import ClinicalModel

/// Converts HL7 v2 DT/DTM/TS values (`YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]`, HL7 v2.5.1
/// §2.A.22 DTM) to FHIR `dateTime` lexical form, keeping the source precision.
///
///     V2DateTime.parse("20240305", defaultZone: "Z")            // "2024-03-05"
///     V2DateTime.parse("202403051030-0500", defaultZone: "Z")   // "2024-03-05T10:30:00-05:00"
///
/// FHIR requires a zone when a time is given; a time with no zone takes `defaultZone` (the run's
/// `--timezone`, UTC unless set). Minute precision is written with `:00` seconds, which FHIR's
/// grammar requires and which adds no information. Returns `nil` for anything that is not a valid
/// DTM (the caller reports `invalidTimestamp` with the position).
public enum V2DateTime {
    public static func parse(_ raw: String, defaultZone: String) -> ClinicalDateTime? {
        let text = raw.trimmingSpaces()
        var bytes = Array(text.utf8)[...]
        guard !bytes.isEmpty else { return nil }
        // TS may carry a precision component after ^ in older versions; the caller passes component 1.
        var zone: String?
        if let signIndex = bytes.firstIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) {
            let zoneBytes = bytes[(signIndex + 1)...]
            guard zoneBytes.count == 4, zoneBytes.allSatisfy(isDigit) else { return nil }
            let digits = Array(zoneBytes)
            let hours = Int(digits[0] - 48) * 10 + Int(digits[1] - 48)
            let minutes = Int(digits[2] - 48) * 10 + Int(digits[3] - 48)
            guard hours <= 14, minutes < 60 else { return nil }
            let sign = bytes[signIndex] == UInt8(ascii: "+") ? "+" : "-"
            zone = "\(sign)\(pad(hours)):\(pad(minutes))"
            if zone == "-00:00" { zone = "+00:00" }
            bytes = bytes[..<signIndex]
        }
        var fraction: String?
        if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) {
            let fractionBytes = bytes[(dot + 1)...]
            guard !fractionBytes.isEmpty, fractionBytes.count <= 4, fractionBytes.allSatisfy(isDigit) else { return nil }
            fraction = String(decoding: fractionBytes, as: UTF8.self)
            bytes = bytes[..<dot]
        }
        guard bytes.allSatisfy(isDigit) else { return nil }
        let digits = Array(bytes)
        guard [4, 6, 8, 10, 12, 14].contains(digits.count) else { return nil }
        guard fraction == nil || digits.count == 14 else { return nil }
        func number(_ start: Int, _ length: Int) -> Int {
            var value = 0
            for index in start..<(start + length) { value = value * 10 + Int(digits[index] - 48) }
            return value
        }
        let year = number(0, 4)
        guard year >= 1 else { return nil }
        var result = String(format4(year))
        if digits.count >= 6 {
            let month = number(4, 2)
            guard (1...12).contains(month) else { return nil }
            result += "-\(pad(month))"
            if digits.count >= 8 {
                let day = number(6, 2)
                guard day >= 1, day <= daysIn(month: month, year: year) else { return nil }
                result += "-\(pad(day))"
            }
        }
        if digits.count >= 10 {
            let hour = number(8, 2)
            let minute = digits.count >= 12 ? number(10, 2) : 0
            let second = digits.count >= 14 ? number(12, 2) : 0
            guard hour < 24, minute < 60, second < 60 else { return nil }
            result += "T\(pad(hour)):\(pad(minute)):\(pad(second))"
            if let fraction { result += ".\(fraction)" }
            result += zone ?? defaultZone
        }
        return ClinicalDateTime(fhir: result == "" ? text : result)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private static func format4(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
