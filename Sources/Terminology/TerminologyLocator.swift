import Foundation

/// Finds the `Terminology/` folder of a fhirbridge installation or checkout.
public enum TerminologyLocator {
    /// Environment variable naming the folder that holds `Terminology/` and `Mappings/`.
    public static let homeVariable = "FHIRBRIDGE_HOME"

    /// The `Terminology/` folder, looked for in this order:
    /// 1. `$FHIRBRIDGE_HOME/Terminology`;
    /// 2. walking up from `startingAt` (default: the current directory) to a folder holding both
    ///    `Terminology/` and `Mappings/`;
    /// 3. the same walk from the running executable's folder (e.g. `.build/debug/fhirbridge`).
    /// - Returns: `nil` when none is found.
    public static func findDirectory(startingAt start: URL? = nil) -> URL? {
        let fileManager = FileManager.default
        if let home = ProcessInfo.processInfo.environment[homeVariable], !home.isEmpty {
            let candidate = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent("Terminology")
            if isDirectory(candidate, fileManager) { return candidate.standardizedFileURL }
        }
        var origins: [URL] = [start ?? URL(fileURLWithPath: fileManager.currentDirectoryPath, isDirectory: true)]
        if let executable = executableURL() { origins.append(executable.deletingLastPathComponent()) }
        for origin in origins {
            if let found = walkUp(from: origin, fileManager) { return found }
        }
        return nil
    }

    private static func walkUp(from origin: URL, _ fileManager: FileManager) -> URL? {
        var folder = origin.standardizedFileURL.resolvingSymlinksInPath()
        for _ in 0..<64 {
            let terminology = folder.appendingPathComponent("Terminology")
            if isDirectory(terminology, fileManager),
                isDirectory(folder.appendingPathComponent("Mappings"), fileManager)
            {
                return terminology
            }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return nil }
            folder = parent
        }
        return nil
    }

    private static func executableURL() -> URL? {
        if let url = Bundle.main.executableURL { return url.resolvingSymlinksInPath() }
        guard let first = CommandLine.arguments.first, !first.isEmpty else { return nil }
        return URL(fileURLWithPath: first).resolvingSymlinksInPath()
    }

    private static func isDirectory(_ url: URL, _ fileManager: FileManager) -> Bool {
        var flag: ObjCBool = false
        return fileManager.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}
