import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore

/// The national portal as a partner of the outbox relay: each message is the dossier as of its
/// version (`/dossiers/sync`) or that version's control-sheet entry (`/dossiers/progress`),
/// built from the control sheet when it is sent, with `{dossier id}.{version}` as its
/// `Idempotency-Key`. A 2xx delivers it when its `error_code` is "0" or "00"; another code is
/// the portal's refusal (a dead letter). The store hands a dossier's turn to its next message
/// only once this one is acknowledged.
public struct PortalPartner: OutboxPartner {
    let store: any DossierStore
    let settings: PortalSettings
    let base: URL

    public var name: String { "portal" }
    public var alsoTransient: Set<Int> { [] }

    public func claim(now: Date, lease: TimeInterval, limit: Int) async throws -> [PortalMessage] {
        try await store.claimDuePortalMessages(now: now, lease: lease, limit: limit)
    }

    public func record(_ item: PortalMessage, outcome: DeliveryOutcome) async throws {
        try await store.recordPortalDelivery(item, outcome: outcome)
    }

    public func progress(of item: PortalMessage) -> (id: String, attempts: Int, retrySince: Date) {
        (item.id, item.attempts, item.retrySince)
    }

    public func request(for item: PortalMessage, now: Date) async -> PartnerRequest {
        let events: [DossierEvent]
        do {
            events = try await store.events(dossierID: item.dossierID)
        } catch {
            return .retry("store: \(error)")
        }
        let body: Data
        do {
            switch item.kind {
            case .sync:
                guard let message = PortalMessages.sync(events: events, version: item.sequence) else { return .dead("event \(item.sequence) missing") }
                body = try WireJSON.encode(message)
            case .progress:
                guard let message = PortalMessages.progress(events: events, version: item.sequence) else {
                    return .dead("event \(item.sequence) missing")
                }
                body = try WireJSON.encode(message)
            }
        } catch {
            return .dead("encoding: \(error)")
        }
        var request = URLRequest(url: base.appendingPathComponent("dossiers").appendingPathComponent(item.kind.rawValue))
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        if let key = settings.apiKey { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        return .send(request)
    }

    public func accepted(_ item: PortalMessage, status: Int, body: Data, now: Date) async -> DeliveryOutcome {
        guard let answer = try? JSONDecoder().decode(PortalAnswer.self, from: body) else {
            // A 2xx we cannot read (a proxy's page, a cut answer): it may not have arrived.
            return .retry(at: now.addingTimeInterval(settings.timing.backoffSeconds), error: "HTTP \(status) without an error_code")
        }
        guard answer.isSuccess else {
            return .dead(error: "error_code \(answer.errorCode)" + (answer.message.map { ": " + String($0.prefix(300)) } ?? ""))
        }
        return .delivered(at: now)
    }
}

/// The portal outbox's relay.
public typealias PortalRelay = OutboxRelay<PortalPartner>

extension OutboxRelay where Partner == PortalPartner {
    /// Nil without `portal.url` (messages then wait in the outbox).
    public init?(dependencies: AppDependencies) {
        let settings = dependencies.configuration.portal
        guard let base = settings.url.flatMap(URL.init(string:)) else { return nil }
        self.init(
            partner: PortalPartner(store: dependencies.store, settings: settings, base: base),
            policy: DeliveryPolicy(timing: settings.timing, concurrency: settings.window, maxPerSecond: settings.maxPerSecond),
            now: dependencies.now, logger: dependencies.logger, metrics: dependencies.metrics)
    }
}
