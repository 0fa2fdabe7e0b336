import ClinicalModel
import FHIRR4
import Foundation
import PHISafety
import Pipeline
import TestSupport
import Testing

/// Paths, a shared engine, a fixed test key and the CLI runner for the PHI safety tests (the checkout,
/// the corpus and the binary: `TestSupport`).
enum Support {
    static let samples = Repository.url("Samples")

    static let engine: Engine = {
        do {
            return try Engine(configuration: EngineConfiguration(home: Repository.root))
        } catch {
            fatalError("engine failed to load: \(error)")
        }
    }()

    /// A fixed key (tests must be deterministic): 32 bytes 0x01…0x20, base64.
    static let keyBase64 = Data((1...32).map { UInt8($0) }).base64EncodedString()
    static let key: DataKey = {
        do { return try DataKey(base64: keyBase64) } catch { fatalError("test key: \(error)") }
    }()
    static let otherKeyBase64 = Data((1...32).map { UInt8(255 - $0) }).base64EncodedString()

    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "phisafety-\(name)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    typealias Run = CLIRunner.Result

    /// Runs the CLI binary (see `CLIRunner`) with `FHIRBRIDGE_HOME` set to the checkout.
    static func run(_ arguments: [String], environment extra: [String: String] = [:], in folder: URL? = nil) throws
        -> Run
    {
        var environment: [String: String?] = ["FHIRBRIDGE_HOME": Repository.root.path]
        for (key, value) in extra { environment[key] = value }
        return try CLIRunner.run(arguments, environment: environment, in: folder)
    }

    /// Every `reference` string in a bundle and every `fullUrl`.
    static func references(in json: JSON) -> (references: [String], fullUrls: Set<String>) {
        var references: [String] = []
        var fullUrls = Set<String>()
        func walk(_ value: JSON) {
            switch value {
            case .object(let object):
                for member in object {
                    if member.key == "reference", let text = member.value.stringValue { references.append(text) }
                    if member.key == "fullUrl", let text = member.value.stringValue { fullUrls.insert(text) }
                    walk(member.value)
                }
            case .array(let items): items.forEach(walk)
            default: break
            }
        }
        walk(json)
        return (references, fullUrls)
    }

    /// Lowercased UTF-8 bytes of an output, prepared once for many `containsToken` searches.
    struct TokenText {
        let bytes: [UInt8]
        init(_ text: String) { bytes = Array(text.lowercased().utf8) }
        init(_ data: Data) { self.init(String(decoding: data, as: UTF8.self)) }

        static func isWord(_ byte: UInt8) -> Bool {
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
        }

        /// Whether `needle` occurs as a token: not inside a longer run of letters and digits (so a
        /// 5-digit ZIP inside a hex digest does not count; a name inside a sentence does).
        func contains(token needle: String) -> Bool {
            let pin = Array(needle.lowercased().utf8)
            guard let first = pin.first, let last = pin.last, bytes.count >= pin.count else { return false }
            var index = 0
            let end = bytes.count - pin.count
            while index <= end {
                if bytes[index] == first, bytes[index..<(index + pin.count)].elementsEqual(pin) {
                    let before = index == 0 || !Self.isWord(bytes[index - 1]) || !Self.isWord(first)
                    let after =
                        index + pin.count == bytes.count || !Self.isWord(bytes[index + pin.count]) || !Self.isWord(last)
                    if before && after { return true }
                }
                index += 1
            }
            return false
        }
    }
}
