import ArgumentParser
import FHIRR4
import Foundation
import Pipeline

/// Opening a ledger from `--ledger` (a SQLite path or a `postgresql://` URL).
enum LedgerOptions {
    static func open(_ text: String, startAfresh: Bool, shard: Bool = false) throws(LedgerError)
        -> any CheckpointLedger
    {
        let location: LedgerLocation
        do {
            location = try LedgerLocation.parse(text)
        } catch {
            throw .unavailable("\(error)")
        }
        switch location {
        case .sqlite(let path):
            return try SQLiteCheckpointLedger(path: path, startAfresh: startAfresh)
        case .postgres(let address):
            return try PostgresCheckpointLedger(address, role: shard ? .shard : .exclusive, startAfresh: startAfresh)
        }
    }
}

/// `fhirbridge ledger begin|complete|status`: the driver's side of a sharded run.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Open, complete or inspect a checkpoint of a ledger (the driver's side of a sharded run).",
        discussion: """
            A sharded run on a PostgreSQL ledger: 'fhirbridge ledger begin' opens a checkpoint (or finds \\
            the one a killed run left open), every shard runs 'fhirbridge convert … --ledger URL \\
            --ledger-shard', and once all shards are done 'fhirbridge ledger complete' closes the \\
            checkpoint: records no shard saw are reported deleted, and new, changed and unchanged records \\
            are counted once over all shards. Each prints the checkpoint as JSON on standard output.
            """,
        subcommands: [Begin.self, Complete.self, Status.self])

    struct Target: ParsableArguments {
        @Option(help: "The ledger: a SQLite file or postgresql://USER@HOST:PORT/DB (password in PGPASSWORD).")
        var ledger: String

        func validate() throws {
            do {
                _ = try LedgerLocation.parse(ledger)
            } catch {
                throw ValidationError("--ledger: \(error).")
            }
        }

        func open(startAfresh: Bool = false) throws -> any CheckpointLedger {
            do {
                return try LedgerOptions.open(ledger, startAfresh: startAfresh)
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw Exit.ioError
            }
        }
    }

    struct Begin: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a checkpoint for the shards to join (or report the one already open).")

        @OptionGroup var target: Target

        @Flag(help: "Start a new ledger (an existing one is set aside, as with convert --new-ledger).")
        var newLedger = false

        func run() throws {
            let ledger = try target.open(startAfresh: newLedger)
            defer { try? ledger.close() }
            do {
                let checkpoint = try ledger.begin(now: Date())
                try ledger.close()
                print(#"{"checkpoint":\#(checkpoint.id),"startedAt":"\#(checkpoint.startedAt)"}"#)
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw Exit.ioError
            }
        }
    }

    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Complete the open checkpoint: deletions and counts over every shard's records.",
            discussion: """
                Run it once every shard finished: records no shard saw in this checkpoint are deleted \\
                from the ledger and listed (resource names only). Exits 65 when no checkpoint is open.
                """)

        @OptionGroup var target: Target

        @Option(help: "Write the completion (counts, deleted and unsettled resource names) as JSON to this file.")
        var report: String?

        func run() throws {
            let ledger = try target.open()
            defer { try? ledger.close() }
            let completion: LedgerCompletion
            do {
                guard let open = try ledger.openCheckpoint() else {
                    FileHandle.standardError.write(Data("error: the ledger has no open checkpoint\n".utf8))
                    throw Exit.dataError
                }
                completion = try ledger.complete(open, now: Date())
                try ledger.close()
            } catch let exit as ExitCode {
                throw exit
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw Exit.ioError
            }
            var summary = RunSummary.LedgerSummary()
            summary.complete(completion)
            let json = summary.json() ?? .null
            print(String(decoding: JSONWriter().bytes(json), as: UTF8.self))
            if let report {
                do {
                    try Data(JSONWriter(style: .pretty).bytes(json)).write(to: URL(fileURLWithPath: report))
                } catch {
                    FileHandle.standardError.write(Data("error: cannot write the report\n".utf8))
                    throw Exit.ioError
                }
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the open checkpoint, if any, as JSON (null when none is open).")

        @OptionGroup var target: Target

        func run() throws {
            let ledger = try target.open()
            defer { try? ledger.close() }
            do {
                if let open = try ledger.openCheckpoint() {
                    print(#"{"checkpoint":\#(open.id),"startedAt":"\#(open.startedAt)"}"#)
                } else {
                    print("null")
                }
                try ledger.close()
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw Exit.ioError
            }
        }
    }
}
