import ClinicalModel
import Foundation

/// A date or date-time layout written with the usual pattern letters, compiled once at load.
///
/// | letters | meaning |
/// |---|---|
/// | `yyyy` | four-digit year |
/// | `MM` / `M` | month, two digits / one or two |
/// | `dd` / `d` | day of month |
/// | `HH` / `H` | hour 0–23 |
/// | `hh` / `h` | hour 1–12, with `a` (`AM`/`PM`, any case) |
/// | `mm`, `ss` | minute, second (two digits) |
/// | `S…` | fraction of a second, one or more digits |
/// | `XXX` (or `X`, `XX`, `Z`) | zone: `Z`, `±hh:mm`, `±hhmm` or `±hh` |
/// | `'text'` | literal text (`''` is a quote); other punctuation and spaces are literal too |
///
///     let pattern = try CSVDatePattern("MM/dd/yyyy HH:mm")
///     pattern.parse("03/05/2024 14:30")   // year 2024, month 3, day 5, hour 14, minute 30, no zone
struct CSVDatePattern: Hashable, Sendable {
    enum Token: Hashable, Sendable {
        case year
        case month(fixed: Bool)
        case day(fixed: Bool)
        case hour24(fixed: Bool)
        case hour12(fixed: Bool)
        case minute
        case second
        case fraction
        case meridiem
        case zone
        case literal([UInt8])
    }

    /// Fields read from one value. `zone` is `Z` or `±hh:mm`.
    struct Parts: Hashable, Sendable {
        var year: Int
        var month: Int?
        var day: Int?
        var hour: Int?
        var minute: Int?
        var second: Int?
        var fraction: String?
        var zone: String?
    }

    let text: String
    let tokens: [Token]

