import ClinicalModel

/// SplitMix64 (Steele, Lea, Flood 2014), as swift-algorithms' test utilities use: small, fast and
/// the same sequence for the same seed on every platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builds rich canonical records of every kind from a seed: valid values and the ones FHIR cannot
/// hold as they are (codes outside required bindings, URIs with spaces, minute-precision and invalid
/// times, malformed decimals, out-of-range integers, conflicting statuses), so a round trip exercises
/// every fhirbridge extension.
///
/// What the canonical model allows but FHIR cannot carry at all is not generated: empty or
/// whitespace-only strings, empty concepts, codings, names, periods and quantities (R4 json.html
/// forbids empty elements), two entities with one key in a record (one id), and a coverage without
/// payor (not emitted).
struct RandomRecords {
    var rng: SplitMix64
    private var serial = 0

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    // MARK: - Primitives

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    mutating func maybe<T>(_ percent: Int = 50, _ make: (inout RandomRecords) -> T) -> T? {
        chance(percent) ? make(&self) : nil
    }
    mutating func some<T>(_ range: ClosedRange<Int>, _ make: (inout RandomRecords) -> T) -> [T] {
        (0..<int(range)).map { _ in make(&self) }
    }

    static let words = [
        "alpha", "Beta", "gamma ray", "Ünïcode ✓", "O'Brien", "x|y", "a\\b", "line\nbreak", "tab\there", "日本",
        "\"quoted\"", "42", "ZZ top", "mg/dL", "<5",
    ]
    mutating func text() -> String { pick(Self.words) + (chance(30) ? " " + pick(Self.words) : "") }

    /// A `code`: valid by the FHIR grammar, or (sometimes) not.
    mutating func code() -> String {
        if chance(15) { return pick(["two  spaces", " lead", "trail ", "tab\tcode"]) }
        return pick(["A", "I10", "8867-4", "LA6576-8", "x.y", "1013", "M", "code with space"])
    }

    mutating func uri() -> String {
        if chance(10) { return "not a uri" }
        return pick([
            "http://loinc.org", "http://snomed.info/sct", "urn:oid:2.16.840.1.113883.19.5", "HL70001", "L",
            "http://terminology.hl7.org/CodeSystem/v2-0203",
        ])
    }

    /// A date/time of any precision, sometimes one FHIR cannot write as it is.
    mutating func dateTime() -> ClinicalDateTime {
        let year = String(int(1900...2030))
        let month = String(format2: int(1...12))
        let day = String(format2: int(1...28))
        let time = String(format2: int(0...23)) + ":" + String(format2: int(0...59))
        let zone = pick(["Z", "+01:00", "-05:00", "+14:00"])
        let text: String
        switch int(0...9) {
        case 0: text = year
        case 1: text = year + "-" + month
        case 2: text = year + "-" + month + "-" + day
        case 3: text = year + "-" + month + "-" + day + "T" + time + zone  // minute precision
        case 4:
            let seconds = String(format2: int(0...59)) + "." + String(int(0...999))
            text = year + "-" + month + "-" + day + "T" + time + ":" + seconds + zone
        case 5: text = pick(["2024-13-01", "20240305", "yesterday", "2024-02-30", "2024-03-05T10:30:00"])
        default: text = year + "-" + month + "-" + day + "T" + time + ":" + String(format2: int(0...59)) + zone
        }
        return ClinicalDateTime(fhir: text)
    }

    mutating func decimal() -> DecimalValue {
        DecimalValue(lexical: pick(["72", "0.010", "-1.5", "1e3", "0", "120.00", "1,5", "007", "abc", "-0"]))
    }

    mutating func key() -> String {
        serial += 1
        if serial % 37 == 0 { return "" }
        return pick(["MR|urn:oid:1.2.3|", "VN|", "F|LAB|", "k ", "ÜNI|"]) + String(serial)
    }

    // MARK: - Data types

    mutating func coding() -> Coding {
        var coding = Coding(
            system: maybe(80) { $0.uri() }, code: maybe(85) { $0.code() }, display: maybe { $0.text() },
            version: maybe(10) { _ in "2.5.1" })
        if coding == Coding(code: nil) { coding.code = "fallback" }
        return coding
    }

    mutating func concept() -> Concept {
        var concept = Concept(codings: some(0...2) { $0.coding() }, text: maybe(40) { $0.text() })
        if concept.isEmpty { concept.text = text() }
        return concept
    }

    mutating func concepts(_ range: ClosedRange<Int> = 0...2) -> [Concept] { some(range) { $0.concept() } }

