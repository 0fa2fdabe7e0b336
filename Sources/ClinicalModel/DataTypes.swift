/// A code from a code system. `system` is a canonical URI after normalization
/// (e.g. `http://loinc.org`); before normalization it may be a v2 table id (`HL70001`),
/// an OID (`urn:oid:…`) or a local name as the source wrote it.
public struct Coding: Hashable, Sendable, Codable {
    public var system: String?
    public var code: String?
    public var display: String?
    public var version: String?

    public init(system: String? = nil, code: String?, display: String? = nil, version: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
        self.version = version
    }
}

/// A coded concept: zero or more codings for the same meaning plus the source text.
public struct Concept: Hashable, Sendable, Codable {
    public var codings: [Coding]
    public var text: String?

    public init(codings: [Coding] = [], text: String? = nil) {
        self.codings = codings
        self.text = text
    }

    public init(_ coding: Coding) { self.init(codings: [coding]) }

    public var isEmpty: Bool { codings.isEmpty && (text ?? "").isEmpty }
    public var first: Coding? { codings.first }
}

/// An identifier as issued by an authority (MRN, SSN, accession number, …).
public struct Identifier: Hashable, Sendable, Codable {
    /// Namespace URI of the issuing authority, when known (`urn:oid:…`, a URL) .
    public var system: String?
    public var value: String
    /// Identifier type, e.g. v2 table 0203 `MR`.
    public var type: Concept?
    /// The assigning authority's name when it has no URI.
    public var assigner: String?
    public var use: String?
    public var period: Period?

    public init(
        system: String? = nil, value: String, type: Concept? = nil, assigner: String? = nil, use: String? = nil,
        period: Period? = nil
    ) {
        self.system = system
        self.value = value
        self.type = type
        self.assigner = assigner
        self.use = use
        self.period = period
    }
}

public struct HumanName: Hashable, Sendable, Codable {
    public var use: String?
    public var text: String?
    public var family: String?
    public var given: [String]
    public var prefix: [String]
    public var suffix: [String]
    public var period: Period?

    public init(
        use: String? = nil, text: String? = nil, family: String? = nil, given: [String] = [], prefix: [String] = [],
        suffix: [String] = [], period: Period? = nil
    ) {
        self.use = use
        self.text = text
        self.family = family
        self.given = given
        self.prefix = prefix
        self.suffix = suffix
        self.period = period
    }

    public var isEmpty: Bool { family == nil && given.isEmpty && text == nil && prefix.isEmpty && suffix.isEmpty }
}

public struct Address: Hashable, Sendable, Codable {
    public var use: String?
    public var type: String?
    public var text: String?
    public var lines: [String]
    public var city: String?
    public var district: String?
    public var state: String?
    public var postalCode: String?
    public var country: String?
    public var period: Period?

    public init(
        use: String? = nil, type: String? = nil, text: String? = nil, lines: [String] = [], city: String? = nil,
        district: String? = nil, state: String? = nil, postalCode: String? = nil, country: String? = nil,
        period: Period? = nil
    ) {
        self.use = use
        self.type = type
        self.text = text
        self.lines = lines
        self.city = city
        self.district = district
        self.state = state
        self.postalCode = postalCode
        self.country = country
        self.period = period
    }

    public var isEmpty: Bool {
        lines.isEmpty && city == nil && district == nil && state == nil && postalCode == nil && country == nil
            && text == nil
    }
}

/// Phone, email, fax, URL… `system` and `use` use the FHIR ContactPoint codes.
public struct ContactPoint: Hashable, Sendable, Codable {
    public var system: String?
    public var value: String
    public var use: String?
    public var rank: Int?

    public init(system: String? = nil, value: String, use: String? = nil, rank: Int? = nil) {
        self.system = system
        self.value = value
        self.use = use
        self.rank = rank
    }
}

/// A point in time with the precision the source gave (year, month, day, minute, second,
/// fractions), stored in its FHIR lexical form so nothing is rounded or padded.
///
///     ClinicalDateTime(fhir: "2024-03")      // month precision
///     ClinicalDateTime(fhir: "2024-03-05T10:30:00.25+01:00")
public struct ClinicalDateTime: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public enum Precision: Int, Hashable, Sendable, Codable, Comparable {
        case year = 4
        case month = 7
        case day = 10
        case minute = 16
        case second = 19
        case fraction = 20
        public static func < (lhs: Precision, rhs: Precision) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// FHIR `dateTime` lexical form (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or with time and zone).
    public var fhir: String

    public init(fhir: String) { self.fhir = fhir }

    public var precision: Precision {
        let count = fhir.utf8.count
        if count <= 4 { return .year }
        if count <= 7 { return .month }
        if count <= 10 { return .day }
        if fhir.contains(".") { return .fraction }
        // "YYYY-MM-DDThh:mm" + zone has no seconds field
        let timePart = fhir.dropFirst(11)
        let colons = timePart.prefix(8).filter { $0 == ":" }.count
        return colons >= 2 ? .second : .minute
    }

