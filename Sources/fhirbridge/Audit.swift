import ArgumentParser
import Foundation
import PHISafety

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with the hash-chained audit trail that convert and reconcile append to (--audit).",
        subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that no audit entry was edited, removed, reordered or truncated.",
            discussion: """
                Recomputes every entry's SHA-256 over its canonical form, checks the sequence numbers and \
                that each entry names the previous entry's hash, and compares the last entry with FILE.head \
                (written on every append), which catches removal of the last entries. Exit 0 when intact, \
                65 with the first bad entry number otherwise, 74 when the file cannot be read.
                """)

        @Argument(help: "The audit trail (JSON lines).", completion: .file())
        var file: String

        func run() throws {
            do {
                let count = try AuditTrail(path: file).verify()
                print("ok: \(count) entries, chain intact")
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw error.kind == .unreadable ? Exit.ioError : Exit.dataError
            }
        }
    }
}
