// libFuzzer target: verifying the hash-chained audit trail (`AuditTrail`).
//
// 1. The whole input is the trail file (no head file) and is verified: anything may be refused, but
//    nothing may crash, and a trail that verifies with n entries must take one more entry (`append`)
//    and then verify with n + 1.
// 2. From the input minus its first three bytes, 1 to 4 entries (byte 0) are written with `append`
//    (command, user, options, counts and files made from the bytes) and must verify. Then the
//    trail is changed as byte 1 chooses, at a position from bytes 1-2: one byte edited, one byte
//    inserted, an entry removed, two entries swapped, the file cut short, or the head file edited.
//    No changed trail may verify.
//
// The files live in a scratch folder under TMPDIR (Tools/fuzz.sh points it at /dev/shm).
// FUZZ_MAKE_SEEDS=DIR: instead of fuzzing, writes a few valid trails into DIR as seeds for step 1.
import Foundation
import PHISafety

let scratch: URL = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "fuzzaudit-\(ProcessInfo.processInfo.processIdentifier)")
    do {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
        fatalError("FuzzAudit: cannot create a scratch folder")
    }
    return folder
}()
func removeScratch() { try? FileManager.default.removeItem(at: scratch) }

let trail = AuditTrail(path: scratch.appendingPathComponent("runs.audit").path)

func write(_ bytes: [UInt8], to path: String) {
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        fatalError("FuzzAudit: cannot write the scratch files")
    }
}

func read(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { fatalError("FuzzAudit: cannot read \(path)") }
    return Array(data)
}

func removeTrail() {
    try? FileManager.default.removeItem(atPath: trail.path)
    try? FileManager.default.removeItem(atPath: trail.headPath)
}

/// One run's record, its text fields and numbers taken from `part`.
func record(_ part: ArraySlice<UInt8>, number: Int) -> AuditRecord {
    let third = max(1, part.count / 3)
    let command = String(decoding: part.prefix(third), as: UTF8.self)
    let user = String(decoding: part.dropFirst(third).prefix(third), as: UTF8.self)
    let option = String(decoding: part.dropFirst(2 * third), as: UTF8.self)
    let seconds = part.prefix(4).reduce(0) { $0 << 8 | Int($1) }
    // keys come from the input, so two may be equal (an option named `--format`, a command `units`)
    let options = Dictionary([("--format", option), (option, "x")], uniquingKeysWith: { first, _ in first })
    let counts = Dictionary([(command, part.count), ("units", number)], uniquingKeysWith: { first, _ in first })
    return AuditRecord(
        command: command, options: options, user: user,
        started: Date(timeIntervalSince1970: Double(seconds)),
        finished: Date(timeIntervalSince1970: Double(seconds + number) + 0.125),
        counts: counts,
        inputs: [AuditFile(digest: sha256Hex(part), size: part.count, pathDigest: sha256Hex(Array(user.utf8)), role: "input")],
        outputs: part.isEmpty ? [] : [AuditFile(digest: nil, size: Int(part[part.startIndex]), role: option)],
        exitCode: seconds % 80)
}

/// Writes `count` entries made from `payload`; checks seq and that the trail verifies.
func writeChain(_ payload: ArraySlice<UInt8>, count: Int) {
    removeTrail()
    let size = payload.count / count
    for number in 1...count {
        let start = payload.startIndex + (number - 1) * size
        let part = payload[start..<(number == count ? payload.endIndex : start + size)]
        guard let (seq, _) = try? trail.append(record(part, number: number)), seq == number else {
            fatalError("FuzzAudit: append failed or numbered the entry wrongly")
        }
    }
    guard let verified = try? trail.verify(), verified == count else {
        fatalError("FuzzAudit: a trail written by append does not verify")
    }
}

/// Lines with their newline.
func entries(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    for index in bytes.indices where bytes[index] == 0x0A {
        lines.append(bytes[start...index])
        start = index + 1
    }
    return lines
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // 1. The input as a trail.
    removeTrail()
    write(bytes, to: trail.path)
    if let count = try? trail.verify() {
        guard let (seq, _) = try? trail.append(record(bytes[...], number: count + 1)), seq == count + 1,
            (try? trail.verify()) == count + 1
        else { fatalError("FuzzAudit: a trail that verified could not be continued") }
    }
    guard size >= 3 else { return 0 }

    // 2. A valid chain, changed.
    let count = 1 + Int(bytes[0] % 4)
    writeChain(bytes[3...], count: count)
    let file = read(trail.path)
    let lines = entries(file)
    expect(lines.count == count && lines.joined().count == file.count, "FuzzAudit: entries are not lines")
    let position = Int(bytes[1]) << 8 | Int(bytes[2])
    var changed = file
    var what: String
    switch bytes[1] % 6 {
    case 0:
        let index = position % file.count
        changed[index] ^= UInt8(1 + position / file.count % 255)
        what = "one byte edited"
    case 1:
        changed.insert(bytes[2], at: position % (file.count + 1))
        what = "one byte inserted"
    case 2:
        var kept = lines
        kept.remove(at: position % count)
        changed = Array(kept.joined())
        what = "an entry removed"
    case 3:
        guard count >= 2 else { return 0 }
        var swapped = lines
        let first = position % count
        swapped.swapAt(first, (first + 1 + position / count % (count - 1)) % count)
        changed = Array(swapped.joined())
        what = "two entries swapped"
    case 4:
        changed = Array(file.prefix(position % file.count))
        what = "the file cut short"
    default:
        var head = read(trail.headPath)
        let editable = head.indices.filter { head[$0] != 0x20 && head[$0] != 0x0A }
        let index = editable[position % editable.count]
        head[index] ^= UInt8(1) << UInt8(position / editable.count % 7)
        write(head, to: trail.headPath)
        what = "the head file edited"
    }
    write(changed, to: trail.path)
    if let verified = try? trail.verify() {
        fatalError("FuzzAudit: a trail with \(what) verified (\(verified) entries)")
    }
    return 0
}

/// libFuzzer calls this once before fuzzing; with FUZZ_MAKE_SEEDS=DIR it writes the seeds and exits.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    atexit { removeScratch() }
    guard let folder = ProcessInfo.processInfo.environment["FUZZ_MAKE_SEEDS"] else { return 0 }
    writeSeeds(into: folder)
    exit(0)
}

/// Valid trails of 1, 2 and 4 entries (synthetic commands and digests, no data from anywhere).
func writeSeeds(into folder: String) {
    let payload = Array("convert --format hl7v2 operator 0123456789abcdef reconcile --fhir out/".utf8)
    for count in [1, 2, 4] {
        writeChain(payload[...], count: count)
        write(read(trail.path), to: URL(fileURLWithPath: folder).appendingPathComponent("trail-\(count)").path)
    }
    removeTrail()
}

/// `precondition` that keeps its message in an optimised build (the fuzzer's report shows it).
func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
