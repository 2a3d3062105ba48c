import Foundation
import Logging
import MotCuaStore
import MotCuaTestSupport
import Testing
@testable import MotCuaServer

/// The background upkeep on a real SQLite file: what it forgets, and what it keeps.
@Suite("Housekeeping")
struct HousekeepingTests {
    @Test("Expired idempotency keys, webhook receipts past their memory and day-old failed logins go; the rest stays")
    func purges() async throws {
        let store = try SQLiteStore(path: TestScratch.path("motcua-housekeeping", suffix: ".sqlite").path)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let expired = IdempotencyKey(scope: "public", key: "old"), live = IdempotencyKey(scope: "public", key: "new")
        _ = try await store.claimIdempotencyKey(expired, fingerprint: "f", now: now.addingTimeInterval(-7200), expiresAt: now.addingTimeInterval(-3600))
        _ = try await store.claimIdempotencyKey(live, fingerprint: "f", now: now, expiresAt: now.addingTimeInterval(3600))
        #expect(try await store.recordWebhook(source: "postal", id: "w-old", at: now.addingTimeInterval(-31 * 86_400)))
        #expect(try await store.recordWebhook(source: "postal", id: "w-new", at: now.addingTimeInterval(-86_400)))
        _ = try await store.recordLoginFailure(keys: ["user:a"]) { _, _ in LoginFailures(count: 3, lastAt: now.addingTimeInterval(-2 * 86_400), lockedUntil: nil) }
        _ = try await store.recordLoginFailure(keys: ["user:b"]) { _, _ in LoginFailures(count: 1, lastAt: now.addingTimeInterval(-60), lockedUntil: nil) }

        var logger = Logger(label: "housekeeping-test")
        logger.logLevel = .critical
        let upkeep = Housekeeping(store: store, interval: .milliseconds(50), now: { now }, logger: logger)
        let task = Task { try await upkeep.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        // Until the pass's last purge (failed logins, after the keys and the receipts) has run:
        // waited for, not slept on, since a loaded machine may take longer than any fixed pause.
        while ContinuousClock.now < deadline, try await store.loginFailures(keys: ["user:a"])["user:a"] != nil {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        _ = await task.result

        #expect(try await store.webhookSeen(source: "postal", id: "w-old") == false)
        #expect(try await store.webhookSeen(source: "postal", id: "w-new"))
        let failures = try await store.loginFailures(keys: ["user:a", "user:b"])
        #expect(failures["user:a"] == nil && failures["user:b"]?.count == 1)
        #expect(try await store.purgeExpiredIdempotencyKeys(now: now) == 0, "the expired key is gone already")
        // The expired key can be claimed afresh; the live one is still held.
        if case .claimed = try await store.claimIdempotencyKey(expired, fingerprint: "g", now: now, expiresAt: now.addingTimeInterval(60)) {} else {
            Issue.record("the expired key was not forgotten")
        }
        if case .claimed = try await store.claimIdempotencyKey(live, fingerprint: "g", now: now, expiresAt: now.addingTimeInterval(60)) {
            Issue.record("a live key was forgotten")
        }
    }
}
