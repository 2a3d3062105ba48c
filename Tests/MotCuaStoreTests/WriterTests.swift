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

    @Test("An idle writer commits at once: the commit delay applies only while work keeps arriving")
    func idleWriterDoesNotWait() async throws {
        // A 3 s delay would show in any single write that waited for company.
        let store = try SQLiteStore(path: temporaryDatabase(), commitDelay: 3)
        let started = ContinuousClock.now
        for index in 0..<3 {
            _ = try await file(store, intake("Người thứ \(index)"), at: now)
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(try await store.counts().dossiers == 3)
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
        // A report-like reader holds a snapshot for 2 s; a commit after it makes that snapshot old.
        let reader = try DatabaseQueue(path: store.path)
        let reading = Task.detached {
            try reader.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossiers")
                Thread.sleep(forTimeInterval: 2)
            }
        }
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
        #expect(written < .seconds(1), "a write waited \(written) behind the truncation")
        #expect(ContinuousClock.now - started < .seconds(1))
        try await reading.value
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
