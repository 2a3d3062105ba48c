import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaCore
import MotCuaStore

/// The officer queues (`GET /api/v1/queues`, `GET /api/v1/queues/{name}`), each sorted by the
/// working time left, the leader's digest of overdue dossiers (`GET /api/v1/digest`) and the
/// crossings recorded for a dossier (`GET /api/v1/dossiers/{code}/alerts`).
struct QueueRoutes: Sendable {
    let dependencies: AppDependencies

    /// "1 ngày 2 giờ 30 phút" for working seconds (a working day is the calendar's).
    static func words(_ seconds: Int64, day: Int64) -> String {
        let total = abs(seconds) / 60
        let days = total / (day / 60), hours = (total % (day / 60)) / 60, minutes = total % 60
        var parts: [String] = []
        if days > 0 { parts.append("\(days) ngày") }
        if hours > 0 { parts.append("\(hours) giờ") }
        if minutes > 0 || parts.isEmpty { parts.append("\(minutes) phút") }
        return parts.joined(separator: " ")
    }

    /// What the dossier is to `agencyID` (see `QueueItem.agencyRole`).
    static func agencyRole(of d: Dossier, for agencyID: String) -> String {
        d.agencyID == agencyID ? "competent" : d.receivingAgencyID == agencyID ? "receiving" : "partner"
    }

    func item(_ d: Dossier, now: Date, for agencyID: String) -> QueueItem {
        let calendar = dependencies.calendars.calendar(forAgency: d.currentAgencyID)
        var remaining: Int64?
        var level = "green"
        if let due = d.appointmentAt, !d.status.isFinal, d.status != .resultReady {
            // While paused the clock stands still at the pause's start.
            let from = d.isPaused ? (d.pauses.last?.start ?? now) : now
            remaining = try? calendar.remaining(from: from, until: due)
            if d.isPaused {
                level = "paused"
            } else if let left = remaining, left < 0 {
                level = "red"
            } else if let near = d.nearDueAt, now >= near {
                level = "amber"
            }
        }
        return QueueItem(
            code: d.code, status: d.status, nationalStatus: CodeName(code: d.status.nationalCode, name: d.status.vietnameseName),
            applicantName: d.applicant.name, procedure: .init(code: d.procedureCode, name: d.procedureName, term: d.term.description),
            receivedAt: d.receivedAt, dueAt: d.appointmentAt, remainingWorkingSeconds: remaining,
            remaining: remaining.map { ($0 < 0 ? "quá hạn " : "còn ") + Self.words($0, day: calendar.workingDaySeconds) },
            level: level, handler: d.handlerID.map { DossierView.Handler(id: $0, name: d.handlerName ?? "") },
            agencyRole: Self.agencyRole(of: d, for: agencyID))
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("queues", use: queueCounts)
        group.get("queues/{name}", use: queue)
        group.get("digest", use: digest)
        group.get("dossiers/{code}/alerts", use: alerts)
    }

    /// `GET /api/v1/queues`: every queue's count.
    @Sendable func queueCounts(_ request: Request, context: AppRequestContext) async throws -> Reply<QueueCounts> {
        let officer = try context.requireOfficer()
        let now = dependencies.now()
        var counts: [QueueCount] = []
        for kind in QueueKind.allCases {
            let page = try await dependencies.store.queue(Self.query(kind, officer, now: now, limit: 0, offset: 0))
            counts.append(QueueCount(queue: kind.rawValue, title: kind.vietnameseName, total: page.total, totalIsExact: page.totalIsExact))
        }
        return Reply(QueueCounts(items: counts))
    }

