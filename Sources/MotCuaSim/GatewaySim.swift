import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import NIOCore
import Synchronization

/// A stand-in for the SMS / Zalo / e-mail gateway: it accepts notification deliveries on
/// `POST /messages`, checks their Standard Webhooks signature, records each message once (a
/// repeated `webhook-id` is acknowledged and counted as a duplicate), and lists what it received
/// on `GET /messages`. Faults on demand: fail the next N requests with 503 (with Retry-After),
/// refuse them with 400, or fail a share of them at random.
public final class GatewaySim: Sendable {
    public struct State: Sendable {
        public var messages: [NotificationMessage] = []
        public var requests = 0
        public var duplicates = 0
        public var rejectedSignatures = 0
        public var failNext = 0
        public var refuseNext = 0
    }

    private let state = Mutex(State())
    let webhooks: StandardWebhooks?
    let failRate: Double
    let retryAfter: Int?
    /// The clock signatures' timestamps are checked against (injected by tests).
    let now: @Sendable () -> Date

    public init(secret: String?, failRate: Double = 0, retryAfter: Int? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        webhooks = secret.flatMap { StandardWebhooks(secret: $0) }
        self.failRate = failRate
        self.retryAfter = retryAfter
        self.now = now
    }

    public var snapshot: State { state.withLock { $0 } }

    /// The next `count` deliveries get 503 (a retryable outage).
    public func failNext(_ count: Int) { state.withLock { $0.failNext = count } }
    /// The next `count` deliveries get 400 (a permanent refusal).
    public func refuseNext(_ count: Int) { state.withLock { $0.refuseNext = count } }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not ISO 8601: \(text)"))
            }
            return date
        }
        return decoder
    }()

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("messages") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 1_048_576)
            let bytes = Array(body.readableBytesView)
            let id = request.headers[HTTPField.Name("webhook-id")!]
            if let webhooks = self.webhooks {
                do {
                    try webhooks.verify(
                        id: id, timestamp: request.headers[HTTPField.Name("webhook-timestamp")!],
                        signature: request.headers[HTTPField.Name("webhook-signature")!], body: bytes, now: self.now())
                } catch {
                    self.state.withLock { $0.rejectedSignatures += 1 }
                    return Response(status: .unauthorized)
                }
            }
            enum Verdict { case fail, refuse, duplicate, accept }
            let verdict: Verdict = self.state.withLock { state in
                state.requests += 1
                if state.failNext > 0 { state.failNext -= 1; return .fail }
                if state.refuseNext > 0 { state.refuseNext -= 1; return .refuse }
                if self.failRate > 0, Double.random(in: 0..<1) < self.failRate { return .fail }
                if let id, state.messages.contains(where: { $0.id == id }) { state.duplicates += 1; return .duplicate }
                return .accept
            }
            switch verdict {
            case .fail:
                var headers = HTTPFields()
                if let retryAfter = self.retryAfter { headers[.retryAfter] = "\(retryAfter)" }
                return Response(status: .serviceUnavailable, headers: headers)
            case .refuse:
                return Response(status: .badRequest)
            case .duplicate:
                return Response(status: .ok)
            case .accept:
                guard let message = try? Self.decoder.decode(NotificationMessage.self, from: Data(bytes)) else {
                    return Response(status: .badRequest)
                }
                self.state.withLock { $0.messages.append(message) }
                return Response(status: .accepted)
            }
        }
        router.get("messages") { _, _ -> Response in
            SimHTTP.json(self.state.withLock { $0.messages })
        }
        return router
    }
}
