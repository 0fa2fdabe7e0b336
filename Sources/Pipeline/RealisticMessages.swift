/// A deterministic generator of realistic, entirely synthetic HL7 v2.5.1 messages for benchmarks:
/// the shape of a hospital export rather than `SyntheticMessages`' two fixed templates.
///
///     var messages = RealisticMessages(seed: 42)
///     let bytes = messages.next(index: 0)      // the same bytes for the same seed and index order
///
/// - Mix: ADT^A01 20%, ADT^A04 15%, ADT^A08 15% (updates of patients seen before: MRNs come
///   from a pool), ORU^R01 50%.
/// - Size: about 2.6 KB on average, from about 0.9 to 5.6 KB. ORU^R01 carries 5 to 25 OBX of types
///   NM (UCUM units, reference ranges, H/L/HH/N flags), ST, CE (SNOMED CT results, A flags) and SN
///   (comparators and ratios), with NTE notes; ADT messages carry next of kin, allergies,
///   diagnoses, vital signs and insurance in varying numbers.
/// - Escapes `\F\ \S\ \T\ \R\ \E\` in about 80% of messages; names in Latin scripts with
///   diacritics, Vietnamese, Greek or CJK in about 20% (MSH-18 `UNICODE UTF-8`); Z-segments in
///   about 25%; PID-3 and PID-5 repeat.
/// - Codes (LOINC, SNOMED CT, ICD-10-CM, RxNorm, CVX, v2 tables) come from the subsets shipped in
///   `Terminology/`, with their displays, so they normalize as known codes.
///
/// Segments end with CR; each message is one unit (files write a blank line between them).
public struct RealisticMessages: Sendable {
    public var generator: SyntheticMessages.Generator
    /// Distinct patients the messages are about (A08 and ORU reuse them).
    public let patientPool: Int

    public init(seed: UInt64, patientPool: Int = 20_000) {
        generator = SyntheticMessages.Generator(seed: seed)
        self.patientPool = max(1, patientPool)
    }

    // MARK: - Vocabulary (codes and displays as shipped in Terminology/)

