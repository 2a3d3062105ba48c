import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import ServiceLifecycle
import Synchronization

// One relay for every outbox partner (the post office, the notification gateway, the national
// portal): messages are written to their outbox in the transaction of the change that calls for
// them, and the relay delivers them from there, so a crash loses nothing and a partner's outage
// only delays.
//
// - Claim: due messages are taken with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so no
//   two instances send one message at once, and another takes over when the holder dies.
// - Send: with the message's id as `Idempotency-Key`: a message sent again after a crash has one
//   effect at the partner.
// - Answer: a 2xx is the partner's to read (`OutboxPartner.accepted`). A 408, 425, 429, 5xx, a
//   timeout or a network error is transient: retried with exponential backoff and jitter, never
//   sooner than `Retry-After`, for `retryHours` since the message was created (or since an
//   officer retried it by hand). Any other 4xx is a refusal: a dead letter at once.
//
// Budgeted by time, not attempts: with a budget of 10 attempts, a 60-second outage of the post
// office under load used 5–6 of them, and two orders went dead 15 minutes later (issue #17).

/// What a partner of the relay supplies: its outbox, its request and its reading of an answer.
public protocol OutboxPartner: Sendable {
    associatedtype Item: Sendable
    /// The outbox's name in logs and metrics: `postal`, `notifications`.
    var name: String { get }
    /// Statuses retried besides 408, 425, 429 and 5xx.
    var alsoTransient: Set<Int> { get }
    func claim(now: Date, lease: TimeInterval, limit: Int) async throws -> [Item]
    func record(_ item: Item, outcome: DeliveryOutcome) async throws
    /// The message's id (its `Idempotency-Key`), attempts made, and since when it is retried.
    func progress(of item: Item) -> (id: String, attempts: Int, retrySince: Date)
    /// The request that delivers the item (the relay adds `Idempotency-Key`), or why none can be made.
    func request(for item: Item, now: Date) async -> PartnerRequest
    /// What a 2xx answer means.
    func accepted(_ item: Item, status: Int, body: Data, now: Date) async -> DeliveryOutcome
}

public enum PartnerRequest: Sendable {
    case send(URLRequest)
    /// Nothing to send now (the store did not answer): try again later.
    case retry(String)
    /// Nothing can ever be sent (the dossier is gone): a dead letter.
    case dead(String)
}

/// How a relay paces one outbox (from its configuration section).
public struct DeliveryPolicy: Sendable {
    /// The partner's configured retries, backoff, poll and timeout.
    var timing: DeliveryTiming
    /// Messages in flight at once.
    var concurrency: Int
    /// Messages started per second at most (nil: as fast as the partner answers).
    var maxPerSecond: Double? = nil
}

/// Spaces the starts of sends `interval` apart, across passes: the next start is reserved under a
/// lock, so concurrent senders never bunch up.
final class Pacer: Sendable {
    let interval: Duration
    private let next = Mutex(ContinuousClock.now)

    init(perSecond: Double) {
        interval = .nanoseconds(Int64(1e9 / perSecond))
    }

    func wait() async {
        let slot = next.withLock { next in
            let slot = max(next, ContinuousClock.now)
            next = slot + interval
            return slot
        }
        if slot > ContinuousClock.now { try? await Task.sleep(until: slot, clock: .continuous) }
    }
}

extension DeliveryOutcome {
    /// What follows a transient failure of a message retried since `since`, `attempts` made
    /// before this one: the next attempt after an exponential backoff with jitter (never sooner
    /// than the partner's `Retry-After`, never later than `maxBackoff`, and never past the end of
    /// the window, where one last attempt is made), or a dead letter once the window is over.
    static func next(
        after attempts: Int, since: Date, retryHours: Double, backoff: Double, maxBackoff: Double, retryAfter: Double?, error: String,
        now: Date
    ) -> DeliveryOutcome {
        let end = since.addingTimeInterval(retryHours * 3_600)
        guard now < end else {
            return .dead(error: "\(error) after \(attempts + 1) attempts in \(Self.duration(now.timeIntervalSince(since)))")
        }
        let exponential = min(maxBackoff, backoff * pow(2, Double(min(attempts, 40))))
        let delay = max(exponential * Double.random(in: 0.5...1.0), min(retryAfter ?? 0, maxBackoff))
        return .retry(at: min(now.addingTimeInterval(delay), end), error: error)
    }

    static func duration(_ seconds: TimeInterval) -> String {
        seconds >= 3_600 ? String(format: "%.1f h", seconds / 3_600) : seconds >= 60 ? "\(Int(seconds / 60)) min" : "\(Int(seconds)) s"
    }
}

public struct OutboxRelay<Partner: OutboxPartner>: Service {
    let partner: Partner
    let policy: DeliveryPolicy
    let session: URLSession
    let now: @Sendable () -> Date
    let logger: Logger
    let metrics: AppMetrics?
    let pacer: Pacer?

    init(partner: Partner, policy: DeliveryPolicy, now: @escaping @Sendable () -> Date, logger: Logger, metrics: AppMetrics?) {
        self.partner = partner
        self.policy = policy
        self.now = now
        self.logger = logger
        self.metrics = metrics
        pacer = policy.maxPerSecond.map(Pacer.init(perSecond:))
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = policy.timing.timeoutSeconds
        configuration.httpMaximumConnectionsPerHost = max(policy.concurrency, 1)
        session = URLSession(configuration: configuration)
    }

