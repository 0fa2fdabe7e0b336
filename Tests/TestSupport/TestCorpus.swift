import Foundation
import Testing

/// The shared test corpus: public HL7 v2 messages, C-CDA documents, Synthea exports and the
/// v2-to-FHIR IG tables, read in place and never copied into the repository.
///
/// It is found at `FHIRBRIDGE_CORPUS` when that is set, else at `../shared/corpus` beside the
/// checkout. Suites and tests that read it carry the `.needsCorpus` trait: without a corpus they are
/// reported as skipped, with a note saying how to point them at one. A missing corpus is a failure,
/// not a skip, when it is required: when `FHIRBRIDGE_CORPUS` is set (the caller meant a corpus) or
/// `CI` is set (CI has one, and must never pass by skipping).
///
///     @Suite(.needsCorpus) struct CorpusTests { … TestCorpus.url("hl7v2-public/MANIFEST.md") … }
public enum TestCorpus {
    /// The environment variable that names the corpus folder.
    public static let variable = "FHIRBRIDGE_CORPUS"

    /// `FHIRBRIDGE_CORPUS` when set, else `<checkout>/../shared/corpus`.
    public static let root: URL = {
        if let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty {
            return URL(
                fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            )
            .standardizedFileURL
        }
        return Repository.root.deletingLastPathComponent().appendingPathComponent("shared/corpus").standardizedFileURL
    }()

    /// `relativePath` inside the corpus (`synthea/csv`, `hl7v2-public/MANIFEST.md`).
    public static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// Whether the corpus folder is there.
    public static let isPresent: Bool = {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder) && isFolder.boolValue
    }()

    /// Whether a missing corpus fails the tests that need it instead of skipping them:
    /// `FHIRBRIDGE_CORPUS` or `CI` is set.
    public static let isRequired: Bool = {
        let environment = ProcessInfo.processInfo.environment
        return !(environment[variable] ?? "").isEmpty || !(environment["CI"] ?? "").isEmpty
    }()

    /// Why a corpus test did not run, and how to make it run.
    public static var skipNote: String {
        "no test corpus at \(root.path): set \(variable) to the corpus folder (the one holding fhir-converter/, "
            + "hl7v2-public/, ccda-examples/, synthea/ and v2-to-fhir-maps/) or put it at ../shared/corpus beside the checkout"
    }

    /// The error a required but missing corpus fails with.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            let reason =
                (ProcessInfo.processInfo.environment[variable] ?? "").isEmpty ? "CI is set" : "\(variable) is set"
            return "the test corpus is required (\(reason)) but is not at \(root.path)"
        }
    }

    /// The condition behind `.needsCorpus`: `true` when the corpus is there, `false` (skip) when it
    /// is not and not required; throws `Missing` (the test fails) when it is required.
    public static func shouldRun() throws -> Bool {
        if isPresent { return true }
        if isRequired { throw Missing() }
        return false
    }

    /// For a test that adds corpus files to its own samples when there is a corpus: the corpus
    /// location of `relativePath`, or `nil` when there is no corpus (and none is required). A
    /// required corpus that is missing is recorded as an issue, so CI never drops the files quietly.
    public static func optional(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) -> URL? {
        if isPresent { return url(relativePath) }
        if isRequired { Issue.record(Missing(), sourceLocation: sourceLocation) }
        return nil
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs a suite or test only when the shared corpus is there (see `TestCorpus`): otherwise it is
    /// skipped with a note saying how to point it at a corpus, or fails when the corpus is required.
    public static var needsCorpus: Self {
        .enabled(if: try TestCorpus.shouldRun(), Comment(rawValue: TestCorpus.skipNote))
    }
}
