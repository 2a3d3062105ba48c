import Foundation
import GRDB
import MotCuaCore
import Testing
@testable import MotCuaStore

/// The store's VFS gathers a commit's log frames into a few system writes (`MotCuaSQLiteVFS.c`).
/// These tests use plain GRDB connections on the VFS, as the store's own connections are.
@Suite("SQLite log writes gathered per commit", .serialized)
struct LogWriteTests {
    /// A WAL database opened through the store's VFS, with a table of numbered blobs.
    static func open(_ path: String, synchronous: String) throws -> DatabaseQueue {
        try SQLiteStore.registerGatheringVFS()
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS items(id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")
        }
        return queue
    }

    static func payload(_ id: Int, size: Int = 3000) -> Data {
        Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ id) })
    }

    @Test("Without a sync at commit (synchronous NORMAL), another connection reads a commit the moment it returns")
    func commitVisibleAtOnce() async throws {
        let path = temporaryDatabase()
        let writer = try Self.open(path, synchronous: "NORMAL")
        let reader = try DatabaseQueue(path: path)
        let before = try #require(SQLiteStore.logWrites(ofDatabaseAt: path))
        for id in 1...200 {
            // Each commit: several pages, written as many frames.
            try await writer.write { db in
                for part in 0..<4 {
                    try db.execute(sql: "INSERT INTO items(id, payload) VALUES (?, ?)", arguments: [id * 10 + part, Self.payload(id * 10 + part)])
                }
            }
            // Read with every page of the commit: a frame still in the writer's buffer would read
            // as zeros or stale bytes here.
            let rows = try reader.read { db in
                try Row.fetchAll(db, sql: "SELECT id, payload FROM items WHERE id BETWEEN ? AND ?", arguments: [id * 10, id * 10 + 3])
            }
            #expect(rows.count == 4)
            for row in rows { #expect(row["payload"] as Data == Self.payload(row["id"])) }
        }
        let after = try #require(SQLiteStore.logWrites(ofDatabaseAt: path))
        let logWrites = after.log - before.log, systemWrites = after.system - before.system
        // Each commit writes ≥ 4 frames (8 writes from SQLite) and reaches the system in one.
        #expect(logWrites >= 200 * 8)
        #expect(systemWrites * 4 <= logWrites, "\(systemWrites) system writes for \(logWrites) log writes")
        #expect(try await reader.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
    }

    @Test("A transaction larger than the buffer and the page cache (frames spilled, read back, rewritten) commits whole")
    func largeTransaction() async throws {
        let path = temporaryDatabase()
        let writer = try Self.open(path, synchronous: "FULL")
        // A small page cache makes SQLite spill pages into the log mid-transaction and read them back.
        try await writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = 50") }
        let count = 4_000  // ~12 MB of payload: more than the 8 MiB buffer
        try await writer.write { db in
            for id in 0..<count {
                try db.execute(sql: "INSERT INTO items(id, payload) VALUES (?, ?)", arguments: [id, Self.payload(id)])
            }
            // Rewrite pages already spilled to the log, inside the same transaction.
            try db.execute(sql: "UPDATE items SET payload = zeroblob(100) WHERE id % 7 = 0")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM items WHERE length(payload) = 3000") == count - (count + 6) / 7)
        }
        // A rolled-back transaction leaves nothing behind, and the next one writes where it would have.
        await #expect(throws: DatabaseError.self) {
            try await writer.write { db in
                for id in count..<(count + 500) {
                    try db.execute(sql: "INSERT INTO items(id, payload) VALUES (?, ?)", arguments: [id, Self.payload(id)])
                }
                try db.execute(sql: "INSERT INTO items(id, payload) VALUES (0, x'00')")  // duplicate key: rolls back
            }
        }
        try await writer.write { db in try db.execute(sql: "INSERT INTO items(id, payload) VALUES (?, ?)", arguments: [count, Self.payload(count)]) }
        let reader = try DatabaseQueue(path: path)
        try await reader.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM items") == count + 1)
            let rows = try Row.fetchCursor(db, sql: "SELECT id, payload FROM items")
            var wrong = 0
            while let row = try rows.next() {
                let id: Int = row["id"]
                let expected = id % 7 == 0 && id < count ? Data(count: 100) : Self.payload(id)
                if row["payload"] as Data != expected { wrong += 1 }
            }
            #expect(wrong == 0)
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
        }
        // The log folds back into the database and the file reopens intact.
        try await writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let reopened = try DatabaseQueue(path: path)
        #expect(try await reopened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM items") } == count + 1)
    }
}
