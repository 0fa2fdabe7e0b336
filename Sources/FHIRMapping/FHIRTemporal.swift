import ClinicalModel

/// Checks and completes the FHIR R4 lexical forms of `date`, `dateTime` and `instant`
/// (http://hl7.org/fhir/R4/datatypes.html#primitive).
///
///     FHIRTemporal.dateTime(ClinicalDateTime(fhir: "2024-03-05T10:30+01:00"))  // "2024-03-05T10:30:00+01:00"
///     FHIRTemporal.instant(ClinicalDateTime(fhir: "2024-03-05"))               // nil: no time, no zone
///
/// The only completion is minute precision written with `:00` seconds, which FHIR's grammar needs
/// and which adds no information. Nothing else is padded, rounded or given a zone here.
enum FHIRTemporal {
    /// The value as a FHIR `dateTime`, or `nil` when it is not one.
    static func dateTime(_ value: ClinicalDateTime) -> String? {
        let text = paddingMinutes(value.fhir)
        return parse(Array(text.utf8)) == nil ? nil : text
    }

    /// The value as a FHIR `instant` (seconds and a zone), or `nil` when it has less precision.
    static func instant(_ value: ClinicalDateTime) -> String? {
        let text = paddingMinutes(value.fhir)
        return parse(Array(text.utf8))?.hasTime == true ? text : nil
    }

    /// The date part as a FHIR `date` (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), or `nil`.
    static func date(_ value: ClinicalDateTime) -> String? {
        let text = value.date
        return parse(Array(text.utf8))?.hasTime == false ? text : nil
    }

    /// `true` when the value is a valid `dateTime` that has a time of day.
    static func hasTime(_ value: ClinicalDateTime) -> Bool {
        parse(Array(paddingMinutes(value.fhir).utf8))?.hasTime ?? false
    }

    /// Inserts `:00` seconds after `Thh:mm` when they are missing.
    static func paddingMinutes(_ text: String) -> String {
        let bytes = Array(text.utf8)
        // YYYY-MM-DDThh:mm is 16 bytes; seconds are missing when byte 16 is not ':'.
        guard bytes.count >= 16, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":") else { return text }
        if bytes.count > 16 && bytes[16] == UInt8(ascii: ":") { return text }
        return String(decoding: bytes[..<16] + Array(":00".utf8) + bytes[16...], as: UTF8.self)
    }

    private struct Parts {
        var hasTime: Bool
    }

    /// Parses `YYYY(-MM(-DD(Thh:mm:ss(.f+)?(Z|±hh:mm))?)?)?` as R4's regular expressions do, and also
    /// checks the day against the month's length.
    private static func parse(_ bytes: [UInt8]) -> Parts? {
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), year >= 1 else { return nil }
        if index == bytes.count { return Parts(hasTime: false) }
        guard expect("-"), let month = digits(2), (1...12).contains(month) else { return nil }
        if index == bytes.count { return Parts(hasTime: false) }
        guard expect("-"), let day = digits(2), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        if index == bytes.count { return Parts(hasTime: false) }
        guard expect("T"), let hour = digits(2), hour < 24, expect(":"), let minute = digits(2), minute < 60,
            expect(":"), let second = digits(2), second <= 60
        else { return nil }
        if expect(".") {
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            guard index > start else { return nil }
        }
        if expect("Z") {
            return index == bytes.count ? Parts(hasTime: true) : nil
        }
        guard expect("+") || expect("-"), let zoneHour = digits(2), expect(":"), let zoneMinute = digits(2),
            zoneMinute < 60, zoneHour < 14 || (zoneHour == 14 && zoneMinute == 0), index == bytes.count
        else { return nil }
        return Parts(hasTime: true)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
