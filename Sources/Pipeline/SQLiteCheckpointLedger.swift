import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The checkpoint ledger in a SQLite file (GRDB): resource names, digests and checkpoint numbers
/// only.
///
///     let ledger = try SQLiteCheckpointLedger(path: "ledger.db")
///     let checkpoint = try ledger.begin(now: Date())
///
/// - **One run at a time.** Opening takes an exclusive `flock` on `<path>.lock` (created beside
///   the ledger and left there) before it reads anything, and holds it until `close()` or the end
///   of the process, killed or not; a second run gets `LedgerError.locked`. The database itself is
///   opened in SQLite's exclusive locking mode, so no other program writes it meanwhile either.
/// - **No silent fresh start.** An existing file that is empty, is not SQLite, fails SQLite's
///   `quick_check`, or is a database of something else is refused (`LedgerError.empty`,
///   `.damaged`) unless `startAfresh` is set: the old file (with its `-wal` and `-journal`) is then
///   renamed to `<path>.replaced-<UTC time>` and a new ledger is created. A missing file is a new
///   ledger.
/// - **Speed.** Write-ahead log with `synchronous=NORMAL`, tables without row ids keyed by
///   resource name, cached prepared statements, and commits grouped `batchUnits` units to a
///   transaction (a crash loses at most that group: its units are written again on restart, under
///   the same names with the same bytes).
///
/// Records carried with more than one version in a checkpoint keep their other versions in the
/// `variant` table (see `LedgerRule`); it is small, since most records have one version.
public final class SQLiteCheckpointLedger: CheckpointLedger, @unchecked Sendable {
    // @unchecked: `DatabaseQueue` serializes every access; `pending` is read and written only
    // inside `database.inDatabase`, which runs one closure at a time; `closed` under `lock`.
    let database: DatabaseQueue
    /// Units committed since the grouped transaction was opened.
    private var pending = 0
    private let lock = NSLock()
    private var closed = false
    /// The descriptor holding the `flock` on `<path>.lock`.
    private let lockDescriptor: Int32
    /// Units per grouped transaction.
    public let batchUnits: Int

