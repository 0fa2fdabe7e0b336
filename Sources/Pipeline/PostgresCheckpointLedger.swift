import Crypto
import Foundation
import PostgresNIO

/// The checkpoint ledger in a PostgreSQL database (postgres-nio): one ledger per schema, shared
/// by the shards of one run, each shard its own process on its own machine.
///
///     let ledger = try PostgresCheckpointLedger(address, role: .exclusive)   // convert --ledger postgresql://…
///     let shard = try PostgresCheckpointLedger(address, role: .shard)        // convert --ledger … --ledger-shard
///
/// - **Roles.** An `.exclusive` ledger (a one-machine run, or the driver's `fhirbridge ledger begin`
///   and `complete`) holds a session-level advisory lock on the ledger; `.shard` ledgers hold it
///   shared. So any number of shards run together, no exclusive run while they do (and the
///   reverse): `LedgerError.locked`. A shard joins the checkpoint the driver opened and never
///   opens or completes one: deletions and the new/changed/unchanged counts are computed once, by
///   `complete`, over the rows every shard committed.
/// - **One transaction per unit.** `delta` begins a transaction and, for a shard, takes a
///   transaction-level advisory lock per record (by a hash of its resource name, in ascending
///   order, so shards never deadlock) before it reads the records' states; `commit` writes the
///   records, their variants and the unit's row and commits. A shard killed before the commit
///   leaves nothing (the server rolls back): its retry redoes the unit. A retry after the commit
///   finds the unit's row and skips it (`isDone`). Two shards that carry one shared record (a
///   Practitioner) take turns on it; which turn comes first is the order the shards reach it.
/// - **Schema and migrations.** Tables live in the address's schema (`fhirbridge`), created with
///   the first open; `migrations` lists what was applied, and a schema with tables but no
///   `migrations` table, or with migrations this version does not know, is refused
///   (`LedgerError.damaged`), as is an empty schema (`LedgerError.empty`), unless the ledger is
///   opened with `startAfresh`: an old ledger's schema is renamed to `<schema>_replaced_<UTC time>`
///   and a new one created.
/// - **No patient data.** Rows hold resource names (`Type/<derived id>`), digests, input digests,
///   checkpoint numbers and times; errors carry SQLSTATE codes, never server messages.
///
/// Calls block on postgres-nio's futures (the run loop has its own thread); a lock serializes them.
public final class PostgresCheckpointLedger: CheckpointLedger, @unchecked Sendable {
    // @unchecked: every use of `connection`, `inTransaction` and `closed` is under `lock`.

    /// How a process takes part in a ledger.
    public enum Role: String, Sendable, Hashable {
        /// Alone: opens, resumes and completes checkpoints.
        case exclusive
        /// One of many shards of a run: joins the open checkpoint, never completes it.
        case shard
    }

    public let address: PostgresLedgerAddress
    public let role: Role
    private let connection: PostgresConnection
    private let logger: Logger
    private let lock = NSLock()
    private var inTransaction = false
    private var closed = false
    /// The schema, quoted for SQL (checked to be a plain identifier when the address was parsed).
    private let schema: String

    /// The migrations this version knows, in order.
    static let migrations: [(name: String, statements: [String])] = [
        (
            "v1",
            [
                """
                CREATE TABLE {s}.checkpoint (id bigserial PRIMARY KEY, started_at text NOT NULL, completed_at text)
                """,
                """
                CREATE TABLE {s}.record (resource text COLLATE "C" PRIMARY KEY, digest text NOT NULL,
                  seen_at bigint NOT NULL, written_at bigint NOT NULL, created_at bigint NOT NULL,
                  held_back boolean NOT NULL DEFAULT false)
                """,
                "CREATE INDEX record_seen_at ON {s}.record (seen_at)",
                """
                CREATE TABLE {s}.variant (resource text COLLATE "C" NOT NULL, digest text NOT NULL,
                  checkpoint bigint NOT NULL, PRIMARY KEY (resource, digest, checkpoint))
                """,
                """
                CREATE TABLE {s}.unit (checkpoint bigint NOT NULL, input_digest text COLLATE "C" NOT NULL,
                  PRIMARY KEY (checkpoint, input_digest))
                """,
            ]
        )
    ]

