import Foundation
import HL7v2Mapping
import MappingSpec
import Terminology
import TestSupport
import Testing

/// `Mappings/hl7v2` loads, and a map that leaves out a fact the mapper needs, or names a path,
/// converter or flag it does not know, is a `file:line` error at load.
struct HL7v2MappingLoadTests {
    static let terminology: TerminologyStore = {
        do {
            return try TerminologyStore.load(from: Repository.root.appendingPathComponent("Terminology"))
        } catch {
            fatalError("terminology failed to load: \(error)")
        }
    }()

    /// Loads a scratch copy of `Mappings/` whose `hl7v2/segments/<segment>.yaml` is edited.
    func load(editing segment: String, _ edit: (String) -> String) throws -> Result<HL7v2Mapper, MappingLoadError> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hl7v2-maps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Repository.root.appendingPathComponent("Mappings/hl7v2"), to: folder.appendingPathComponent("hl7v2"))
        let url = folder.appendingPathComponent("hl7v2/segments/\(segment).yaml")
        try edit(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
        do throws(MappingLoadError) {
            let spec = try HL7v2MappingSpec.load(from: folder)
            return .success(try HL7v2Mapper(spec: spec, terminology: Self.terminology))
        } catch {
            return .failure(error)
        }
    }

    func line(of needle: String, in segment: String) throws -> Int? {
        let url = Repository.root.appendingPathComponent("Mappings/hl7v2/segments/\(segment).yaml")
        let lines = try String(contentsOf: url, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        return lines.firstIndex { $0.contains(needle) }.map { $0 + 1 }
    }

    func error(_ result: Result<HL7v2Mapper, MappingLoadError>) -> MappingLoadError? {
        if case .failure(let error) = result { error } else { nil }
    }

    @Test func shippedMapsLoad() throws {
        #expect(error(try load(editing: "PID") { $0 }) == nil)
    }

    @Test func aMapThatDoesNotSayWhetherField1IsASetIDIsRefused() throws {
        let error = try #require(
            error(try load(editing: "OBX") { $0.replacingOccurrences(of: "setID: true", with: "") }))
        #expect(error.file == "OBX.yaml")
        #expect(error.message.contains("missing key 'setID'"))
    }

    @Test func setIDMustBeTrueOrFalse() throws {
        let needle = "setID: true"
        let error = try #require(
            error(try load(editing: "OBX") { $0.replacingOccurrences(of: needle, with: "setID: yes") }))
        #expect(error.line == (try line(of: needle, in: "OBX")))
        #expect(error.message.contains("setID must be true or false"))
    }

    @Test func firstMustBeTrueOrFalse() throws {
        let needle = #"first: "true""#
        let segment = try #require(
            try FileManager.default.contentsOfDirectory(
                atPath: Repository.root.appendingPathComponent("Mappings/hl7v2/segments").path
            )
            .sorted().first { name in
                let url = Repository.root.appendingPathComponent("Mappings/hl7v2/segments/" + name)
                return (try? String(contentsOf: url, encoding: .utf8))?.contains(needle) == true
            }
        ).replacingOccurrences(of: ".yaml", with: "")
        #expect(error(try load(editing: segment) { $0.replacingOccurrences(of: needle, with: "first: true") }) == nil)
        let wrong = try #require(
            error(try load(editing: segment) { $0.replacingOccurrences(of: needle, with: "first: 1") }))
        #expect(wrong.line == (try line(of: needle, in: segment)))
        #expect(wrong.message.contains("first must be true or false"))
    }

    @Test func anUnknownPathIsRefusedAtItsLine() throws {
        let needle = "OBX-17: { to: method"
        let error = try #require(
            error(try load(editing: "OBX") { $0.replacingOccurrences(of: needle, with: "OBX-17: { to: methods") }))
        #expect(error.file == "OBX.yaml")
        #expect(error.line == (try line(of: needle, in: "OBX")))
        #expect(error.message.contains("observation has no path 'methods'"))
    }

    /// `referenceRange.low` is in the shared path catalogue, but only CSV columns fill range parts.
    @Test func aCataloguePathNoFieldFillsIsRefused() throws {
        let needle = "OBX-17: { to: method"
        let error = try #require(
            error(
                try load(editing: "OBX") {
                    $0.replacingOccurrences(of: needle, with: "OBX-17: { to: referenceRange.low")
                }))
        #expect(error.line == (try line(of: needle, in: "OBX")))
        #expect(error.message.contains("observation has no path 'referenceRange.low'"))
    }

    /// A path that came from the CSV side of the catalogue takes HL7 v2 values whose shape fits.
    @Test func aCataloguePathOfTheOtherSourceLoadsWhenItsShapeFits() throws {
        let needle = "OBX-17: { to: method"
        #expect(
            error(try load(editing: "OBX") { $0.replacingOccurrences(of: needle, with: "OBX-17: { to: categories") })
                == nil)
    }

    @Test func anUnknownConverterIsRefused() throws {
        let error = try #require(
            error(
                try load(editing: "OBX") {
                    $0.replacingOccurrences(
                        of: "converters: [observationValue]", with: "converters: [observationValues]")
                }))
        #expect(error.message.contains("unknown converter 'observationValues'"))
    }
}
