public import CCDA
public import CSVSource
public import HL7v2

/// Every hard limit of a run, one group per source format. Each exceeded limit is a positioned
/// `SourceError` for its unit (message, document or row); the other units go on.
///
///     var configuration = EngineConfiguration(home: home)
///     configuration.limits.hl7.maxMessageBytes = 1 << 20
///     configuration.limits.ccda.maxDepth = 64
public struct EngineLimits: Hashable, Sendable {
    /// HL7 v2: message size (`messageTooLarge`), field size (`fieldTooLarge`), segments per message
    /// (`tooManySegments`).
    public var hl7: HL7Limits
    /// C-CDA: document size (`documentTooLarge`), element depth (`documentTooDeep`).
    public var ccda: CCDALimits
    /// CSV: row size (`recordTooLong`), field size (`fieldTooLong`).
    public var csv: CSVLimits

    public init(hl7: HL7Limits = .default, ccda: CCDALimits = CCDALimits(), csv: CSVLimits = CSVLimits()) {
        self.hl7 = hl7
        self.ccda = ccda
        self.csv = csv
    }
}
