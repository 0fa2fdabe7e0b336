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
                (written on every append; a trail with entries and no head file fails), which catches \
                removal of the last entries. With --anchor, every 'seq hash' line of the anchor file \
                (--audit-anchor on convert and reconcile) must name an entry of the trail, which catches a \
                trail cut short with its head rewritten. Exit 0 when intact, 65 with the first bad entry \
                number otherwise, 74 when the trail cannot be read.
                """)

        @Argument(help: "The audit trail (JSON lines).", completion: .file())
        var file: String

        @Option(help: "The anchor file written by --audit-anchor, to check the trail against.", completion: .file())
        var anchor: String?

        func run() throws {
            do {
                let count = try AuditTrail(path: file, anchorPath: anchor).verify()
                print("ok: \(count) entries, chain intact")
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw error.kind == .unreadable || error.kind == .anchorUnreadable ? Exit.ioError : Exit.dataError
            }
        }
    }
}
