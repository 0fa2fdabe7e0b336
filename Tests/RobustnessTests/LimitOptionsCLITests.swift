import Foundation
import TestSupport
import Testing

/// The limit options of `fhirbridge convert`: a limit set on the command line is the one applied.
@Suite struct LimitOptionsCLITests {
    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let result = try CLIRunner.run(arguments)
        return (result.status, result.stderr)
    }

    @Test func aFieldLimitFromTheCommandLineFailsTheMessageWithItsPosition() throws {
        let (status, err) = try Self.run(["convert", "--max-field-bytes", "10", "Samples/hl7v2/adt-a01-basic.hl7"])
        #expect(status == 65)
        #expect(err.contains("fieldTooLarge at message 1 MSH[1]-4"))
        #expect(!err.contains("SAMPLE_FAC"))
        let (defaultStatus, _) = try Self.run(["convert", "Samples/hl7v2/adt-a01-basic.hl7"])
        #expect(defaultStatus == 0)
    }

    @Test func aDepthLimitFromTheCommandLineFailsTheDocument() throws {
        let (status, err) = try Self.run(["convert", "--max-xml-depth", "5", "Samples/ccda/ccd-all-sections.xml"])
        #expect(status == 65)
        #expect(err.contains("documentTooDeep"))
    }

    @Test func nonPositiveLimitsAreUsageErrors() throws {
        for option in ["--max-message-bytes", "--max-segments", "--max-document-bytes", "--max-csv-row-bytes"] {
            let (status, err) = try Self.run(["convert", option, "0", "Samples/hl7v2/adt-a01-basic.hl7"])
            #expect(status == 64, "\(option)")
            #expect(err.contains("must be a positive number"), "\(option)")
        }
    }
}