    /// Connects, takes the ledger's advisory lock (exclusive or shared) and brings the schema up
    /// to date (an exclusive ledger creates it; a shard expects it).
    ///
    /// - Parameters:
    ///   - startAfresh: start a new ledger in the schema whatever it holds (`--new-ledger`;
    ///     exclusive only).
    ///   - eventLoopGroup: where the connection runs.
    /// - Throws: `LedgerError`.
    public init(
        _ address: PostgresLedgerAddress, role: Role = .exclusive, startAfresh: Bool = false,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(LedgerError) {
        self.address = address
        self.role = role
        schema = "\"\(address.schema)\""
        var logger = Logger(label: "fhirbridge.ledger.postgres")
        logger.logLevel = .critical
        self.logger = logger
        let configuration = try Self.configuration(address)
        do {
            connection = try PostgresConnection.connect(
                on: eventLoopGroup.next(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch {
            throw Self.ledgerError(error, connecting: true)
        }
        var opened = false
        defer {
            if !opened {
                // the server lets go of the session's locks when it notices the closed connection,
                // which can be after the next open: release them first
                _ = try? connection.query("SELECT pg_advisory_unlock_all()", logger: logger).wait()
                _ = try? connection.close().wait()
                closed = true  // deinit runs for an init that throws here: nothing left to close
            }
        }
        let key = Self.lockKey("fhirbridge-ledger:" + address.schema)
        let function = role == .exclusive ? "pg_try_advisory_lock" : "pg_try_advisory_lock_shared"
        guard try run(PostgresQuery(unsafeSQL: "SELECT \(function)($1)", binds: Self.binds(key))).first?.bool(0) == true
        else { throw .locked }
        if startAfresh && role == .shard {
            throw .unavailable("a shard does not start a new ledger; the driver does (fhirbridge ledger begin)")
        }
        try prepareSchema(startAfresh: startAfresh)
        opened = true
    }

    deinit {
        try? close()
    }

    // MARK: Opening

    static func configuration(_ address: PostgresLedgerAddress) throws(LedgerError) -> PostgresConnection.Configuration
    {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch address.tls {
            case .disable:
                tls = .disable
            case .prefer, .require, .verifyFull:
                var configuration = TLSConfiguration.makeClientConfiguration()
                if address.tls == .require && address.rootCertificatePath == nil {
                    configuration.certificateVerification = .none
                }
                if let path = address.rootCertificatePath {
                    configuration.trustRoots = .file(path)
                }
                let context = try NIOSSLContext(configuration: configuration)
                tls = address.tls == .prefer ? .prefer(context) : .require(context)
            }
        } catch {
            throw .unavailable("cannot set up TLS for the ledger connection (sslrootcert)")
        }
        var configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password,
            database: address.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// Creates the schema and its tables, or checks and migrates the ones there.
    func prepareSchema(startAfresh: Bool) throws(LedgerError) {
        let name = address.schema
        try execute("BEGIN")
        do {
            // one process at a time creates or migrates (shards may open together)
            try run(
                PostgresQuery(
                    unsafeSQL: "SELECT pg_advisory_xact_lock($1)",
                    binds: Self.binds(Self.lockKey("fhirbridge-ledger-schema:" + name))))
            var exists = try schemaExists()
            var tables = exists ? try tableNames() : []
            if startAfresh && exists && !tables.isEmpty {
                let stamp = LedgerCheckpoint.timestamp(Date()).lowercased().filter { $0.isLetter || $0.isNumber }
                try execute("ALTER SCHEMA \(schema) RENAME TO \"\(name)_replaced_\(stamp)\"")
                exists = false
                tables = []
            }
            if !exists {
                guard role == .exclusive else {
                    throw LedgerError.unavailable(
                        "no ledger in the schema yet: the driver opens it (fhirbridge ledger begin)")
                }
                try execute("CREATE SCHEMA \(schema)")
            } else if tables.isEmpty && !startAfresh {
                throw LedgerError.empty
            } else if !tables.isEmpty && !tables.contains("migrations") {
                throw LedgerError.damaged("not a fhirbridge ledger")
            }
            try execute(
                "CREATE TABLE IF NOT EXISTS \(schema).migrations (name text PRIMARY KEY, applied_at text NOT NULL)")
            let applied = Set(
                try run(PostgresQuery(unsafeSQL: "SELECT name FROM \(schema).migrations")).compactMap { $0.string(0) })
            let known = Set(Self.migrations.map(\.name))
            guard applied.isSubset(of: known) else { throw LedgerError.damaged("written by a newer fhirbridge") }
            let ours: Set<String> = ["checkpoint", "record", "variant", "unit"]
            if !applied.isEmpty && !ours.isSubset(of: Set(tables)) {
                throw LedgerError.damaged("a ledger table is missing")
            }
            for migration in Self.migrations where !applied.contains(migration.name) {
                guard role == .exclusive else {
                    throw LedgerError.unavailable("the ledger's schema is out of date: the driver migrates it first")
                }
                for statement in migration.statements {
                    try execute(statement.replacingOccurrences(of: "{s}", with: schema))
                }
                var binds = PostgresBindings()
                binds.append(migration.name)
                binds.append(LedgerCheckpoint.timestamp(Date()))
                try run(
                    PostgresQuery(
                        unsafeSQL: "INSERT INTO \(schema).migrations (name, applied_at) VALUES ($1, $2)", binds: binds))
            }
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw Self.ledgerError(error)
        }
    }

    func schemaExists() throws(LedgerError) -> Bool {
        var binds = PostgresBindings()
        binds.append(address.schema)
        return !(try run(PostgresQuery(unsafeSQL: "SELECT 1 FROM pg_namespace WHERE nspname = $1", binds: binds)))
            .isEmpty
    }

    func tableNames() throws(LedgerError) -> [String] {
        var binds = PostgresBindings()
        binds.append(address.schema)
        return try run(
            PostgresQuery(
                unsafeSQL: "SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", binds: binds)
        ).compactMap { $0.string(0) }
    }

    // MARK: SQL

    /// A 64-bit advisory lock key: the first 8 bytes of SHA-256 of `text`.
    static func lockKey(_ text: String) -> Int64 {
        SHA256.hash(data: Array(text.utf8)).prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }

    static func binds(_ values: Int64...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }

    @discardableResult
    func run(_ query: PostgresQuery) throws(LedgerError) -> [PostgresRow] {
        do {
            return try connection.query(query, logger: logger).wait().rows
        } catch {
            throw Self.ledgerError(error)
        }
    }

    func execute(_ sql: String) throws(LedgerError) {
        try run(PostgresQuery(unsafeSQL: sql))
    }

    static func ledgerError(_ error: any Error, connecting: Bool = false) -> LedgerError {
        if let error = error as? LedgerError { return error }
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                switch state {
                case "28000", "28P01": return .unavailable("the PostgreSQL server refused the user or password")
                case "3D000": return .unavailable("the PostgreSQL database does not exist")
                case "42501": return .unavailable("the PostgreSQL user may not use the ledger's schema")
                case "53100": return .unavailable("the PostgreSQL server's disk is full")
                default: return .unavailable("PostgreSQL error \(state)")
                }
            }
            if connecting || error.code == .connectionError || error.code == .serverClosedConnection {
                return .unavailable("cannot reach the PostgreSQL server")
            }
            return .unavailable("PostgreSQL client error")
        }
        return connecting ? .unavailable("cannot reach the PostgreSQL server") : .unavailable("\(type(of: error))")
    }

    /// Runs `body` under the lock, refusing a closed ledger.
    func locked<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { throw .unavailable("the ledger is closed") }
        return try body()
    }

    /// Rolls back a unit that was decided but never committed (its output was not written).
    func abandonOpenTransaction() throws(LedgerError) {
        if inTransaction {
            try execute("ROLLBACK")
            inTransaction = false
        }
    }

    // MARK: CheckpointLedger

    /// Whether this process completes checkpoints (a shard does not).
    public var completesCheckpoints: Bool { role == .exclusive }

    public func openCheckpoint() throws -> LedgerCheckpoint? {
        try locked { () throws(LedgerError) -> LedgerCheckpoint? in
            try abandonOpenTransaction()
            return try currentCheckpoint()
        }
    }

    func currentCheckpoint() throws(LedgerError) -> LedgerCheckpoint? {
        let rows = try run(
            PostgresQuery(
                unsafeSQL:
                    "SELECT id, started_at FROM \(schema).checkpoint WHERE completed_at IS NULL ORDER BY id DESC LIMIT 1"
            ))
        guard let row = rows.first, let id = row.int64(0), let started = row.string(1) else { return nil }
        return LedgerCheckpoint(id: id, startedAt: started)
    }

    public func begin(now: Date) throws -> LedgerCheckpoint {
        try locked { () throws(LedgerError) -> LedgerCheckpoint in
            try abandonOpenTransaction()
            if let open = try currentCheckpoint() { return open }
            guard role == .exclusive else {
                throw .unavailable("no open checkpoint: the driver opens one first (fhirbridge ledger begin)")
            }
            let started = LedgerCheckpoint.timestamp(now)
            var binds = PostgresBindings()
            binds.append(started)
            let rows = try run(
                PostgresQuery(
                    unsafeSQL: "INSERT INTO \(schema).checkpoint (started_at) VALUES ($1) RETURNING id", binds: binds))
            guard let id = rows.first?.int64(0) else { throw .damaged("no checkpoint number") }
            return LedgerCheckpoint(id: id, startedAt: started)
        }
    }

    public func isDone(inputDigest: String, in checkpoint: LedgerCheckpoint) throws -> Bool {
        try locked { () throws(LedgerError) -> Bool in
            try abandonOpenTransaction()
            var binds = PostgresBindings()
            binds.append(checkpoint.id)
            binds.append(inputDigest)
            return
                !(try run(
                    PostgresQuery(
                        unsafeSQL: "SELECT 1 FROM \(schema).unit WHERE checkpoint = $1 AND input_digest = $2",
                        binds: binds))).isEmpty
        }
    }

    public func delta(_ entries: [LedgerEntry], in checkpoint: LedgerCheckpoint) throws -> LedgerDelta {
        try locked { () throws(LedgerError) -> LedgerDelta in
            try abandonOpenTransaction()
            let names = Array(Set(entries.map(\.resource))).sorted()
            try execute("BEGIN")
            inTransaction = true
            if role == .shard {
                // one record at a time across shards; ascending keys, so no two shards wait on each other
                var binds = PostgresBindings()
                binds.append(Set(names.map { Self.lockKey($0) }).sorted())
                try run(
                    PostgresQuery(
                        unsafeSQL: "SELECT pg_advisory_xact_lock(k) FROM unnest($1::int8[]) AS k", binds: binds))
            }
            var binds = PostgresBindings()
            binds.append(names)
            var states: [String: LedgerRecordState] = [:]
            for row in try run(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT resource, digest, seen_at, written_at, created_at, held_back FROM \(schema).record
                        WHERE resource = ANY($1::text[])
                        """, binds: binds))
            {
                guard let resource = row.string(0), let digest = row.string(1), let seen = row.int64(2),
                    let written = row.int64(3), let created = row.int64(4), let heldBack = row.bool(5)
                else { throw .damaged("a record row is incomplete") }
                states[resource] = LedgerRecordState(
                    digest: digest, seenAt: seen, writtenAt: written, createdAt: created, heldBack: heldBack)
            }
            binds.append(checkpoint.id)
            var variants: Set<[String]> = []
            for row in try run(
                PostgresQuery(
                    unsafeSQL:
                        "SELECT resource, digest FROM \(schema).variant WHERE resource = ANY($1::text[]) AND checkpoint < $2",
                    binds: binds))
            {
                if let resource = row.string(0), let digest = row.string(1) { variants.insert([resource, digest]) }
            }
            do {
                return try LedgerDelta.deciding(
                    entries, checkpoint: checkpoint.id, state: { states[$0] },
                    isVariant: { variants.contains([$0, $1]) })
            } catch {
                throw Self.ledgerError(error)
            }
        }
    }

    public func commit(_ delta: LedgerDelta, inputDigest: String, in checkpoint: LedgerCheckpoint) throws {
        try locked { () throws(LedgerError) in
            if !inTransaction {
                try execute("BEGIN")
                inTransaction = true
            }
            do {
                let decisions = delta.decisions
                if !decisions.isEmpty {
                    var binds = PostgresBindings()
                    binds.append(decisions.map(\.entry.resource))
                    binds.append(decisions.map(\.state.digest))
                    binds.append(decisions.map(\.state.seenAt))
                    binds.append(decisions.map(\.state.writtenAt))
                    binds.append(decisions.map(\.state.createdAt))
                    binds.append(decisions.map(\.state.heldBack))
                    try run(
                        PostgresQuery(
                            unsafeSQL: """
                                INSERT INTO \(schema).record (resource, digest, seen_at, written_at, created_at, held_back)
                                SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::bool[])
                                ON CONFLICT (resource) DO UPDATE SET digest = excluded.digest, seen_at = excluded.seen_at,
                                  written_at = excluded.written_at, created_at = excluded.created_at,
                                  held_back = excluded.held_back
                                """, binds: binds))
                }
                let variants = decisions.flatMap { decision in decision.variants.map { (decision.entry.resource, $0) } }
                if !variants.isEmpty {
                    var binds = PostgresBindings()
                    binds.append(variants.map(\.0))
                    binds.append(variants.map(\.1))
                    binds.append(checkpoint.id)
                    try run(
                        PostgresQuery(
                            unsafeSQL: """
                                INSERT INTO \(schema).variant (resource, digest, checkpoint)
                                SELECT r, d, $3 FROM unnest($1::text[], $2::text[]) AS t(r, d) ON CONFLICT DO NOTHING
                                """, binds: binds))
                }
                var binds = PostgresBindings()
                binds.append(checkpoint.id)
                binds.append(inputDigest)
                try run(
                    PostgresQuery(
                        unsafeSQL:
                            "INSERT INTO \(schema).unit (checkpoint, input_digest) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        binds: binds))
                try execute("COMMIT")
                inTransaction = false
            } catch {
                try? execute("ROLLBACK")
                inTransaction = false
                throw Self.ledgerError(error)
            }
        }
    }

    /// Every commit is durable when `commit` returns: nothing to do.
    public func flush() throws {
        try locked { () throws(LedgerError) in }
    }

    public func complete(_ checkpoint: LedgerCheckpoint, now: Date) throws -> LedgerCompletion {
        guard role == .exclusive else {
            throw LedgerError.unavailable(
                "a shard does not complete the checkpoint; the driver does (fhirbridge ledger complete)")
        }
        let completed = LedgerCheckpoint.timestamp(now)
        return try locked { () throws(LedgerError) -> LedgerCompletion in
            try abandonOpenTransaction()
            try execute("BEGIN")
            do {
                let id = Self.binds(checkpoint.id)
                let deleted = try run(
                    PostgresQuery(
                        unsafeSQL:
                            "SELECT resource FROM \(schema).record WHERE seen_at < $1 ORDER BY resource COLLATE \"C\"",
                        binds: id)
                ).compactMap { $0.string(0) }
                try run(PostgresQuery(unsafeSQL: "DELETE FROM \(schema).record WHERE seen_at < $1", binds: id))
                let row = try run(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT count(*) FILTER (WHERE created_at = $1),
                                   count(*) FILTER (WHERE written_at = $1 AND created_at < $1),
                                   count(*) FILTER (WHERE written_at < $1)
                            FROM \(schema).record WHERE seen_at = $1
                            """, binds: id)
                ).first
                let counts = LedgerCounts(
                    new: Int(row?.int64(0) ?? 0), changed: Int(row?.int64(1) ?? 0), unchanged: Int(row?.int64(2) ?? 0))
                let unsettled = try run(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT resource FROM \(schema).record WHERE seen_at = $1 AND held_back
                            ORDER BY resource COLLATE "C"
                            """, binds: id)
                ).compactMap { $0.string(0) }
                // as SQLite's: variants of the last checkpoint that saw a record only, none of an
                // unsettled or deleted record, none equal to the version the target holds
                try run(
                    PostgresQuery(
                        unsafeSQL: """
                            DELETE FROM \(schema).variant v WHERE NOT EXISTS (
                              SELECT 1 FROM \(schema).record r WHERE r.resource = v.resource
                                AND NOT (v.checkpoint < $1 AND r.seen_at = $1) AND NOT r.held_back
                                AND r.digest <> v.digest)
                            """, binds: id))
                try run(
                    PostgresQuery(
                        unsafeSQL: "UPDATE \(schema).record SET held_back = false WHERE seen_at = $1 AND held_back",
                        binds: id))
                try run(PostgresQuery(unsafeSQL: "DELETE FROM \(schema).unit WHERE checkpoint <= $1", binds: id))
                var binds = PostgresBindings()
                binds.append(completed)
                binds.append(checkpoint.id)
                try run(
                    PostgresQuery(
                        unsafeSQL: "UPDATE \(schema).checkpoint SET completed_at = $1 WHERE id = $2", binds: binds))
                try execute("COMMIT")
                return LedgerCompletion(
                    checkpoint: checkpoint.id, startedAt: checkpoint.startedAt, completedAt: completed,
                    deleted: deleted, counts: counts, unsettled: unsettled)
            } catch {
                try? execute("ROLLBACK")
                throw Self.ledgerError(error)
            }
        }
    }

    public func close() throws {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        // an uncommitted unit is rolled back (it was not written); the ledger's lock is released
        // before the connection closes, since the server notices a closed connection later
        do {
            guard !connection.isClosed else { return }
            if inTransaction { try? execute("ROLLBACK") }
            inTransaction = false
            try? execute("SELECT pg_advisory_unlock_all()")
            try connection.close().wait()
        } catch {
            throw Self.ledgerError(error)
        }
    }
}

extension PostgresRow {
    fileprivate func cell(_ index: Int) -> PostgresCell? {
        var iterator = makeIterator()
        for _ in 0..<index { _ = iterator.next() }
        return iterator.next()
    }

    fileprivate func string(_ index: Int) -> String? { try? cell(index)?.decode(String.self) }
    fileprivate func int64(_ index: Int) -> Int64? { try? cell(index)?.decode(Int64.self) }
    fileprivate func bool(_ index: Int) -> Bool? { try? cell(index)?.decode(Bool.self) }
}
