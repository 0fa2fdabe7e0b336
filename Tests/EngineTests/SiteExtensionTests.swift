import CanonicalHash
import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation
import PHISafety
import Pipeline
import TestSupport
import Testing

/// A site's Z-segment maps in a `--mappings` overlay (`Samples/site-overrides`): each field reaches
/// its record's resource as an extension with the site's URL, is read back by the reverse mapping
/// (reconcile stays clean), is hashed with its record, counts as carried, and a map that names an
/// unknown record kind, a URL that is not a site's or a type an extension cannot hold fails at load
/// with `file:line`.
@Suite struct SiteExtensionTests {
    static let folder = Repository.url("Samples/site-overrides")
    static let message = folder.appendingPathComponent("adt-a04-site-extensions.hl7")
    static let site = "https://fhir.example-health.org/StructureDefinition/"

    static let engine: Engine = {
        var configuration = EngineConfiguration(home: Repository.root)
        configuration.mappingsOverlays = [folder.appendingPathComponent("site")]
        do { return try Engine(configuration: configuration) } catch { fatalError("site engine: \(error)") }
    }()

    static func convert(_ engine: Engine = engine) throws -> UnitResult {
        let units = engine.convert(Array(try Data(contentsOf: message)), inputName: message.lastPathComponent)
        return try #require(units.first)
    }

    static func resource(_ bundle: JSON, _ type: String) -> JSONObject? {
        (bundle["entry"]?.arrayValue ?? []).lazy.compactMap { $0["resource"]?.objectValue }
            .first { $0["resourceType"]?.stringValue == type }
    }

    static func extensionValue(_ resource: JSONObject?, _ name: String) -> JSONObject? {
        (resource?["extension"]?.arrayValue ?? []).lazy.compactMap(\.objectValue)
            .first { $0["url"]?.stringValue == site + name }
    }