    /// NM results: LOINC code, display, UCUM unit, low, high, decimals.
    static let numeric: [(String, String, String, Double, Double, Int)] = [
        ("2339-0", "Glucose", "mg/dL", 70, 99, 0),
        ("38483-4", "Creatinine", "mg/dL", 0.6, 1.3, 2),
        ("2947-0", "Sodium", "mmol/L", 136, 145, 0),
        ("6298-4", "Potassium", "mmol/L", 3.5, 5.1, 1),
        ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 7, 56, 0),
        ("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 10, 40, 0),
        ("6768-6", "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 44, 147, 0),
        ("1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", 0.1, 1.2, 1),
        ("1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", 3.4, 5.4, 1),
        ("2885-2", "Protein [Mass/volume] in Serum or Plasma", "g/dL", 6.0, 8.3, 1),
        ("3094-0", "Urea nitrogen, Serum", "mg/dL", 7, 20, 0),
        ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12.0, 17.5, 1),
        ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.0, 5.6, 1),
        ("789-8", "Erythrocytes [#/volume] in Blood by Automated count", "10*6/uL", 4.2, 5.9, 2),
        ("785-6", "MCH [Entitic mass] by Automated count", "pg", 27, 33, 1),
        ("786-4", "MCHC [Mass/volume] by Automated count", "g/dL", 33, 36, 1),
        ("787-2", "MCV [Entitic volume] by Automated count", "fL", 80, 100, 1),
        ("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4.5, 11.0, 1),
        ("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 150, 400, 0),
        ("2093-3", "Total Cholesterol", "mg/dL", 100, 200, 0),
        ("2571-8", "Triglycerides", "mg/dL", 40, 150, 0),
        ("2085-9", "High Density Lipoprotein Cholesterol", "mg/dL", 40, 60, 0),
        ("5803-2", "pH of Urine by Test strip", "[pH]", 4.5, 8.0, 1),
        ("5811-5", "Specific gravity of Urine by Test strip", "1", 1.005, 1.030, 3),
    ]
    /// CE results: LOINC code and display; SNOMED CT answers.
    static let coded: [(String, String)] = [
        ("5799-2", "Leukocyte esterase [Presence] in Urine by Test strip"),
        ("5802-4", "Nitrite [Presence] in Urine by Test strip"),
        ("5794-3", "Hemoglobin [Presence] in Urine by Test strip"),
        ("600-7", "Bacteria identified in Blood by Culture"),
        ("94500-6", "SARS coronavirus 2 RNA"),
    ]
    static let answers: [(String, String, Bool)] = [
        ("10828004", "Positive", true), ("260385009", "Negative", false), ("260373001", "Detected", true),
        ("260415000", "not detected", false),
    ]
    /// Vital signs for ADT OBX: LOINC, display, unit, low, high.
    static let vitals: [(String, String, String, Int, Int)] = [
        ("8867-4", "Heart rate", "/min", 50, 110), ("8480-6", "Systolic Blood Pressure", "mm[Hg]", 95, 170),
        ("8462-4", "Diastolic Blood Pressure", "mm[Hg]", 55, 100), ("9279-1", "Respiratory rate", "/min", 10, 24),
        ("29463-7", "Body Weight", "kg", 45, 120), ("8302-2", "Body Height", "cm", 150, 195),
    ]
    static let diagnoses: [(String, String)] = [
        ("E11.9", "Type 2 diabetes mellitus without complications"), ("E78.5", "Hyperlipidemia, unspecified"),
        ("I10", "Essential (primary) hypertension"), ("I50.9", "Heart failure, unspecified"),
        ("J18.9", "Pneumonia, unspecified organism"), ("J45.909", "Unspecified asthma, uncomplicated"),
        ("K21.9", "Gastro-esophageal reflux disease without esophagitis"), ("M54.5", "Low back pain"),
        ("N39.0", "Urinary tract infection, site not specified"), ("R10.9", "Unspecified abdominal pain"),
    ]
    static let allergens: [(String, String)] = [
        ("1191", "Aspirin"), ("1014676", "cetirizine hydrochloride 5 MG Oral Tablet"),
        ("1049630", "diphenhydrAMINE Hydrochloride 25 MG Oral Tablet"),
    ]
    static let families = [
        "Testpatient", "Sample", "Example", "Synthetic", "Demo", "Placeholder", "Fictional", "Mock", "Trial",
        "Specimen", "Dummy", "Model",
    ]
    static let givens = ["Alex", "Sam", "Jordan", "Taylor", "Casey", "Robin", "Morgan", "Jamie", "Avery", "Quinn"]
    /// Names in other scripts (family, given): Latin with diacritics, Vietnamese, Greek, CJK.
    static let international: [(String, String)] = [
        ("García Pérez", "José"), ("Müller", "Jürgen"), ("Lefèvre", "François"), ("Kierkegård", "Søren"),
        ("Nguyễn", "Văn An"), ("Trần", "Thị Bích"), ("Lê", "Hoàng Phúc"), ("Παπαδόπουλος", "Γιώργος"),
        ("Οικονόμου", "Ελένη"), ("王", "小明"), ("佐藤", "花子"), ("김", "민준"), ("Dvořák", "Božena"),
    ]
    static let streets = ["Main St", "Elm St", "Oak Ave", "Maple Dr", "Cedar Ln", "Pine Rd", "Lakeview Blvd"]
    static let notes = [
        "Specimen received in good condition.", "Result verified by second technologist.",
        "Patient fasting 12 hours prior to collection.", "Hemolyzed specimen; interpret potassium with caution.",
        "Critical value called to the ordering provider and read back.", "Repeat testing recommended in 3 months.",
    ]
    /// Text with HL7 escapes: field, component, subcomponent, repetition and escape separators.
    static let escapedNotes = [
        "Glucose \\T\\ insulin protocol reviewed\\F\\ no changes", "Ratio reported as A\\S\\B per lab policy",
        "Line one of the comment\\R\\line two of the comment", "Path C:\\E\\results\\E\\archive kept",
        "Values \\F\\ units \\S\\ ranges \\T\\ flags checked",
    ]

    // MARK: - Messages

    /// The next message: its type drawn from the mix, its patient from the pool.
    public mutating func next(index: Int) -> [UInt8] {
        let roll = generator.int(0...99)
        let escapes = generator.int(0...99) < 80
        let international = generator.int(0...99) < 20
        let zSegments = generator.int(0...99) < 25
        let patient = generator.int(0...(patientPool - 1))
        let context = Context(
            index: index, patient: patient, escapes: escapes, international: international, zSegments: zSegments)
        let text: String
        switch roll {
        case 0..<20: text = adt("A01", context)
        case 20..<35: text = adt("A04", context)
        case 35..<50: text = adt("A08", context)
        default: text = oru(context)
        }
        return Array(text.utf8)
    }

    struct Context {
        var index: Int
        var patient: Int
        var escapes: Bool
        var international: Bool
        var zSegments: Bool
    }

    mutating func time(_ context: Context, minutes: Int = 0) -> String {
        let day = 1 + (context.index / 97) % 28
        let month = 1 + (context.index / 2_717) % 12
        let minute = (context.index + minutes) % 60
        let hour = 6 + (context.index / 60 + minutes / 60) % 14
        return "2024\(pad(month))\(pad(day))\(pad(hour))\(pad(minute))00-0500"
    }

    func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    mutating func header(_ type: String, _ context: Context) -> String {
        let app = generator.pick(["EPIC", "CERNER_LAB", "MEDITECH", "SUNQUEST", "ALLSCRIPTS"])
        let charset = context.international ? "UNICODE UTF-8" : ""
        return
            "MSH|^~\\&|\(app)|GENERAL_HOSP^2.16.840.1.113883.19.5^ISO|RECV_APP|RECV_FAC|\(time(context))||\(type)|\(app.prefix(3))\(100_000_000 + context.index)|P|2.5.1|||AL|NE|USA|\(charset)\r"
    }

    mutating func pid(_ context: Context) -> String {
        var g = generator
        defer { generator = g }
        // the patient's own facts come from the patient number, so updates repeat them
        var facts = SyntheticMessages.Generator(seed: UInt64(context.patient) &* 0x9E37_79B9 &+ 7)
        var family = facts.pick(Self.families)
        var given = facts.pick(Self.givens)
        if context.international {
            let name = facts.pick(Self.international)
            family = name.0
            given = name.1
        }
        let middle = facts.pick(["Q", "Lee", "Marie", "", "J"])
        let year = 1930 + facts.int(0...85)
        let birth = "\(year)\(pad(1 + facts.int(0...11)))\(pad(1 + facts.int(0...27)))"
        let sex = facts.pick(["F", "M", "F", "M", "U"])
        let mrn = 1_000_000 + context.patient
        var identifiers = "\(mrn)^^^GENERAL_HOSP&2.16.840.1.113883.19.5&ISO^MR"
        identifiers += "~\(900_000_000 + context.patient)^^^SSA&2.16.840.1.113883.4.1&ISO^SS"
        if facts.int(0...1) == 0 { identifiers += "~E\(70_000 + context.patient)^^^EMPI&2.16.840.1.113883.19.7&ISO^PI" }
        var names = "\(family)^\(given)^\(middle)^^^^L"
        if facts.int(0...2) == 0 { names += "~\(family)^\(given.prefix(1))^^^^^A" }
        if sex == "F" && facts.int(0...2) == 0 { names += "~\(facts.pick(Self.families))^\(given)^^^^^M" }
        let street = "\(100 + facts.int(1...8899)) \(facts.pick(Self.streets))"
        let apartment = context.escapes && g.int(0...1) == 0 ? "Apt 4\\F\\B" : "Apt \(facts.int(1...99))"
        let race = facts.pick([
            ("2106-3", "White"), ("2054-5", "Black or African American"), ("2028-9", "Asian"),
            ("2131-1", "Other Race"),
        ])
        let ethnicity = facts.pick([("2186-5", "Not Hispanic or Latino"), ("2135-2", "Hispanic or Latino")])
        let phone = "^PRN^PH^^1^217^555\(1000 + facts.int(0...8999))"
        let email = g.int(0...1) == 0 ? "~^NET^Internet^patient\(context.patient)@example.org" : ""
        return
            "PID|1||\(identifiers)||\(names)|\(facts.pick(Self.families))^\(facts.pick(Self.givens))^^^^^M|\(birth)|\(sex)||\(race.0)^\(race.1)^CDCREC|\(street)^\(apartment)^Springfield^IL^627\(pad(facts.int(0...99)))^USA^H||\(phone)\(email)|^WPN^PH^^1^217^555\(1000 + facts.int(0...8999))|\(facts.pick(["eng^English^ISO639", "spa^Spanish^ISO639", "vie^Vietnamese^ISO639"]))|\(facts.pick(["M", "S", "D", "W"]))^^HL70002|||\(900_000_000 + context.patient)|||\(ethnicity.0)^\(ethnicity.1)^CDCREC\r"
    }

    mutating func doctor() -> String {
        let number = 1000 + generator.int(0...60)
        return
            "\(number)^\(generator.pick(Self.families))^\(generator.pick(Self.givens))^^^Dr^MD^^GENERAL_HOSP&2.16.840.1.113883.19.5&ISO"
    }

    mutating func pv1(_ context: Context, patientClass: String) -> String {
        let ward = generator.pick(["MED", "SURG", "ICU", "PEDS", "CARD"])
        let location = "\(ward)^\(100 + generator.int(1...60))^\(generator.int(1...4))^GENERAL_HOSP^^^MAIN"
        return
            "PV1|1|\(patientClass)|\(location)|\(generator.pick(["E", "R", "U"]))|||\(doctor())|\(doctor())||\(generator.pick(["MED", "SUR", "CAR"]))||||\(generator.int(1...7))|||\(doctor())|\(patientClass == "I" ? "IP" : "OP")|V\(5_000_000 + context.index)^^^GENERAL_HOSP&2.16.840.1.113883.19.5&ISO^VN|||||||||||||||||||||||||\(time(context))\r"
    }

    mutating func zSegment(_ context: Context) -> String {
        switch generator.int(0...2) {
        case 0:
            return
                "ZPI|1|\(generator.pick(["VIP", "STAFF", "NONE"]))|\(generator.int(1...5))|Preferred pharmacy^Main St\r"
        case 1: return "ZPV|1|\(generator.pick(["SELF", "AMB", "EMS"]))|\(time(context, minutes: 5))|Transfer note\r"
        default: return "ZLR|1|LAB\(generator.int(100...999))|\(generator.pick(["STAT", "ROUTINE"]))|Courier\r"
        }
    }

    mutating func adt(_ event: String, _ context: Context) -> String {
        var text = header("ADT^\(event)^ADT_A01", context)
        text += "EVN|\(event)|\(time(context))||\(generator.pick(["ADM", "REG", "UPD"]))\r"
        text += pid(context)
        for number in 0..<generator.int(0...2) {
            let relation = generator.pick([("SPO", "Spouse"), ("PAR", "Parent"), ("CHD", "Child"), ("SIB", "Sibling")])
            text +=
                "NK1|\(number + 1)|\(generator.pick(Self.families))^\(generator.pick(Self.givens))^^^^^L|\(relation.0)^\(relation.1)^HL70063|\(10 + generator.int(1...989)) \(generator.pick(Self.streets))^^Springfield^IL^62701^USA^H|^PRN^PH^^1^217^555\(1000 + generator.int(0...8999))||EC^Emergency Contact^HL70131\r"
        }
        text += pv1(context, patientClass: event == "A04" ? "O" : generator.pick(["I", "E"]))
        let diagnosis = generator.pick(Self.diagnoses)
        let reason = context.escapes ? "\(diagnosis.1)\\T\\ follow-up" : diagnosis.1
        text += "PV2|||\(diagnosis.0)^\(reason)^I10\r"
        for (number, vital) in Self.vitals.prefix(generator.int(0...4)).enumerated() {
            text +=
                "OBX|\(number + 1)|NM|\(vital.0)^\(vital.1)^LN||\(generator.int(vital.3...vital.4))|\(vital.2)^^UCUM|||||F|||\(time(context, minutes: 3))\r"
        }
        for number in 0..<generator.int(0...3) {
            let allergen = Self.allergens[number % Self.allergens.count]
            text +=
                "AL1|\(number + 1)|DA|\(allergen.0)^\(allergen.1)^RXNORM|\(generator.pick(["MI", "MO", "SV"]))|\(generator.pick(["Hives", "Rash", "Nausea"]))~\(generator.pick(["Itching", "Swelling"]))|20\(pad(10 + generator.int(0...13)))0101\r"
        }
        for number in 0..<generator.int(1...4) {
            let diagnosis = Self.diagnoses[(number * 3 + context.patient) % Self.diagnoses.count]
            text +=
                "DG1|\(number + 1)||\(diagnosis.0)^\(diagnosis.1)^I10||\(time(context))|\(generator.pick(["A", "W", "F"]))\r"
        }
        if generator.int(0...2) > 0 {
            text +=
                "IN1|1|PLAN\(generator.int(1...9))^Synthetic Plan|INS\(generator.int(1...5))^^^PAYERS&2.16.840.1.113883.19.8&ISO|Synthetic Insurance Co|1 Payer Way^^Springfield^IL^62701|||GRP\(generator.int(100...999))||||20240101|20241231|||SEL^Self^HL70063||||||||||||||||||POL\(context.patient)\r"
        }
        if context.zSegments { text += zSegment(context) }
        if context.escapes, !text.contains("\\T\\") {
            text += "NTE|1||\(generator.pick(Self.escapedNotes))\r"
        }
        return text
    }

    mutating func oru(_ context: Context) -> String {
        var text = header("ORU^R01^ORU_R01", context)
        text += pid(context)
        text += pv1(context, patientClass: "O")
        let order = 30_000_000 + context.index
        let orderer = doctor()
        text +=
            "ORC|RE|\(order)^EPIC|F\(order)^LAB||CM||||\(time(context))|||\(orderer)\r"
        let panel = generator.pick([
            ("24323-8", "Comprehensive metabolic 2000 panel - Serum or Plasma"),
            ("58410-2", "Complete blood count (hemogram) panel - Blood by Automated count"),
            ("57021-8", "CBC W Auto Differential panel in Blood"), ("24356-8", "Urinalysis complete pnl Ur"),
        ])
        text +=
            "OBR|1|\(order)^EPIC|F\(order)^LAB|\(panel.0)^\(panel.1)^LN|||\(time(context, minutes: -30))|||||||||\(orderer)||||||\(time(context, minutes: 30))|||F\r"
        if generator.int(0...3) == 0 { text += "NTE|1|L|\(generator.pick(Self.notes))\r" }
        let count = generator.int(5...25)
        var escaped = !context.escapes
        for number in 1...count {
            let when = time(context, minutes: 20)
            switch generator.int(0...9) {
            case 0..<6:  // NM
                let lab = generator.pick(Self.numeric)
                let span = lab.4 - lab.3
                let position = Double(generator.int(0...1000)) / 1000 * 1.6 - 0.3  // -0.3...1.3 of the range
                let value = lab.3 + span * position
                let flag: String
                if value < lab.3 - span * 0.2 {
                    flag = "LL"
                } else if value < lab.3 {
                    flag = "L"
                } else if value > lab.4 + span * 0.2 {
                    flag = "HH"
                } else if value > lab.4 {
                    flag = "H"
                } else {
                    flag = "N"
                }
                let shown = format(value, decimals: lab.5)
                let range = "\(format(lab.3, decimals: lab.5))-\(format(lab.4, decimals: lab.5))"
                text +=
                    "OBX|\(number)|NM|\(lab.0)^\(lab.1)^LN||\(shown)|\(lab.2)^\(lab.2)^UCUM|\(range)|\(flag)|||F|||\(when)||\(orderer.prefix(4))\r"
            case 6, 7:  // CE
                let test = generator.pick(Self.coded)
                let answer = generator.pick(Self.answers)
                text +=
                    "OBX|\(number)|CE|\(test.0)^\(test.1)^LN||\(answer.0)^\(answer.1)^SCT||\(answer.2 ? "Negative" : "")|\(answer.2 ? "A" : "N")|||F|||\(when)\r"
            case 8:  // SN
                let lab = generator.pick(Self.numeric)
                let value = generator.pick([
                    "<^\(format(lab.3, decimals: lab.5))", ">^\(format(lab.4, decimals: lab.5))",
                    "^1^:^\(generator.pick([32, 64, 128]))",
                ])
                text +=
                    "OBX|\(number)|SN|\(lab.0)^\(lab.1)^LN||\(value)|\(lab.2)^\(lab.2)^UCUM|\(format(lab.3, decimals: lab.5))-\(format(lab.4, decimals: lab.5))|\(value.hasPrefix("<") ? "L" : "H")|||F|||\(when)\r"
            default:  // ST, with escapes when the message has them
                let lab = generator.pick(Self.coded)
                var note = generator.pick(Self.notes)
                if !escaped {
                    note = generator.pick(Self.escapedNotes)
                    escaped = true
                }
                text += "OBX|\(number)|ST|\(lab.0)^\(lab.1)^LN||\(note)||||||F|||\(when)\r"
            }
            if generator.int(0...5) == 0 {
                var note = generator.pick(Self.notes)
                if !escaped {
                    note = generator.pick(Self.escapedNotes)
                    escaped = true
                }
                text += "NTE|1|L|\(note)\r"
            }
        }
        if !escaped { text += "NTE|1|L|\(generator.pick(Self.escapedNotes))\r" }
        text +=
            "SPM|1|S\(order)||119297000^Blood^SCT|||||||||||||\(time(context, minutes: -30))|\(time(context, minutes: -10))\r"
        if context.zSegments { text += zSegment(context) }
        return text
    }

    func format(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale)
        let fraction = scaled % Int(scale)
        var text = (value < 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            var digits = String(fraction)
            while digits.count < decimals { digits = "0" + digits }
            text += "." + digits
        }
        return text
    }
}
