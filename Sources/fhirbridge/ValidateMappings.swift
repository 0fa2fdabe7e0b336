import ArgumentParser
import Foundation
import Pipeline

struct ValidateMappings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-mappings",
        abstract: "Load Terminology/ and Mappings/ and check every map against the model (file:line errors).")

    @OptionGroup var home: HomeOptions

    func run() throws {
        let engine = try home.loadEngine()
        let spec = engine.hl7Mapper.spec
        print(
            "ok: \(spec.manifests.count) HL7 v2 message manifests, \(spec.segmentMaps.count) segment maps, "
                + "\(engine.terminology.conceptMapIDs.count) concept maps, \(engine.csvProfiles.count) CSV profiles")
    }
}
