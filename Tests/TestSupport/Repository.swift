import Foundation

/// The checkout the tests run from: the one place a test target learns where `Samples/`,
/// `Mappings/`, `Terminology/` and `Tools/` are.
///
///     Repository.root                    // /home/me/fhirbridge
///     Repository.url("Samples/hl7v2")    // /home/me/fhirbridge/Samples/hl7v2
public enum Repository {
    /// The folder holding `Package.swift`: three levels above this file
    /// (`Tests/TestSupport/Repository.swift`), or, when the sources were moved after the build,
    /// the nearest folder from the current directory upwards that holds this package.
    public static let root: URL = {
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().standardizedFileURL
        if isCheckout(fromSource) { return fromSource }
        var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
        while folder.path != "/" {
            if isCheckout(folder) { return folder }
            folder.deleteLastPathComponent()
        }
        return fromSource
    }()

    /// `relativePath` inside the checkout.
    public static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    static func isCheckout(_ folder: URL) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: folder.appendingPathComponent("Package.swift").path)
            && manager.fileExists(atPath: folder.appendingPathComponent("Tests/TestSupport").path)
    }
}
