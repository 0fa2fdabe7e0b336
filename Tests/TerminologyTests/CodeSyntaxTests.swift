import Testing

@testable import Terminology

@Suite("Code syntax")
struct CodeSyntaxTests {
    @Test(arguments: ["718-7", "2345-7", "8867-4", "10157-6", "34133-9", "LA6576-8", "LP7839-6"])
    func wellFormedLOINCCodes(_ code: String) {
        #expect(CodeSyntax.isWellFormed(code, system: CodeSyntax.loinc) == true)
    }

    @Test(arguments: ["718-6", "123-1", "8675-3", "C-CDAV2-DDN", "7187", "-7", "718-77"])
    func malformedLOINCCodes(_ code: String) {
        #expect(CodeSyntax.isWellFormed(code, system: CodeSyntax.loinc) == false)
    }

    @Test func snomedConceptIDsNeedPartitionAndVerhoeffCheck() {
        for code in ["44054006", "38341003", "73211009", "195967001", "10509002", "900000000000003001"] {
            #expect(CodeSyntax.isWellFormed(code, system: CodeSyntax.snomedCT) == true, "\(code)")
        }
        // 76164006 is "Biopsy of colon"; the corpus once has 76164007. 440500042 is no concept partition.
        for code in ["76164007", "440500042", "012345", "12345", "44054006X"] {
            #expect(CodeSyntax.isWellFormed(code, system: CodeSyntax.snomedCT) == false, "\(code)")
        }
    }

    @Test func icdCodesGetTheirDot() {
        #expect(CodeSyntax.canonical("E119", system: CodeSyntax.icd10CM) == "E11.9")
        #expect(CodeSyntax.canonical(" s52521a ", system: CodeSyntax.icd10CM) == "S52.521A")
        #expect(CodeSyntax.canonical("I10", system: CodeSyntax.icd10CM) == "I10")
        #expect(CodeSyntax.canonical("25000", system: CodeSyntax.icd9CM) == "250.00")
        #expect(CodeSyntax.canonical("E8809", system: CodeSyntax.icd9CM) == "E880.9")
        #expect(CodeSyntax.canonical("718-7", system: CodeSyntax.loinc) == "718-7")
        #expect(CodeSyntax.isWellFormed("E11.9", system: CodeSyntax.icd10CM) == true)
        #expect(CodeSyntax.isWellFormed("E11.", system: CodeSyntax.icd10CM) == false)
        #expect(CodeSyntax.isWellFormed("140", system: CodeSyntax.cvx) == true)
        #expect(CodeSyntax.isWellFormed("1400", system: CodeSyntax.cvx) == false)
        #expect(CodeSyntax.isWellFormed("X", system: "http://example.org") == nil)
    }
}
