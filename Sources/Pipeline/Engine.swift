import CCDA
import CSVSource
import ClinicalModel
import Crypto
import FHIRMapping
import FHIRR4
import Foundation
import HL7v2
import HL7v2Mapping
import MappingSpec
import Terminology

/// The result of converting one source unit (an HL7 v2 message, a C-CDA document).
public struct UnitResult: Sendable {
    /// 1-based unit number in its input.
    public var index: Int
    public var record: ClinicalRecord?
    public var diagnostics: [Diagnostic]
    public var error: SourceError?
    public var byteCount: Int
    /// What became of the unit's non-empty source elements (carried, declared, unaccounted), for
    /// readers that account for their source; `nil` otherwise.
    public var account: SourceAccount?

    public init(index: Int, record: ClinicalRecord?, diagnostics: [Diagnostic], error: SourceError?, byteCount: Int) {
        self.index = index
        self.record = record
        self.diagnostics = diagnostics
        self.error = error
        self.byteCount = byteCount
    }
}

/// A problem loading the engine's own data (`Terminology/`, `Mappings/`): `file:line`, no patient data.
public struct EngineLoadError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// The one entry point: source bytes -> canonical records -> FHIR R4.
///
///     let engine = try Engine(configuration: .init(home: home))
///     var reader = engine.reader(for: .file(InputFile(url: url)))
///     while let unit = try reader.next() { … }          // or ConversionPipeline for whole runs
public final class Engine: Sendable {
    public let configuration: EngineConfiguration
    public let terminology: TerminologyStore
    public let hl7Mapper: HL7v2Mapper
    public let bundleBuilder: BundleBuilder
    /// Records to FHIR with the configured bundle type: what the sinks emit through.
    public let emitter: FHIREmitter
    /// CSV column profiles: the configured ones (`EngineConfiguration.csvProfiles`), then `Mappings/csv`.
    public let csvProfiles: [CSVProfile]
    /// C-CDA documents through `Mappings/ccda`.
    public let ccdaReader: CCDAReader
    /// Terminology normalization applied to every record before it leaves the engine (nil when off).
    public let normalizer: RecordNormalizer?

    public init(configuration: EngineConfiguration) throws(EngineLoadError) {
        self.configuration = configuration
        let loaded = try DataOverlay.withHome(
            configuration.home, mappings: configuration.mappingsOverlays,
            terminology: configuration.terminologyOverlays
        ) { home throws(EngineLoadError) in try LoadedData(home: home, configuration: configuration) }
        terminology = loaded.terminology
        hl7Mapper = loaded.hl7Mapper
        csvProfiles = loaded.csvProfiles
        ccdaReader = loaded.ccdaReader
        bundleBuilder = BundleBuilder()
        emitter = FHIREmitter(
            builder: bundleBuilder, bundleType: configuration.bundleType,
            conditionalReferences: configuration.conditionalReferences)
        normalizer = configuration.normalizeTerminology ? RecordNormalizer(store: terminology) : nil
    }

    /// Normalizes a record's codes and units (when configured); its diagnostics join the unit's.
    /// Every source path ends here, so the emitter, hashing and the ledger all see normalized records.
    public func normalized(_ record: ClinicalRecord) -> (ClinicalRecord, [Diagnostic]) {
        guard let normalizer else { return (record, []) }
        return normalizer.normalize(record)
    }

    /// Finds the data folder (env `FHIRBRIDGE_HOME`, the current directory or the executable's) and loads.
    public static func locateHome() -> URL? {
        TerminologyLocator.findDirectory()?.deletingLastPathComponent()
    }

    /// Converts one input of any supported format (detected from content unless given): HL7 v2,
    /// C-CDA, or CSV through the first profile that fits it.
    public func convert(_ bytes: [UInt8], inputName: String, format: InputFormat? = nil, traceUnused: Bool = false)
        -> [UnitResult]
    {
        var reader = self.reader(bytes: bytes, inputName: inputName, format: format, traceUnused: traceUnused)
        // bytes in memory: nothing left that could fail to read
        return (try? reader.readAll()) ?? []
    }

    /// Parses and maps every message of an HL7 v2 input (a file of one or many messages, a batch).
    public func convertHL7v2(_ bytes: [UInt8], inputName: String, traceUnused: Bool = false) -> [UnitResult] {
        convert(bytes, inputName: inputName, format: .hl7v2, traceUnused: traceUnused)
    }

    /// Maps one parsed message.
    public func mapHL7(_ message: HL7Message, inputName: String, traceUnused: Bool = false) -> UnitResult {
        let digest = lowercaseHex(SHA256.hash(data: message.bytes))
        do {
            let mapped = try hl7Mapper.mapAccounting(
                message, inputName: inputName, digest: digest, traceUnused: traceUnused)
            let (record, terminologyDiagnostics) = normalized(mapped.record)
            let diagnostics = mapped.diagnostics + terminologyDiagnostics
            var unit = UnitResult(
                index: message.index, record: record, diagnostics: diagnostics, error: nil, byteCount: message.byteCount
            )
            unit.account = mapped.account
            return unit
        } catch {
            return UnitResult(
                index: message.index, record: nil, diagnostics: message.diagnostics, error: error,
                byteCount: message.byteCount)
        }
    }

    /// The FHIR Bundle for records, with the run's bundle type.
    public func bundle(_ records: [ClinicalRecord]) -> (JSONObject, [Diagnostic]) {
        emitter.bundle(records)
    }

    /// The FHIR Bundle for records, as pretty or compact JSON bytes.
    public func bundleJSON(_ records: [ClinicalRecord], pretty: Bool = true) -> ([UInt8], [Diagnostic]) {
        emitter.bundleJSON(records, pretty: pretty)
    }
}

/// What an engine reads from its data folders, all at start.
private struct LoadedData {
    let terminology: TerminologyStore
    let hl7Mapper: HL7v2Mapper
    let csvProfiles: [CSVProfile]
    let ccdaReader: CCDAReader

    init(home: URL, configuration: EngineConfiguration) throws(EngineLoadError) {
        let terminologyDirectory = home.appendingPathComponent("Terminology")
        do {
            terminology = try TerminologyStore.load(from: terminologyDirectory)
        } catch {
            throw EngineLoadError(description: "Terminology: \(error)")
        }
        do {
            let spec = try HL7v2MappingSpec.load(from: home.appendingPathComponent("Mappings"))
            hl7Mapper = try HL7v2Mapper(spec: spec, terminology: terminology, defaultZone: configuration.defaultZone)
        } catch {
            throw EngineLoadError(description: "Mappings: \(error)")
        }
        do {
            let bundled = try CSVProfiles.loadAll(from: home.appendingPathComponent("Mappings"))
            for profile in bundled { try profile.check(against: terminology) }
            csvProfiles = configuration.csvProfiles + bundled
            ccdaReader = try CCDAReader(
                terminology: terminology, mappingsDirectory: home.appendingPathComponent("Mappings"),
                limits: configuration.limits.ccda, defaultZone: configuration.defaultZone)
        } catch {
            throw EngineLoadError(description: "Mappings: \(error)")
        }
    }
}
