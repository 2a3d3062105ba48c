import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaCore
import NIOCore
import Synchronization

/// A stand-in for the post office's (BCCI) partner API, for local runs, demos and tests.
///
/// It accepts orders on `POST /orders` (checking every field, answering 422 with the field and
/// the reason), honours `Idempotency-Key` (the same key and body get the same waybill, another
/// body with the key a 422), assigns UPU S10 waybill codes (`EB123456785VN`), and then walks each
/// parcel through its life on a timer, telling MotCua at `webhookURL` with Standard Webhooks
/// deliveries it retries until they are acknowledged. Faults on demand: a share of 5xx answers,
/// latency, answers held past the client's timeout (the order is taken, the answer lost),
/// duplicate, out-of-order and forged webhooks, failed deliveries, and a whole outage.
public final class PostalSim: Sendable {
    public struct Faults: Sendable {
        /// Share of order requests answered 503 (with Retry-After: 1) without effect.
        public var failRate = 0.0
        /// Added to every answer except an outage's (an accepted order is taken first, then answered).
        public var latency: Duration = .zero
        /// Share of order requests taken but answered only after `hang` (past the client's timeout).
        public var timeoutRate = 0.0
        public var hang: Duration = .seconds(30)
        /// Share of webhook events sent twice (half with the same `webhook-id`, half with a new one).
        public var duplicateRate = 0.0
        /// Share of parcels whose last two events are sent in the wrong order.
        public var reorderRate = 0.0
        /// Share of webhook events preceded by a forged copy (bad signature).
        public var forgeRate = 0.0
        /// Share of deliveries that fail (then return to sender) instead of reaching the applicant.
        public var deliveryFailureRate = 0.0

        public init() {}
    }

    public struct Order: Sendable, Codable, Equatable {
        public var request: PostalOrderRequest
        public var waybill: String
        public var key: String
        public var createdAt: Date
        /// The events told to MotCua and acknowledged, in the order sent.
        public var acknowledged: [String]
    }

    public struct Stats: Sendable, Codable, Equatable {
        public var requests = 0
        public var created = 0
        /// Requests with a key seen before, answered with the first waybill.
        public var replays = 0
        public var rejected = 0
        public var unauthorized = 0
        public var injectedFailures = 0
        public var injectedTimeouts = 0
        public var outageRefusals = 0
        public var webhooksSent = 0
        public var webhooksAcknowledged = 0
        public var webhookRetries = 0
        public var duplicatesSent = 0
        public var reordered = 0
        public var forgedSent = 0
        public var forgedRejected = 0
        public var deliveryFailures = 0
    }

    struct State: Sendable {
        var orders: [String: Order] = [:]
        var byWaybill: [String: String] = [:]
        var stats = Stats()
        var down = false
        var serial = 0
        var tasks: [Task<Void, Never>] = []
        /// Parcels whose events are not all acknowledged yet.
        var journeys = 0
        /// After `stop()`: orders are still taken, but no parcel walks any more.
        var stopped = false
    }

    private let state = Mutex(State())
    let webhookURL: URL?
    let webhooks: StandardWebhooks?
    let forger = StandardWebhooks(secret: "whsec_" + Data("not the partner's key, a forger's".utf8).base64EncodedString())!
    let apiKey: String?
    let faults: Faults
    /// Time between two events of a parcel.
    let step: Duration
    let session: URLSession
    let now: @Sendable () -> Date

    public init(
        webhookURL: URL?, secret: String?, apiKey: String? = nil, faults: Faults = Faults(), step: Duration = .milliseconds(500),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.webhookURL = webhookURL
        webhooks = secret.flatMap { StandardWebhooks(secret: $0) }
        self.apiKey = apiKey
        self.faults = faults
        self.step = step
        self.now = now
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        session = URLSession(configuration: configuration)
    }

    public var stats: Stats { state.withLock { $0.stats } }
    public var orders: [Order] { state.withLock { Array($0.orders.values) }.sorted { $0.createdAt < $1.createdAt } }

    /// An outage: every request is answered 503 until it ends.
    public func setDown(_ down: Bool) { state.withLock { $0.down = down } }

    /// Stops the parcels' timers, and starts none for orders taken from now on.
    public func stop() {
        let tasks = state.withLock { state in
            state.stopped = true
            defer { state.tasks = [] }
            return state.tasks
        }
        for task in tasks { task.cancel() }
    }

