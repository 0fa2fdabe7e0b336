import CanonicalHash
import ClinicalModel
import FHIRMapping
import Foundation
import GRDB

/// A checkpoint ledger for point-in-time delta runs, in SQLite (GRDB).
///
/// It stores, per record, the derived FHIR resource id (a one-way hash of the business key: no
/// identifiers), the canonical digest, the checkpoint that last wrote it and the checkpoint that
/// last saw it; per source unit, the SHA-256 of its bytes once its output is written. A delta run:
///
/// 1. opens a checkpoint with its exact UTC start time (or resumes the last one if it never
///    completed: a run killed half-way);
/// 2. skips units whose input digest the checkpoint already completed;
/// 3. emits only records that are new or whose digest changed, writes the output, then marks the
///    unit and its records in one transaction. A crash between the two rewrites the same output
///    file on restart (names are deterministic), so each record is emitted exactly once;
/// 4. on completion, records that the ledger knew but this checkpoint never saw are reported as
///    deleted (meaningful when the run covers the whole source).
public final class CheckpointLedger: @unchecked Sendable {
    let database: DatabaseQueue
    public private(set) var checkpoint: Int64 = 0
    public private(set) var startedAt = ""

    public struct Delta: Sendable {
        public var new: Set<EntityRef> = []
        public var changed: Set<EntityRef> = []
        public var unchanged: Set<EntityRef> = []
        public var emitted: Set<EntityRef> { new.union(changed) }
    }

    public struct Completion: Sendable {
        public var checkpoint: Int64
        public var startedAt: String
        public var completedAt: String
        /// FHIR resource names (`Patient/<id>`) of records no longer present in the source.
        public var deleted: [String]
    }

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

    /// Opens a new checkpoint, or resumes the last one if it did not complete.
    public func begin(now: Date = Date()) throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let row = try database.write { db -> (Int64, String) in
            if let open = try Row.fetchOne(db, sql: "SELECT id, startedAt FROM checkpoint WHERE completedAt IS NULL ORDER BY id DESC LIMIT 1") {
                return (open["id"], open["startedAt"])
            }
            let started = formatter.string(from: now)
            try db.execute(sql: "INSERT INTO checkpoint (startedAt) VALUES (?)", arguments: [started])
            return (db.lastInsertedRowID, started)
        }
        (checkpoint, startedAt) = row
    }

    /// Whether this checkpoint already wrote the unit with these input bytes.
    public func isDone(inputDigest: String) throws -> Bool {
        try database.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM unit WHERE checkpoint = ? AND inputDigest = ?",
                arguments: [checkpoint, inputDigest]) ?? false
        }
    }

    /// Sorts a unit's records into new, changed and unchanged against the ledger.
    public func delta(_ record: ClinicalRecord) throws -> Delta {
        let digests = CanonicalHasher.digests(record)
        return try database.read { db in
            var delta = Delta()
            for digest in digests {
                let name = Reconciler.resourceName(digest.ref)
                let known = try String.fetchOne(db, sql: "SELECT digest FROM record WHERE resource = ?", arguments: [name])
                switch known {
                case nil: delta.new.insert(digest.ref)
                case digest.digest?: delta.unchanged.insert(digest.ref)
                default: delta.changed.insert(digest.ref)
                }
            }
            return delta
        }
    }

    /// Records a unit as written: its records' digests and that they were seen in this checkpoint.
    public func commit(_ record: ClinicalRecord, inputDigest: String) throws {
        let digests = CanonicalHasher.digests(record)
        try database.write { db in
            for digest in digests {
                try db.execute(
                    sql: """
                        INSERT INTO record (resource, digest, writtenAt, seenAt) VALUES (?, ?, ?, ?)
                        ON CONFLICT(resource) DO UPDATE SET
                          writtenAt = CASE WHEN digest = excluded.digest THEN writtenAt ELSE excluded.writtenAt END,
                          digest = excluded.digest, seenAt = excluded.seenAt
                        """,
                    arguments: [Reconciler.resourceName(digest.ref), digest.digest, checkpoint, checkpoint])
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO unit (checkpoint, inputDigest) VALUES (?, ?)",
                arguments: [checkpoint, inputDigest])
        }
    }

    /// Closes the checkpoint; returns the deletions it found.
    public func complete(now: Date = Date()) throws -> Completion {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let completed = formatter.string(from: now)
        let deleted = try database.write { db -> [String] in
            let gone = try String.fetchAll(
                db, sql: "SELECT resource FROM record WHERE seenAt < ? ORDER BY resource", arguments: [checkpoint])
            try db.execute(sql: "DELETE FROM record WHERE seenAt < ?", arguments: [checkpoint])
            try db.execute(sql: "UPDATE checkpoint SET completedAt = ? WHERE id = ?", arguments: [completed, checkpoint])
            return gone
        }
        return Completion(checkpoint: checkpoint, startedAt: startedAt, completedAt: completed, deleted: deleted)
    }
}
