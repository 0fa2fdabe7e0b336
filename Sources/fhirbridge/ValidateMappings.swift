import ArgumentParser
import CSVSource
import Foundation
import MappingSpec
import Pipeline

struct ValidateMappings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-mappings",
        abstract: "Load Terminology/ and Mappings/ and check every map against the model (file:line errors).")

    @OptionGroup var home: HomeOptions

    @Option(
        help: "A CSV column profile (YAML) of your own to check as well (file:line errors). Repeatable.",
        completion: .file())
    var csvProfile: [String] = []

    func run() throws {
        let engine = try home.loadEngine()
        let spec = engine.hl7Mapper.spec
        print(
            "ok: \(spec.manifests.count) HL7 v2 message manifests, \(spec.segmentMaps.count) segment maps, "
                + "\(engine.terminology.conceptMapIDs.count) concept maps, \(engine.csvProfiles.count) CSV profiles")
        var failed = false
        for path in csvProfile {
            let result = Result { () throws(MappingLoadError) -> CSVProfile in
                let profile = try CSVProfile.load(URL(fileURLWithPath: path))
                try profile.check(against: engine.terminology)
                return profile
            }
            switch result {
            case .success(let profile):
                print("ok: CSV profile \(profile.name) (\(path)): \(profile.tables.count) files")
            case .failure(let error):
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw Exit.dataError }
    }
}