    /// The date part (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), as a FHIR `date`.
    public var date: String { String(fhir.prefix(10)) }

    public var description: String { fhir }
    public static func < (lhs: ClinicalDateTime, rhs: ClinicalDateTime) -> Bool { lhs.fhir < rhs.fhir }
}

public struct Period: Hashable, Sendable, Codable {
    public var start: ClinicalDateTime?
    public var end: ClinicalDateTime?

    public init(start: ClinicalDateTime? = nil, end: ClinicalDateTime? = nil) {
        self.start = start
        self.end = end
    }

    public var isEmpty: Bool { start == nil && end == nil }
}

/// A decimal kept in its lexical form: `0.010` is not `0.01` (FHIR R4 §2.24.0.1 decimal).
public struct DecimalValue: Hashable, Sendable, Codable, CustomStringConvertible {
    public var lexical: String
    public init(lexical: String) { self.lexical = lexical }

    /// Parses a decimal in the FHIR/JSON grammar, tolerating a leading `+` and surrounding spaces
    /// as HL7 v2 NM allows; returns `nil` for anything else.
    public init?(parsing text: String) {
        if Self.isPlain(text) {
            lexical = text
            return
        }
        var text = Substring(text.trimmingSpaces())
        if text.hasPrefix("+") { text = text.dropFirst() }
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasPrefix("-.") { text = "-0" + text.dropFirst() }
        if text.hasSuffix(".") { text = text.dropLast() }
        guard DecimalValue.isValid(text) else { return nil }
        // strip superfluous leading zeros ("007" -> "7") which FHIR/JSON forbid
        var digits = text
        var sign = ""
        if digits.hasPrefix("-") {
            sign = "-"
            digits = digits.dropFirst()
        }
        while digits.count > 1, digits.hasPrefix("0"), !digits.dropFirst().hasPrefix(".") {
            digits = digits.dropFirst()
        }
        self.lexical = sign + digits
    }

    public var description: String { lexical }
    public var doubleValue: Double? { Double(lexical) }

    /// Digits with at most one dot between digits and no superfluous leading zero (`120`, `5.25`,
    /// `0.3`): already in lexical form, which most values are.
    static func isPlain(_ text: String) -> Bool {
        var count = 0
        var dots = 0
        var first: UInt8 = 0
        var second: UInt8 = 0
        var last: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                dots += 1
            } else if byte < 48 || byte > 57 {
                return false
            }
            if count == 0 { first = byte } else if count == 1 { second = byte }
            last = byte
            count += 1
        }
        let isDigit = { (byte: UInt8) in byte >= 48 && byte <= 57 }
        guard count > 0, dots <= 1, isDigit(first), isDigit(last) else { return false }
        return !(first == 48 && count > 1 && isDigit(second))
    }

    static func isValid(_ text: Substring) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard !bytes.isEmpty else { return false }
        var seenDot = false
        var digitsBefore = 0
        var digitsAfter = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                if seenDot { return false }
                seenDot = true
            } else if byte >= 48 && byte <= 57 {
                if seenDot { digitsAfter += 1 } else { digitsBefore += 1 }
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                return false
            } else {
                return false
            }
            index += 1
        }
        return digitsBefore > 0 && (!seenDot || digitsAfter > 0)
    }
}

public struct Quantity: Hashable, Sendable, Codable {
    public var value: DecimalValue?
    /// `<`, `<=`, `>=`, `>` when the source gave one.
    public var comparator: String?
    /// The unit as written in the source.
    public var unit: String?
    /// Unit system, `http://unitsofmeasure.org` when `code` is UCUM.
    public var system: String?
    public var code: String?

    public init(
        value: DecimalValue? = nil, comparator: String? = nil, unit: String? = nil, system: String? = nil,
        code: String? = nil
    ) {
        self.value = value
        self.comparator = comparator
        self.unit = unit
        self.system = system
        self.code = code
    }
}

public struct ReferenceRange: Hashable, Sendable, Codable {
    public var low: Quantity?
    public var high: Quantity?
    public var text: String?

    public init(low: Quantity? = nil, high: Quantity? = nil, text: String? = nil) {
        self.low = low
        self.high = high
        self.text = text
    }
}

/// A free-text note with its optional author and time.
public struct Annotation: Hashable, Sendable, Codable {
    public var text: String
    public var time: ClinicalDateTime?
    public var author: EntityRef?

    public init(text: String, time: ClinicalDateTime? = nil, author: EntityRef? = nil) {
        self.text = text
        self.time = time
        self.author = author
    }
}

extension String {
    /// Trims ASCII spaces and tabs (not other characters, which may be meaningful).
    public func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}
