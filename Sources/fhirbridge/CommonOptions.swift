import ArgumentParser
import CSVSource
import FHIRMapping
import Foundation
import MappingSpec
import PHISafety
import Pipeline

extension InputFormat: ExpressibleByArgument {}
extension BundleType: ExpressibleByArgument {}
extension Deidentifier.DateMode: ExpressibleByArgument {}

/// `--home`: where `Terminology/` and `Mappings/` are, for every command that loads the engine.
struct HomeOptions: ParsableArguments {
    @Option(
        help:
            "Folder holding Terminology/ and Mappings/ (default: FHIRBRIDGE_HOME, or found from the current directory)."
    )
    var home: String?

    @Option(
        help: ArgumentHelp(
            "A site's folder laid over Mappings/ (repeatable; later ones win).",
            discussion:
                "A file at the same relative path (hl7v2/segments/PID.yaml, csv/my.profile.yaml) replaces the bundled one; other files join them."
        ), completion: .directory)
    var mappings: [String] = []

    @Option(help: "A site's folder laid over Terminology/, the same way (repeatable).", completion: .directory)
    var terminology: [String] = []

    /// The options again, for a child process (`bench --whole-process`).
    var arguments: [String] {
        (home.map { ["--home", $0] } ?? []) + mappings.flatMap { ["--mappings", $0] }
            + terminology.flatMap { ["--terminology", $0] }
    }

    /// Loads the engine; a missing data folder is an I/O error (74), data that does not load 70.
    func loadEngine(_ configure: (inout EngineConfiguration) -> Void = { _ in }) throws -> Engine {
        guard let homeURL = home.map({ URL(fileURLWithPath: $0) }) ?? Engine.locateHome() else {
            FileHandle.standardError.write(
                Data("error: cannot find Terminology/ and Mappings/; set FHIRBRIDGE_HOME or pass --home\n".utf8))
            throw Exit.ioError
        }
        var configuration = EngineConfiguration(home: homeURL)
        configuration.mappingsOverlays = mappings.map { URL(fileURLWithPath: $0) }
        configuration.terminologyOverlays = terminology.map { URL(fileURLWithPath: $0) }
        configure(&configuration)
        do {
            return try Engine(configuration: configuration)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw Exit.software
        }
    }
}

/// How sources are read: `--timezone` and `--csv-profile`, for the commands that read sources.
struct SourceOptions: ParsableArguments {
    @Option(help: "Zone for source times given without one, as +hh:mm or -hh:mm.")
    var timezone: String = "+00:00"

    @Option(
        help: "A CSV column profile (YAML) to try before the bundled ones in Mappings/csv. Repeatable.",
        completion: .file())
    var csvProfile: [String] = []

    func validate() throws {
        if timezone.range(of: #"^[+-](0\d|1[0-4]):[0-5]\d$"#, options: .regularExpression) == nil {
            throw ValidationError("--timezone must look like +00:00 or -05:00.")
        }
    }

    /// Loads the engine with this zone and these CSV profiles (and `configure` for the rest); a
    /// profile that does not load is a usage error (64).
    func loadEngine(_ home: HomeOptions, _ configure: (inout EngineConfiguration) -> Void = { _ in }) throws -> Engine {
        var profiles: [CSVProfile] = []
        for path in csvProfile {
            switch Result(catching: { () throws(MappingLoadError) -> CSVProfile in
                try CSVProfile.load(URL(fileURLWithPath: path))
            }) {
            case .success(let profile): profiles.append(profile)
            case .failure(let error):
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw Exit.usage
            }
        }
        return try home.loadEngine { configuration in
            configuration.defaultZone = timezone
            configuration.csvProfiles = profiles
            configure(&configuration)
        }
    }
}

/// Input collection shared by the commands: usage errors (64) for paths that do not exist, I/O
/// errors (74) for folders that cannot be listed.
enum Inputs {
    static func files(_ paths: [String], includeFHIR: Bool = false) throws -> [InputFile] {
        let result = Result { () throws(InputError) -> [InputFile] in try InputFile.collect(paths, fhir: includeFHIR) }
        switch result {
        case .success(let inputs): return inputs
        case .failure(let error):
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw error.isUsage ? Exit.usage : Exit.ioError
        }
    }

    /// Expands paths into source inputs (CSV folders through the engine's profiles).
    static func sources(_ paths: [String], engine: Engine) throws -> [SourceInput] {
        switch Result(catching: { () throws(InputError) -> [SourceInput] in try engine.sources(paths) }) {
        case .success(let sources):
            for path in paths {
                guard let hint = engine.csvProfileMiss(path) else { continue }
                FileHandle.standardError.write(Data("note: \(hint)\n".utf8))
            }
            return sources
        case .failure(let error):
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw error.isUsage ? Exit.usage : Exit.ioError
        }
    }
}

extension SinkOutput {
    var filePath: String? {
        if case .file(let path) = self { return path }
        return nil
    }

    /// The audit trail's view of an output: file digests are read back, streams are as written.
    func auditFile() -> AuditFile? {
        switch self {
        case .file(let path): AuditFile.hashing(path: path, role: "output")
        case .stream(let digest, let size): AuditFile(digest: digest, size: size, role: "stdout")
        }
    }
}
