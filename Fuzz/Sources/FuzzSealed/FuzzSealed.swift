// libFuzzer target: opening sealed files (AES-256-GCM, `SealedFile`) with a fixed test key.
//
// 1. The whole input is opened as a sealed file (and its append point read): garbage must be
//    refused with an error. When it opens (the seeds are valid sealed files), a truncated copy and a
//    copy with one bit flipped must not.
// 2. The input minus its first three bytes is the plaintext. It is sealed whole (`seal`) and in the
//    chunked NDJSON form (header, one chunk per batch of lines, an empty final chunk, as the NDJSON
//    writer does), and both must open to the plaintext; the NDJSON form is then continued at its
//    append point with one more chunk and must open to the plaintext and the new chunk.
// 3. Each sealed form is damaged as bytes 0-2 choose: cut at any length, one bit flipped anywhere,
//    two chunks swapped, a chunk removed, the final flag moved, or opened with another key. Every
//    damaged file must be refused.
//
// FUZZ_MAKE_SEEDS=DIR: instead of fuzzing, seals the first 3 KiB of every file in DIR (whole and
// chunked) into new files there, so that the seeds are valid sealed files under the test key.
import Foundation
import PHISafety

/// The fixed test key, and another one.
let (key, otherKey): (DataKey, DataKey) = {
    do {
        return (try DataKey(bytes: (1...32).map { UInt8($0) }), try DataKey(bytes: (1...32).map { UInt8(64 + $0) }))
    } catch {
        fatalError("FuzzSealed: \(error)")
    }
}()

/// The chunked form the NDJSON writer produces: `header`, one chunk per batch, an empty final chunk.
func sealChunked(_ batches: [ArraySlice<UInt8>]) -> [UInt8] {
    let header = SealedFile.header(key)
    var file = header
    for (index, batch) in batches.enumerated() {
        file += SealedFile.chunk(Array(batch), index: UInt64(index), final: false, header: header, key: key)
    }
    return file + SealedFile.chunk([], index: UInt64(batches.count), final: true, header: header, key: key)
}

/// Splits after line feeds, at most `perBatch` lines a batch (0: the whole text is one batch), and
/// at most `maxBatches` batches (the last takes the rest: hundreds of chunks test nothing more and
/// slow every execution down).
func batches(_ text: ArraySlice<UInt8>, perBatch: Int, maxBatches: Int = 16) -> [ArraySlice<UInt8>] {
    guard perBatch > 0 else { return text.isEmpty ? [] : [text] }
    var result: [ArraySlice<UInt8>] = []
    var start = text.startIndex
    var lines = 0
    for index in text.indices where text[index] == 0x0A && result.count < maxBatches - 1 {
        lines += 1
        if lines == perBatch {
            result.append(text[start...index])
            start = index + 1
            lines = 0
        }
    }
    if start < text.endIndex { result.append(text[start...]) }
    return result
}

func mustRefuse(_ file: [UInt8], _ what: String, key: DataKey = key) {
    if (try? SealedFile.open(file, key: key)) != nil { fatalError("FuzzSealed: \(what) was opened") }
}

/// The chunk boundaries of a well-formed file (offsets of each chunk, then the end).
func chunkStarts(_ file: [UInt8]) -> [Int] {
    var starts: [Int] = []
    var offset = SealedFile.headerSize
    while offset + SealedFile.chunkOverhead <= file.count {
        starts.append(offset)
        let length = file[(offset + 1)..<(offset + 5)].reduce(0) { $0 << 8 | Int($1) }
        offset += SealedFile.chunkOverhead + length
    }
    return starts
}

