import CCDA
import CSVSource
import ClinicalModel
import Foundation
import HL7v2
import Pipeline
import TestSupport
import Testing

/// Paths, the malformed-corpus engine and its limits.
enum Robustness {
    static let malformed = Repository.url("Samples/malformed")
    static let regressions = Repository.url("Tests/RobustnessTests/Regressions")
    /// Every value of every bad input holds it; no error or diagnostic may.
    static let sentinel = "ZQXSENTINEL"

    /// The limits the malformed corpus is written against (Samples/malformed/README.md).
    static let limits = EngineLimits(
        hl7: HL7Limits(maxMessageBytes: 128 << 10, maxFieldBytes: 16 << 10, maxSegments: 500),
        ccda: CCDALimits(maxDocumentBytes: 64 << 10, maxDepth: 256),
        csv: CSVLimits(maxRecordBytes: 64 << 10, maxFieldBytes: 16 << 10))

    static let engine: Engine = {
        var configuration = EngineConfiguration(home: Repository.root)
        configuration.limits = limits
        do {
            return try Engine(configuration: configuration)
        } catch {
            fatalError("engine failed to load: \(error)")
        }
    }()

    static let labProfile: CSVProfile = {
        do {
            return try CSVProfile.load(Repository.url("Samples/csv/lab-results.profile.yaml"))
        } catch {
            fatalError("lab-results profile failed to load: \(error)")
        }
    }()

    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    /// Every error and diagnostic text of a conversion.
    static func texts(_ units: [UnitResult]) -> [String] {
        units.flatMap { unit in
            (unit.error.map { [String(describing: $0)] } ?? []) + unit.diagnostics.map { String(describing: $0) }
        }
    }
}