    /// Waits until every parcel walked to its end and MotCua acknowledged each event, or `timeout`.
    public func settle(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.journeys }) == 0 { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    // MARK: The partner API

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("orders") { request, _ -> Response in
            try await self.order(request)
        }
        router.get("orders/{waybill}") { _, context -> Response in
            let waybill = try context.parameters.require("waybill")
            guard let order = self.state.withLock({ state in state.byWaybill[waybill].flatMap { state.orders[$0] } }) else {
                return Self.problem(404, "Không tìm thấy bưu gửi.")
            }
            return Self.json(order, status: .ok)
        }
        SimHTTP.addControls(to: router, stats: { self.stats }, setDown: { self.setDown($0) })
        return router
    }

    func order(_ request: Request) async throws -> Response {
        let response = try await answer(request)
        if faults.latency > .zero, response.status != .serviceUnavailable || !state.withLock({ $0.down }) {
            try await Task.sleep(for: faults.latency)
        }
        return response
    }

    func answer(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 262_144)
        enum Gate { case down, fail, unauthorized, open }
        let gate: Gate = state.withLock { state in
            state.stats.requests += 1
            if state.down { state.stats.outageRefusals += 1; return .down }
            if let key = apiKey, request.headers[.authorization] != "Bearer \(key)" { state.stats.unauthorized += 1; return .unauthorized }
            if faults.failRate > 0, Double.random(in: 0..<1) < faults.failRate { state.stats.injectedFailures += 1; return .fail }
            return .open
        }
        switch gate {
        case .down, .fail:
            return SimHTTP.unavailable(title: "Hệ thống bưu chính tạm ngừng")
        case .unauthorized:
            return Self.problem(401, "Thiếu hoặc sai khóa API (Authorization: Bearer …).")
        case .open:
            break
        }
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty, key.utf8.count <= 255 else {
            state.withLock { $0.stats.rejected += 1 }
            return Self.problem(400, "Thiếu tiêu đề Idempotency-Key.")
        }
        let order: PostalOrderRequest
        do {
            order = try JSONDecoder().decode(PostalOrderRequest.self, from: Data(body.readableBytesView))
        } catch {
            state.withLock { $0.stats.rejected += 1 }
            return Self.problem(400, "Nội dung đơn không phải JSON hợp lệ theo hợp đồng: \(error)")
        }
        let problems = Self.problems(order)
        guard problems.isEmpty else {
            state.withLock { $0.stats.rejected += 1 }
            return Self.problem(422, problems.map { "\($0.field): \($0.reason)" }.joined(separator: "; "), errors: problems)
        }
        enum Outcome { case created(Order), replay(Order), conflict }
        let outcome: Outcome = state.withLock { state in
            if let existing = state.orders[key] {
                guard existing.request == order else { return .conflict }
                state.stats.replays += 1
                return .replay(existing)
            }
            state.serial += 1
            let waybill = Self.waybill(serial: state.serial, direction: order.direction)
            let created = Order(request: order, waybill: waybill, key: key, createdAt: now(), acknowledged: [])
            state.orders[key] = created
            state.byWaybill[waybill] = key
            state.stats.created += 1
            return .created(created)
        }
        switch outcome {
        case .conflict:
            state.withLock { $0.stats.rejected += 1 }
            return Self.problem(422, "Idempotency-Key đã dùng cho một đơn khác.")
        case let .replay(existing):
            return Self.json(PostalOrderResponse(orderNumber: existing.request.orderNumber, waybill: existing.waybill), status: .ok)
        case let .created(created):
            startJourney(created)
            if faults.timeoutRate > 0, Double.random(in: 0..<1) < faults.timeoutRate {
                state.withLock { $0.stats.injectedTimeouts += 1 }
                try? await Task.sleep(for: faults.hang)
            }
            return Self.json(PostalOrderResponse(orderNumber: created.request.orderNumber, waybill: created.waybill), status: .created)
        }
    }

    static func problems(_ order: PostalOrderRequest) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func required(_ value: String?, _ field: String, limit: Int = 300) {
            guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                problems.append(FieldProblem(field: field, reason: "bắt buộc"))
                return
            }
            if value.count > limit { problems.append(FieldProblem(field: field, reason: "dài quá \(limit) ký tự")) }
        }
        required(order.orderNumber, "orderNumber", limit: 80)
        required(order.dossierCode, "dossierCode", limit: 64)
        required(order.service, "service", limit: 32)
        if !order.orderNumber.hasPrefix(order.dossierCode + "-") {
            problems.append(FieldProblem(field: "orderNumber", reason: "phải bắt đầu bằng mã hồ sơ"))
        }
        for (party, name) in [(order.sender, "sender"), (order.receiver, "receiver")] {
            required(party.name, "\(name).name", limit: 200)
            required(party.address, "\(name).address")
            required(party.ward, "\(name).ward", limit: 200)
            required(party.province, "\(name).province", limit: 200)
            let digits = party.phone.hasPrefix("+84") ? "0" + party.phone.dropFirst(3) : party.phone
            if !((10...11).contains(digits.count) && digits.hasPrefix("0") && digits.allSatisfy { $0.isASCII && $0.isNumber }) {
                problems.append(FieldProblem(field: "\(name).phone", reason: "số điện thoại không hợp lệ"))
            }
        }
        if order.cod < 0 || order.cod > 1_000_000_000 { problems.append(FieldProblem(field: "cod", reason: "từ 0 đến 1 tỷ đồng")) }
        if let notes = order.notes, notes.count > 1000 { problems.append(FieldProblem(field: "notes", reason: "dài quá 1000 ký tự")) }
        return problems
    }

    /// A UPU S10 item identifier: service indicator, 8 digits, the check digit, "VN".
    static func waybill(serial: Int, direction: PostalDirection) -> String {
        S10.identifier(prefix: direction == .pickup ? "EA" : "EB", number: serial * 7919 + 10_000_000)
    }

    // MARK: The parcel's life, told by webhook

    func startJourney(_ order: Order) {
        var events: [ShipmentStatus] = order.request.direction == .pickup
            ? [.accepted, .pickedUp, .deliveredToDesk]
            : [.accepted, .outForDelivery, .delivered]
        if order.request.direction == .delivery, faults.deliveryFailureRate > 0, Double.random(in: 0..<1) < faults.deliveryFailureRate {
            events = [.accepted, .outForDelivery, .deliveryFailed, .returnedToSender]
            state.withLock { $0.stats.deliveryFailures += 1 }
        }
        if faults.reorderRate > 0, Double.random(in: 0..<1) < faults.reorderRate {
            events.swapAt(events.count - 1, events.count - 2)
            state.withLock { $0.stats.reordered += 1 }
        }
        guard webhookURL != nil, webhooks != nil else { return }
        let started = state.withLock { state in
            guard !state.stopped else { return false }
            state.journeys += 1
            return true
        }
        guard started else { return }
        let task = Task {
            defer { state.withLock { $0.journeys -= 1 } }
            for (index, status) in events.enumerated() {
                try? await Task.sleep(for: step)
                if Task.isCancelled { return }
                let note = status == .deliveryFailed ? "Người nhận vắng nhà, đã liên hệ không được." : nil
                let payload = PostalWebhookPayload(
                    status: status, at: now(), data: .init(waybill: order.waybill, orderNumber: order.request.orderNumber, note: note))
                let id = "evt_\(order.waybill)_\(index)"
                if faults.forgeRate > 0, Double.random(in: 0..<1) < faults.forgeRate { await forge(payload, id: id) }
                guard await deliver(payload, id: id) else { return }
                state.withLock { $0.orders[order.key]?.acknowledged.append(payload.type) }
                if faults.duplicateRate > 0, Double.random(in: 0..<1) < faults.duplicateRate {
                    state.withLock { $0.stats.duplicatesSent += 1 }
                    _ = await deliver(payload, id: Bool.random() ? id : id + "_again")
                }
            }
        }
        state.withLock { state in
            // `stop()` may have come while the task was being made.
            if state.stopped { task.cancel() } else { state.tasks.append(task) }
        }
    }

    /// Sends one event until MotCua acknowledges it (2xx), with backoff; false when cancelled.
    func deliver(_ payload: PostalWebhookPayload, id: String) async -> Bool {
        guard let webhookURL, let webhooks, let body = try? WireJSON.encode(payload) else { return false }
        var delay = 0.2
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            var request = URLRequest(url: webhookURL)
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            for (name, value) in webhooks.headers(id: id, timestamp: Int(now().timeIntervalSince1970), body: Array(body)) {
                request.setValue(value, forHTTPHeaderField: name)
            }
            state.withLock { $0.stats.webhooksSent += 1; if attempt > 1 { $0.stats.webhookRetries += 1 } }
            if let (_, response) = try? await session.exchange(request), (200..<300).contains(response.statusCode) {
                state.withLock { $0.stats.webhooksAcknowledged += 1 }
                return true
            }
            try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            delay = min(delay * 2, 5)
        }
        return false
    }

    /// A copy signed with the wrong key: MotCua must refuse it (401) and change nothing.
    func forge(_ payload: PostalWebhookPayload, id: String) async {
        guard let webhookURL, let body = try? WireJSON.encode(payload) else { return }
        var request = URLRequest(url: webhookURL)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in forger.headers(id: id, timestamp: Int(now().timeIntervalSince1970), body: Array(body)) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        state.withLock { $0.stats.forgedSent += 1 }
        if let (_, response) = try? await session.exchange(request), response.statusCode == 401 {
            state.withLock { $0.stats.forgedRejected += 1 }
        }
    }

    // MARK: Answers

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status) -> Response {
        SimHTTP.json(value, status: status)
    }

    static func problem(_ status: Int, _ detail: String, errors: [FieldProblem]? = nil) -> Response {
        let title = status == 422 ? "Đơn không hợp lệ" : status == 401 ? "Chưa xác thực" : status == 404 ? "Không tìm thấy" : "Yêu cầu không hợp lệ"
        return SimHTTP.problem(status, title: title, detail: detail, errors: errors)
    }
}
