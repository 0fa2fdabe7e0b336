public import ClinicalModel
import Foundation

/// HIPAA Safe Harbor de-identification of canonical records (45 CFR §164.514(b)(2)), with keyed,
/// consistent pseudonyms so references still join.
///
/// What happens to each of the 18 identifiers is listed in `PHISafety.docc/Deidentification.md`.
/// In short: person names become keyed pseudonyms; every identifier value (MRN, SSN, account,
/// licence, device and serial numbers, subscriber and group numbers, message control ids) becomes
/// `HMAC-SHA256(key, value)` in hex, so the same MRN gets the same pseudonym in every message;
/// record keys (and so FHIR ids, which are derived from them) are pseudonymised the same way;
/// addresses keep only state, country and a 3-digit ZIP prefix (`000` for the prefixes Safe Harbor
/// lists as under 20,000 people); telecom (phone, fax, email, URL) is dropped; free text (notes,
/// narrative, string results, descriptions) is dropped, string results become `dataAbsentReason`
/// `masked`; dates are shifted by a keyed per-patient offset of 1 to 365 days either way (or reduced
/// to the year); a birth date showing an age over 89 is reduced to the single year that makes the
/// patient 90 at the reference date.
///
///     let deidentifier = Deidentifier(key: key, dates: .shift)
///     let safe = deidentifier.apply(record)
public struct Deidentifier: Sendable {
    public enum DateMode: String, Sendable, CaseIterable {
        /// Every date of a patient moves by the same keyed offset; precision is kept.
        case shift
        /// Every date is reduced to its year.
        case year
    }

    /// HMAC keys per purpose, derived once from the data key.
    let keys: [String: [UInt8]]
    public let dates: DateMode
    /// The date ages are computed at (today unless set, for tests).
    public let referenceDate: Date

    /// 3-digit ZIP prefixes with 20,000 people or fewer (HHS Safe Harbor guidance, 2000 census):
    /// these become `000`.
    public static let restrictedZIP3: Set<String> = [
        "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878", "879", "884", "890",
        "893",
    ]

    static let purposes = [
        "record key", "identifier", "name", "date shift", "file name", "control id", "unit digest", "lot number",
    ]

    public init(key: DataKey, dates: DateMode = .shift, referenceDate: Date = Date()) {
        var keys: [String: [UInt8]] = [:]
        for purpose in Self.purposes { keys[purpose] = key.derivedKey(purpose: purpose) }
        self.keys = keys
        self.dates = dates
        self.referenceDate = referenceDate
    }

    // MARK: - Pseudonyms

    /// Hex HMAC of a value for a purpose, `length` hex digits.
    public func pseudonym(_ value: String, purpose: String, length: Int = 32) -> String {
        String(lowercaseHex(hmac(purpose, Array(value.utf8))).prefix(length))
    }

    /// The pseudonymised reference: same kind, key `deid:` + HMAC of kind and key.
    public func pseudonym(_ ref: EntityRef) -> EntityRef {
        EntityRef(ref.kind, key: "deid:" + pseudonym(ref.kind.rawValue + "|" + ref.key, purpose: "record key"))
    }

    /// A file stem for outputs (input file names can carry patient names).
    public func pseudonymStem(_ stem: String) -> String { "deid-" + pseudonym(stem, purpose: "file name", length: 16) }

    /// The keyed offset in days for a patient key: 1 to 365 days, earlier or later.
    public func dayOffset(patientKey: String) -> Int {
        let bytes = hmac("date shift", Array(patientKey.utf8))
        let magnitude = (Int(bytes[0]) << 8 | Int(bytes[1])) % 365 + 1
        return bytes[2] & 1 == 0 ? magnitude : -magnitude
    }

    func hmac(_ purpose: String, _ message: [UInt8]) -> [UInt8] {
        guard let derived = keys[purpose] else { preconditionFailure("unknown pseudonym purpose \(purpose)") }
        return DataKey.hmac(key: derived, message)
    }

    // MARK: - Records

    /// The de-identified record.
    public func apply(_ record: ClinicalRecord) -> ClinicalRecord {
        let patientKey =
            record.patients.first?.ref.key ?? record.relatedPersons.first?.patient.key
            ?? record.document.digest ?? record.document.inputName
        let referenceYear =
            Calendar(identifier: .gregorian).dateComponents(
                in: TimeZone(identifier: "UTC") ?? .current, from: referenceDate
            ).year ?? 2000
        var pass = Pass(deidentifier: self, offset: dayOffset(patientKey: patientKey), referenceYear: referenceYear)

        var copy = record.rewritingReferences { pseudonym($0) }
        var document = copy.document
        document.inputName = pseudonymStem(document.inputName)
        document.controlID = document.controlID.map { "MSG-" + pseudonym($0, purpose: "control id", length: 24) }
        document.digest = document.digest.map { pseudonym($0, purpose: "unit digest", length: 64) }
        pass.date(&document.recorded)
        copy.document = document
        copy.visitFields(&pass)
        // a site's Z-segment values have no Safe Harbor role (they may be names, dates, free text):
        // they are removed, never passed on unreviewed
        copy.siteExtensions = []
        return copy
    }

    /// What Safe Harbor does to each role of `EntityFieldVisitor`, over a record whose references
    /// are already pseudonymised. Coded values, references and fields without a role are kept.
    struct Pass: EntityFieldVisitor {
        let deidentifier: Deidentifier
        /// Days every date of the unit moves by.
        let offset: Int
        let referenceYear: Int
        /// The record being visited, set by `record(_:at:)` before its fields: names are keyed on its
        /// (pseudonymised) reference, and birth dates depend on its kind.
        var owner = EntityRef(.patient, key: "")