    @Test func zSegmentFieldsBecomeExtensionsOnTheirRecordsResources() throws {
        let unit = try Self.convert()
        let record = try #require(unit.record)
        #expect(record.siteExtensions.count == 6)
        let (bytes, _) = Self.engine.bundleJSON([record])
        let bundle = try JSONReader.parse(bytes)
        let patient = Self.resource(bundle, "Patient")
        #expect(
            Self.extensionValue(patient, "preferred-pharmacy")?["valueString"]?.stringValue == "Example Street Pharmacy"
        )
        #expect(
            Self.extensionValue(patient, "vip-status")?["valueCodeableConcept"]?["coding"]?.arrayValue?.first?["code"]?
                .stringValue == "Y")
        #expect(Self.extensionValue(patient, "portal-enrolled")?["valueDateTime"]?.stringValue == "2023-01-15")
        #expect(
            Self.extensionValue(patient, "loyalty-number")?["valueIdentifier"]?["value"]?.stringValue == "LOY-55501")
        let encounter = Self.resource(bundle, "Encounter")
        #expect(Self.extensionValue(encounter, "expected-stay-days")?["valueDecimal"]?.numberLexical == "2.5")
        #expect(Self.extensionValue(encounter, "cleaning-priority")?["valueCoding"]?["code"]?.stringValue == "H")
        // the site's extensions come before fhirbridge's record-key, which stays last
        let urls = (patient?["extension"]?.arrayValue ?? []).compactMap { $0["url"]?.stringValue }
        #expect(urls.last == "http://fhirbridge.dev/fhir/StructureDefinition/record-key")
        // nothing is reported as a custom segment left unmapped
        #expect(!unit.diagnostics.contains { $0.kind == .customSegmentNotMapped })
    }

    @Test func theReverseMappingReadsThemBackAndReconcileIsClean() throws {
        let record = try #require(try Self.convert().record)
        let bundle = try JSONReader.parse(Self.engine.bundleJSON([record]).0)
        let reader = FHIRReader()
        let (read, _) = reader.records(from: reader.resources(fromBundle: bundle))
        #expect(Set(read.flatMap(\.siteExtensions)) == Set(record.siteExtensions))
        let report = Reconciler.reconcile(source: [record], sourceDiagnostics: [], sourceErrors: [], fhir: read)
        #expect(report.isClean, "\(report.changed.count) changed, \(report.missing.count) missing")
        // a changed value on the FHIR side is found, on the record that carries it
        let edited = try JSONReader.parse(
            String(decoding: JSONWriter().bytes(bundle), as: UTF8.self)
                .replacingOccurrences(of: "Example Street Pharmacy", with: "Other Pharmacy"))
        let (changed, _) = reader.records(from: reader.resources(fromBundle: edited))
        let after = Reconciler.reconcile(source: [record], sourceDiagnostics: [], sourceErrors: [], fhir: changed)
        #expect(after.changed.count == 1)
    }

    @Test func theDigestCoversThemAndIsUnchangedWithoutThem() throws {
        let record = try #require(try Self.convert().record)
        let patient = try #require(record.patients.first)
        let with = CanonicalHasher.digests(record).first { $0.ref == patient.ref }?.digest
        var without = record
        without.siteExtensions = []
        let plain = CanonicalHasher.digests(without).first { $0.ref == patient.ref }?.digest
        #expect(with != nil && with != plain)
        #expect(plain == CanonicalHasher.digest(patient).digest)
    }

    @Test func theirFieldsCountAsCarried() throws {
        let account = try #require(try Self.convert().account)
        for path in ["ZPI-2", "ZPI-3.1", "ZPI-3.2", "ZPI-3.3", "ZPI-4", "ZPI-5.1", "ZPV-2", "ZPV-3"] {
            #expect(account.carried[path] == 1, "\(path)")
        }
        #expect(account.declared["ZPI-1"] == 1)
        #expect(!account.unaccounted.keys.contains { $0.hasPrefix("ZP") }, "\(account.unaccounted.keys.sorted())")
        // without the site's maps the segments are unaccounted, and reported
        let bundled = try Self.convert(Support.engine)
        #expect(bundled.account?.unaccounted["ZPI-2"] == 1)
        #expect(bundled.diagnostics.contains { $0.kind == .customSegmentNotMapped })
        #expect(bundled.record?.siteExtensions.isEmpty == true)
    }

    @Test func deidentificationRemovesThem() throws {
        let record = try #require(try Self.convert().record)
        let deidentified = Deidentifier(key: try DataKey(bytes: Array(repeating: 7, count: 32))).apply(record)
        #expect(deidentified.siteExtensions.isEmpty)
    }

    @Test(arguments: [
        (
            "ZPI-2: { url: \"http://hl7.org/fhir/StructureDefinition/patient-religion\", type: ST }",
            "ZPI.yaml:7: extension url must be an absolute http(s) or urn: URL"
        ),
        ("ZPI-2: { url: \"pharmacy\", type: ST }", "ZPI.yaml:7: extension url must be"),
        (
            "ZPI-2: { url: \"https://example.org/x\", type: XPN }",
            "ZPI.yaml:7: XPN gives a name, which an extension cannot hold"
        ),
        ("ZPI-2: { url: \"https://example.org/x\", type: QQ }", "ZPI.yaml:7: unknown HL7 v2 data type 'QQ'"),
        ("ZPI-2: { url: \"https://example.org/x\", type: ST, map: x }", "ZPI.yaml:7: unknown key 'map'"),
    ])
    func aBadExtensionRuleFailsAtLoadWithItsLine(rule: String, message: String) throws {
        let error = try #require(try Self.loadError(entity: "patient", rule: rule))
        #expect(error.contains(message), "\(error)")
    }

    @Test func anUnknownTargetFailsAtLoad() throws {
        let error = try #require(
            try Self.loadError(entity: "widget", rule: "ZPI-2: { url: \"https://example.org/x\", type: ST }"))
        #expect(error.contains("ZPI.yaml:4: unknown entity 'widget'"), "\(error)")
    }

    /// The engine's load error for an overlay holding one ZPI map with `rule`, or `nil` if it loads.
    static func loadError(entity: String, rule: String) throws -> String? {
        let overlay = FileManager.default.temporaryDirectory.appendingPathComponent("fhirbridge-site-\(UUID())")
        defer { try? FileManager.default.removeItem(at: overlay) }
        let segments = overlay.appendingPathComponent("hl7v2/segments")
        try FileManager.default.createDirectory(at: segments, withIntermediateDirectories: true)
        let yaml = """
            segment: ZPI
            setID: true
            produces:
              \(entity):
                mode: augment
                extensions:
                  \(rule)

            """
        try yaml.write(to: segments.appendingPathComponent("ZPI.yaml"), atomically: true, encoding: .utf8)
        var configuration = EngineConfiguration(home: Repository.root)
        configuration.mappingsOverlays = [overlay]
        do {
            _ = try Engine(configuration: configuration)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
