import Foundation
import Pipeline
import Synchronization
import TestSupport
import Testing

/// `--ledger postgresql://…`: the URL, and what only a shared ledger does: shards of one run on
/// one checkpoint, the driver completing it once over all of them, a shard killed before or after
/// its commit. (The contract every backend passes is `LedgerContractTests`.)
@Suite struct PostgresLedgerTests {
    // MARK: The URL

    @Test func theURLNamesServerDatabaseSchemaAndTLS() throws {
        let plain = try LedgerLocation.parse("postgresql://etl@db.example:6543/migration", environment: [:])
        #expect(
            plain
                == .postgres(
                    PostgresLedgerAddress(user: "etl", host: "db.example", port: 6543, database: "migration")))
        guard
            case .postgres(let full) = try LedgerLocation.parse(
                "postgres://etl@10.0.0.5/m?schema=run_7&sslmode=verify-full&sslrootcert=/etc/ca.pem",
                environment: ["PGPASSWORD": "pw"])
        else {
            Issue.record("not PostgreSQL")
            return
        }
        #expect(full.port == 5432 && full.schema == "run_7" && full.tls == .verifyFull)
        #expect(full.rootCertificatePath == "/etc/ca.pem" && full.password == "pw")
        #expect(!full.description.contains("pw"), "the description holds no password")
        #expect(try LedgerLocation.parse("runs/ledger.db", environment: [:]) == .sqlite(path: "runs/ledger.db"))
        #expect(try LedgerLocation.parse("postgresql.db", environment: [:]) == .sqlite(path: "postgresql.db"))
    }

    @Test(arguments: [
        "postgresql://etl:secret@h:5432/db",  // a password on the command line
        "postgresql://etl@:5432/db",  // no host
        "postgresql://etl@h:5432/",  // no database
        "postgresql://etl@h/db?schema=Run",  // not a plain identifier
        "postgresql://etl@h/db?schema=1run",
        "postgresql://etl@h/db?schema=\(String(repeating: "a", count: 41))",
        "postgresql://etl@h/db?sslmode=allow",
        "postgresql://etl@h/db?application_name=x",
    ])
    func badURLsAreRefused(_ url: String) {
        do {
            _ = try LedgerLocation.parse(url, environment: [:])
            Issue.record("accepted")
        } catch {
            #expect(!"\(error)".contains("secret"), "the message repeats no password")
        }
    }

    // MARK: Shards

    static let start = Date(timeIntervalSince1970: 1_767_225_600.125)

    static func address(_ name: String) throws -> PostgresLedgerAddress? {
        guard let server = PostgresServer.require() else { return nil }
        guard case .postgres(let address) = try LedgerLocation.parse(server.url(schema: name), environment: [:])
        else { return nil }
        return address
    }

    static func unique(_ stem: String) -> String {
        "\(stem)_\(UUID().uuidString.prefix(8).lowercased().filter { $0.isLetter || $0.isNumber })"
    }

    static func entries(_ records: [(String, String)]) -> [LedgerEntry] {
        records.map { LedgerEntry(resource: $0.0, digest: String(repeating: $0.1, count: 64)) }
    }

    @discardableResult
    static func commit(_ entries: [LedgerEntry], _ unit: String, _ ledger: any CheckpointLedger, _ at: LedgerCheckpoint)
        throws -> Set<String>
    {
        if try ledger.isDone(inputDigest: unit, in: at) { return [] }
        let delta = try ledger.delta(entries, in: at)
        try ledger.commit(delta, inputDigest: unit, in: at)
        return delta.emitted
    }

    /// Two shards join the driver's checkpoint; no exclusive run meanwhile; the driver's
    /// completion counts every shard's records once and reports what no shard saw as deleted.
    @Test func shardsJoinTheDriversCheckpointWhichCompletesOverAllOfThem() throws {
        guard let address = try Self.address(Self.unique("shards")) else { return }
        let driver = try PostgresCheckpointLedger(address)
        let checkpoint = try driver.begin(now: Self.start)
        try driver.close()

        let first = try PostgresCheckpointLedger(address, role: .shard)
        let second = try PostgresCheckpointLedger(address, role: .shard)
        #expect(!first.completesCheckpoints && driver.completesCheckpoints)
        #expect(try first.begin(now: Date()) == checkpoint, "a shard joins the open checkpoint, start time and all")
        #expect(try second.begin(now: Date()) == checkpoint)
        #expect(throws: LedgerError.locked) { _ = try PostgresCheckpointLedger(address) }
        #expect(throws: LedgerError.self) { _ = try first.complete(checkpoint, now: Date()) }
        let a = try Self.commit(Self.entries([("Organization/o", "a"), ("Patient/1", "1")]), "u0", first, checkpoint)
        let b = try Self.commit(Self.entries([("Organization/o", "a"), ("Patient/2", "2")]), "u1", second, checkpoint)
        #expect(a == ["Organization/o", "Patient/1"] && b == ["Patient/2"])
        try first.close()
        try second.close()

        let completing = try PostgresCheckpointLedger(address)
        let completion = try completing.complete(#require(try completing.openCheckpoint()), now: Self.start)
        #expect(completion.counts == LedgerCounts(new: 3, changed: 0, unchanged: 0))
        #expect(completion.startedAt == "2026-01-01T00:00:00.125Z")
        #expect(try completing.openCheckpoint() == nil)

        // the next checkpoint: one shard carries patient 1 only, patient 2 is gone
        let next = try completing.begin(now: Date())
        try completing.close()
        let shard = try PostgresCheckpointLedger(address, role: .shard)
        #expect(
            try Self.commit(Self.entries([("Organization/o", "a"), ("Patient/1", "1")]), "u0", shard, next).isEmpty)
        try shard.close()
        let driver2 = try PostgresCheckpointLedger(address)
        let second2 = try driver2.complete(#require(try driver2.openCheckpoint()), now: Date())
        #expect(second2.deleted == ["Patient/2"])
        #expect(second2.counts == LedgerCounts(new: 0, changed: 0, unchanged: 2))
    }

    @Test func aShardNeedsAnOpenCheckpointAndAnExistingLedger() throws {
        guard let address = try Self.address(Self.unique("noledger")) else { return }
        #expect(throws: LedgerError.self) { _ = try PostgresCheckpointLedger(address, role: .shard) }
        try PostgresCheckpointLedger(address).close()
        let shard = try PostgresCheckpointLedger(address, role: .shard)
        #expect(throws: LedgerError.self) { _ = try shard.begin(now: Date()) }
    }

    /// A task killed between deciding a unit and committing it (its output half written) leaves no
    /// row: its retry redoes the unit. A retry after the commit skips it.
    @Test func aShardKilledBeforeItsCommitRedoesTheUnitAndAfterItSkipsIt() throws {
        guard let address = try Self.address(Self.unique("killed")) else { return }
        let driver = try PostgresCheckpointLedger(address)
        let checkpoint = try driver.begin(now: Self.start)
        try driver.close()
        let unit = Self.entries([("Patient/1", "1"), ("Encounter/e", "e")])
        do {
            let killed = try PostgresCheckpointLedger(address, role: .shard)
            #expect(try killed.delta(unit, in: checkpoint).emitted.count == 2)
            try killed.close()  // the session ends without COMMIT, as when the process dies
        }
        let retry = try PostgresCheckpointLedger(address, role: .shard)
        #expect(try !retry.isDone(inputDigest: "u", in: checkpoint))
        #expect(try Self.commit(unit, "u", retry, checkpoint) == ["Patient/1", "Encounter/e"])
        try retry.close()
        let again = try PostgresCheckpointLedger(address, role: .shard)
        #expect(try again.isDone(inputDigest: "u", in: checkpoint), "committed: a retried task skips the unit")
        try again.close()
        let completing = try PostgresCheckpointLedger(address)
        #expect(try completing.complete(checkpoint, now: Date()).counts == LedgerCounts(new: 2))
    }

    /// Shards racing on shared records (one Practitioner and one Location in every unit): each is
    /// emitted once over all shards, and the checkpoint counts every record once.
    @Test func shardsRacingOnSharedRecordsEmitEachOnce() throws {
        guard let address = try Self.address(Self.unique("race")) else { return }
        let driver = try PostgresCheckpointLedger(address)
        let checkpoint = try driver.begin(now: Self.start)
        try driver.close()
        let shards = 4
        let unitsPerShard = 60
        let emitted = Mutex<[String: Int]>([:])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: shards) { shard in
            do {
                let ledger = try PostgresCheckpointLedger(address, role: .shard)
                defer { try? ledger.close() }
                for index in 0..<unitsPerShard {
                    let patient = "Patient/\(shard)-\(index)"
                    // shared records in different orders per shard: the lock order must not depend on it
                    let shared = [("Practitioner/p", "p"), ("Location/l", "l")]
                    let records = (shard % 2 == 0 ? shared : shared.reversed()) + [(patient, "x")]
                    let names = try Self.commit(Self.entries(records), "u\(shard)-\(index)", ledger, checkpoint)
                    emitted.withLock { counts in for name in names { counts[name, default: 0] += 1 } }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let counts = emitted.withLock { $0 }
        #expect(counts["Practitioner/p"] == 1 && counts["Location/l"] == 1)
        #expect(counts.count == shards * unitsPerShard + 2 && counts.values.allSatisfy { $0 == 1 })
        let completing = try PostgresCheckpointLedger(address)
        let completion = try completing.complete(checkpoint, now: Date())
        #expect(completion.counts == LedgerCounts(new: shards * unitsPerShard + 2))
    }

    // MARK: The command line

    /// `ledger begin`, two `convert --ledger-shard` over two halves of the samples, `ledger
    /// complete`: the counts and deletions a single run on a SQLite ledger reports.
    @Test func aShardedRunReportsWhatASingleRunReports() throws {
        guard let server = PostgresServer.require(), CLIRunner.binary != nil else { return }
        let folder = try Support.temporaryFolder("pg-shards")
        defer { try? FileManager.default.removeItem(at: folder) }
        let samples = try FileManager.default.contentsOfDirectory(atPath: Support.samples.path)
            .filter { $0.hasSuffix(".hl7") }.sorted()
        let halves = [
            samples.enumerated().filter { $0.offset % 2 == 0 }.map {
                Support.samples.appendingPathComponent($0.element).path
            },
            samples.enumerated().filter { $0.offset % 2 == 1 }.map {
                Support.samples.appendingPathComponent($0.element).path
            },
        ]
        let url = server.url(schema: Self.unique("cli"))
        let sqlite = folder.appendingPathComponent("single.db").path

        func checkpoint(_ inputs: [[String]], run: Int) throws -> (sharded: String, single: String) {
            let begun = try CLIRunner.run(["ledger", "begin", "--ledger", url])
            #expect(begun.status == 0, "\(begun.stderr)")
            for (index, shard) in inputs.enumerated() {
                let out = folder.appendingPathComponent("shard-\(run)-\(index)").path
                let result = try CLIRunner.run(
                    ["convert"] + shard + ["--out", out, "--ledger", url, "--ledger-shard", "--quiet"])
                #expect(result.status == 0 || result.status == 65, "\(result.stderr)")
            }
            let completed = try CLIRunner.run(["ledger", "complete", "--ledger", url])
            #expect(completed.status == 0, "\(completed.stderr)")
            let report = folder.appendingPathComponent("single-\(run).json").path
            let single = try CLIRunner.run(
                ["convert"] + inputs.flatMap { $0 }
                    + [
                        "--out", folder.appendingPathComponent("single-\(run)").path, "--ledger", sqlite, "--quiet",
                        "--report", report,
                    ])
            #expect(single.status == 0 || single.status == 65, "\(single.stderr)")
            return (completed.stdoutText, try String(contentsOfFile: report, encoding: .utf8))
        }
        func counts(_ json: String) throws -> [String] {
            // the ledger object alone, without checkpoint number, start time and resumed units
            let data = Data(json.utf8)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let ledger = (object["ledger"] as? [String: Any]) ?? object
            return ["new", "changed", "unchanged", "deleted", "unsettled"].map { key in
                let value = (ledger[key] as? [String]).map { $0.joined(separator: ",") } ?? "\(ledger[key] ?? "-")"
                return "\(key)=\(value)"
            }
        }
        let first = try checkpoint(halves, run: 1)
        #expect(try counts(first.sharded) == counts(first.single))
        #expect(try counts(first.sharded).first != "new=0")
        // the second checkpoint: the second half gone
        let second = try checkpoint([halves[0]], run: 2)
        #expect(try counts(second.sharded) == counts(second.single))
        #expect(try !counts(second.sharded).contains("deleted="), "the second half's records are deleted")
        let status = try CLIRunner.run(["ledger", "status", "--ledger", url])
        #expect(status.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "null")
    }
}
