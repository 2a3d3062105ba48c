import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore

/// The officers' view of the national portal link under `/api/v1/portal`: dead letters and
/// their manual retry, reconciliation, and the sync figures. An officer sees their agency's; an
/// administrator every agency's.
struct PortalRoutes: Sendable {
    let dependencies: AppDependencies
    var store: any DossierStore { dependencies.store }

    func register(officer group: RouterGroup<AppRequestContext>) {
        group.get("portal/messages", use: deadLetters)
        group.post("portal/messages/{id}/retry", use: retry)
        group.post("portal/reconcile", use: reconcile)
        group.get("portal/indicators", use: indicators)
    }

    /// The agencies an officer answers for: their own, or all for an administrator.
    func agencies(of officer: Officer) -> Set<String>? {
        officer.role == .admin ? nil : [officer.agencyID]
    }

    @Sendable func deadLetters(_ request: Request, context: AppRequestContext) async throws -> Reply<PortalMessageList> {
        let officer = try context.requireOfficer()
        let limit = try QueryReader(request).integer("limit", 1...500, default: 100)
        let messages = try await store.deadPortalMessages(agencies: agencies(of: officer), limit: limit)
        return Reply(PortalMessageList(items: messages.map(PortalMessageView.init)))
    }

    @Sendable func retry(_ request: Request, context: AppRequestContext) async throws -> Reply<PortalMessageView> {
        let officer = try context.requireOfficer()
        guard [.desk, .leader, .admin].contains(officer.role) else {
            throw Problem.typed(.forbidden, detail: "Chỉ cán bộ một cửa, lãnh đạo hoặc quản trị được gửi lại thông điệp lên Cổng DVCQG.")
        }
        let id = try context.parameters.require("id")
        // Ids are "{dossier id}.{version}".
        guard id.utf8.count <= 120, let dot = id.lastIndex(of: "."), let version = Int(id[id.index(after: dot)...]) else {
            throw Problem.notFound
        }
        let dossierID = String(id[..<dot])
        let messages = try await store.portalMessages(dossierID: dossierID)
        guard let message = messages.first(where: { $0.sequence == version }),
              agencies(of: officer)?.contains(message.agencyID) ?? true else { throw Problem.notFound }
        guard message.status == .dead else {
            throw Problem.typed(.invalidState, detail: "Thông điệp \(id) không nằm trong danh sách gửi lỗi (trạng thái: \(message.status.rawValue)).")
        }
        _ = try await store.retryPortalMessage(id: id, now: dependencies.now())
        context.logger.info("portal message retried by hand", metadata: ["message": "\(id)", "officer": "\(officer.username)"])
        let updated = try await store.portalMessages(dossierID: dossierID).first { $0.sequence == version } ?? message
        return Reply(PortalMessageView(updated), status: .accepted)
    }

    struct ReconcileRequest: Decodable {
        var from: String
        var to: String
        var agencyID: String?
    }

