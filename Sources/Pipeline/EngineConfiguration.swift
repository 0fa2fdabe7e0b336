import CSVSource
import FHIRMapping
import Foundation

/// How a run converts: where the data folders are, the time zone for times without one, the
/// bundle type, and the limits.
public struct EngineConfiguration: Sendable {
    /// The folder that holds `Terminology/` and `Mappings/`.
    public var home: URL
    /// Zone for HL7 v2 times given without one (`+00:00` unless set), as `±hh:mm`.
    public var defaultZone: String
    public var bundleType: BundleType
    /// Transaction entries as conditional creates on business identifiers.
    public var conditionalReferences: Bool
    /// Normalize every coded value and unit before emission (`RecordNormalizer`); on by default.
    public var normalizeTerminology: Bool = true
    /// Message, field, document, depth and row size limits (see `EngineLimits`).
    public var limits = EngineLimits()
    /// CSV column profiles tried before the bundled ones in `Mappings/csv` (`--csv-profile`).
    public var csvProfiles: [CSVProfile] = []
    /// A site's folders laid over `Mappings/` and `Terminology/` (`--mappings`, `--terminology`):
    /// a file at the same relative path replaces the bundled one, other files join them; later
    /// folders win (`DataOverlay`).
    public var mappingsOverlays: [URL] = []
    public var terminologyOverlays: [URL] = []

    public init(
        home: URL, defaultZone: String = "+00:00", bundleType: BundleType = .transaction,
        conditionalReferences: Bool = false
    ) {
        self.home = home
        self.defaultZone = defaultZone
        self.bundleType = bundleType
        self.conditionalReferences = conditionalReferences
    }
}
