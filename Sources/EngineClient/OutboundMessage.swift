public import Foundation
import HL7v2
import MLLP

/// One message to send: its bytes and where it came from (a file and its 1-based index there).
public struct OutboundMessage: Sendable {
    /// The input file as given on the command line (joined with the path below it).
    public var file: String
    /// 1-based position of the message in its file.
    public var index: Int
    public var bytes: [UInt8]
    /// MSH-10 (the first message's, for a whole batch), as written; empty when there is none.
    public var controlID: String

    public init(file: String, index: Int, bytes: [UInt8], controlID: String) {
        self.file = file
        self.index = index
        self.bytes = bytes
        self.controlID = controlID
    }

    /// `file #index`: names the message without its content.
    public var label: String { "\(file) #\(index)" }
}

/// How HL7 v2 batch files (FHS/BHS … BTS/FTS) are sent.
public enum BatchMode: String, Sendable, CaseIterable {
    /// Each message in its own frame, the envelope segments (FHS, BHS, BTS, FTS) left out: one ACK
    /// per message (what MLLP receivers expect, HL7 v2.5.1 Appendix C).
    case split
    /// The whole file in one frame, envelope kept (HL7 v2.5.1 §2.10.3 batch protocol over MLLP): one
    /// ACK for the batch, for receivers that take batches whole.
    case keep
}

/// Reads the messages of HL7 v2 files: each MSH starts a message (`HL7InputSplitter`, the same
/// splitting as `convert`: CR, LF or CRLF segment ends, MLLP bytes, BOM and blank lines tolerated;
/// segments end with CR on the wire).
public enum OutboundMessages {
    /// The messages of one file's bytes.
    public static func split(_ bytes: [UInt8], file: String, mode: BatchMode) -> [OutboundMessage] {
        switch mode {
        case .keep:
            var normalized: [UInt8] = []
            normalized.reserveCapacity(bytes.count)
            var previous: UInt8 = 0
            for byte in bytes {
                defer { previous = byte }
                if byte == 0x0B || byte == 0x1C { continue }
                if byte == 0x0A {
                    if previous != 0x0D { normalized.append(0x0D) }
                    continue
                }
                normalized.append(byte)
            }
            if normalized.starts(with: [0xEF, 0xBB, 0xBF]) { normalized.removeFirst(3) }
            let header = HL7InboundHeader(scanning: normalized)
            return [OutboundMessage(file: file, index: 1, bytes: normalized, controlID: header?.controlID ?? "")]
        case .split:
            var splitter = HL7InputSplitter(bytes: bytes)
            var messages: [OutboundMessage] = []
            while let (index, message) = splitter.next() {
                let header = HL7InboundHeader(scanning: message)
                messages.append(
                    OutboundMessage(file: file, index: index, bytes: message, controlID: header?.controlID ?? ""))
            }
            return messages
        }
    }

    /// Files and folders (recursively, sorted; hidden files, `.md`, expectations and FHIR files
    /// skipped), as paths shown with the path given.
    public static func files(_ paths: [String]) throws(SendError) -> [(url: URL, shown: String)] {
        var found: [(URL, String)] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw SendError.usage("no such file or folder: \(path)")
            }
            if !isDirectory.boolValue {
                found.append((URL(fileURLWithPath: path), path))
                continue
            }
            guard let enumerator = manager.enumerator(atPath: path) else {
                throw SendError.io("cannot list folder: \(path)")
            }
            var names: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") || relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                    continue
                }
                let skipped = [".md", ".json", ".ndjson", ".expected", ".yaml", ".yml", ".py", ".sh"]
                if skipped.contains(where: { name.hasSuffix($0) }) || relative.contains(".expected.ndjson/") {
                    continue
                }
                var isDir: ObjCBool = false
                let full = (path as NSString).appendingPathComponent(relative)
                if manager.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue { names.append(relative) }
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            for relative in names.sorted() {
                found.append(
                    (URL(fileURLWithPath: (path as NSString).appendingPathComponent(relative)), base + "/" + relative))
            }
        }
        return found
    }
}

/// A problem before or around sending: usage (bad arguments), I/O (a file, a connection).
public enum SendError: Error, Sendable, CustomStringConvertible {
    case usage(String)
    case io(String)

    public var description: String {
        switch self {
        case .usage(let text), .io(let text): text
        }
    }
}
