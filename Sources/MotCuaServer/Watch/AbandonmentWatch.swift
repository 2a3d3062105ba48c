import Foundation
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import ServiceLifecycle

/// Closes the dossiers left waiting for supplementation too long (issue #20). Every
/// `supplementation.sweepMinutes` it goes through the dossiers waiting (a partial index holds
/// just those) and closes each whose wait since the request reached its procedure's limit in
/// working days: processing stops (`Lifecycle`'s `closeAbandoned`), which puts the reason on the
/// control sheet, a notice to the applicant in the outbox, and the dossier among those the
/// reports count as resolved (stopped dossiers count as on time, domain.md's practice).
///
/// Several instances may sweep at once: the change is version-guarded, so a dossier is closed
/// once, and the other instance finds it stopped and moves on.
public struct AbandonmentWatch: Service {
    let store: any DossierStore
    let settings: SupplementationSettings
    let calendars: WorkCalendars
    let now: @Sendable () -> Date
    let logger: Logger
    /// Dossiers listed per page.
    let page: Int

    public init(
        store: any DossierStore, settings: SupplementationSettings, calendars: WorkCalendars, now: @escaping @Sendable () -> Date,
        logger: Logger, page: Int = 500
    ) {
        self.store = store
        self.settings = settings
        self.calendars = calendars
        self.now = now
        self.logger = logger
        self.page = page
    }

    /// One pass at the injected clock's now; returns the codes it closed.
    @discardableResult
    public func sweep() async throws -> [String] {
        let instant = now()
        var closed: [String] = []
        var after: String?
        while true {
            let waiting = try await store.awaitingSupplementation(after: after, limit: page)
            for dossier in waiting where try await close(dossier, at: instant) {
                closed.append(dossier.code)
            }
            guard waiting.count == page, let last = waiting.last else { break }
            after = last.id
        }
        if !closed.isEmpty {
            logger.info("abandoned supplementation: dossiers closed", metadata: ["count": "\(closed.count)", "codes": "\(closed.prefix(20).joined(separator: ","))"])
        }
        return closed
    }

    /// Closes one dossier when its wait has passed its limit; false when it has not (or it
    /// changed meanwhile: supplemented, withdrawn, closed by another instance).
    func close(_ waiting: WaitingDossier, at instant: Date) async throws -> Bool {
        guard let days = settings.abandonAfter(procedureCode: waiting.procedureCode) else { return false }
        let events = try await store.events(dossierID: waiting.id)
        guard let requested = events.last(where: { $0.kind == .supplementationRequested })?.at else { return false }
        let calendar = calendars.calendar(forAgency: waiting.currentAgencyID)
        guard let closesAt = try? Lifecycle.abandonment(requestedAt: requested, afterWorkingDays: days, calendar: calendar), instant >= closesAt
        else { return false }
        let actor = Actor(id: "supplementation-watch", name: "Hệ thống (theo dõi hồ sơ chờ bổ sung)", role: .system, agencyID: waiting.currentAgencyID)
        let context = DecisionContext(actor: actor, now: instant, calendar: calendar)
        do {
            _ = try await store.apply(code: waiting.code) { current in
                try Lifecycle.decide(.closeAbandoned(requestedAt: requested, afterWorkingDays: days), dossier: current, context: context)
            }
            return true
        } catch is DomainError {
            return false
        }
    }

    public func run() async throws {
        let interval = Duration.seconds(settings.sweepMinutes * 60)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await sweep()
            } catch {
                logger.passFailed("abandoned supplementation watch failed", error: error)
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