    @Sendable func reconcile(_ request: Request, context: AppRequestContext) async throws -> Reply<PortalReconciler.Report> {
        let officer = try context.requireOfficer()
        guard [.leader, .admin].contains(officer.role) else {
            throw Problem.typed(.forbidden, detail: "Chỉ lãnh đạo hoặc quản trị được đối soát với Cổng DVCQG.")
        }
        let body = try await decodeBody(ReconcileRequest.self, from: request, limit: 4_096)
        guard let from = LocalDate(iso: body.from) else { throw Problem.validation(field: "from", reason: "Ngày phải có dạng YYYY-MM-DD.") }
        guard let to = LocalDate(iso: body.to) else { throw Problem.validation(field: "to", reason: "Ngày phải có dạng YYYY-MM-DD.") }
        guard from <= to, to.julianDay - from.julianDay < 92 else {
            throw Problem.validation(field: "to", reason: "Khoảng ngày phải từ 'from' đến 'to', tối đa 92 ngày.")
        }
        let list: [String]
        if let agency = body.agencyID {
            guard dependencies.catalogue.tree.agencies[agency] != nil, agencies(of: officer)?.contains(agency) ?? true else {
                throw Problem.validation(field: "agencyID", reason: "Cơ quan '\(agency)' không có hoặc không thuộc quyền của bạn.")
            }
            list = [agency]
        } else {
            list = agencies(of: officer).map { Array($0) } ?? dependencies.catalogue.tree.agencies.keys.sorted()
        }
        let reconciler: PortalReconciler
        do {
            reconciler = try PortalReconciler(store: store, settings: dependencies.configuration.portal)
        } catch {
            throw Problem.typed(.unavailable, detail: "Máy chủ này chưa được cấu hình kết nối Cổng DVCQG (portal.url).")
        }
        do {
            let report = try await reconciler.reconcile(agencies: list.sorted(), from: from, to: to, now: dependencies.now())
            context.logger.info("portal reconciled", metadata: [
                "from": "\(from)", "to": "\(to)", "compared": "\(report.compared)", "resent": "\(report.resent + report.missingOnPortal)"])
            return Reply(report)
        } catch let PortalReconciler.ReconcileError.portal(reason) {
            throw Problem.typed(.unavailable, detail: "Cổng DVCQG không trả lời danh sách hồ sơ: \(reason).")
        }
    }

    @Sendable func indicators(_ request: Request, context: AppRequestContext) async throws -> Reply<PortalIndicatorList> {
        let officer = try context.requireOfficer()
        let query = request.uri.queryParameters
        guard let from = query["from"].flatMap({ LocalDate(iso: String($0)) }) else {
            throw Problem.validation(field: "from", reason: "Ngày phải có dạng YYYY-MM-DD.")
        }
        guard let to = query["to"].flatMap({ LocalDate(iso: String($0)) }), from <= to else {
            throw Problem.validation(field: "to", reason: "Ngày phải có dạng YYYY-MM-DD, không trước 'from'.")
        }
        let figures = try await store.portalSyncFigures(
            agencies: agencies(of: officer), from: WorkCalendar.instant(from), to: WorkCalendar.instant(to.adding(days: 1)))
        return Reply(PortalIndicatorList(from: from.iso, to: to.iso, items: figures.map(PortalIndicatorView.init)))
    }
}

struct PortalMessageList: Encodable {
    var items: [PortalMessageView]
}

/// A portal message as officers see it.
struct PortalMessageView: Encodable {
    var id: String
    var code: String
    var version: Int
    var kind: PortalMessageKind
    var status: PortalMessage.Status
    var attempts: Int
    var createdAt: Date
    var nextAttemptAt: Date?
    var deliveredAt: Date?
    var lastError: String?

    init(_ m: PortalMessage) {
        id = m.id
        code = m.code
        version = m.sequence
        kind = m.kind
        status = m.status
        attempts = m.attempts
        createdAt = m.createdAt
        nextAttemptAt = m.nextAt
        deliveredAt = m.deliveredAt
        lastError = m.lastError
    }
}

struct PortalIndicatorList: Encodable {
    var from: String
    var to: String
    var items: [PortalIndicatorView]
}

/// How completely and how fast one agency's changes reached the portal.
struct PortalIndicatorView: Encodable {
    var agencyID: String
    var dossiers: Int
    var synced: Int
    /// Percent of dossiers whose every change reached the portal.
    var syncedPercent: Double
    var medianDelaySeconds: Double?
    var p95DelaySeconds: Double?

    init(_ f: PortalSyncFigures) {
        agencyID = f.agencyID
        dossiers = f.dossiers
        synced = f.synced
        syncedPercent = f.dossiers == 0 ? 0 : (Double(f.synced) * 1000 / Double(f.dossiers)).rounded() / 10
        medianDelaySeconds = f.delay(percentile: 0.5)
        p95DelaySeconds = f.delay(percentile: 0.95)
    }
}
