// libFuzzer target: the C-CDA reader (libxml2 with entities refused, XPath, section and entry readers).
//
// Terminology/ and Mappings/ are loaded once from the repository root (or FHIRBRIDGE_HOME). Small
// limits (256 KiB, 64 levels) so that the fuzzer reaches the limit paths.
import CCDA
import Foundation
import Terminology

let home: URL = {
    if let path = ProcessInfo.processInfo.environment["FHIRBRIDGE_HOME"] { return URL(fileURLWithPath: path) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}()

let reader: CCDAReader = {
    do {
        let terminology = try TerminologyStore.load(from: home.appendingPathComponent("Terminology"))
        return try CCDAReader(
            terminology: terminology, mappingsDirectory: home.appendingPathComponent("Mappings"),
            limits: CCDALimits(maxDocumentBytes: 256 << 10, maxDepth: 64))
    } catch {
        fatalError("FuzzCCDA: cannot load Terminology/ and Mappings/ from \(home.path) (set FHIRBRIDGE_HOME)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let (record, diagnostics) = try reader.read(bytes, inputName: "fuzz.xml", digest: nil)
        _ = record.document.index + diagnostics.count
    } catch {
        _ = error.description
    }
    return 0
}
