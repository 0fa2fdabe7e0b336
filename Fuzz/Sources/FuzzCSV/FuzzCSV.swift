// libFuzzer target: the CSV reader, and a whole CSV export through a column profile.
//
// The bytes are read by `CSVReader` in chunks whose size comes from the first byte (records must not
// depend on the chunking), then written to a file and read by `CSVSourceReader` with the hand-written
// lab-results profile (Samples/csv), loaded once. Set FUZZ_CSV_PROFILE to another profile's path
// (for example Mappings/csv/synthea-csv-3.yaml, whose patients file then receives the bytes).
import CSVSource
import Foundation
import Terminology

let home: URL = {
    if let path = ProcessInfo.processInfo.environment["FHIRBRIDGE_HOME"] { return URL(fileURLWithPath: path) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}()

let maxRecordBytes = 4096

/// The profile, terminology and a scratch folder, loaded once.
let setup: (reader: CSVSourceReader, input: URL) = {
    let profilePath =
        ProcessInfo.processInfo.environment["FUZZ_CSV_PROFILE"]
        ?? home.appendingPathComponent("Samples/csv/lab-results.profile.yaml").path
    do {
        let terminology = try TerminologyStore.load(from: home.appendingPathComponent("Terminology"))
        let profile = try CSVProfile.load(URL(fileURLWithPath: profilePath))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fuzzcsv-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The file name must match the profile's patient table: patients.csv for Synthea, any *.csv for lab results.
        let name = profile.patientTable?.match.first { !$0.contains("*") && !$0.contains("?") } ?? "input.csv"
        let limits = CSVLimits(maxRecordBytes: maxRecordBytes, maxFieldBytes: maxRecordBytes / 2)
        return (CSVSourceReader(profile: profile, terminology: terminology, limits: limits), folder.appendingPathComponent(name))
    } catch {
        fatalError("FuzzCSV: cannot load the profile or Terminology/ from \(home.path) (set FHIRBRIDGE_HOME)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let chunkSize = size == 0 ? 1 : Int(bytes[0]) + 1
    var whole = CSVReader(bytes: bytes, chunkSize: max(1, size), maxRecordBytes: maxRecordBytes)
    var chunked = CSVReader(bytes: bytes, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
    while true {
        let a = whole.readRecord()
        let b = chunked.readRecord()
        if a != b { fatalError("FuzzCSV: records differ between chunk sizes \(size) and \(chunkSize)") }
        guard let record = a else { break }
        for problem in record.problems { precondition(problem.line >= record.line, "FuzzCSV: problem before its record") }
    }
    // However long a record runs in the input, the reader holds at most the limit plus its chunks.
    if chunked.peakHeldBytes > 2 * (maxRecordBytes + chunkSize) + 64 {
        fatalError("FuzzCSV: the reader held \(chunked.peakHeldBytes) bytes")
    }
    do {
        try Data(bytes).write(to: setup.input)
        let folder = setup.input.deletingLastPathComponent()
        let target = setup.input.lastPathComponent == "input.csv" ? setup.input : folder
        let (records, diagnostics, errors) = try setup.reader.read(folder: target)
        _ = records.count + diagnostics.count + errors.count
    } catch {
        _ = String(describing: error)
    }
    return 0
}
