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

/// The notification gateway (an SMS, Zalo or e-mail gateway) as a partner of the outbox relay:
/// the Vietnamese template of each kind filled from the dossier and its event, sent to the
/// applicant's contact data, signed like the postal webhooks; any 2xx delivers it.
public struct NotificationPartner: OutboxPartner {
    let store: any DossierStore
    let settings: NotificationSettings
    let gateway: URL
    let webhooks: StandardWebhooks
    let agencyName: @Sendable (String) -> String

    public var name: String { "notifications" }
    public var alsoTransient: Set<Int> { [] }

    public func claim(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxItem] {
        try await store.claimDueNotifications(now: now, lease: lease, limit: limit)
    }

    public func record(_ item: OutboxItem, outcome: DeliveryOutcome) async throws {
        try await store.recordDelivery(item.id, outcome: outcome)
    }

    public func progress(of item: OutboxItem) -> (id: String, attempts: Int, retrySince: Date) {
        (item.id, item.attempts, item.retrySince)
    }

    public func request(for item: OutboxItem, now: Date) async -> PartnerRequest {
        let message: NotificationMessage
        do {
            guard let dossier = try await store.dossier(code: item.code),
                  let event = try await store.events(dossierID: dossier.id).first(where: { $0.sequence == item.sequence })
            else { return .dead("dossier or event missing") }
            message = render(item, dossier: dossier, event: event)
        } catch {
            return .retry("store: \(error)")
        }
        let body: Data
        do {
            body = try WireJSON.encode(message)
        } catch {
            return .dead("encoding: \(error)")
        }
        var request = URLRequest(url: gateway)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        for (name, value) in webhooks.headers(id: item.id, timestamp: Int(now.timeIntervalSince1970), body: Array(body)) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        return .send(request)
    }

    public func accepted(_ item: OutboxItem, status: Int, body: Data, now: Date) async -> DeliveryOutcome {
        .delivered(at: now)
    }

    /// The gateway's messages are wire messages like any other (`MotCuaAPI`).

    /// The message of the kind's template, filled from the dossier and the event.
    func render(_ item: OutboxItem, dossier d: Dossier, event: DossierEvent) -> NotificationMessage {
        let template = settings.templates[item.kind.rawValue] ?? "{agency}: Hồ sơ {code}."
        let values: [String: String] = [
            "code": d.code, "name": d.applicant.name, "procedure": d.procedureName, "agency": agencyName(d.currentAgencyID),
            "appointment": (event.dueAt ?? d.appointmentAt).map(vietnameseTime) ?? "",
            "items": (event.items ?? []).joined(separator: "; "), "reason": event.reason ?? "",
            "amount": event.amount.map(groupedAmount) ?? "",
            "payment": event.paymentReference.map { " Mã thanh toán: \($0)." } ?? "",
            "returnMethod": d.returnMethod.vietnameseName,
        ]
        return NotificationMessage(
            id: item.id, kind: item.kind.rawValue, dossierCode: d.code,
            recipient: .init(name: d.applicant.name, phone: d.applicant.phone, email: d.applicant.email),
            text: Self.fill(template, values), createdAt: event.at)
    }

    /// `template` with each of its `{placeholder}`s replaced by its value, in one pass over the
    /// template: a value that itself holds braces (a name typed as "{reason}") is written as it
    /// is, never filled in turn. An unknown placeholder stays as written (the configuration
    /// refuses them at start).
    static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            out += values[name] ?? String(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

/// The notification outbox's relay.
public typealias NotificationRelay = OutboxRelay<NotificationPartner>

extension OutboxRelay where Partner == NotificationPartner {
    /// Nil without a gateway URL and secret (notifications then wait in the outbox).
    public init?(
        store: any DossierStore, settings: NotificationSettings, agencyName: @escaping @Sendable (String) -> String,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger, metrics: AppMetrics? = nil
    ) {
        guard let url = settings.gatewayURL.flatMap(URL.init(string:)), let secret = settings.webhookSecret,
              let webhooks = StandardWebhooks(secret: secret) else { return nil }
        let partner = NotificationPartner(store: store, settings: settings, gateway: url, webhooks: webhooks, agencyName: agencyName)
        self.init(
            partner: partner,
            policy: DeliveryPolicy(timing: settings.timing, concurrency: 1),
            now: now, logger: logger, metrics: metrics)
    }
}
