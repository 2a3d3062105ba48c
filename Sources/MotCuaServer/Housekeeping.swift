import Foundation
import Logging
import MotCuaStore
import ServiceLifecycle

/// Background upkeep while the server runs: forgets expired idempotency keys every `interval`.
/// Stops with the server (graceful shutdown cancels the sleep).
public struct Housekeeping: Service {
    let store: any DossierStore
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    public init(store: any DossierStore, interval: Duration = .seconds(3600), now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.store = store
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let purged = try await store.purgeExpiredIdempotencyKeys(now: now())
                if purged > 0 { logger.info("expired idempotency keys purged", metadata: ["count": "\(purged)"]) }
            } catch {
                logger.error("housekeeping failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