    /// Opens (creating if needed) the ledger file, takes its lock and brings its schema up to date.
    ///
    /// - Parameters:
    ///   - startAfresh: replace an existing file (damaged or not) with a new ledger (`--new-ledger`).
    ///   - batchUnits: units committed per transaction.
    /// - Throws: `LedgerError`.
    public init(path: String, startAfresh: Bool = false, batchUnits: Int = 512) throws(LedgerError) {
        self.batchUnits = max(1, batchUnits)
        let descriptor = try Self.takeLock(path + ".lock")
        lockDescriptor = descriptor
        var opened = false
        defer { if !opened { closeDescriptor(descriptor) } }
        if startAfresh {
            try Self.moveAside(path)
        } else {
            try Self.checkExisting(path)
        }
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the grouped transaction spans calls
        configuration.busyMode = .immediateError
        configuration.prepareDatabase { db in
            // exclusive before WAL: no shared-memory index, and the lock is held until the connection closes
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try database.inDatabase { db in try Self.checkSchema(db) }
            try Self.migrator.migrate(database)
            try database.inDatabase { db in
                // a write now, so that SQLite's exclusive lock is taken at once
                try db.execute(sql: "INSERT OR REPLACE INTO owner (id, openedAt) VALUES (1, ?)", arguments: [Date()])
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw Self.ledgerError(error)
        }
        opened = true
    }

    deinit {
        try? close()
    }

    // MARK: Opening

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "checkpoint") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("startedAt", .text).notNull()
                table.column("completedAt", .text)
            }
            try db.create(table: "record") { table in
                table.column("resource", .text).notNull().primaryKey()
                table.column("digest", .text).notNull()
                table.column("writtenAt", .integer).notNull()
                table.column("seenAt", .integer).notNull()
            }
            try db.create(table: "unit") { table in
                table.column("checkpoint", .integer).notNull()
                table.column("inputDigest", .text).notNull()
                table.primaryKey(["checkpoint", "inputDigest"])
            }
        }
        migrator.registerMigration("v2: settled shared records, no row ids, owner") { db in
            try db.create(table: "record2", options: .withoutRowID) { table in
                table.column("resource", .text).notNull().primaryKey()
                table.column("digest", .text).notNull()
                table.column("seenAt", .integer).notNull()
                table.column("writtenAt", .integer).notNull()
                table.column("createdAt", .integer).notNull()
                table.column("heldBack", .boolean).notNull().defaults(to: false)
            }
            try db.execute(
                sql: """
                    INSERT INTO record2 (resource, digest, seenAt, writtenAt, createdAt)
                    SELECT resource, digest, seenAt, writtenAt, writtenAt FROM record
                    """)
            try db.drop(table: "record")
            try db.rename(table: "record2", to: "record")
            try db.create(table: "variant", options: .withoutRowID) { table in
                table.column("resource", .text).notNull()
                table.column("digest", .text).notNull()
                table.column("checkpoint", .integer).notNull()
                table.primaryKey(["resource", "digest", "checkpoint"])
            }
            try db.create(table: "unit2", options: .withoutRowID) { table in
                table.column("checkpoint", .integer).notNull()
                table.column("inputDigest", .text).notNull()
                table.primaryKey(["checkpoint", "inputDigest"])
            }
            try db.execute(sql: "INSERT INTO unit2 SELECT checkpoint, inputDigest FROM unit")
            try db.drop(table: "unit")
            try db.rename(table: "unit2", to: "unit")
            try db.create(table: "owner") { table in
                table.column("id", .integer).primaryKey()
                table.column("openedAt", .datetime).notNull()
            }
        }
        return migrator
    }

    /// Opens (creating) the lock file and takes an exclusive `flock` on it without waiting.
    static func takeLock(_ path: String) throws(LedgerError) -> Int32 {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .unavailable("cannot open the lock file beside the ledger") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            closeDescriptor(descriptor)
            throw busy ? .locked : .unavailable("cannot lock the ledger")
        }
        return descriptor
    }

    /// Refuses an existing file that is empty or not SQLite.
    static func checkExisting(_ path: String) throws(LedgerError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unavailable("cannot read the file") }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { throw .empty }
        guard header == Data("SQLite format 3\u{0}".utf8) else { throw .damaged("not a SQLite file") }
    }

    /// Refuses a database that holds tables but is not a ledger, or fails `quick_check`.
    static func checkSchema(_ db: Database) throws {
        let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
        guard check == ["ok"] else { throw LedgerError.damaged("integrity check failed") }
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        let ours: Set<String> = ["grdb_migrations", "checkpoint", "record", "unit"]
        if !tables.isEmpty && !ours.isSubset(of: tables) { throw LedgerError.damaged("not a fhirbridge ledger") }
    }

    /// Renames an existing ledger file and its journals to `<path>.replaced-<UTC time>…`.
    static func moveAside(_ path: String) throws(LedgerError) {
        let stamp = LedgerCheckpoint.timestamp(Date()).replacingOccurrences(of: ":", with: "")
        for suffix in ["", "-wal", "-journal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            do {
                try FileManager.default.moveItem(atPath: path + suffix, toPath: "\(path).replaced-\(stamp)\(suffix)")
            } catch {
                throw .unavailable("cannot move the old ledger file aside")
            }
        }
    }

    static func ledgerError(_ error: any Error) -> LedgerError {
        if let error = error as? LedgerError { return error }
        guard let error = error as? DatabaseError else { return .unavailable("\(type(of: error))") }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .locked
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return .damaged("SQLite reports the file as damaged")
        case .SQLITE_FULL: return .unavailable("the disk is full")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN: return .unavailable("the file cannot be written")
        default: return .unavailable("SQLite error \(error.resultCode.rawValue)")
        }
    }

    /// Runs `body` inside the grouped transaction (opening it when none is open).
    func inTransaction<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        guard !isClosed else { throw .unavailable("the ledger is closed") }
        do {
            return try database.inDatabase { db in
                if !db.isInsideTransaction { try db.beginTransaction(.immediate) }
                return try body(db)
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    // MARK: CheckpointLedger

    public func begin(now: Date) throws -> LedgerCheckpoint {
        try inTransaction { db -> LedgerCheckpoint in
            let sql = "SELECT id, startedAt FROM checkpoint WHERE completedAt IS NULL ORDER BY id DESC LIMIT 1"
            if let open = try Row.fetchOne(db, sql: sql) {
                return LedgerCheckpoint(id: open["id"], startedAt: open["startedAt"])
            }
            let started = LedgerCheckpoint.timestamp(now)
            try db.execute(sql: "INSERT INTO checkpoint (startedAt) VALUES (?)", arguments: [started])
            return LedgerCheckpoint(id: db.lastInsertedRowID, startedAt: started)
        }
    }

    public func openCheckpoint() throws -> LedgerCheckpoint? {
        try inTransaction { db -> LedgerCheckpoint? in
            let sql = "SELECT id, startedAt FROM checkpoint WHERE completedAt IS NULL ORDER BY id DESC LIMIT 1"
            return try Row.fetchOne(db, sql: sql).map { LedgerCheckpoint(id: $0["id"], startedAt: $0["startedAt"]) }
        }
    }

    public func isDone(inputDigest: String, in checkpoint: LedgerCheckpoint) throws -> Bool {
        try inTransaction { db in
            let statement = try db.cachedStatement(sql: "SELECT 1 FROM unit WHERE checkpoint = ? AND inputDigest = ?")
            return try Bool.fetchOne(statement, arguments: [checkpoint.id, inputDigest]) ?? false
        }
    }

    public func delta(_ entries: [LedgerEntry], in checkpoint: LedgerCheckpoint) throws -> LedgerDelta {
        try inTransaction { db in
            let select = try db.cachedStatement(
                sql: "SELECT digest, seenAt, writtenAt, createdAt, heldBack FROM record WHERE resource = ?")
            let variant = try db.cachedStatement(
                sql: "SELECT 1 FROM variant WHERE resource = ? AND digest = ? AND checkpoint < ?")
            return try LedgerDelta.deciding(
                entries, checkpoint: checkpoint.id,
                state: { resource in
                    guard let row = try Row.fetchOne(select, arguments: [resource]) else { return nil }
                    return LedgerRecordState(
                        digest: row[0], seenAt: row[1], writtenAt: row[2], createdAt: row[3], heldBack: row[4])
                },
                isVariant: { resource, digest in
                    try Bool.fetchOne(variant, arguments: [resource, digest, checkpoint.id]) ?? false
                })
        }
    }

    public func commit(_ delta: LedgerDelta, inputDigest: String, in checkpoint: LedgerCheckpoint) throws {
        try inTransaction { db in
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO record (resource, digest, seenAt, writtenAt, createdAt, heldBack)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(resource) DO UPDATE SET digest = excluded.digest, seenAt = excluded.seenAt,
                      writtenAt = excluded.writtenAt, createdAt = excluded.createdAt, heldBack = excluded.heldBack
                    """)
            let variant = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO variant (resource, digest, checkpoint) VALUES (?, ?, ?)")
            for decision in delta.decisions {
                let state = decision.state
                try upsert.execute(arguments: [
                    decision.entry.resource, state.digest, state.seenAt, state.writtenAt, state.createdAt,
                    state.heldBack,
                ])
                for digest in decision.variants {
                    try variant.execute(arguments: [decision.entry.resource, digest, checkpoint.id])
                }
            }
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO unit (checkpoint, inputDigest) VALUES (?, ?)")
                .execute(arguments: [checkpoint.id, inputDigest])
            pending += 1
            if pending >= batchUnits {
                try db.commit()
                pending = 0
            }
        }
    }

    var isClosed: Bool { lock.withLock { closed } }

    public func flush() throws {
        guard !isClosed else { return }
        do {
            try database.inDatabase { db in
                if db.isInsideTransaction { try db.commit() }
                pending = 0
            }
        } catch {
            throw Self.ledgerError(error)
        }
    }

    public func complete(_ checkpoint: LedgerCheckpoint, now: Date) throws -> LedgerCompletion {
        let completed = LedgerCheckpoint.timestamp(now)
        let id = checkpoint.id
        let (deleted, counts, unsettled) = try inTransaction { db -> ([String], LedgerCounts, [String]) in
            let gone = try String.fetchAll(
                db, sql: "SELECT resource FROM record WHERE seenAt < ? ORDER BY resource", arguments: [id])
            try db.execute(sql: "DELETE FROM record WHERE seenAt < ?", arguments: [id])
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) FILTER (WHERE createdAt = ?1),
                           count(*) FILTER (WHERE writtenAt = ?1 AND createdAt < ?1),
                           count(*) FILTER (WHERE writtenAt < ?1)
                    FROM record WHERE seenAt = ?1
                    """, arguments: [id])
            let counts = LedgerCounts(new: row?[0] ?? 0, changed: row?[1] ?? 0, unchanged: row?[2] ?? 0)
            let unsettled = try String.fetchAll(
                db, sql: "SELECT resource FROM record WHERE seenAt = ? AND heldBack ORDER BY resource", arguments: [id])
            // variants: only those of the last checkpoint that saw a record count, none of an
            // unsettled record (its next occurrence is emitted), none of a deleted one
            try db.execute(
                sql: """
                    DELETE FROM variant WHERE
                      NOT EXISTS (SELECT 1 FROM record r WHERE r.resource = variant.resource)
                      OR (checkpoint < ?1 AND (SELECT seenAt FROM record r WHERE r.resource = variant.resource) = ?1)
                      OR (SELECT heldBack FROM record r WHERE r.resource = variant.resource)
                      OR digest = (SELECT digest FROM record r WHERE r.resource = variant.resource)
                    """, arguments: [id])
            try db.execute(sql: "UPDATE record SET heldBack = 0 WHERE seenAt = ? AND heldBack", arguments: [id])
            try db.execute(sql: "DELETE FROM unit WHERE checkpoint <= ?", arguments: [id])
            try db.execute(sql: "UPDATE checkpoint SET completedAt = ? WHERE id = ?", arguments: [completed, id])
            return (gone, counts, unsettled)
        }
        try flush()
        return LedgerCompletion(
            checkpoint: id, startedAt: checkpoint.startedAt, completedAt: completed, deleted: deleted, counts: counts,
            unsettled: unsettled)
    }

    public func close() throws {
        guard !isClosed else { return }
        var failure: (any Error)?
        do { try flush() } catch { failure = error }
        lock.withLock { closed = true }
        do { try database.close() } catch { failure = failure ?? Self.ledgerError(error) }
        // the lock goes last: nothing of this run touches the file after another may take it
        closeDescriptor(lockDescriptor)
        if let failure { throw failure }
    }
}

/// `close(2)`, out of reach of `SQLiteCheckpointLedger.close()`.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
