import ArgumentParser
import CCDA
import CSVSource
import HL7v2
import Pipeline

/// Hard limits on the input, shared by `convert` and `serve`. An input over a limit fails its own
/// message, document or row with a positioned error (exit 65); memory stays bounded by the limits.
struct LimitOptions: ParsableArguments {
    @Option(help: "Largest HL7 v2 message, in bytes.")
    var maxMessageBytes: Int = HL7Limits.default.maxMessageBytes

    @Option(help: "Largest HL7 v2 field, in bytes.")
    var maxFieldBytes: Int = HL7Limits.default.maxFieldBytes

    @Option(help: "Most segments in one HL7 v2 message.")
    var maxSegments: Int = HL7Limits.default.maxSegments

    @Option(help: "Largest C-CDA document, in bytes.")
    var maxDocumentBytes: Int = CCDALimits().maxDocumentBytes

    @Option(help: "Deepest C-CDA element nesting, in levels.")
    var maxXMLDepth: Int = CCDALimits().maxDepth

    @Option(help: "Largest CSV row, in bytes.")
    var maxCSVRowBytes: Int = CSVLimits().maxRecordBytes

    @Option(help: "Largest CSV field, in bytes.")
    var maxCSVFieldBytes: Int = CSVLimits().maxFieldBytes

    func validate() throws {
        let all = [
            ("--max-message-bytes", maxMessageBytes), ("--max-field-bytes", maxFieldBytes),
            ("--max-segments", maxSegments), ("--max-document-bytes", maxDocumentBytes),
            ("--max-xml-depth", maxXMLDepth), ("--max-csv-row-bytes", maxCSVRowBytes),
            ("--max-csv-field-bytes", maxCSVFieldBytes),
        ]
        for (name, value) in all where value < 1 {
            throw ValidationError("\(name) must be a positive number.")
        }
        if maxXMLDepth > 10_000 { throw ValidationError("--max-xml-depth must be at most 10000.") }
    }

    /// The limits as the engine takes them.
    var engineLimits: EngineLimits {
        EngineLimits(
            hl7: HL7Limits(maxMessageBytes: maxMessageBytes, maxFieldBytes: maxFieldBytes, maxSegments: maxSegments),
            ccda: CCDALimits(maxDocumentBytes: maxDocumentBytes, maxDepth: maxXMLDepth),
            csv: CSVLimits(maxRecordBytes: maxCSVRowBytes, maxFieldBytes: maxCSVFieldBytes))
    }
}
