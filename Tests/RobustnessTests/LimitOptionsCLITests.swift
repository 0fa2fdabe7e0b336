import Foundation
import Testing

/// The limit options of `fhirbridge convert`: a limit set on the command line is the one applied.
@Suite struct LimitOptionsCLITests {
    static func run(_ arguments: [String]) throws -> (Int32, String) {
        let candidates = [".build/debug/fhirbridge", ".build/x86_64-unknown-linux-gnu/debug/fhirbridge"]
        let binary = candidates.map { Robustness.repoRoot.appendingPathComponent($0) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        let process = Process()
        process.executableURL = try #require(binary, "build fhirbridge first (swift build)")
        process.arguments = arguments
        process.currentDirectoryURL = Robustness.repoRoot
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
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
