import Foundation
import GRDB

/// The checkpoint ledger in a SQLite file (GRDB): three tables, resource names and digests only.
///
///     let ledger = try SQLiteCheckpointLedger(path: "ledger.db")
///     let checkpoint = try ledger.begin(now: Date())
///
/// It keeps no state of its own besides the serialized database queue (the open checkpoint is a
/// value the caller holds), so it is `Sendable` as it stands.
public final class SQLiteCheckpointLedger: CheckpointLedger {
    let database: DatabaseQueue

    /// Opens (creating if needed) the ledger file and brings its schema up to date.
    public init(path: String) throws {
        database = try DatabaseQueue(path: path)
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
        try migrator.migrate(database)
    }

    public func begin(now: Date) throws -> LedgerCheckpoint {
        try database.write { db -> LedgerCheckpoint in
            let sql = "SELECT id, startedAt FROM checkpoint WHERE completedAt IS NULL ORDER BY id DESC LIMIT 1"
            if let open = try Row.fetchOne(db, sql: sql) {
                return LedgerCheckpoint(id: open["id"], startedAt: open["startedAt"])
            }
            let started = LedgerCheckpoint.timestamp(now)
            try db.execute(sql: "INSERT INTO checkpoint (startedAt) VALUES (?)", arguments: [started])
            return LedgerCheckpoint(id: db.lastInsertedRowID, startedAt: started)
        }
    }

    public func isDone(inputDigest: String, in checkpoint: LedgerCheckpoint) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM unit WHERE checkpoint = ? AND inputDigest = ?",
                arguments: [checkpoint.id, inputDigest]) ?? false
        }
    }

    public func delta(_ entries: [LedgerEntry]) throws -> LedgerDelta {
        try database.read { db in
            var delta = LedgerDelta()
            for entry in entries {
                let known = try String.fetchOne(
                    db, sql: "SELECT digest FROM record WHERE resource = ?", arguments: [entry.resource])
                switch known {
                case nil: delta.new.insert(entry.resource)
                case entry.digest?: delta.unchanged.insert(entry.resource)
                default: delta.changed.insert(entry.resource)
                }
            }
            return delta
        }
    }

    public func commit(_ entries: [LedgerEntry], inputDigest: String, in checkpoint: LedgerCheckpoint) throws {
        try database.write { db in
            for entry in entries {
                try db.execute(
                    sql: """
                        INSERT INTO record (resource, digest, writtenAt, seenAt) VALUES (?, ?, ?, ?)
                        ON CONFLICT(resource) DO UPDATE SET
                          writtenAt = CASE WHEN digest = excluded.digest THEN writtenAt ELSE excluded.writtenAt END,
                          digest = excluded.digest, seenAt = excluded.seenAt
                        """,
                    arguments: [entry.resource, entry.digest, checkpoint.id, checkpoint.id])
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO unit (checkpoint, inputDigest) VALUES (?, ?)",
                arguments: [checkpoint.id, inputDigest])
        }
    }

    public func complete(_ checkpoint: LedgerCheckpoint, now: Date) throws -> LedgerCompletion {
        let completed = LedgerCheckpoint.timestamp(now)
        let deleted = try database.write { db -> [String] in
            let gone = try String.fetchAll(
                db, sql: "SELECT resource FROM record WHERE seenAt < ? ORDER BY resource", arguments: [checkpoint.id])
            try db.execute(sql: "DELETE FROM record WHERE seenAt < ?", arguments: [checkpoint.id])
            try db.execute(
                sql: "UPDATE checkpoint SET completedAt = ? WHERE id = ?", arguments: [completed, checkpoint.id])
            return gone
        }
        return LedgerCompletion(
            checkpoint: checkpoint.id, startedAt: checkpoint.startedAt, completedAt: completed, deleted: deleted)
    }
}