    mutating func period() -> Period {
        var period = Period(start: maybe(70) { $0.dateTime() }, end: maybe(50) { $0.dateTime() })
        if period.isEmpty { period.start = dateTime() }
        return period
    }

    mutating func identifier() -> Identifier {
        Identifier(
            system: maybe(70) { $0.uri() }, value: text(), type: maybe(30) { $0.concept() },
            assigner: maybe(20) { $0.text() },
            use: maybe(30) { $0.pick(["usual", "official", "temp", "secondary", "old", "bogus"]) },
            period: maybe(15) { $0.period() })
    }

    mutating func identifiers() -> [Identifier] { some(0...2) { $0.identifier() } }

    mutating func humanName() -> HumanName {
        var name = HumanName(
            use: maybe(40) { $0.pick(["official", "usual", "maiden", "nickname", "L"]) }, text: maybe(20) { $0.text() },
            family: maybe(80) { $0.text() }, given: some(0...2) { $0.text() }, prefix: some(0...1) { $0.text() },
            suffix: some(0...1) { $0.text() }, period: maybe(10) { $0.period() })
        if name.isEmpty { name.family = text() }
        return name
    }

    mutating func address() -> Address {
        var address = Address(
            use: maybe(40) { $0.pick(["home", "work", "H"]) }, type: maybe(20) { $0.pick(["postal", "both", "M"]) },
            text: maybe(20) { $0.text() }, lines: some(0...2) { $0.text() }, city: maybe { $0.text() },
            district: maybe(20) { $0.text() }, state: maybe { $0.text() }, postalCode: maybe { _ in "99999" },
            country: maybe { _ in "USA" }, period: maybe(10) { $0.period() })
        if address.isEmpty { address.city = text() }
        return address
    }

    mutating func contactPoint() -> ContactPoint {
        ContactPoint(
            system: maybe(80) { $0.pick(["phone", "email", "fax", "PH", "url"]) }, value: text(),
            use: maybe(50) { $0.pick(["home", "work", "mobile", "PRN"]) }, rank: maybe(20) { $0.int(-1...3) })
    }

    mutating func quantity() -> Quantity {
        var quantity = Quantity(
            value: maybe(85) { $0.decimal() }, comparator: maybe(15) { $0.pick(["<", ">=", "~", "<<"]) },
            unit: maybe(60) { $0.pick(["mg", "mL", "/min", "mm[Hg]", "tablet"]) },
            system: maybe(50) { $0.pick(["http://unitsofmeasure.org", "ISO+", "bad uri"]) },
            code: maybe(50) { $0.pick(["mg", "mL", "/min", "mm[Hg]", "bad code "]) })
        if quantity == Quantity() { quantity.unit = "1" }
        return quantity
    }

    mutating func annotation(_ refs: Refs) -> Annotation {
        Annotation(text: text(), time: maybe(50) { $0.dateTime() }, author: maybe(40) { $0.ref(refs, .practitioner) })
    }

    mutating func participant(_ refs: Refs) -> Participant {
        Participant(role: maybe(50) { $0.concept() }, who: ref(refs, .practitioner), period: maybe(30) { $0.period() })
    }

    mutating func gender() -> Coding {
        let code = pick(["male", "female", "other", "unknown", "F", "M"])
        switch int(0...4) {
        case 0, 1:
            let displays = ["male": "Male", "female": "Female", "other": "Other", "unknown": "Unknown"]
            return Coding(system: "http://hl7.org/fhir/administrative-gender", code: code, display: displays[code])
        case 2: return Coding(code: code)
        case 3: return Coding(system: "http://terminology.hl7.org/CodeSystem/v2-0001", code: code, display: text())
        default: return Coding(system: "http://hl7.org/fhir/administrative-gender", code: code)
        }
    }

    // MARK: - References

    /// The keys of the record's entities by kind, and the chance of pointing outside the record.
    struct Refs {
        var byKind: [EntityKind: [EntityRef]] = [:]
    }

    /// A reference to an entity of `kind` in the record, or (sometimes, or when there is none) to one
    /// that is not: its key travels in the reference's `record-key` extension.
    mutating func ref(_ refs: Refs, _ kind: EntityKind) -> EntityRef {
        if let present = refs.byKind[kind], !present.isEmpty, chance(80) { return pick(present) }
        return EntityRef(kind, key: chance(5) ? "" : "absent|" + String(int(1...50)))
    }

    mutating func refs(_ refs: Refs, _ kind: EntityKind, _ range: ClosedRange<Int> = 0...2) -> [EntityRef] {
        some(range) { $0.ref(refs, kind) }
    }
}

extension String {
    init(format2 value: Int) { self = value < 10 ? "0" + String(value) : String(value) }
}
