import Foundation
import TestSupport
import Testing

/// Every expected bundle in `Samples/` (the bytes the golden replay holds the engine to) passes the
/// core-package binding check: required bindings, invariants and core profiles, which fhirkit does not
/// check. A bundle with a code outside a required binding proves the check can fail.
@Suite(.serialized) struct CoreBindingTests {
    static func sampleBundles() throws -> [URL] {
        let root = Repository.url("Samples")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var bundles: [URL] = []
        for case let url as URL in walker where url.lastPathComponent.hasSuffix(".expected.json") {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
            if object?["resourceType"] as? String == "Bundle" { bundles.append(url) }
        }
        return bundles.sorted { $0.path < $1.path }
    }

    @Test func everySampleBundlePassesTheCoreBindingCheck() throws {
        guard CoreBindingCheck.isAvailable() else { return }
        let bundles = try Self.sampleBundles()
        #expect(bundles.count >= 60)
        let outcome = try CoreBindingCheck.check(bundles)
        #expect(outcome.errors.isEmpty, "\(outcome.errors.joined(separator: "\n"))")
        #expect(outcome.status == 0, "\(outcome.output.suffix(2000))")
        #expect(outcome.output.contains("\(bundles.count) bundles, 0 errors"), "\(outcome.output.suffix(500))")
    }

    @Test func aCodeOutsideARequiredBindingFails() throws {
        guard CoreBindingCheck.isAvailable() else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fhirbridge-binding-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // gender is bound (required) to administrative-gender: "F" is a v2 code, not an R4 one
        let bundle = """
            {"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl":
            "urn:uuid:5f1d5a8e-7a43-4b2c-9d7e-3f1e2a6b8c01", "resource": {"resourceType": "Patient",
            "id": "5f1d5a8e-7a43-4b2c-9d7e-3f1e2a6b8c01", "gender": "F"}}]}
            """
        let url = folder.appendingPathComponent("bad.json")
        try Data(bundle.utf8).write(to: url)
        let outcome = try CoreBindingCheck.check([url])
        #expect(outcome.status == 1, "\(outcome.output.suffix(1000))")
        #expect(outcome.errors.contains { $0.contains("Patient.gender") }, "\(outcome.output.suffix(1000))")
    }
}