    public func run() async throws {
        logger.info("outbox relay started", metadata: ["outbox": "\(partner.name)"])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // A pass that delivered nothing (nothing due, or the partner away) waits a poll
            // interval: without that wait a relay whose partner was down kept retrying whatever
            // backoff had just made due, 0.7 of a core while the portal was down with 7,700
            // messages waiting (measured; intakes on the same cores paid for it).
            if await deliverPass().delivered == 0 {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(policy.timing.pollSeconds * 1000))) }
            }
        }
    }

    /// How long a relay holds the messages it claimed: the rounds it sends them in, each up to
    /// its timeout, plus a margin. Another instance, or this one restarted after a crash, takes
    /// them over once it has run out: claims are kept small so that this stays short (25 s for
    /// two rounds at the default 10 s timeout).
    static func lease(rounds: Int, timeout: TimeInterval) -> TimeInterval {
        Double(max(rounds, 1)) * timeout + 5
    }

    /// One pass over the messages due now, at most `limit`; returns how many were attempted.
    @discardableResult
    public func deliverDue(limit: Int = 64) async -> Int {
        await deliverPass(limit: limit).attempted
    }

    /// One pass over the messages due now, at most `limit`: claimed two rounds' worth at a time
    /// (`2 × concurrency`, held for two send timeouts) and sent `concurrency` at a time, the next
    /// as soon as one is done.
    func deliverPass(limit: Int = 64) async -> (attempted: Int, delivered: Int) {
        let concurrency = max(policy.concurrency, 1)
        var attempted = 0
        var delivered = 0
        while attempted < limit {
            let wanted = min(2 * concurrency, limit - attempted)
            let items: [Partner.Item]
            do {
                // Held for two send timeouts, plus the time the pacing spreads the sends over.
                let lease = Self.lease(rounds: 2, timeout: policy.timing.timeoutSeconds) + (policy.maxPerSecond.map { Double(wanted) / $0 } ?? 0)
                items = try await partner.claim(now: now(), lease: lease, limit: wanted)
            } catch {
                logger.error("outbox unreadable", metadata: ["outbox": "\(partner.name)", "error": "\(error)"])
                return (attempted, delivered)
            }
            delivered += await withTaskGroup(of: Bool.self) { group in
                var next = 0
                func launch() {
                    let item = items[next]
                    next += 1
                    group.addTask {
                        await pacer?.wait()
                        let outcome = await attempt(item)
                        metrics?.delivery(outbox: partner.name, outcome: outcome.label)
                        do {
                            try await partner.record(item, outcome: outcome)
                        } catch {
                            let id = partner.progress(of: item).id
                            logger.error("outbox outcome not recorded", metadata: ["outbox": "\(partner.name)", "id": "\(id)", "error": "\(error)"])
                        }
                        if case .delivered = outcome { return true }
                        return false
                    }
                }
                while next < min(items.count, concurrency) { launch() }
                var delivered = 0
                while let done = await group.next() {
                    if done { delivered += 1 }
                    if next < items.count { launch() }
                }
                return delivered
            }
            attempted += items.count
            if items.count < wanted { break }
        }
        return (attempted, delivered)
    }

    func attempt(_ item: Partner.Item) async -> DeliveryOutcome {
        let (id, _, _) = partner.progress(of: item)
        var request: URLRequest
        switch await partner.request(for: item, now: now()) {
        case let .send(built): request = built
        case let .retry(error): return retry(item, error: error, retryAfter: nil)
        case let .dead(error): return .dead(error: error)
        }
        request.setValue(id, forHTTPHeaderField: "Idempotency-Key")
        let data: Data
        let response: HTTPURLResponse
        do {
            (data, response) = try await session.exchange(request)
        } catch {
            return retry(item, error: error.localizedDescription, retryAfter: nil)
        }
        let status = response.statusCode
        let transient = [408, 425, 429].contains(status) || (500...599).contains(status) || partner.alsoTransient.contains(status)
        switch status {
        case 200..<300:
            return await partner.accepted(item, status: status, body: data, now: now())
        case _ where transient:
            let retryAfter = response.value(forHTTPHeaderField: "Retry-After").flatMap(Double.init)
            return retry(item, error: "HTTP \(status)" + Self.detail(data), retryAfter: retryAfter)
        default:
            logger.warning("message refused by the partner", metadata: ["outbox": "\(partner.name)", "id": "\(id)", "status": "\(status)"])
            return .dead(error: "HTTP \(status)" + Self.detail(data))
        }
    }

    /// The next attempt within the message's window, or a dead letter once it is over.
    func retry(_ item: Partner.Item, error: String, retryAfter: Double?) -> DeliveryOutcome {
        let (_, attempts, since) = partner.progress(of: item)
        return DeliveryOutcome.next(
            after: attempts, since: since, retryHours: policy.timing.retryHours, backoff: policy.timing.backoffSeconds,
            maxBackoff: policy.timing.maxBackoffSeconds, retryAfter: retryAfter, error: error, now: now())
    }

    /// The partner's problem detail, shortened, for the dead-letter list.
    static func detail(_ data: Data) -> String {
        guard !data.isEmpty else { return "" }
        if let said = try? JSONDecoder().decode(PartnerSaid.self, from: data), let detail = said.detail ?? said.title ?? said.error {
            return ": " + String(detail.prefix(300))
        }
        return ": " + String(decoding: data.prefix(300), as: UTF8.self)
    }
}

/// What a partner's error answer says: a problem document, or the `error` field many partners use.
struct PartnerSaid: Decodable {
    var detail: String?
    var title: String?
    var error: String?
}
