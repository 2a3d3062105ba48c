import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import NIOCore
import Synchronization

/// The post office's door, `POST /postal/webhooks` (Standard Webhooks), and the officers' view of
/// the postal outbox under `/api/v1/postal`.
struct PostalRoutes: Sendable {
    let dependencies: AppDependencies
    var store: any DossierStore { dependencies.store }

    func register(webhooks router: Router<AppRequestContext>, officer group: RouterGroup<AppRequestContext>) {
        router.post("postal/webhooks", use: webhook)
        group.get("postal/orders", use: orders)
        group.post("postal/orders/{id}/retry", use: retry)
    }

    /// `GET /api/v1/postal/orders?status=dead|pending|sent|cancelled|all&limit`: the agency's
    /// postal orders (the failed ones by default).
    @Sendable func orders(_ request: Request, context: AppRequestContext) async throws -> Reply<PostalOrderList> {
        let officer = try context.requireOfficer()
        let status: PostalOrderItem.Status?
        switch request.uri.queryParameters["status"].map(String.init) {
        case nil, "dead": status = .dead
        case "all": status = nil
        case let raw?:
            guard let value = PostalOrderItem.Status(rawValue: raw) else {
                throw Problem.validation(field: "status", reason: "Trạng thái đơn phải là dead, pending, sent, cancelled hoặc all.")
            }
            status = value
        }
        let limit = try QueryReader(request).integer("limit", 1...500, default: 100)
        let orders = try await store.postalOrders(agencies: [officer.agencyID], status: status, limit: limit)
        return Reply(PostalOrderList(items: orders.map(PostalOrderView.init)))
    }

    /// `POST /api/v1/postal/orders/{id}/retry`: a failed order sent again.
    @Sendable func retry(_ request: Request, context: AppRequestContext) async throws -> Reply<PostalOrderView> {
        let officer = try context.requireOfficer()
        guard [.desk, .leader, .admin].contains(officer.role) else {
            throw Problem.typed(.forbidden, detail: "Chỉ cán bộ một cửa, lãnh đạo hoặc quản trị được gửi lại đơn bưu chính.")
        }
        let id = try context.parameters.require("id")
        guard id.utf8.count <= 80, let order = try await store.postalOrder(id: id), order.agencyID == officer.agencyID else {
            throw Problem.notFound
        }
        guard order.status == .dead else {
            throw Problem.typed(.invalidState, detail: "Đơn \(order.id) không nằm trong danh sách gửi lỗi (trạng thái: \(order.status.rawValue)).")
        }
        _ = try await store.retryPostalOrder(id, now: dependencies.now())
        context.logger.info("postal order retried by hand", metadata: ["order": "\(id)", "officer": "\(officer.username)"])
        guard let updated = try await store.postalOrder(id: id) else { throw Problem.notFound }
        return Reply(PostalOrderView(updated), status: .accepted)
    }

    /// A parcel event from the post office: verified, applied at most once, acknowledged.
    @Sendable func webhook(_ request: Request, context: AppRequestContext) async throws -> Reply<[String: String]> {
        let (id, body) = try await SignedWebhook.read(
            request, secret: dependencies.configuration.postal.webhookSecret,
            unconfigured: "Dịch vụ bưu chính công ích chưa được cấu hình trên máy chủ này.", now: dependencies.now()).pair
        if try await store.webhookSeen(source: "postal", id: id) {
            return Reply(["status": "duplicate", "webhookID": id])
        }
        let payload = try decodeJSON(PostalWebhookPayload.self, from: body)
        guard let status = payload.status else {
            throw Problem.validation(
                field: "type",
                reason: "Loại sự kiện '\(payload.type.prefix(80))' không được hỗ trợ (\(ShipmentStatus.eventTypes.map(PostalWebhookPayload.type(of:)).joined(separator: ", "))).")
        }
        guard let at = payload.date else {
            throw Problem.validation(field: "timestamp", reason: "Thời điểm phải theo ISO 8601, ví dụ 2026-11-23T08:30:00Z.")
        }
        let waybill = payload.data.waybill
        guard !waybill.isEmpty, waybill.utf8.count <= 64 else {
            throw Problem.validation(field: "data.waybill", reason: "Mã bưu gửi không hợp lệ.")
        }
        if let note = payload.data.note, note.unicodeScalars.count > 1000 {
            throw Problem.validation(field: "data.note", reason: "Dài quá 1000 ký tự.")
        }
        // The order by its waybill; an order the post office answered while its answer was still
        // on the way to us is found by its number, once, if it has no waybill yet.
        var order = try await store.postalOrder(waybill: waybill)
        if order == nil, let number = payload.data.orderNumber, number.utf8.count <= 80,
           let candidate = try await store.postalOrder(id: number), candidate.waybill == nil {
            order = candidate
        }
        guard let order else {
            throw Problem.validation(field: "data.waybill", reason: "Không có đơn bưu chính nào với mã bưu gửi '\(waybill.prefix(64))'.")
        }
        let update = PostalUpdate(orderNumber: order.id, waybill: waybill, status: status, at: at, note: payload.data.note)
        let calendar = dependencies.calendars.calendar(forAgency: order.agencyID)
        let now = dependencies.now()
        let effect = Mutex(false)
        let dossier = try await store.apply(code: order.code) { current in
            let context = DecisionContext(actor: PostalOrders.actor(agencyID: current.currentAgencyID), now: now, calendar: calendar)
            let events = try Lifecycle.decide(.postalUpdate(update), dossier: current, context: context)
            effect.withLock { $0 = !events.isEmpty }
            return events
        }
        _ = try await store.recordWebhook(source: "postal", id: id, at: now)
        let applied = effect.withLock { $0 }
        dependencies.logger.info(
            "postal webhook", metadata: ["order": "\(order.id)", "type": "\(payload.type)", "applied": "\(applied)"])
        return Reply([
            "status": applied ? "applied" : "no-change", "orderNumber": order.id, "dossierCode": dossier.code,
            "parcelStatus": dossier.shipments?.first { $0.orderNumber == order.id }?.status.rawValue ?? status.rawValue,
        ])
    }
}

extension PostalOrderView {
    init(_ item: PostalOrderItem) {
        self.init(
            id: item.id, code: item.code, direction: item.direction, status: item.status.rawValue, attempts: item.attempts,
            createdAt: item.createdAt, nextAttemptAt: item.nextAt, sentAt: item.sentAt, waybill: item.waybill, lastError: item.lastError)
    }
}
