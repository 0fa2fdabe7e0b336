import Foundation

/// A data folder (`Mappings/` or `Terminology/`) seen through a site's overlays: a file of an
/// overlay replaces the file at the same relative path in the folder below it, and a file of its own
/// joins them (later overlays win). So a site keeps only the maps it changes, and replays or converts
/// with them without copying the bundled data (`--mappings DIR`, `--terminology DIR`).
///
/// The merged view is built in a scratch folder of hard links (copies across file systems), which the
/// loaders read as they read the bundled folders, and removed once the engine has loaded: every
/// loader reads its files at start.
struct DataOverlay {
    let base: URL
    let overlays: [URL]

    /// Relative path → the file that wins, for every regular, non-hidden file below `base` and the overlays.
    func files() throws(EngineLoadError) -> [String: URL] {
        var winners: [String: URL] = [:]
        for (number, folder) in ([base] + overlays).enumerated() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw EngineLoadError(
                    description: number == 0
                        ? "\(base.lastPathComponent): the folder is missing"
                        : "\(base.lastPathComponent) overlay \(number): not a folder")
            }
            for (relative, url) in Self.regularFiles(under: folder) { winners[relative] = url }
        }
        return winners
    }

    /// Builds the merged folder at `destination` (which must not exist yet).
    func build(at destination: URL) throws(EngineLoadError) {
        let manager = FileManager.default
        for (relative, source) in try files() {
            let target = destination.appendingPathComponent(relative)
            do {
                try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                do {
                    try manager.linkItem(at: source, to: target)
                } catch {
                    try manager.copyItem(at: source, to: target)
                }
            } catch {
                throw EngineLoadError(description: "\(base.lastPathComponent) overlay: cannot stage \(relative)")
            }
        }
    }

    static func regularFiles(under folder: URL) -> [(String, URL)] {
        let root = folder.resolvingSymlinksInPath().standardizedFileURL
        guard
            let enumerator = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var found: [(String, URL)] = []
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in enumerator {
            let resolved = url.resolvingSymlinksInPath()
            guard (try? resolved.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(prefix) else { continue }
            found.append((String(path.dropFirst(prefix.count)), resolved))
        }
        return found
    }

    /// Loads `body` with a home whose `Mappings/` and `Terminology/` carry the overlays; without
    /// overlays, with `home` itself.
    static func withHome<T>(
        _ home: URL, mappings: [URL], terminology: [URL], _ body: (URL) throws(EngineLoadError) -> T
    ) throws(EngineLoadError) -> T {
        if mappings.isEmpty && terminology.isEmpty { return try body(home) }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("fhirbridge-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for (name, overlays) in [("Mappings", mappings), ("Terminology", terminology)] {
            try DataOverlay(base: home.appendingPathComponent(name), overlays: overlays)
                .build(at: scratch.appendingPathComponent(name))
        }
        return try body(scratch)
    }
}
