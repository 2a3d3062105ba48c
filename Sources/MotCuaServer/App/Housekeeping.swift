import Foundation
import Logging
import MotCuaStore
import ServiceLifecycle

/// Background upkeep while the server runs, every `interval`: forgets expired idempotency keys, and
/// webhook receipts older than `webhookMemory` (a partner's replay that late is still harmless:
/// a fee is paid once, a parcel's status only moves forward), and failed-login records a day
/// past their last failure and lock (the throttle's window is at most a day). Stops with the
/// server (graceful shutdown cancels the sleep).
public struct Housekeeping: Service {
    let store: any DossierStore
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    let webhookMemory: TimeInterval

    public init(
        store: any DossierStore, interval: Duration = .seconds(3600), webhookMemory: TimeInterval = 30 * 86_400,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.store = store
        self.interval = interval
        self.webhookMemory = webhookMemory
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let purged = try await store.purgeExpiredIdempotencyKeys(now: now())
                if purged > 0 { logger.info("expired idempotency keys purged", metadata: ["count": "\(purged)"]) }
                let receipts = try await store.purgeWebhookReceipts(before: now().addingTimeInterval(-webhookMemory))
                if receipts > 0 { logger.info("old webhook receipts purged", metadata: ["count": "\(receipts)"]) }
                let failures = try await store.purgeLoginFailures(before: now().addingTimeInterval(-86_400))
                if failures > 0 { logger.info("old failed-login records purged", metadata: ["count": "\(failures)"]) }
            } catch {
                logger.passFailed("housekeeping failed", error: error)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
