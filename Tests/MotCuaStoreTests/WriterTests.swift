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

final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
