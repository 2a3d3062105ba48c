import ArgumentParser
import Foundation
import MotCuaAPI
import MotCuaCore

/// `motcua portal failed|retry|reconcile|sync`: the national portal link (Cổng DVCQG) of the
/// officer's agency (every agency for an administrator).
struct PortalCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "portal",
            abstract: L(
                "Kết nối Cổng Dịch vụ công quốc gia: thông điệp lỗi, gửi lại, đối soát, chỉ số đồng bộ.",
                "The national public-service portal link: failed messages, retry, reconciliation, sync figures."),
            subcommands: [PortalFailedCommand.self, PortalRetryCommand.self, PortalReconcileCommand.self, PortalSyncCommand.self])
    }
}

/// A portal message as the API answers it.
struct PortalMessageReply: Decodable {
    var id: String
    var code: String
    var version: Int
    var kind: String
    var status: String
    var attempts: Int
    var lastError: String?
}

struct PortalFailedCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "failed",
            abstract: L("Thông điệp gửi Cổng DVCQG bị từ chối hoặc hết thời gian thử lại.", "Portal messages refused or out of retry time."))
    }

    @OptionGroup var options: ClientOptions

    func run() async throws {
        struct List: Decodable { var items: [PortalMessageReply] }
        let client = try APIClient.fromSession()
        let reply = try await client.send("GET", "/api/v1/portal/messages")
        if options.json { return printJSON(reply.body) }
        let items = try reply.decoded(List.self, server: client.server).items
        guard !items.isEmpty else { return say(L("Không có thông điệp nào gửi Cổng DVCQG bị lỗi.", "No failed portal messages.")) }
        say(Terminal.table(
            [L("Mã thông điệp", "Message"), L("Hồ sơ", "Dossier"), L("Phiên bản", "Version"), L("Loại", "Kind"), L("Lần gửi", "Attempts"),
             L("Lỗi cuối", "Last error")],
            items.map { ["\($0.id)", $0.code, "\($0.version)", Self.kind($0.kind), "\($0.attempts)", Terminal.clip($0.lastError ?? "", 50)] },
            colour: { _ in .red }))
        say(L(
            "Các thông điệp sau của cùng hồ sơ chờ thông điệp lỗi. Gửi lại: motcua portal retry MÃ-THÔNG-ĐIỆP",
            "Later messages of the same dossier wait behind a failed one. Retry: motcua portal retry MESSAGE"))
    }

    static func kind(_ raw: String) -> String {
        raw == "sync" ? L("Đồng bộ hồ sơ", "Dossier sync") : L("Tiến độ xử lý", "Progress")
    }
}

struct PortalRetryCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "retry", abstract: L("Gửi lại thông điệp Cổng DVCQG bị lỗi.", "Send a failed portal message again."))
    }

    @Argument(help: ArgumentHelp(L("Mã thông điệp (xem motcua portal failed), có thể nhiều mã.", "Message ids (see motcua portal failed)."))) var messages: [String]
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard !messages.isEmpty else { throw ValidationError(L("Cần ít nhất một mã thông điệp.", "Give at least one message id.")) }
    }

    func run() async throws {
        let client = try APIClient.fromSession()
        for message in messages {
            let encoded = message.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? message
            let reply = try await client.send("POST", "/api/v1/portal/messages/\(encoded)/retry", encodable: EmptyRequest())
            if options.json { printJSON(reply.body); continue }
            say(L("Đã đưa thông điệp \(message) vào hàng đợi gửi lại; các thông điệp sau của hồ sơ sẽ theo thứ tự.",
                  "Message \(message) is queued again; the dossier's later messages follow in order."))
        }
    }
}

