import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import ServiceLifecycle

extension DeliveryOutcome {
    /// What follows a failed attempt of an outbox delivery (`attempts` made before this one): the
    /// next attempt after an exponential backoff with jitter (never sooner than the partner's
    /// `Retry-After`, never later than `maxBackoff`), or a dead letter after the last allowed one.
    static func next(
        after attempts: Int, of maxAttempts: Int, backoff: Double, maxBackoff: Double, retryAfter: Double?, error: String, now: Date
    ) -> DeliveryOutcome {
        guard attempts + 1 < maxAttempts else { return .dead(error: "\(error) after \(attempts + 1) attempts") }
        let exponential = min(maxBackoff, backoff * pow(2, Double(attempts)))
        let delay = max(exponential * Double.random(in: 0.5...1.0), min(retryAfter ?? 0, maxBackoff))
        return .retry(at: now.addingTimeInterval(delay), error: error)
    }
}

/// What the gateway receives for one notification (JSON, signed per Standard Webhooks).
public struct NotificationMessage: Codable, Sendable, Equatable {
    public struct Recipient: Codable, Sendable, Equatable {
        public var name: String
        public var phone: String
        public var email: String?
    }

    public var id: String
    public var kind: String
    public var dossierCode: String
    public var recipient: Recipient
    public var text: String
    public var createdAt: Date
}

/// Delivers the notification outbox to the configured gateway (an SMS, Zalo or e-mail gateway):
/// the Vietnamese template of each kind filled from the dossier and its event, sent to the
/// applicant's contact data, signed like the postal webhooks. A 2xx delivers it; a 408, 429, 5xx,
/// timeout or network error retries it with exponential backoff and jitter (honouring
/// `Retry-After`); another 4xx, or the last allowed attempt, makes it a dead letter.
public struct NotificationRelay: Service {
    let store: any DossierStore
    let settings: NotificationSettings
    let gateway: URL
    let webhooks: StandardWebhooks
    let agencyName: @Sendable (String) -> String
    let now: @Sendable () -> Date
    let logger: Logger
    let session: URLSession
    let metrics: AppMetrics?

    public init?(
        store: any DossierStore, settings: NotificationSettings, agencyName: @escaping @Sendable (String) -> String,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger, metrics: AppMetrics? = nil
    ) {
        guard let url = settings.gatewayURL.flatMap(URL.init(string:)), let secret = settings.webhookSecret,
              let webhooks = StandardWebhooks(secret: secret) else { return nil }
        self.store = store
        self.settings = settings
        gateway = url
        self.webhooks = webhooks
        self.agencyName = agencyName
        self.now = now
        self.logger = logger
        self.metrics = metrics
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = settings.timeoutSeconds
        session = URLSession(configuration: configuration)
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let sent = await deliverDue()
            if sent == 0 {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(settings.pollSeconds * 1000))) }
            }
        }
    }

    /// How long a relay holds the messages it claimed: the rounds it sends them in (`rounds`
    /// messages one after another, or one round when all go at once), each up to its timeout,
    /// plus a margin. Another instance, or this one restarted after a crash, takes them over
    /// once it has run out: claims are kept small so that this stays short (15 s for a round
    /// at the default 10 s timeout).
    static func lease(rounds: Int, timeout: TimeInterval) -> TimeInterval {
        Double(max(rounds, 1)) * timeout + 5
    }

    /// One pass over the notifications due now, at most `limit`, sent one after another, each
    /// claimed just before it is sent for one timeout; returns how many were attempted.
    @discardableResult
    public func deliverDue(limit: Int = 50) async -> Int {
        var attempted = 0
        while attempted < limit {
            let item: OutboxItem
            do {
                guard let claimed = try await store.claimDueNotifications(
                    now: now(), lease: Self.lease(rounds: 1, timeout: settings.timeoutSeconds), limit: 1).first
                else { break }
                item = claimed
            } catch {
                logger.error("notification outbox unreadable", metadata: ["error": "\(error)"])
                break
            }
            let outcome = await attempt(item)
            metrics?.delivery(outbox: "notifications", outcome: outcome.label)
            do {
                try await store.recordDelivery(item.id, outcome: outcome)
            } catch {
                logger.error("notification outcome not recorded", metadata: ["id": "\(item.id)", "error": "\(error)"])
            }
            attempted += 1
        }
        return attempted
    }

    func attempt(_ item: OutboxItem) async -> DeliveryOutcome {
        let message: NotificationMessage
        do {
            guard let dossier = try await store.dossier(code: item.code),
                  let event = try await store.events(dossierID: dossier.id).first(where: { $0.sequence == item.sequence })
            else { return .dead(error: "dossier or event missing") }
            message = render(item, dossier: dossier, event: event)
        } catch {
            return retry(item, error: "store: \(error)", retryAfter: nil)
        }
        let body: Data
        do {
            body = try Self.encoder.encode(message)
        } catch {
            return .dead(error: "encoding: \(error)")
        }
        var request = URLRequest(url: gateway)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue(item.id, forHTTPHeaderField: "Idempotency-Key")
        for (name, value) in webhooks.headers(id: item.id, timestamp: Int(now().timeIntervalSince1970), body: Array(body)) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        do {
            let (_, response) = try await session.exchange(request)
            let status = response.statusCode
            let retryAfter = response.value(forHTTPHeaderField: "Retry-After").flatMap(Double.init)
            switch status {
            case 200..<300:
                logger.info("notification delivered", metadata: ["id": "\(item.id)", "kind": "\(item.kind.rawValue)"])
                return .delivered(at: now())
            case 408, 429, 500...599:
                return retry(item, error: "HTTP \(status)", retryAfter: retryAfter)
            default:
                logger.warning("notification refused by the gateway", metadata: ["id": "\(item.id)", "status": "\(status)"])
                return .dead(error: "HTTP \(status)")
            }
        } catch {
            return retry(item, error: "\(error.localizedDescription)", retryAfter: nil)
        }
    }

    /// The next attempt, with exponential backoff and jitter, or a dead letter after the last.
    func retry(_ item: OutboxItem, error: String, retryAfter: Double?) -> DeliveryOutcome {
        DeliveryOutcome.next(
            after: item.attempts, of: settings.maxAttempts, backoff: settings.backoffSeconds, maxBackoff: settings.maxBackoffSeconds,
            retryAfter: retryAfter, error: error, now: now())
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(WorkCalendar.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

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
        var text = template
        for (key, value) in values { text = text.replacingOccurrences(of: "{\(key)}", with: value) }
        return NotificationMessage(
            id: item.id, kind: item.kind.rawValue, dossierCode: d.code,
            recipient: .init(name: d.applicant.name, phone: d.applicant.phone, email: d.applicant.email), text: text, createdAt: event.at)
    }
}
