// libFuzzer target: the FHIR JSON reader (`JSONReader`) and the reverse mapping (`FHIRReader`).
//
// The input is read as one JSON document (with the default depth limit and with a limit of 16, so
// the depth check is reached). A value that reads must write back (`JSONWriter`, compact and
// pretty) to bytes that read again to the same value, and writing that again must give the same
// bytes. The value then goes through `FHIRReader` as a Bundle (or a single resource), and the input
// as NDJSON: the resources it yields, written one per line, must read back to the same resources,
// and reading records from them twice must give the same records and diagnostics.
//
// FUZZ_MAKE_SEEDS=DIR: instead of fuzzing, writes for every Bundle in DIR its resources as NDJSON
// and one small Bundle per Provenance (the Provenance and three of its targets), so that seeds fit
// the fuzzer's input size.
import ClinicalModel
import FHIRMapping
import FHIRR4
import Foundation

let reader = FHIRReader()

/// Reads, writes and reads again; returns the value when the bytes are JSON.
func roundTrip(_ bytes: [UInt8], maxDepth: Int) -> JSON? {
    guard let value = try? JSONReader.parse(bytes, maxDepth: maxDepth) else { return nil }
    for style in [JSONWriter.Style.compact, .pretty] {
        let written = JSONWriter(style: style).bytes(value)
        guard let again = try? JSONReader.parse(written, maxDepth: maxDepth) else {
            fatalError("FuzzFHIRJSON: written JSON (\(style)) does not read again")
        }
        expect(again == value, "FuzzFHIRJSON: written JSON (\(style)) reads as another value")
        expect(JSONWriter(style: style).bytes(again) == written, "FuzzFHIRJSON: writing is not stable (\(style))")
    }
    return value
}

/// Records from resources, twice (the reverse mapping must not depend on anything but its input).
func readRecords(_ resources: [JSONObject]) {
    let first = reader.records(from: resources)
    let second = reader.records(from: resources)
    expect(first.0 == second.0 && first.1 == second.1, "FuzzFHIRJSON: reading records twice differs")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = roundTrip(bytes, maxDepth: 16)
    if let value = roundTrip(bytes, maxDepth: 512) {
        readRecords(reader.resources(fromBundle: value))
    }
    if let resources = try? reader.resources(fromNDJSON: bytes) {
        var ndjson: [UInt8] = []
        for resource in resources {
            ndjson += JSONWriter(style: .compact).bytes(.object(resource))
            ndjson.append(0x0A)
        }
        guard let again = try? reader.resources(fromNDJSON: ndjson), again == resources else {
            fatalError("FuzzFHIRJSON: resources written as NDJSON do not read back")
        }
        readRecords(resources)
    }
    return 0
}

/// libFuzzer calls this once before fuzzing; with FUZZ_MAKE_SEEDS=DIR it writes the seeds and exits.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    guard let folder = ProcessInfo.processInfo.environment["FUZZ_MAKE_SEEDS"] else { return 0 }
    writeSeeds(into: folder)
    exit(0)
}

/// Seeds small enough for the fuzzer's input cap from every Bundle in `folder`: its resources as
/// NDJSON files of at most `seedBytes` each, and per Provenance a Bundle of the Provenance (its
/// target list cut to three) and those three resources.
func writeSeeds(into folder: String, seedBytes: Int = 6000) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    for name in names {
        let url = URL(fileURLWithPath: folder).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path),
            let bundle = try? JSONReader.parse(Array(data)), bundle["resourceType"]?.stringValue == "Bundle"
        else { continue }
        let resources = reader.resources(fromBundle: bundle)
        var ndjson: [UInt8] = []
        var part = 0
        for resource in resources {
            let line = JSONWriter(style: .compact).bytes(.object(resource)) + [0x0A]
            if !ndjson.isEmpty && ndjson.count + line.count > seedBytes {
                try? Data(ndjson).write(to: url.appendingPathExtension("\(part).ndjson"))
                part += 1
                ndjson = []
            }
            ndjson += line
        }
        try? Data(ndjson).write(to: url.appendingPathExtension("\(part).ndjson"))
        for (offset, resource) in resources.enumerated() where resource["resourceType"]?.stringValue == "Provenance" {
            var provenance = resource
            let targets = Array((resource["target"]?.arrayValue ?? []).prefix(3))
            provenance["target"] = .array(targets)
            let references = Set(targets.compactMap { $0["reference"]?.stringValue })
            let named = resources.filter { resource in
                guard let type = resource["resourceType"]?.stringValue, let id = resource["id"]?.stringValue else {
                    return false
                }
                return references.contains("urn:uuid:\(id)") || references.contains("\(type)/\(id)")
            }
            var small = JSONObject()
            small.append("resourceType", .string("Bundle"))
            small.append("type", .string("collection"))
            small.append("entry", .array((named + [provenance]).map { .object(JSONObject(["resource": .object($0)])) }))
            try? Data(JSONWriter(style: .compact).bytes(.object(small))).write(
                to: url.appendingPathExtension("provenance-\(offset).json"))
        }
    }
}

/// `precondition` that keeps its message in an optimised build (the fuzzer's report shows it).
func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
