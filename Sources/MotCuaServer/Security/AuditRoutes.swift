import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaCore
import MotCuaStore

/// `GET /api/v1/audit`: the audit trail, newest first, for officers with the admin role.
struct AuditRoutes {
    let store: any DossierStore

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("audit", use: list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Reply<AuditPage> {
        let officer = try context.requireOfficer()
        guard officer.role == .admin else {
            throw Problem.typed(.forbidden, detail: "Chỉ quản trị hệ thống được xem nhật ký kiểm tra.")
        }
        let query = try Self.query(request.uri.queryParameters)
        let entries = try await store.auditEntries(query)
        let next = entries.count == query.limit ? entries.last?.id : nil
        return Reply(AuditPage(items: entries.map(AuditEntryView.init), next: next))
    }

    /// `limit` (1–200, default 50), `before` (an id: the entries older than it), `kind`
    /// (repeatable), `username`; anything else malformed is a 422 naming the field.
    static func query(_ parameters: Parameters) throws -> AuditQuery {
        var query = AuditQuery()
        var problems: [FieldProblem] = []
        if let text = parameters.get("limit") {
            if let limit = Int(text), (1...200).contains(limit) { query.limit = limit } else {
                problems.append(FieldProblem(field: "limit", reason: "phải là số từ 1 đến 200"))
            }
        }
        if let text = parameters.get("before") {
            if let before = Int64(text), before > 0 { query.before = before } else {
                problems.append(FieldProblem(field: "before", reason: "phải là số nguyên dương (mã của mục nhật ký)"))
            }
        }
        for text in parameters.getAll("kind") {
            if let kind = AuditKind(rawValue: String(text)) { query.kinds.insert(kind) } else {
                problems.append(FieldProblem(
                    field: "kind", reason: "phải là một trong \(AuditKind.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        if let username = parameters.get("username") {
            if (1...100).contains(username.unicodeScalars.count) { query.username = username } else {
                problems.append(FieldProblem(field: "username", reason: "dài từ 1 đến 100 ký tự"))
            }
        }
        guard problems.isEmpty else { throw Problem.validation(problems) }
        return query
    }
}

struct AuditPage: Encodable, Sendable {
    var items: [AuditEntryView]
    /// The `before` of the next page, or null on the last.
    var next: Int64?
}

struct AuditEntryView: Encodable {
    var id: Int64
    var at: Date
    var kind: String
    var username: String?
    var officerID: String?
    var agencyID: String?
    var address: String?
    var detail: String

    init(_ entry: AuditEntry) {
        id = entry.id
        at = entry.at
        kind = entry.kind.rawValue
        username = entry.username
        officerID = entry.officerID
        agencyID = entry.agencyID
        address = entry.address
        detail = entry.detail
    }
}

/// Writes every change an administrator makes through the API (any method but GET and HEAD) to
/// the audit trail, with its path and status, whether it succeeded or not.
struct AdminAuditMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: any DossierStore
    let clientAddress: ClientAddress
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let officer = context.officer, officer.role == .admin, request.method != .get, request.method != .head else {
            return try await next(request, context)
        }
        let address = clientAddress.resolve(request, context: context)
        func record(_ status: Int) async throws {
            try await store.appendAudit(AuditEntry(
                at: now(), kind: .adminAction, username: officer.username, officerID: officer.id, agencyID: officer.agencyID,
                address: address, detail: "\(request.method.rawValue) \(request.uri.path) → \(status)"))
        }
        do {
            let response = try await next(request, context)
            try await record(response.status.code)
            return response
        } catch {
            try? await record(Problem.from(error).status)
            throw error
        }
    }
}
