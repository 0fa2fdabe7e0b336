/// What a code system's codes look like, where the code system has a rule: spelling fixes (ICD dots,
/// case) and well-formedness checks (LOINC and SNOMED CT check digits) that need no table.
///
///     CodeSyntax.canonical("E119", system: CodeSyntax.icd10CM)   // "E11.9"
///     CodeSyntax.isWellFormed("718-7", system: CodeSyntax.loinc)  // true: check digit 7
///     CodeSyntax.isWellFormed("718-6", system: CodeSyntax.loinc)  // false
public enum CodeSyntax {
    public static let loinc = "http://loinc.org"
    public static let snomedCT = "http://snomed.info/sct"
    public static let rxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    public static let cvx = "http://hl7.org/fhir/sid/cvx"
    public static let icd10CM = "http://hl7.org/fhir/sid/icd-10-cm"
    public static let icd9CM = "http://hl7.org/fhir/sid/icd-9-cm"
    public static let ucum = "http://unitsofmeasure.org"

    /// The code in the spelling the code system's table uses: trimmed; ICD-10-CM and ICD-9-CM
    /// upper-cased with their dot (`e119` → `E11.9`, `25000` → `250.00`, `E8809` → `E880.9`).
    public static func canonical(_ code: String, system: String) -> String {
        let trimmed = code.trimmingWhitespace()
        switch system {
        case icd10CM:
            let upper = trimmed.uppercased()
            guard !upper.contains("."), upper.count > 3 else { return upper }
            return String(upper.prefix(3)) + "." + upper.dropFirst(3)
        case icd9CM:
            let upper = trimmed.uppercased()
            let split = upper.hasPrefix("E") ? 4 : 3
            guard !upper.contains("."), upper.count > split else { return upper }
            return String(upper.prefix(split)) + "." + upper.dropFirst(split)
        default:
            return trimmed
        }
    }

    /// Whether a code has the shape its code system requires, or `nil` when the system has no
    /// rule known here. LOINC term codes carry a mod-10 check digit (LOINC Users' Guide, appendix);
    /// SNOMED CT concept ids a partition of `00` or `10` and a Verhoeff check digit (SNOMED CT TIG 6.1).
    public static func isWellFormed(_ code: String, system: String) -> Bool? {
        switch system {
        case loinc: return loincCodeIsWellFormed(code)
        case snomedCT: return snomedConceptIDIsWellFormed(code)
        case rxNorm: return !code.isEmpty && code.count <= 10 && code.allSatisfy(\.isASCIIDigit)
        case cvx: return (1...3).contains(code.count) && code.allSatisfy(\.isASCIIDigit)
        case icd10CM: return icd10CMIsWellFormed(code)
        default: return nil
        }
    }

    /// `NNNNN-C` with the mod-10 check digit; part, answer and group codes (`LP…`, `LA…`, `LG…`, `LL…`)
    /// by shape only.
    static func loincCodeIsWellFormed(_ code: String) -> Bool {
        guard let dash = code.lastIndex(of: "-"), code.index(after: dash) < code.endIndex else { return false }
        var number = Substring(code[..<dash])
        let check = code[code.index(after: dash)...]
        guard check.count == 1, let checkDigit = check.first?.wholeNumberValue, check.first?.isASCIIDigit == true
        else { return false }
        for prefix in ["LP", "LA", "LG", "LL"] where number.hasPrefix(prefix) {
            number = number.dropFirst(2)
            return (1...8).contains(number.count) && number.allSatisfy(\.isASCIIDigit)
        }
        guard (1...7).contains(number.count), number.allSatisfy(\.isASCIIDigit) else { return false }
        var total = 0
        for (position, character) in number.reversed().enumerated() {
            var value = character.wholeNumberValue ?? 0
            if position % 2 == 0 {
                value *= 2
                value = value / 10 + value % 10
            }
            total += value
        }
        return (10 - total % 10) % 10 == checkDigit
    }

    private static let verhoeffD: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ]
    private static let verhoeffP: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ]

    /// 6 to 18 digits, no leading zero, partition `00` or `10` (concept), Verhoeff check digit.
    static func snomedConceptIDIsWellFormed(_ code: String) -> Bool {
        let digits = Array(code.utf8)
        guard (6...18).contains(digits.count), digits.first != UInt8(ascii: "0"),
            digits.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return false }
        let partition = (digits[digits.count - 3], digits[digits.count - 2])
        guard partition.1 == UInt8(ascii: "0"), partition.0 == UInt8(ascii: "0") || partition.0 == UInt8(ascii: "1")
        else { return false }
        var check = 0
        for (position, digit) in digits.reversed().enumerated() {
            check = verhoeffD[check][verhoeffP[position % 8][Int(digit - 48)]]
        }
        return check == 0
    }

    /// A letter, two alphanumerics, then optionally a dot and up to four alphanumerics (`E11.9`, `S52.521A`).
    static func icd10CMIsWellFormed(_ code: String) -> Bool {
        let characters = Array(code)
        guard characters.count >= 3, characters[0].isASCIILetter,
            characters[1...2].allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit })
        else { return false }
        guard characters.count > 3 else { return true }
        guard characters[3] == ".", (5...8).contains(characters.count) else { return false }
        return characters[4...].allSatisfy { $0.isASCIILetter || $0.isASCIIDigit }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetter: Bool { isASCII && isLetter }
}
