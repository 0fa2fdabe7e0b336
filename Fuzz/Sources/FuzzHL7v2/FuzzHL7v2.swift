// libFuzzer target: the HL7 v2 parser, the streaming splitter and the mapper.
//
// Each input is parsed whole (`HL7Parser.parseAll`), every segment, field, repetition, component and
// subcomponent is read back (values decode escapes and charsets lazily, so reading them is where the
// escape code runs), and each parsed message goes through `HL7v2Mapper`, where most code lives (it
// costs little: 281 against 341 exec/s, for six times the coverage); FUZZ_HL7_MAP=0 leaves it out. The same bytes also go
// through `HL7InputSplitter` in chunks whose size comes from the first byte, and the split must
// yield the same number of messages as the in-memory split.
import Foundation
import HL7v2
import HL7v2Mapping
import MappingSpec
import Terminology

/// Small limits so that the fuzzer reaches the limit paths with small inputs.
let limits = HL7Limits(maxMessageBytes: 8 * 1024, maxFieldBytes: 1024, maxSegments: 64)

/// The repository root: FHIRBRIDGE_HOME, else three folders above Fuzz/Sources/<target>/.
let home: URL = {
    if let path = ProcessInfo.processInfo.environment["FHIRBRIDGE_HOME"] { return URL(fileURLWithPath: path) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}()

let mapping = ProcessInfo.processInfo.environment["FUZZ_HL7_MAP"] != "0"

/// Loaded once, on the first input that needs it.
let mapper: HL7v2Mapper = {
    do {
        let terminology = try TerminologyStore.load(from: home.appendingPathComponent("Terminology"))
        let spec = try HL7v2MappingSpec.load(from: home.appendingPathComponent("Mappings"))
        return try HL7v2Mapper(spec: spec, terminology: terminology)
    } catch {
        fatalError("FuzzHL7v2: cannot load Terminology/ and Mappings/ from \(home.path) (set FHIRBRIDGE_HOME)")
    }
}()

@inline(never)
func walk(_ message: HL7Message) -> Int {
    var touched = message.diagnostics.count
    for segment in message.segments {
        touched &+= segment.id.utf8.count &+ segment.fieldCount
        _ = segment.location(field: max(1, segment.fieldCount))
        for field in segment.fields {
            touched &+= field.isExplicitNull ? 1 : 0
            _ = field.location
            for repetition in field.repetitions {
                _ = repetition.location
                for component in repetition.components {
                    touched &+= component.subcomponentCount
                    for (offset, sub) in component.subcomponents.enumerated() {
                        touched &+= sub?.utf8.count ?? 0
                        _ = component.location(subcomponent: offset + 1)
                    }
                }
            }
        }
    }
    _ = message.controlID
    _ = message.version
    return touched
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parsed = HL7Parser.parseAll(bytes, limits: limits)
    var total = 0
    for outcome in parsed.messages {
        switch outcome {
        case .success(let message):
            total &+= walk(message)
            if mapping, let (record, diagnostics) = try? mapper.map(message, inputName: "fuzz", digest: nil, traceUnused: true) {
                total &+= diagnostics.count &+ record.document.index
            }
        case .failure(let error):
            total &+= error.description.utf8.count
        }
    }
    for header in parsed.batchHeaders { total &+= header.fieldCount }

    // The streaming splitter, fed in chunks of 1 to 256 bytes, must split as the in-memory one does.
    let chunkSize = size == 0 ? 1 : Int(bytes[0]) + 1
    var offset = 0
    var splitter = HL7InputSplitter(
        nextChunk: {
            guard offset < bytes.count else { return nil }
            let end = min(bytes.count, offset + chunkSize)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }, limits: limits)
    var streamed = 0
    while let item = splitter.nextItem() {
        if case .message = item { streamed += 1 }
    }
    var whole = HL7InputSplitter(bytes: bytes, limits: limits)
    var inMemory = 0
    while whole.next() != nil { inMemory += 1 }
    if streamed != inMemory {
        fatalError("FuzzHL7v2: chunked split gave \(streamed) messages, in-memory split \(inMemory)")
    }
    return total == Int.min ? 1 : 0
}
