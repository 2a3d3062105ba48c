import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import ServiceLifecycle

/// The post office as a partner of the outbox relay: `POST {partnerURL}/orders`, the order
/// number as `Idempotency-Key`. A 2xx with a waybill records the waybill on the dossier, and
/// takes the order out of the queue, in one transaction. A 409 is retried like a 5xx (the
/// partner is still taking the same order).
public struct PostalPartner: OutboxPartner {
    let dependencies: AppDependencies
    let settings: PostalSettings
    let endpoint: URL

    public var name: String { "postal" }
    public var alsoTransient: Set<Int> { [409] }
    var store: any DossierStore { dependencies.store }

    public func claim(now: Date, lease: TimeInterval, limit: Int) async throws -> [PostalOrderItem] {
        try await store.claimDuePostalOrders(now: now, lease: lease, limit: limit)
    }

    public func record(_ item: PostalOrderItem, outcome: DeliveryOutcome) async throws {
        try await store.recordPostalAttempt(item.id, outcome: outcome)
    }

    public func progress(of item: PostalOrderItem) -> (id: String, attempts: Int, retrySince: Date) {
        (item.id, item.attempts, item.retrySince)
    }

    public func request(for item: PostalOrderItem, now: Date) async -> PartnerRequest {
        let order: PostalOrderRequest
        do {
            guard let dossier = try await store.dossier(code: item.code),
                  let shipment = dossier.shipments?.first(where: { $0.orderNumber == item.id }) else {
                return .dead("dossier or order missing")
            }
            order = PostalOrders.request(for: shipment, dossier: dossier, tree: dependencies.catalogue.tree, service: settings.service)
        } catch {
            return .retry("store: \(error)")
        }
        var request = URLRequest(url: endpoint)
        request.httpMethod = "POST"
        do {
            request.httpBody = try WireJSON.encode(order)
        } catch {
            return .dead("encoding: \(error)")
        }
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        if let key = settings.apiKey { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        return .send(request)
    }

    public func accepted(_ item: PostalOrderItem, status: Int, body: Data, now: Date) async -> DeliveryOutcome {
        guard let accepted = try? JSONDecoder().decode(PostalOrderResponse.self, from: body), !accepted.waybill.isEmpty,
              accepted.waybill.utf8.count <= 64 else {
            return .dead(error: "HTTP \(status) without a waybill")
        }
        do {
            try await record(item, waybill: accepted.waybill, now: now)
        } catch let error as DomainError {
            dependencies.logger.error("postal order answer refused", metadata: ["order": "\(item.id)", "error": "\(error)"])
            return .dead(error: "answer refused: \(error)")
        } catch {
            // Not recorded: the order stays due, and is sent again under the same key.
            return .retry(at: now.addingTimeInterval(settings.timing.backoffSeconds), error: "store: \(error)")
        }
        dependencies.logger.info("postal order accepted", metadata: ["order": "\(item.id)", "waybill": "\(accepted.waybill)"])
        return .delivered(at: now)
    }

    /// The waybill on the dossier; the same transaction takes the order out of the queue.
    public func record(_ item: PostalOrderItem, waybill: String, now: Date) async throws {
        let calendar = dependencies.calendars.calendar(forAgency: item.agencyID)
        _ = try await store.apply(code: item.code) { current in
            let context = DecisionContext(actor: PostalOrders.actor(agencyID: current.currentAgencyID), now: now, calendar: calendar)
            let update = PostalUpdate(orderNumber: item.id, waybill: waybill, status: .accepted, at: now)
            return try Lifecycle.decide(.postalUpdate(update), dossier: current, context: context)
        }
    }
}

/// The postal outbox's relay.
public typealias PostalRelay = OutboxRelay<PostalPartner>

extension OutboxRelay where Partner == PostalPartner {
    /// Nil without `postal.partnerURL` (orders then wait in the outbox).
    public init?(dependencies: AppDependencies, concurrency: Int = 8) {
        let settings = dependencies.configuration.postal
        guard let base = settings.partnerURL.flatMap(URL.init(string:)) else { return nil }
        self.init(
            partner: PostalPartner(dependencies: dependencies, settings: settings, endpoint: base.appendingPathComponent("orders")),
            policy: DeliveryPolicy(timing: settings.timing, concurrency: concurrency),
            now: dependencies.now, logger: dependencies.logger, metrics: dependencies.metrics)
    }
}
