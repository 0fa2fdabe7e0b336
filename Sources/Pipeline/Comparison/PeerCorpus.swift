import FHIRR4
import Foundation

/// Inputs paired with a peer converter's expected bundles by file name: `NAME.hl7` or `NAME.ccda`
/// with `NAME-expected.json` anywhere under the expected folder (FHIR-Converter's layout,
/// `expected/hl7v2/ADT_A01/ADT-A01-01-expected.json`). Inputs without an expected bundle are not
/// compared; they are counted.
public struct PeerCorpus: Sendable {
    public struct Case: Sendable, Hashable {
        public var input: URL
        public var expected: URL
    }

    public var cases: [Case] = []
    /// Inputs with no expected bundle of their name.
    public var unmatched: [URL] = []

    /// Pairs the files in `inputs` (files, or folders read recursively) with `NAME-expected.json`
    /// under `expected`. Two expected bundles of one name are ambiguous and neither is used.
    public init(inputs: [URL], expected: URL) {
        var byName: [String: URL] = [:]
        var ambiguous: Set<String> = []
        for url in Self.files(expected) where url.lastPathComponent.hasSuffix("-expected.json") {
            let name = String(url.lastPathComponent.dropLast("-expected.json".count))
            if byName[name] != nil { ambiguous.insert(name) }
            byName[name] = url
        }
        for input in inputs.flatMap(Self.files) {
            let name = input.deletingPathExtension().lastPathComponent
            if let expected = byName[name], !ambiguous.contains(name) {
                cases.append(Case(input: input, expected: expected))
            } else {
                unmatched.append(input)
            }
        }
    }

    static func files(_ url: URL) -> [URL] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return [] }
        guard isFolder.boolValue else { return [url] }
        guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else {
            return []
        }
        var result: [URL] = []
        for case let file as URL in enumerator {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                !file.lastPathComponent.hasPrefix("."), file.pathExtension != "md"
            else { continue }
            result.append(file)
        }
        return result.sorted { $0.path < $1.path }
    }
}

extension PeerComparison {
    /// What went wrong with one case: which file and how (no patient data).
    public struct CaseFailure: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var problem: String
        public var description: String { "\(file): \(problem)" }
    }

    /// Converts every case's input with `engine` and compares the bundle with the expected one.
    /// Returns the comparison and the cases that could not be read (I/O, or an expected file that is
    /// not JSON); units that fail to convert still count (their records are missing on our side).
    public static func run(_ corpus: PeerCorpus, engine: Engine) -> (PeerComparison, [CaseFailure]) {
        var comparison = PeerComparison()
        var failures: [CaseFailure] = []
        for item in corpus.cases {
            guard let expectedBytes = try? Data(contentsOf: item.expected),
                let input = try? Data(contentsOf: item.input)
            else {
                failures.append(CaseFailure(file: item.input.lastPathComponent, problem: "cannot read"))
                continue
            }
            let expected: JSON
            do {
                expected = try JSONReader.parse(Array(expectedBytes))
            } catch {
                failures.append(CaseFailure(file: item.expected.lastPathComponent, problem: "not JSON: \(error)"))
                continue
            }
            let units = engine.convert(Array(input), inputName: item.input.lastPathComponent)
            let (bytes, _) = engine.bundleJSON(units.compactMap(\.record), pretty: false)
            do {
                comparison.add(expected: expected, actual: try JSONReader.parse(bytes))
            } catch {
                failures.append(CaseFailure(file: item.input.lastPathComponent, problem: "bundle not JSON: \(error)"))
            }
        }
        return (comparison, failures)
    }
}
