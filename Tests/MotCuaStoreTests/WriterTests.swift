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
    }

    @Test("The commit delay applies only to work that arrived while a batch ran, never to a lone caller")
    func commitDelayOnlyUnderLoad() async throws {
        let store = try SQLiteStore(path: temporaryDatabase(), commitDelay: 0.05)
        // One caller writing one thing after another: the writer is idle each time.
        for index in 0..<5 { _ = try await file(store, intake("Người thứ \(index)"), at: now) }
        #expect(store.batcher.delayedBatches == 0)
        // Work arriving while a (slow) batch runs: the next batch waits for company.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.batcher.write { _ in Thread.sleep(forTimeInterval: 0.2) } }
            try await Task.sleep(for: .milliseconds(50))
            for index in 0..<5 {
                group.addTask { _ = try await file(store, intake("Người đến sau \(index)"), at: now) }
            }
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
        for _ in 0..<200 {
            before = try await store.logFrames()
            if before > 1_500 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(before > 1_500, "the writers should have filled the log by now")
        try await store.checkpointRound(restartFrames: 1_000, idleTruncateBytes: .max, idleFor: .seconds(3600))
        try await Task.sleep(for: .milliseconds(50))
        let after = try await store.logFrames()
        writers.cancel()
        try? await writers.value
        #expect(after < before, "the log should have started over (\(before) frames before, \(after) after)")
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
        _ = try await file(store, intake(), at: now)
        // A report-like reader holds a snapshot for 4 s; a commit after it makes that snapshot old.
        let reader = try DatabaseQueue(path: store.path)
        let done = DispatchSemaphore(value: 0)
        // On a thread of its own: sleeping inside a task would take one of the few threads of
        // the concurrency pool from every other test.
        Thread {
            try? reader.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossiers")
                Thread.sleep(forTimeInterval: 4)
            }
            done.signal()
        }.start()
        try await Task.sleep(for: .milliseconds(200))
        _ = try await file(store, intake("Trần Thị Bình"), at: now)
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        async let round: Void = store.checkpointRound(restartFrames: .max, idleTruncateBytes: 0, idleFor: .milliseconds(200))
        try await Task.sleep(for: .milliseconds(20))
        // A write arriving meanwhile is not held until the reader is done.
        _ = try await file(store, intake("Lê Văn Cường"), at: now)
        let written = ContinuousClock.now - started
        try await round
        // Held behind the reader it would wait ~3.5 s; the truncation gives up after 0.1 s.
        #expect(written < .seconds(2.5), "a write waited \(written) behind the truncation")
        #expect(ContinuousClock.now - started < .seconds(2.5))
        await withCheckedContinuation { continuation in
            Thread {
                done.wait()
                continuation.resume()
            }.start()
        }
        // Once the reader is gone, an idle round does cut the file back.
        try await Task.sleep(for: .milliseconds(300))
        try await store.checkpointRound(restartFrames: .max, idleTruncateBytes: 0, idleFor: .milliseconds(200))
        #expect(try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int == 0)
        #expect(try await store.counts().dossiers == 3)
    }
}

final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