struct PortalReconcileCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "reconcile",
            abstract: L(
                "Đối soát với Cổng DVCQG: so sánh hồ sơ tiếp nhận trong các ngày, gửi lại phần cổng thiếu.",
                "Reconcile with the portal: compare the dossiers received on some days, send again what it lacks."))
    }

    @Option(name: .long, help: ArgumentHelp(L("Một ngày, YYYY-MM-DD.", "One day, YYYY-MM-DD."))) var date: String?
    @Option(name: .long, help: ArgumentHelp(L("Từ ngày, YYYY-MM-DD.", "From, YYYY-MM-DD."))) var from: String?
    @Option(name: .long, help: ArgumentHelp(L("Đến ngày (tính cả ngày này), YYYY-MM-DD.", "To (inclusive), YYYY-MM-DD."))) var to: String?
    @Option(name: .long, help: ArgumentHelp(L("Chỉ một cơ quan (mã).", "One agency only (its id)."))) var agency: String?
    @OptionGroup var options: ClientOptions

    var range: (from: String, to: String)? {
        if let date { return (date, date) }
        guard let from else { return nil }
        return (from, to ?? from)
    }

    func validate() throws {
        guard (date == nil) != (from == nil), date == nil || to == nil else {
            throw ValidationError(L("Cần --date NGÀY, hoặc --from NGÀY [--to NGÀY].", "Give --date DAY, or --from DAY [--to DAY]."))
        }
        for value in [date, from, to].compactMap({ $0 }) where LocalDate(iso: value) == nil {
            throw ValidationError(L("Ngày '\(value)' không đúng dạng YYYY-MM-DD.", "'\(value)' is not a YYYY-MM-DD date."))
        }
    }

    struct Body: Encodable { var from: String; var to: String; var agencyID: String? }
    struct Report: Decodable {
        struct Difference: Decodable { var code: String; var finding: String; var ourVersion: Int?; var portalVersion: Int?; var messagesSent: Int }
        var from: String, to: String
        var agencies, compared, inSync, resent, missingOnPortal, unknownToUs, inFlight, deadLetters, conflicts, messagesQueued: Int
        var differences: [Difference]
    }

    func run() async throws {
        guard let range else { return }
        let client = try APIClient.fromSession()
        let reply = try await client.send("POST", "/api/v1/portal/reconcile", encodable: Body(from: range.from, to: range.to, agencyID: agency))
        if options.json { return printJSON(reply.body) }
        let r = try reply.decoded(Report.self, server: client.server)
        let span = r.from == r.to ? r.from : "\(r.from) – \(r.to)"
        say(L("Đối soát với Cổng DVCQG, \(span), \(r.agencies) cơ quan", "Reconciliation with the national portal, \(span), \(r.agencies) \(r.agencies == 1 ? "agency" : "agencies")"))
        say(Terminal.table([L("Kết quả", "Finding"), L("Hồ sơ", "Dossiers")], [
            [L("Đã đối chiếu", "Compared"), "\(r.compared)"],
            [L("Khớp với cổng", "In sync"), "\(r.inSync)"],
            [L("Cổng thiếu hồ sơ, đã gửi lại", "Missing on the portal, sent again"), "\(r.missingOnPortal)"],
            [L("Cổng giữ phiên bản cũ, đã gửi lại", "Portal behind, sent again"), "\(r.resent)"],
            [L("Cổng có, MotCua không có", "Unknown to us"), "\(r.unknownToUs)"],
            [L("Đang trên đường gửi", "Still in flight"), "\(r.inFlight)"],
            [L("Chờ sau thông điệp lỗi", "Held by a failed message"), "\(r.deadLetters)"],
            [L("Lệch, cổng đi trước", "Conflicting (portal ahead)"), "\(r.conflicts)"],
        ]))
        say(L("Thông điệp đưa vào hàng đợi gửi: \(r.messagesQueued)", "Messages queued: \(r.messagesQueued)"))
        if !r.differences.isEmpty {
            say(Terminal.table(
                [L("Hồ sơ", "Dossier"), L("Phát hiện", "Finding"), L("Phiên bản MotCua", "Our version"), L("Phiên bản cổng", "Portal version")],
                r.differences.prefix(20).map { [$0.code, Self.finding($0.finding), $0.ourVersion.map(String.init) ?? "—", $0.portalVersion.map(String.init) ?? "—"] }))
            if r.differences.count > 20 { say(L("… và \(r.differences.count - 20) hồ sơ khác (--json để xem hết).", "… and \(r.differences.count - 20) more (--json for all).")) }
        }
        if r.deadLetters > 0 { say(L("Xem thông điệp lỗi: motcua portal failed", "Failed messages: motcua portal failed")) }
    }

    static func finding(_ raw: String) -> String {
        switch raw {
        case "missing": L("Cổng thiếu, đã gửi lại", "Missing, sent again")
        case "resent": L("Cổng cũ hơn, đã gửi lại", "Behind, sent again")
        case "unknown": L("MotCua không có", "Unknown to us")
        case "inFlight": L("Đang gửi", "In flight")
        case "dead": L("Chờ sau thông điệp lỗi", "Held by a failed message")
        case "conflict": L("Lệch, cổng đi trước", "Portal ahead")
        default: raw
        }
    }
}

struct PortalSyncCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "sync",
            abstract: L(
                "Chỉ số đồng bộ với Cổng DVCQG: tỉ lệ hồ sơ đã đồng bộ đủ, độ trễ trung vị và p95.",
                "Portal sync figures: share of dossiers fully synced, median and p95 delay."))
    }

    @Option(name: .long, help: ArgumentHelp(L("Từ ngày, YYYY-MM-DD.", "From, YYYY-MM-DD."))) var from: String
    @Option(name: .long, help: ArgumentHelp(L("Đến ngày (tính cả ngày này), YYYY-MM-DD.", "To (inclusive), YYYY-MM-DD."))) var to: String
    @OptionGroup var options: ClientOptions

    func validate() throws {
        for value in [from, to] where LocalDate(iso: value) == nil {
            throw ValidationError(L("Ngày '\(value)' không đúng dạng YYYY-MM-DD.", "'\(value)' is not a YYYY-MM-DD date."))
        }
    }

    func run() async throws {
        struct Item: Decodable { var agencyID: String; var dossiers: Int; var synced: Int; var syncedPercent: Double; var medianDelaySeconds: Double?; var p95DelaySeconds: Double? }
        struct List: Decodable { var items: [Item] }
        let client = try APIClient.fromSession()
        let reply = try await client.send("GET", "/api/v1/portal/indicators?from=\(from)&to=\(to)")
        if options.json { return printJSON(reply.body) }
        let items = try reply.decoded(List.self, server: client.server).items
        guard !items.isEmpty else { return say(L("Không có thay đổi hồ sơ nào trong khoảng này.", "No dossier changes in this period.")) }
        func seconds(_ value: Double?) -> String {
            guard let value else { return "—" }
            switch value {
            case ..<60: return String(format: "%.1f s", value)
            case ..<3_600: return String(format: L("%.1f phút", "%.1f min"), value / 60)
            case ..<86_400: return String(format: L("%.1f giờ", "%.1f h"), value / 3_600)
            default: return String(format: L("%.1f ngày", "%.1f days"), value / 86_400)
            }
        }
        say(Terminal.table(
            [L("Cơ quan", "Agency"), L("Hồ sơ", "Dossiers"), L("Đồng bộ đủ", "Fully synced"), L("Tỉ lệ", "Share"), L("Trễ trung vị", "Median delay"), L("Trễ p95", "p95 delay")],
            items.map { [$0.agencyID, "\($0.dossiers)", "\($0.synced)", String(format: "%.1f%%", $0.syncedPercent), seconds($0.medianDelaySeconds), seconds($0.p95DelaySeconds)] }))
    }
}