/// Damages a valid sealed file as `choice` and `position` say; every result must be refused.
func damage(_ file: [UInt8], choice: UInt8, position: Int) {
    let starts = chunkStarts(file)
    switch choice % 6 {
    case 0:  // cut anywhere
        mustRefuse(Array(file.prefix(position % file.count)), "a truncated file")
    case 1:  // one bit flipped anywhere
        var flipped = file
        flipped[position % file.count] ^= UInt8(1) << UInt8(position / file.count % 8)
        mustRefuse(flipped, "a file with a flipped bit")
    case 2:  // two chunks swapped
        guard starts.count >= 2 else { return }
        let first = position % starts.count
        let second = (first + 1 + position / starts.count % (starts.count - 1)) % starts.count
        let (a, b) = (min(first, second), max(first, second))
        let end = { (index: Int) in index + 1 < starts.count ? starts[index + 1] : file.count }
        var swapped = Array(file[..<starts[a]])
        swapped += file[starts[b]..<end(b)]
        swapped += file[end(a)..<starts[b]]
        swapped += file[starts[a]..<end(a)]
        swapped += file[end(b)...]
        mustRefuse(swapped, "a file with two chunks swapped")
    case 3:  // one chunk removed
        guard !starts.isEmpty else { return }
        let index = position % starts.count
        let end = index + 1 < starts.count ? starts[index + 1] : file.count
        mustRefuse(Array(file[..<starts[index]] + file[end...]), "a file without chunk \(index)")
    case 4:  // the final flag moved to another chunk (and cleared on the last)
        guard starts.count >= 2 else { return }
        var moved = file
        moved[starts[position % (starts.count - 1)]] = 1
        moved[starts[starts.count - 1]] = 0
        mustRefuse(moved, "a file whose final flag moved")
    default:  // another key
        mustRefuse(file, "a file under another key", key: otherKey)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // 1. The input as a sealed file.
    let opened = try? SealedFile.open(bytes, key: key)
    let point = try? SealedFile.appendPoint(bytes, key: key)
    if opened != nil {
        expect(point != nil, "FuzzSealed: a file that opens has no append point")
        mustRefuse(Array(bytes.dropLast()), "a file without its last byte")
        var flipped = bytes
        flipped[Int(bytes[bytes.count - 1]) * 131 % bytes.count] ^= 0x40
        mustRefuse(flipped, "an opened file with a flipped bit")
    }
    guard size >= 3 else { return 0 }

    // 2. The rest as plaintext, sealed whole and chunked.
    let plaintext = bytes[3...]
    let whole = SealedFile.seal(Array(plaintext), key: key)
    guard (try? SealedFile.open(whole, key: key)).map({ $0[...] == plaintext }) == true else {
        fatalError("FuzzSealed: seal then open did not give the plaintext back")
    }
    let chunked = sealChunked(batches(plaintext, perBatch: Int(bytes[0] % 5)))
    guard (try? SealedFile.open(chunked, key: key)).map({ $0[...] == plaintext }) == true else {
        fatalError("FuzzSealed: the chunked form did not open to the plaintext")
    }
    // Appending as the NDJSON writer does: drop the final chunk, continue the index, close again.
    guard let append = try? SealedFile.appendPoint(chunked, key: key),
        append.size == chunked.count - SealedFile.finalChunkSize
    else { fatalError("FuzzSealed: the append point of the chunked form is not before its final chunk") }
    let header = SealedFile.header(key)
    let extra = Array(plaintext.prefix(Int(bytes[1]) % 64))
    let continued =
        Array(chunked[..<append.size])
        + SealedFile.chunk(extra, index: append.chunks, final: false, header: header, key: key)
        + SealedFile.chunk([], index: append.chunks + 1, final: true, header: header, key: key)
    guard (try? SealedFile.open(continued, key: key)).map({ $0[...] == plaintext + extra }) == true else {
        fatalError("FuzzSealed: the continued file did not open to the plaintext and the appended chunk")
    }

    // 3. Damaged copies are refused.
    let position = Int(bytes[1]) << 8 | Int(bytes[2])
    damage(whole, choice: bytes[0] >> 3, position: position &* 7 &+ Int(bytes[0]))
    damage(chunked, choice: bytes[0] >> 3 &+ 1, position: position)
    damage(continued, choice: bytes[0] >> 3 &+ 2, position: position &+ 13)
    return 0
}

/// libFuzzer calls this once before fuzzing; with FUZZ_MAKE_SEEDS=DIR it writes the seeds and exits.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    guard let folder = ProcessInfo.processInfo.environment["FUZZ_MAKE_SEEDS"] else { return 0 }
    writeSeeds(into: folder)
    exit(0)
}

/// Valid sealed files, whole and chunked, of the first 3 KiB of each file in `folder`.
func writeSeeds(into folder: String) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    for name in names {
        let url = URL(fileURLWithPath: folder).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else { continue }
        let plaintext = Array(data.prefix(3 * 1024))
        try? Data(SealedFile.seal(plaintext, key: key)).write(to: url.appendingPathExtension("sealed"))
        let file = sealChunked(batches(plaintext[...], perBatch: 2))
        try? Data(file).write(to: url.appendingPathExtension("chunked-sealed"))
    }
}

/// `precondition` that keeps its message in an optimised build (the fuzzer's report shows it).
func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
