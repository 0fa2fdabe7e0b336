import ClinicalModel
import FHIRR4
import Foundation

/// Writes converted records: one bundle file per unit, or NDJSON appended per resource type.
public final class OutputWriter {
    let directory: URL?
    let ndjson: Bool
    private var handles: [String: FileHandle] = [:]
    /// Bundle names written in this run: two inputs with one name (`a/CCD.xml`, `b/CCD.xml`) must not
    /// overwrite each other.
    private var written: Set<String> = []

    public init(directory: String?, ndjson: Bool) throws {
        self.directory = directory.map { URL(fileURLWithPath: $0) }
        self.ndjson = ndjson
        if let url = self.directory {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
    }

    deinit {
        for handle in handles.values { try? handle.close() }
    }

    /// Writes one record; returns the resources written by type and the emitter's diagnostics.
    public func write(_ record: ClinicalRecord, engine: Engine, stem: String, unitCount: Int, index: Int) throws
        -> (resources: [String: Int], diagnostics: [Diagnostic])
    {
        guard let directory else { return ([:], []) }
        if ndjson {
            let (resources, diagnostics) = engine.bundleBuilder.resources(record)
            var counts: [String: Int] = [:]
            for resource in resources {
                let type = resource["resourceType"]?.stringValue ?? "Resource"
                counts[type, default: 0] += 1
                var line = JSONWriter(style: .compact).bytes(.object(resource))
                line.append(0x0A)
                try handle(for: type, in: directory).write(contentsOf: line)
            }
            return (counts, diagnostics)
        }
        let base = unitCount > 1 ? "\(stem).\(index)" : stem
        var name = "\(base).json"
        var counter = 2
        while written.contains(name) {
            name = "\(base)-\(counter).json"
            counter += 1
        }
        written.insert(name)
        let (bundle, diagnostics) = engine.bundle([record])
        // atomic: a run killed half-way leaves no truncated bundle (delta runs rewrite it on restart)
        try Data(JSONWriter(style: .pretty).bytes(.object(bundle))).write(
            to: directory.appendingPathComponent(name), options: .atomic)
        return (Self.resourceCounts(.object(bundle)), diagnostics)
    }

    private func handle(for type: String, in directory: URL) throws -> FileHandle {
        if let handle = handles[type] { return handle }
        let url = directory.appendingPathComponent("\(type).ndjson")
        if !FileManager.default.fileExists(atPath: url.path) {
            FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        handles[type] = handle
        return handle
    }

    /// Resources by type in a bundle.
    public static func resourceCounts(_ bundle: JSON) -> [String: Int] {
        var counts: [String: Int] = [:]
        for entry in bundle["entry"]?.arrayValue ?? [] {
            if let type = entry["resource"]?["resourceType"]?.stringValue { counts[type, default: 0] += 1 }
        }
        return counts
    }
}
