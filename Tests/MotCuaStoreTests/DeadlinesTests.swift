import Foundation
import Synchronization
import Testing

import Logging
import PostgresNIO

@testable import MotCuaPostgres

/// The one loop that times out the PostgreSQL store's calls (`Deadlines`), on an explicit clock.
@Suite("Deadlines of calls in flight")
struct DeadlinesTests {
    @Test("A call expires once, at its deadline and not before; a call that ended never does")
    func expiry() {
        let deadlines = Deadlines()
        let start = ContinuousClock.now
        let expired = Mutex<[String]>([])
        let slow = deadlines.add(after: .seconds(2), now: start) { expired.withLock { $0.append("slow") } }
        let ended = deadlines.add(after: .seconds(1), now: start) { expired.withLock { $0.append("ended") } }
        _ = deadlines.add(after: .seconds(5), now: start) { expired.withLock { $0.append("patient") } }
        deadlines.remove(ended)
        #expect(slow != ended)

        deadlines.expire(now: start + .milliseconds(1999))
        #expect(expired.withLock { $0 }.isEmpty)
        deadlines.expire(now: start + .seconds(2))
        #expect(expired.withLock { $0 } == ["slow"])
        deadlines.expire(now: start + .seconds(3))
        #expect(expired.withLock { $0 } == ["slow"])
        #expect(deadlines.count == 1)
        deadlines.expire(now: start + .seconds(5))
        #expect(expired.withLock { $0 } == ["slow", "patient"])
        #expect(deadlines.count == 0)
    }

    @Test("The loop expires a call once its deadline has passed, and stops when cancelled")
    func loop() async throws {
        let deadlines = Deadlines(tick: .milliseconds(20))
        let watch = Task { await deadlines.watch() }
        defer { watch.cancel() }
        let started = ContinuousClock.now
        let expired = Mutex<ContinuousClock.Instant?>(nil)
        _ = deadlines.add(after: .milliseconds(100)) { expired.withLock { $0 = .now } }
        // A generous bound: under the whole suite's load the loop's turn can come seconds late.
        while expired.withLock({ $0 }) == nil, ContinuousClock.now - started < .seconds(60) { try await Task.sleep(for: .milliseconds(5)) }
        let at = try #require(expired.withLock { $0 })
        #expect(at - started >= .milliseconds(100))
        watch.cancel()
        await watch.value
        _ = deadlines.add(after: .zero) { Issue.record("expired after the loop was cancelled") }
        try await Task.sleep(for: .milliseconds(100))
        #expect(deadlines.count == 1)
    }
}

/// The race between a call's work, its deadline and its caller's cancellation (`Gate`, `timed`).
@Suite("A call answered before its work began")
struct GateTests {
    @Test("Failed before the work was registered: the work is cancelled at once; succeeded: it is left alone")
    func lateRegistration() {
        let failed = Gate<Int>()
        failed.finish(.failure(CancellationError()))
        let cancelled = Mutex(false)
        failed.onTimeout { cancelled.withLock { $0 = true } }
        #expect(cancelled.withLock { $0 })

        let succeeded = Gate<Int>()
        succeeded.finish(.success(1))
        succeeded.onTimeout { Issue.record("cancelled the work of a call that succeeded") }
        #expect(succeeded.isFinished)
    }

    @Test("A call from a request cancelled before it began answers CancellationError and never runs its work")
    func cancelledCaller() async throws {
        let client = PostgresClient(configuration: .init(host: "127.0.0.1", port: 9, username: "nobody", password: nil, database: nil, tls: .disable))
        let store = PostgresStore(client: client, location: "nowhere", logger: Logger(label: "test"), runs: false)
        defer { store.close() }
        let ran = Mutex(false)
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await store.timed { ran.withLock { $0 = true } }
        }
        await #expect(throws: CancellationError.self) { try await call.value }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!ran.withLock { $0 })
        #expect(store.deadlines.count == 0)
    }
}
