import ArgumentParser
import Foundation
import Pipeline

struct ValidateMappings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-mappings",
        abstract: "Load Terminology/ and Mappings/ and check every map against the model (file:line errors).")

    @Option(help: "Folder holding Terminology/ and Mappings/.")
    var home: String?

    func run() throws {
        let engine = try Convert.loadEngine(home: home, configure: { _ in })
        let spec = engine.hl7Mapper.spec
        print(
            "ok: \(spec.manifests.count) HL7 v2 message manifests, \(spec.segmentMaps.count) segment maps, "
                + "\(engine.terminology.conceptMapIDs.count) concept maps, \(engine.csvProfiles.count) CSV profiles")
    }
}
