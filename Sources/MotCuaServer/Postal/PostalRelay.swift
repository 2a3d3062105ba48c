import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import ServiceLifecycle

/// Sends the postal outbox to the post office: `POST {partnerURL}/orders`, the order number as
/// `Idempotency-Key` (a retry has exactly one effect at the partner). A 2xx with a waybill records
/// the waybill on the dossier, and takes the order out of the queue, in one transaction; a 408,
/// 409, 425, 429, 5xx, timeout or network error retries with exponential backoff and jitter,
/// honouring `Retry-After`; another 4xx, or the last allowed attempt, makes a dead letter that
/// officers list and retry by hand. Orders are read from the database on every pass, so a
/// restart loses nothing, and an order sent just before a crash is sent again under the same key.
public struct PostalRelay: Service {
    let dependencies: AppDependencies
    let settings: PostalSettings
    let endpoint: URL
    let session: URLSession
    /// Orders in flight at once.
    let concurrency: Int

    public init?(dependencies: AppDependencies, concurrency: Int = 8) {
        settings = dependencies.configuration.postal
        guard let base = settings.partnerURL.flatMap(URL.init(string:)) else { return nil }
        self.dependencies = dependencies
        endpoint = base.appendingPathComponent("orders")
        self.concurrency = concurrency
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = settings.timeoutSeconds
        configuration.httpMaximumConnectionsPerHost = concurrency
        session = URLSession(configuration: configuration)
    }

    var store: any DossierStore { dependencies.store }
    var logger: Logger { dependencies.logger }

    public func run() async throws {
        logger.info("postal relay started", metadata: ["partner": "\(endpoint.absoluteString)"])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let sent = await deliverDue()
            if sent == 0 {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(settings.pollSeconds * 1000))) }
            }
        }
    }

    /// One pass over the orders due now, at most `limit`: claimed two rounds' worth at a time
    /// (`2 × concurrency`, held for two send timeouts, so that a crash holds them back only that
    /// long) and sent `concurrency` at a time, the next as soon as one is done; returns how many
    /// were attempted.
    @discardableResult
    public func deliverDue(limit: Int = 64) async -> Int {
        var attempted = 0
        while attempted < limit {
            let wanted = min(2 * concurrency, limit - attempted)
            let items: [PostalOrderItem]
            do {
                items = try await store.claimDuePostalOrders(
                    now: dependencies.now(), lease: NotificationRelay.lease(rounds: 2, timeout: settings.timeoutSeconds), limit: wanted)
            } catch {
                logger.error("postal outbox unreadable", metadata: ["error": "\(error)"])
                return attempted
            }
            await withTaskGroup(of: Void.self) { group in
                var next = 0
                func launch() {
                    let item = items[next]
                    next += 1
                    group.addTask {
                        let outcome = await attempt(item)
                        dependencies.metrics.delivery(outbox: "postal", outcome: outcome.label)
                        do {
                            try await store.recordPostalAttempt(item.id, outcome: outcome)
                        } catch {
                            logger.error("postal order outcome not recorded", metadata: ["order": "\(item.id)", "error": "\(error)"])
                        }
                    }
                }
                while next < min(items.count, concurrency) { launch() }
                while await group.next() != nil {
                    if next < items.count { launch() }
                }
            }
            attempted += items.count
            if items.count < wanted { break }
        }
        return attempted
    }

    func attempt(_ item: PostalOrderItem) async -> DeliveryOutcome {
        let order: PostalOrderRequest
        do {
            guard let dossier = try await store.dossier(code: item.code),
                  let shipment = dossier.shipments?.first(where: { $0.orderNumber == item.id }) else {
                return .dead(error: "dossier or order missing")
            }
            order = PostalOrders.request(for: shipment, dossier: dossier, tree: dependencies.catalogue.tree, service: settings.service)
        } catch {
            return retry(item, error: "store: \(error)", retryAfter: nil)
        }
        var request = URLRequest(url: endpoint)
        request.httpMethod = "POST"
        do {
            request.httpBody = try JSONEncoder().encode(order)
        } catch {
            return .dead(error: "encoding: \(error)")
        }
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue(item.id, forHTTPHeaderField: "Idempotency-Key")
        if let key = settings.apiKey { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let data: Data
        let response: HTTPURLResponse
        do {
            (data, response) = try await session.exchange(request)
        } catch {
            return retry(item, error: error.localizedDescription, retryAfter: nil)
        }
        let status = response.statusCode
        switch status {
        case 200..<300:
            guard let accepted = try? JSONDecoder().decode(PostalOrderResponse.self, from: data), !accepted.waybill.isEmpty,
                  accepted.waybill.utf8.count <= 64 else {
                return .dead(error: "HTTP \(status) without a waybill")
            }
            do {
                try await record(item, waybill: accepted.waybill)
            } catch let error as DomainError {
                logger.error("postal order answer refused", metadata: ["order": "\(item.id)", "error": "\(error)"])
                return .dead(error: "answer refused: \(error)")
            } catch {
                return retry(item, error: "store: \(error)", retryAfter: nil)
            }
            logger.info("postal order accepted", metadata: ["order": "\(item.id)", "waybill": "\(accepted.waybill)"])
            return .delivered(at: dependencies.now())
        case 408, 409, 425, 429, 500...599:
            let retryAfter = response.value(forHTTPHeaderField: "Retry-After").flatMap(Double.init)
            return retry(item, error: "HTTP \(status)" + Self.detail(data), retryAfter: retryAfter)
        default:
            logger.warning("postal order refused by the partner", metadata: ["order": "\(item.id)", "status": "\(status)"])
            return .dead(error: "HTTP \(status)" + Self.detail(data))
        }
    }

    /// The waybill on the dossier; the same transaction takes the order out of the queue.
    func record(_ item: PostalOrderItem, waybill: String) async throws {
        let now = dependencies.now()
        let calendar = dependencies.calendars.calendar(forAgency: item.agencyID)
        _ = try await store.apply(code: item.code) { current in
            let context = DecisionContext(actor: PostalOrders.actor(agencyID: current.currentAgencyID), now: now, calendar: calendar)
            let update = PostalUpdate(orderNumber: item.id, waybill: waybill, status: .accepted, at: now)
            return try Lifecycle.decide(.postalUpdate(update), dossier: current, context: context)
        }
    }

    /// The partner's problem detail, shortened, for the dead-letter list.
    static func detail(_ data: Data) -> String {
        guard !data.isEmpty else { return "" }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let detail = (object["detail"] ?? object["title"] ?? object["error"]) as? String {
            return ": " + String(detail.prefix(300))
        }
        return ": " + String(decoding: data.prefix(300), as: UTF8.self)
    }

    /// The next attempt, with exponential backoff and jitter, or a dead letter after the last.
    func retry(_ item: PostalOrderItem, error: String, retryAfter: Double?) -> DeliveryOutcome {
        DeliveryOutcome.next(
            after: item.attempts, of: settings.maxAttempts, backoff: settings.backoffSeconds, maxBackoff: settings.maxBackoffSeconds,
            retryAfter: retryAfter, error: error, now: dependencies.now())
    }
}