    /// - Throws: a message naming the unsupported letter; the caller adds `file:line`.
    init(_ text: String) throws(CSVPatternError) {
        self.text = text
        var tokens: [Token] = []
        let bytes = Array(text.utf8)
        var index = 0
        func isLetter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "'") {
                var literal: [UInt8] = []
                index += 1
                var closed = false
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "'") {
                        if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "'") {
                            literal.append(UInt8(ascii: "'"))
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    literal.append(bytes[index])
                    index += 1
                }
                guard closed else { throw CSVPatternError("unclosed quote in date format") }
                tokens.append(literal.isEmpty ? .literal([UInt8(ascii: "'")]) : .literal(literal))
                continue
            }
            guard isLetter(byte) else {
                if case .literal(let previous) = tokens.last {
                    tokens[tokens.count - 1] = .literal(previous + [byte])
                } else {
                    tokens.append(.literal([byte]))
                }
                index += 1
                continue
            }
            var count = 0
            while index + count < bytes.count, bytes[index + count] == byte { count += 1 }
            index += count
            let letter = Character(UnicodeScalar(byte))
            switch (letter, count) {
            case ("y", 4): tokens.append(.year)
            case ("M", 1), ("M", 2): tokens.append(.month(fixed: count == 2))
            case ("d", 1), ("d", 2): tokens.append(.day(fixed: count == 2))
            case ("H", 1), ("H", 2): tokens.append(.hour24(fixed: count == 2))
            case ("h", 1), ("h", 2): tokens.append(.hour12(fixed: count == 2))
            case ("m", 2): tokens.append(.minute)
            case ("s", 2): tokens.append(.second)
            case ("S", _): tokens.append(.fraction)
            case ("a", 1): tokens.append(.meridiem)
            case ("X", 1...3), ("Z", 1): tokens.append(.zone)
            default:
                throw CSVPatternError("unsupported date format letters '\(String(repeating: letter, count: count))'")
            }
        }
        guard tokens.contains(.year) else { throw CSVPatternError("date format needs a year (yyyy)") }
        let hasHour12 = tokens.contains { if case .hour12 = $0 { true } else { false } }
        if hasHour12 != tokens.contains(.meridiem) {
            throw CSVPatternError("12-hour formats need both h and a")
        }
        self.tokens = tokens
    }

    /// Whether the pattern reads a time of day.
    var hasTime: Bool {
        tokens.contains { token in
            switch token {
            case .hour12, .hour24: true
            default: false
            }
        }
    }

    var hasZone: Bool { tokens.contains(.zone) }

    /// Reads a whole value, or returns `nil` when it does not fit the pattern or names no real date.
    func parse(_ value: String) -> Parts? {
        let bytes = Array(value.utf8)
        var index = 0
        func digits(min: Int, max: Int) -> Int? {
            var count = 0
            var number = 0
            while count < max, index + count < bytes.count, (48...57).contains(bytes[index + count]) {
                number = number * 10 + Int(bytes[index + count] - 48)
                count += 1
            }
            guard count >= min else { return nil }
            index += count
            return number
        }
        var parts = Parts(year: 0)
        var hour12: Int?
        var pm: Bool?
        for token in tokens {
            switch token {
            case .year:
                guard let year = digits(min: 4, max: 4) else { return nil }
                parts.year = year
            case .month(let fixed):
                guard let month = digits(min: fixed ? 2 : 1, max: 2) else { return nil }
                parts.month = month
            case .day(let fixed):
                guard let day = digits(min: fixed ? 2 : 1, max: 2) else { return nil }
                parts.day = day
            case .hour24(let fixed):
                guard let hour = digits(min: fixed ? 2 : 1, max: 2) else { return nil }
                parts.hour = hour
            case .hour12(let fixed):
                guard let hour = digits(min: fixed ? 2 : 1, max: 2) else { return nil }
                hour12 = hour
            case .minute:
                guard let minute = digits(min: 2, max: 2) else { return nil }
                parts.minute = minute
            case .second:
                guard let second = digits(min: 2, max: 2) else { return nil }
                parts.second = second
            case .fraction:
                let start = index
                while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
                guard index > start else { return nil }
                parts.fraction = String(decoding: bytes[start..<index], as: UTF8.self)
            case .meridiem:
                guard index + 2 <= bytes.count else { return nil }
                let marker = String(decoding: bytes[index..<index + 2], as: UTF8.self).uppercased()
                guard marker == "AM" || marker == "PM" else { return nil }
                pm = marker == "PM"
                index += 2
            case .zone:
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
                    parts.zone = "Z"
                    index += 1
                    continue
                }
                let sign = bytes[index]
                guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
                index += 1
                guard let zoneHour = digits(min: 2, max: 2), zoneHour <= 14 else { return nil }
                var zoneMinute = 0
                if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                    index += 1
                    guard let minute = digits(min: 2, max: 2) else { return nil }
                    zoneMinute = minute
                } else if let minute = digits(min: 2, max: 2) {
                    zoneMinute = minute
                }
                guard zoneMinute < 60 else { return nil }
                parts.zone = CSVZone.offsetText(
                    sign: sign == UInt8(ascii: "-") ? -1 : 1, hours: zoneHour, minutes: zoneMinute)
            case .literal(let literal):
                guard index + literal.count <= bytes.count, Array(bytes[index..<index + literal.count]) == literal
                else { return nil }
                index += literal.count
            }
        }
        guard index == bytes.count else { return nil }
        if let hour12, let pm {
            guard (1...12).contains(hour12) else { return nil }
            parts.hour = (hour12 % 12) + (pm ? 12 : 0)
        }
        guard parts.year >= 1 else { return nil }
        if let month = parts.month {
            guard (1...12).contains(month) else { return nil }
            if let day = parts.day {
                guard day >= 1, day <= Self.daysIn(month: month, year: parts.year) else { return nil }
            }
        } else if parts.day != nil {
            return nil
        }
        if let hour = parts.hour {
            guard hour < 24, parts.day != nil else { return nil }
            if parts.minute == nil { parts.minute = 0 }
        }
        if let minute = parts.minute, minute >= 60 { return nil }
        if let second = parts.second, second >= 60 { return nil }
        return parts
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A problem in a date format or zone, without position: the profile loader adds `file:line`.
struct CSVPatternError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The zone for times written without one: a fixed offset or an IANA zone (daylight saving applied
/// for the local time read).
///
///     try CSVZone("+01:00")             // fixed
///     try CSVZone("UTC")                // Z
///     try CSVZone("America/New_York")   // -05:00 or -04:00 depending on the date
enum CSVZone: Hashable, Sendable {
    case fixed(String)
    case named(TimeZone)

    init(_ text: String) throws(CSVPatternError) {
        let trimmed = text.trimmingSpaces()
        if trimmed == "Z" || trimmed.uppercased() == "UTC" {
            self = .fixed("Z")
            return
        }
        let bytes = Array(trimmed.utf8)
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            let digits = bytes.dropFirst().filter { $0 != UInt8(ascii: ":") }
            guard digits.count == 4, digits.allSatisfy({ (48...57).contains($0) }) else {
                throw CSVPatternError("zone must be Z, UTC, ±hh:mm or an IANA name such as America/New_York")
            }
            let values = digits.map { Int($0 - 48) }
            let hours = values[0] * 10 + values[1]
            let minutes = values[2] * 10 + values[3]
            guard hours <= 14, minutes < 60 else { throw CSVPatternError("zone offset out of range") }
            self = .fixed(Self.offsetText(sign: sign == UInt8(ascii: "-") ? -1 : 1, hours: hours, minutes: minutes))
            return
        }
        guard trimmed.contains("/") || trimmed == "GMT", let zone = TimeZone(identifier: trimmed) else {
            throw CSVPatternError("unknown time zone '\(trimmed)'")
        }
        self = .named(zone)
    }

    static func offsetText(sign: Int, hours: Int, minutes: Int) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return (sign < 0 ? "-" : "+") + two(hours) + ":" + two(minutes)
    }

    /// The offset for a local date and time in this zone.
    func offset(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> String {
        switch self {
        case .fixed(let text):
            return text
        case .named(let zone):
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let components = DateComponents(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second)
            guard let date = calendar.date(from: components) else { return "Z" }
            let seconds = zone.secondsFromGMT(for: date)
            let total = abs(seconds) / 60
            return Self.offsetText(sign: seconds < 0 ? -1 : 1, hours: total / 60, minutes: total % 60)
        }
    }
}

extension CSVDatePattern.Parts {
    /// The FHIR lexical form: a `date` (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) when `dateOnly` or no time
    /// was read, else a `dateTime` with the zone read, or `defaultZone` for the local time.
    func fhir(dateOnly: Bool, defaultZone: CSVZone) -> ClinicalDateTime {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        var text = pad(year, 4)
        guard let month else { return ClinicalDateTime(fhir: text) }
        text += "-" + pad(month, 2)
        guard let day else { return ClinicalDateTime(fhir: text) }
        text += "-" + pad(day, 2)
        guard !dateOnly, let hour else { return ClinicalDateTime(fhir: text) }
        let minute = minute ?? 0
        // Minute precision stays minute precision: FHIR output adds the `:00` its grammar needs.
        text += "T" + pad(hour, 2) + ":" + pad(minute, 2)
        if let second {
            text += ":" + pad(second, 2)
            if let fraction { text += "." + fraction }
        }
        text +=
            zone
            ?? defaultZone.offset(year: year, month: month, day: day, hour: hour, minute: minute, second: second ?? 0)
        return ClinicalDateTime(fhir: text)
    }
}
