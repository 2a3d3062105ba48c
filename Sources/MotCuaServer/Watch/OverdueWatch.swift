import Foundation
import Logging
import MotCuaStore
import ServiceLifecycle

/// The overdue watch: every `interval` it records each threshold (near due, due today, overdue)
/// that a running dossier has crossed since the last sweep, once per crossing for good (the store
/// keys crossings by dossier, kind and appointment, so restarts and repeated sweeps add nothing).
/// Paused dossiers have no plan and are never flagged; a resumed one is judged on its new
/// appointment. The clock is injected, so tests can walk it across weekends, Tết and pauses.
public struct OverdueWatch: Service {
    let store: any DossierStore
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    /// Dossiers handled per transaction.
    let batch: Int
    let metrics: AppMetrics?

    public init(
        store: any DossierStore, interval: Duration, now: @escaping @Sendable () -> Date, logger: Logger, batch: Int = 2_000,
        metrics: AppMetrics? = nil
    ) {
        self.metrics = metrics
        self.store = store
        self.interval = interval
        self.now = now
        self.logger = logger
        self.batch = batch
    }

    /// One sweep at the injected clock's now; returns the crossings it recorded.
    @discardableResult
    public func sweep() async throws -> [DossierAlert] {
        let instant = now()
        let began = ContinuousClock.now
        var recorded: [DossierAlert] = []
        while true {
            let (dossiers, alerts) = try await store.sweepAlerts(now: instant, limit: batch)
            recorded += alerts
            if dossiers < batch { break }
        }
        metrics?.sweep(at: now(), took: ContinuousClock.now - began, crossings: recorded)
        if !recorded.isEmpty {
            let counts = Dictionary(grouping: recorded, by: \.kind).mapValues(\.count)
            logger.info("overdue watch", metadata: counts.reduce(into: [:]) { $0[$1.key.rawValue] = "\($1.value)" })
        }
        return recorded
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await sweep()
            } catch {
                logger.passFailed("overdue watch failed", error: error)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