    /// `GET /api/v1/queues/{name}`: one queue's page, soonest appointment first.
    @Sendable func queue(_ request: Request, context: AppRequestContext) async throws -> Reply<QueuePage> {
        let officer = try context.requireOfficer()
        guard let kind = QueueKind(rawValue: try context.parameters.require("name")) else {
            throw Problem.typed(.notFound, detail: "Không có hàng đợi này; dùng: \(QueueKind.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let parameters = try OfficerRoutes.searchQuery(request.uri.queryParameters)
        let now = dependencies.now()
        let page = try await dependencies.store.queue(Self.query(kind, officer, now: now, limit: parameters.limit, offset: parameters.offset))
        return Reply(QueuePage(
            queue: kind.rawValue, title: kind.vietnameseName, total: page.total, totalIsExact: page.totalIsExact, limit: parameters.limit, offset: parameters.offset,
            items: page.items.map { item($0, now: now, for: officer.agencyID) }))
    }

    /// `GET /api/v1/digest`: the leader's digest of overdue dossiers, most overdue first.
    @Sendable func digest(_ request: Request, context: AppRequestContext) async throws -> Reply<Digest> {
        let officer = try context.requireOfficer()
        guard officer.role == .leader || officer.role == .admin else {
            throw Problem.typed(.forbidden, detail: "Chỉ lãnh đạo xem được bảng tổng hợp hồ sơ quá hạn.")
        }
        let (limit, offset) = try Self.digestPage(request.uri.queryParameters)
        let now = dependencies.now()
        let calendar = dependencies.calendars.calendar(forAgency: officer.agencyID)
        // Most overdue first: the overdue queue's order (earliest appointment first) is the
        // order of working time past it, within the agency's one calendar.
        let page = try await dependencies.store.queue(QueueQuery(kind: .overdue, agencyID: officer.agencyID, now: now, limit: limit, offset: offset))
        let entries = page.items.compactMap { d -> DigestEntry? in
            guard let due = d.appointmentAt else { return nil }
            let late = (try? calendar.elapsed(from: due, to: now)) ?? 0
            return DigestEntry(
                code: d.code, procedure: .init(code: d.procedureCode, name: d.procedureName, term: d.term.description),
                applicantName: d.applicant.name, dueAt: due, overdueWorkingSeconds: late,
                overdue: Self.words(late, day: calendar.workingDaySeconds),
                handler: d.handlerID.map { DossierView.Handler(id: $0, name: d.handlerName ?? "") }, departmentID: d.departmentID,
                apologized: d.apology != nil)
        }.sorted { $0.overdueWorkingSeconds > $1.overdueWorkingSeconds }
        let agency = dependencies.catalogue.tree.agencies[officer.agencyID]?.name ?? officer.agencyID
        return Reply(Digest(
            agencyID: officer.agencyID, agency: agency, at: now, total: page.total, totalIsExact: page.totalIsExact, limit: limit,
            offset: offset, items: entries))
    }

    /// `GET /api/v1/dossiers/{code}/alerts`: the watch's crossings recorded for a dossier.
    @Sendable func alerts(_ request: Request, context: AppRequestContext) async throws -> Reply<AlertList> {
        let officer = try context.requireOfficer()
        let code = try context.parameters.require("code")
        guard code.count <= 64, let dossier = try await dependencies.store.dossier(code: code), OfficerRoutes.isVisible(dossier, to: officer) else {
            throw Problem.notFound
        }
        let alerts = try await dependencies.store.alerts(dossierID: dossier.id).map {
            AlertView(kind: $0.kind.rawValue, title: $0.kind.vietnameseName, due: $0.due, at: $0.at)
        }
        return Reply(AlertList(code: code, items: alerts))
    }

    /// The digest's page: the 100 most overdue by default. A leader reads the top of it; a
    /// thousand entries (420 KB) cost ~40 ms at a provincial centre's 10M history, mostly in
    /// reading the dossiers (`docs/benchmarks.md`).
    static func digestPage(_ parameters: Parameters) throws -> (limit: Int, offset: Int) {
        let query = QueryReader(parameters)
        return (try query.integer("limit", 1...1_000, default: 100), try query.integer("offset", 0...10_000, default: 0))
    }

    static func query(_ kind: QueueKind, _ officer: Officer, now: Date, limit: Int, offset: Int) -> QueueQuery {
        QueueQuery(kind: kind, agencyID: officer.agencyID, officerID: officer.id, departmentID: officer.departmentID, now: now, limit: limit, offset: offset)
    }
}
