import Foundation
import GRDB
import MotCuaCore
import Testing
@testable import MotCuaStore

@Suite("SQLite writer: group commit and the log")
struct WriterTests {
    let now = Date(timeIntervalSince1970: 1_772_440_200)  // 2026-03-02 15:30 in Vietnam

    @Test("Batched writes share a transaction; maintenance runs between batches, outside any")
    func betweenBatches() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        #expect(try await store.batcher.write { db in db.isInsideTransaction })
        #expect(try await store.batcher.betweenBatches { db in db.isInsideTransaction } == false)
        // A failing write rolls back its own savepoint only, and the writer goes on.
        await #expect(throws: DatabaseError.self) {
            try await store.batcher.write { db in try db.execute(sql: "INSERT INTO no_such_table VALUES (1)") }
        }
        #expect(try await file(store, intake(), at: now).code.hasSuffix("-0001"))
        // The savepoints' statement journal stays in memory (spilled to a temporary file it cost
        // two system calls per page, ~50 per intake); readers keep the default.
        #expect(try await store.batcher.write { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } == 2)
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } == 0)
    }

    @Test("The commit delay applies only to work that arrived while a batch ran, never to a lone caller")
    func commitDelayOnlyUnderLoad() async throws {
        let store = try SQLiteStore(path: temporaryDatabase(), commitDelay: 0.05)
        // One caller writing one thing after another: the writer is idle each time.
        for index in 0..<5 { _ = try await file(store, intake("Người thứ \(index)"), at: now) }
        #expect(store.batcher.delayedBatches == 0)
        // Work arriving while a batch runs (held until that work is queued): the next batch waits
        // for company.
        let release = DispatchSemaphore(value: 0)
        let running = ManagedCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await store.batcher.write { _ in
                    running.increment()
                    release.wait()
                }
            }
            while running.value == 0 { try await Task.sleep(for: .milliseconds(5)) }
            for index in 0..<5 {
                group.addTask { _ = try await file(store, intake("Người đến sau \(index)"), at: now) }
            }
            while store.batcher.pendingCount < 5 { try await Task.sleep(for: .milliseconds(5)) }
            release.signal()
            try await group.waitForAll()
        }
        #expect(store.batcher.delayedBatches >= 1)
        #expect(try await store.counts().dossiers == 10)
    }

    @Test("Under unbroken writes the log is rewound, nothing is lost, and once idle its file is cut back")
    func logRewoundUnderLoad() async throws {
        let store = try SQLiteStore(path: temporaryDatabase(), commitDelay: 0)
        let filed = ManagedCounter()
        let writers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        // At most 1,200 a writer: one agency may number 9,999 dossiers a day.
                        for index in 0..<1_200 where !Task.isCancelled {
                            _ = try await file(store, intake("Người \(writer)-\(index)"), at: now)
                            filed.increment()
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var before = 0
        for _ in 0..<400 {
            before = try await store.logFrames()
            if before > 4_000 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(before > 4_000, "the writers should have filled the log by now")
        try await store.checkpointRound(restartFrames: 1_000, idleTruncateBytes: .max, idleFor: .seconds(3600))
        // The writers' next commit starts the log over: it drops well below what it held. (Were it
        // not rewound, the unbroken writes would only make it grow.)
        var after = before
        for _ in 0..<200 where after >= before / 2 {
            try await Task.sleep(for: .milliseconds(10))
            after = try await store.logFrames()
        }
        writers.cancel()
        try? await writers.value
        #expect(after < before / 2, "the log should have started over (\(before) frames before, \(after) after)")
        #expect(try await store.counts().dossiers == filed.value)

        // Idle now: a round cuts the file back to nothing.
        try await Task.sleep(for: .milliseconds(300))
        try await store.checkpointRound(restartFrames: .max, idleTruncateBytes: 0, idleFor: .milliseconds(200))
        let size = try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int
        #expect(size == 0)
        #expect(try await store.counts().dossiers == filed.value)
    }
}

extension WriterTests {
    @Test("The idle truncation gives way to a long reader instead of holding the writer behind it")
    func idleTruncationGivesWay() async throws {
        let store = try SQLiteStore(path: temporaryDatabase(), commitDelay: 0)
        // TRUNCATE holds the write lock while it waits for readers: on this connection it waits
        // 0.1 s at most, so a write never queues behind a long report for longer.
        #expect(try await store.checkpointer.read { db in try Int.fetchOne(db, sql: "PRAGMA busy_timeout") } == 100)
        _ = try await file(store, intake(), at: now)
        // A report-like reader holds a snapshot until told to stop; a commit after it makes that
        // snapshot old. On a thread of its own: blocking inside a task would take one of the few
        // threads of the concurrency pool from every other test.
        let reader = try DatabaseQueue(path: store.path)
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? reader.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossiers")
                holding.signal()
                release.wait()
            }
            done.signal()
        }.start()
        await wait(for: holding)
        _ = try await file(store, intake("Trần Thị Bình"), at: now)
        try await Task.sleep(for: .milliseconds(300))
        // While the reader holds on, an idle round gives way (the log file stays) and a write goes
        // through, both before the reader is let go.
        try await store.checkpointRound(restartFrames: .max, idleTruncateBytes: 0, idleFor: .milliseconds(200))
        #expect(try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int ?? 0 > 0)
        _ = try await file(store, intake("Lê Văn Cường"), at: now)
        release.signal()
        await wait(for: done)
        // Once the reader is gone, an idle round does cut the file back.
        try await Task.sleep(for: .milliseconds(300))
        try await store.checkpointRound(restartFrames: .max, idleTruncateBytes: 0, idleFor: .milliseconds(200))
        #expect(try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int == 0)
        #expect(try await store.counts().dossiers == 3)
    }

    /// Waits for a semaphore on a thread of its own.
    func wait(for semaphore: DispatchSemaphore) async {
        await withCheckedContinuation { continuation in
            Thread {
                semaphore.wait()
                continuation.resume()
            }.start()
        }
    }
}

final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