/// Building orders from dossiers; shared by the relay and the officers' views.
public enum PostalOrders {
    /// The post office, acting on its own signed word.
    public static func actor(agencyID: String) -> Actor {
        Actor(id: "bcci", name: "Bưu điện (dịch vụ bưu chính công ích)", role: .system, agencyID: agencyID)
    }

    public static func request(for shipment: Shipment, dossier: Dossier, tree: AgencyTree, service: String) -> PostalOrderRequest {
        let applicant = PostalParty(shipment.address)
        let desk = deskParty(agencyID: shipment.direction == .pickup ? dossier.agencyID : dossier.currentAgencyID, tree: tree)
        let notes: String = switch shipment.direction {
        case .pickup: "Thu gom hồ sơ TTHC \(dossier.code): \(dossier.procedureName)"
        case .delivery: "Chuyển phát kết quả TTHC \(dossier.code): \(dossier.procedureName)"
        }
        return PostalOrderRequest(
            orderNumber: shipment.orderNumber, dossierCode: dossier.code, direction: shipment.direction, service: service,
            sender: shipment.direction == .pickup ? applicant : desk, receiver: shipment.direction == .pickup ? desk : applicant,
            cod: shipment.cod, notes: String(notes.prefix(500)))
    }

    /// The one-stop desk of an agency as a postal party: its desk contact, with the ward,
    /// district and province taken from the agency tree where the contact leaves them out.
    public static func deskParty(agencyID: String, tree: AgencyTree) -> PostalParty {
        guard let agency = tree.agencies[agencyID] else {
            return PostalParty(name: "Bộ phận Một cửa", phone: "", address: agencyID, ward: "", province: "")
        }
        var chain: [Agency] = []
        var cursor: Agency? = agency
        while let current = cursor, chain.count < 8 {
            chain.append(current)
            cursor = current.parentID.flatMap { tree.agencies[$0] }
        }
        let ranks = Dictionary(uniqueKeysWithValues: tree.levels.map { ($0.code, $0.rank) })
        let deepest = tree.levels.map(\.rank).max() ?? 0
        let province = chain.last.map { shortName($0.name) } ?? ""
        let district = chain.first { ranks[$0.level] == 1 && deepest >= 2 }.map { shortName($0.name) }
        let ward = agency.desk?.ward ?? (ranks[agency.level] == deepest ? shortName(agency.name) : "")
        return PostalParty(
            name: "Bộ phận Một cửa – \(agency.name)", phone: agency.desk?.phone ?? "", address: agency.desk?.street ?? agency.name,
            ward: ward, district: district, province: province)
    }

    /// "Ủy ban nhân dân tỉnh Hà Tĩnh" → "tỉnh Hà Tĩnh".
    static func shortName(_ name: String) -> String {
        var result = name
        for prefix in ["Ủy ban nhân dân ", "UBND "] where result.hasPrefix(prefix) { result = String(result.dropFirst(prefix.count)) }
        if let bracket = result.range(of: " (") { result = String(result[..<bracket.lowerBound]) }
        return result
    }
}