        mutating func record(_ ref: inout EntityRef, at _: SourceLocation?) { owner = ref }

        func shifted(_ value: ClinicalDateTime?) -> ClinicalDateTime? {
            value.map { deidentifier.shift($0, days: offset) }
        }

        func shifted(_ value: Period?) -> Period? {
            value.map { Period(start: shifted($0.start), end: shifted($0.end)) }
        }

        func date(_ date: inout ClinicalDateTime?) { date = shifted(date) }
        func period(_ period: inout Period?) { period = shifted(period) }

        /// A patient's birth date showing an age over 89 becomes the year that makes the patient 90; a
        /// related person's is reduced to its year.
        func birthDate(_ date: inout ClinicalDateTime?) {
            guard let birth = date else { return }
            if owner.kind == .relatedPerson {
                date = ClinicalDateTime(fhir: String(birth.fhir.prefix(4)))
            } else if deidentifier.isOver89(birth, referenceYear: referenceYear) {
                date = ClinicalDateTime(fhir: String(referenceYear - 90))
            } else {
                date = shifted(birth)
            }
        }

        /// `ID-` and 24 hex digits of the keyed pseudonym of an identifier value.
        func pseudonymousID(_ value: String) -> String {
            "ID-" + deidentifier.pseudonym(value, purpose: "identifier", length: 24)
        }

        func identifiers(_ identifiers: inout [Identifier]) {
            for index in identifiers.indices {
                identifiers[index].value = pseudonymousID(identifiers[index].value)
                identifiers[index].assigner = nil
                period(&identifiers[index].period)
            }
        }

        func identifierValue(_ value: inout String?) { value = value.map(pseudonymousID) }

        func lotNumber(_ value: inout String?) {
            value = value.map { "LOT-" + deidentifier.pseudonym($0, purpose: "lot number", length: 12) }
        }

        /// One keyed pseudonym name for the record, or none.
        func names(_ names: inout [HumanName]) {
            guard !names.isEmpty else { return }
            let token = deidentifier.pseudonym(owner.kind.rawValue + "|" + owner.key, purpose: "name", length: 10)
            names = [HumanName(use: "anonymous", family: "Anon-" + token.uppercased(), given: ["P" + token.prefix(4)])]
        }

        func relativeName(_ name: inout HumanName?) { name = nil }
        func telecom(_ telecom: inout [ContactPoint]) { telecom = [] }
        func addresses(_ addresses: inout [Address]) { addresses = addresses.compactMap(reduced) }
        func address(_ address: inout Address?) { address = address.flatMap(reduced) }
        func reduced(_ address: Address) -> Address? { deidentifier.address(address, date: shifted) }
        func notes(_ notes: inout [Annotation]) { notes = [] }
        func freeText(_ text: inout String?) { text = nil }

        /// A string result is removed with `dataAbsentReason` `masked`; dates in results are shifted.
        func value(_ value: inout ObservationValue?, absentReason: inout String?) {
            switch value {
            case .string?:
                value = nil
                absentReason = "masked"
            case .dateTime(let moment)?: value = shifted(moment).map(ObservationValue.dateTime)
            case .period(let span)?: value = shifted(span).map(ObservationValue.period)
            default: break
            }
        }
    }

    // MARK: - Parts

    /// An address reduced to state, country and the allowed ZIP prefix; `nil` when nothing is left.
    func address(_ address: Address, date period: (Period?) -> Period?) -> Address? {
        var zip: String?
        if let postal = address.postalCode {
            let digits = postal.filter(\.isASCII).filter(\.isNumber)
            if digits.count >= 3 {
                let prefix = String(digits.prefix(3))
                zip = Self.restrictedZIP3.contains(prefix) ? "000" : prefix
            }
        }
        let reduced = Address(
            use: address.use, type: address.type, state: address.state, postalCode: zip, country: address.country,
            period: period(address.period))
        return reduced.state == nil && reduced.postalCode == nil && reduced.country == nil ? nil : reduced
    }

    /// Whether a birth date means an age over 89 at the reference year (by year: a birth year at least
    /// 90 years back counts, so no one 90 or older is missed).
    func isOver89(_ birth: ClinicalDateTime, referenceYear: Int) -> Bool {
        guard let year = Int(birth.fhir.prefix(4)) else { return false }
        return referenceYear - year >= 90
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01 (`civil_from_days`).
    static func civil(fromDays count: Int) -> (year: Int, month: Int, day: Int) {
        let z = count + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// A date moved by `days` (or reduced to its year), keeping its precision and any time part.
    public func shift(_ value: ClinicalDateTime, days: Int) -> ClinicalDateTime {
        let text = value.fhir
        if dates == .year { return ClinicalDateTime(fhir: String(text.prefix(4))) }
        let parts = text.prefix(10).split(separator: "-").map { Int($0) }
        guard let year = parts.first ?? nil else { return ClinicalDateTime(fhir: String(text.prefix(4))) }
        let month = parts.count > 1 ? parts[1] ?? 7 : 7
        let day = parts.count > 2 ? parts[2] ?? 15 : (parts.count > 1 ? 15 : 2)
        guard (1...12).contains(month), (1...31).contains(day) else {
            return ClinicalDateTime(fhir: String(text.prefix(4)))
        }
        let moved = Self.civil(fromDays: Self.days(year: year, month: month, day: day) + days)
        let y = Self.pad(moved.year, 4)
        let m = Self.pad(moved.month, 2)
        let d = Self.pad(moved.day, 2)
        switch parts.count {
        case 1: return ClinicalDateTime(fhir: y)
        case 2: return ClinicalDateTime(fhir: "\(y)-\(m)")
        default: return ClinicalDateTime(fhir: "\(y)-\(m)-\(d)" + text.dropFirst(10))
        }
    }
}
