import ArgumentParser
import Foundation
import MotCuaStore

/// `motcua audit`: the audit trail (logins, failures, throttles, logouts, administrators'
/// changes), newest first; for officers with the admin role.
struct AuditCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "audit",
            abstract: L("Nhật ký kiểm tra: đăng nhập, đăng nhập sai, bị chặn, đăng xuất, thao tác quản trị (quản trị hệ thống).",
                        "The audit trail: logins, failures, throttles, logouts, administrators' changes (admins)."))
    }

    @OptionGroup var options: ClientOptions

    @Option(name: .long, help: ArgumentHelp(L(
        "Chỉ loại này (lặp lại được): login.succeeded, login.failed, login.throttled, logout, admin.action.",
        "Only this kind (repeatable): login.succeeded, login.failed, login.throttled, logout, admin.action.")))
    var kind: [String] = []

    @Option(name: .long, help: ArgumentHelp(L("Chỉ tên đăng nhập này.", "Only this username.")))
    var user: String?

    @Option(name: .long, help: ArgumentHelp(L("Số mục (1–200, mặc định 50).", "How many entries (1–200, default 50).")))
    var limit: Int = 50

    @Option(name: .long, help: ArgumentHelp(L("Các mục cũ hơn mục có mã này (trang sau).", "Entries older than this id (the next page).")))
    var before: Int64?

    /// The server's page, as `GET /api/v1/audit` answers it.
    struct Page: Decodable {
        struct Entry: Decodable {
            var id: Int64
            var at: String
            var kind: String
            var username: String?
            var address: String?
            var detail: String
        }
        var items: [Entry]
        var next: Int64?
    }

    func validate() throws {
        guard (1...200).contains(limit) else { throw ValidationError(L("--limit phải từ 1 đến 200.", "--limit must be 1 to 200.")) }
        let kinds = AuditKind.allCases.map(\.rawValue)
        for kind in kind where !kinds.contains(kind) {
            throw ValidationError(L("--kind '\(kind)' không có; chọn: \(kinds.joined(separator: ", ")).",
                                    "There is no --kind '\(kind)'; choose: \(kinds.joined(separator: ", "))."))
        }
    }

    func run() async throws {
        var query = [URLQueryItem(name: "limit", value: "\(limit)")]
        query += kind.map { URLQueryItem(name: "kind", value: $0) }
        if let user { query.append(URLQueryItem(name: "username", value: user)) }
        if let before { query.append(URLQueryItem(name: "before", value: "\(before)")) }
        var components = URLComponents()
        components.path = "/api/v1/audit"
        components.queryItems = query
        let reply = try await APIClient.fromSession().send("GET", components.string ?? "/api/v1/audit")
        if options.json { return printJSON(reply.body) }
        guard let page = try? JSONDecoder().decode(Page.self, from: reply.body) else {
            throw UserError(message: L("Máy chủ trả lời không đúng định dạng.", "The server's answer is malformed."), hint: nil, exitCode: 1)
        }
        guard !page.items.isEmpty else {
            return say(L("Không có mục nào trong nhật ký khớp điều kiện.", "No audit entry matches."))
        }
        say(Terminal.table(
            [L("Mã", "Id"), L("Lúc", "At"), L("Loại", "Kind"), L("Tài khoản", "User"), L("Địa chỉ", "Address"), L("Chi tiết", "Detail")],
            page.items.map { ["\($0.id)", shortTime($0.at), $0.kind, $0.username ?? "", $0.address ?? "", Terminal.clip($0.detail, 60)] },
            colour: { index in page.items[index].kind == "login.succeeded" || page.items[index].kind == "logout" ? nil : .amber }))
        if let next = page.next {
            say(L("Trang sau: motcua audit --before \(next)", "Next page: motcua audit --before \(next)"))
        }
    }
}
