/// A deterministic generator of realistic, entirely synthetic HL7 v2.5.1 messages (ADT^A01 and
/// ORU^R01, about 1.7 KB each on average) for benchmarks and property tests. Same seed, same bytes.
public struct SyntheticMessages: Sendable {
    /// SplitMix64: small, fast, and the same on every platform.
    public struct Generator: Sendable {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        public mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }
        public mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    }

    static let families = ["Testpatient", "Sample", "Example", "Synthetic", "Demo", "Placeholder", "Fictional", "Mock"]
    static let givens = ["Alex", "Sam", "Jordan", "Taylor", "Casey", "Robin", "Morgan", "Jamie"]
    /// LOINC tests (code, display, UCUM unit, range), all in Terminology/'s LOINC subset, so a benchmark
    /// run normalizes them as it would known codes.
    static let labs: [(String, String, String, String)] = [
        ("2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", "70-99"),
        ("38483-4", "Creatinine [Mass/volume] in Blood", "mg/dL", "0.6-1.3"),
        ("2947-0", "Sodium [Moles/volume] in Blood", "mmol/L", "136-145"),
        ("6298-4", "Potassium [Moles/volume] in Blood", "mmol/L", "3.5-5.1"),
        ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", "12.0-17.5"),
        ("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", "4.5-11.0"),
        ("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", "150-400"),
        ("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", "0-200"),
    ]

    public var generator: Generator
    public init(seed: UInt64) { generator = Generator(seed: seed) }

    /// The next message, ADT^A01 or ORU^R01 alternately, with `\r` segment terminators.
    public mutating func next(index: Int) -> [UInt8] {
        (index % 2 == 0 ? adt(index: index) : oru(index: index)).utf8.map { $0 }
    }

    mutating func header(_ type: String, index: Int) -> String {
        "MSH|^~\\&|SYNTH_APP|SYNTH_FAC^2.16.840.1.113883.19.5^ISO|RECV_APP|RECV_FAC|20240\(generator.int(1...9))\(10 + generator.int(0...17))101530+0000||\(type)|MSG\(index)|P|2.5.1|||AL|NE||UNICODE UTF-8\r"
    }

    mutating func pid(index: Int) -> String {
        let family = generator.pick(Self.families)
        let given = generator.pick(Self.givens)
        let year = 1930 + generator.int(0...80)
        return
            "PID|1||MRN\(100000 + index % 50000)^^^SYNTH_HOSP&2.16.840.1.113883.19.5&ISO^MR~\(900000000 + index)^^^SSA&2.16.840.1.113883.4.1&ISO^SS||\(family)^\(given)^Q^^^^L~\(family)^\(given)^^^^^M||\(year)0\(generator.int(1...9))1\(generator.int(0...9))|\(generator.pick(["F", "M", "U"]))||2106-3^White^CDCREC|\(100 + generator.int(1...899)) Main St^Apt \(generator.int(1...99))^Springfield^IL^6270\(generator.int(0...9))^USA^H||^PRN^PH^^1^217^555\(1000 + generator.int(0...8999))~^NET^Internet^person\(index)@example.org|^WPN^PH^^1^217^555\(1000 + generator.int(0...8999))|eng^English^ISO639|\(generator.pick(["M", "S", "D", "W"]))^^HL70002|||||2186-5^Not Hispanic or Latino^CDCREC\r"
    }

    mutating func adt(index: Int) -> String {
        var text = header("ADT^A01^ADT_A01", index: index)
        text += "EVN|A01|20240101120000+0000\r"
        text += pid(index: index)
        text +=
            "NK1|1|Contact^Pat^^^^^L|SPO^Spouse^HL70063|12 Elm St^^Springfield^IL^62701^USA^H|^PRN^PH^^1^217^5550100\r"
        text +=
            "PV1|1|I|WARD\(generator.int(1...9))^\(100 + generator.int(1...99))^\(generator.int(1...4))^SYNTH_HOSP^^^MAIN^\(generator.int(1...6))|E|||1234^Attending^Ann^^^Dr^MD^^SYNTH_HOSP&2.16.840.1.113883.19.5&ISO||||MED||||7|||1234^Attending^Ann^^^Dr^MD|IP|V\(700000 + index)^^^SYNTH_HOSP&2.16.840.1.113883.19.5&ISO^VN|||||||||||||||||||||||||20240101120000+0000\r"
        text += "PV2|||R10.9^Abdominal pain^I10\r"
        text +=
            "OBX|1|NM|8867-4^Heart rate^LN||\(50 + generator.int(0...60))|/min^per minute^UCUM|60-100|N|||F|||20240101120500+0000\r"
        text +=
            "OBX|2|NM|8480-6^Systolic blood pressure^LN||\(100 + generator.int(0...60))|mm[Hg]^millimeter of mercury^UCUM|90-140|N|||F|||20240101120500+0000\r"
        text += "AL1|1|DA|70618^Penicillin^RXNORM|MO|Hives~Rash|20200101\r"
        text += "DG1|1||R10.9^Unspecified abdominal pain^I10|Abdominal pain|20240101120000+0000|A\r"
        text += "PR1|1||0DTJ4ZZ^Resection of appendix^ICD10PCS|Appendectomy|20240102080000+0000\r"
        text +=
            "IN1|1|PLAN01^Synthetic Plan|INS01^^^SYNTH&2.16.840.1.113883.19.5&ISO|Synthetic Insurance Co|1 Payer Way^^Springfield^IL^62701|||GRP\(generator.int(100...999))||||20240101|20241231|||SEL^Self^HL70063||||||||||||||||||POL\(index)\r"
        return text
    }

    mutating func oru(index: Int) -> String {
        var text = header("ORU^R01^ORU_R01", index: index)
        text += pid(index: index)
        text +=
            "PV1|1|O|LAB^^^SYNTH_HOSP||||5678^Orderer^Olu^^^Dr^MD|||||||||||OP|V\(800000 + index)^^^SYNTH_HOSP&2.16.840.1.113883.19.5&ISO^VN\r"
        text +=
            "ORC|RE|ORD\(index)^SYNTH_EHR|FIL\(index)^SYNTH_LAB||CM||||20240101100000+0000|||5678^Orderer^Olu^^^Dr^MD\r"
        text +=
            "OBR|1|ORD\(index)^SYNTH_EHR|FIL\(index)^SYNTH_LAB|24323-8^Comprehensive metabolic panel^LN|||20240101090000+0000|||||||||5678^Orderer^Olu^^^Dr^MD||||||20240101110000+0000|||F\r"
        for (offset, lab) in Self.labs.enumerated() {
            let value = generator.int(1...300)
            let flag = value > 200 ? "H" : "N"
            text +=
                "OBX|\(offset + 1)|NM|\(lab.0)^\(lab.1)^LN||\(value).\(generator.int(0...9))|\(lab.2)^^UCUM|\(lab.3)|\(flag)|||F|||20240101090000+0000\r"
        }
        text += "NTE|1|L|Specimen received in good condition.\r"
        text += "SPM|1|SPC\(index)||119297000^Blood specimen^SCT|||||||||||||20240101090000+0000|20240101093000+0000\r"
        return text
    }
}
