import Foundation
import GRDB

/// The SQLite side of `motcua backup` and `motcua restore`.
public enum SQLiteBackup {
    /// Writes a consistent copy of the database at `path` to `destination` (which must not
    /// exist) while the server keeps serving: `VACUUM INTO` reads one snapshot of the database
    /// (in WAL mode, writers carry on) and writes it compacted, log folded in. Nothing is
    /// written to the source.
    public static func snapshot(of path: String, to destination: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let source = try DatabaseQueue(path: path, configuration: configuration)
        try source.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [destination]) }
        try source.close()
    }

    /// Rows in each table the store keeps (`StoreCopy.tables`), as the manifest records them.
    public static func counts(path: String) throws -> [String: Int] {
        try readOnly(path) { db in
            var counts: [String: Int] = [:]
            for table in StoreCopy.tables where try db.tableExists(table.name) {
                counts[table.name] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.name)") ?? 0
            }
            return counts
        }
    }

    /// The files the dossiers refer to (their SHA-256 names).
    public static func referencedFiles(path: String) throws -> Set<String> {
        try readOnly(path) { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT sha256 FROM dossier_files")) }
    }

    /// `PRAGMA integrity_check`: `["ok"]` for a sound database, else what SQLite found.
    public static func integrityCheck(path: String) throws -> [String] {
        try readOnly(path) { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    static func readOnly<T>(_ path: String, _ read: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read(read)
    }
}
