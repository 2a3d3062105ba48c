import ArgumentParser
import Foundation
import MotCuaAPI
import MotCuaCore

struct QueueCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "queue",
            abstract: L("Xem hàng đợi hồ sơ, hạn gần nhất trước.", "Show a dossier queue, soonest first."),
            discussion: L("Hàng đợi: mine, department, agency, near-due, overdue, supplementation, ready, postal. Không ghi tên hàng đợi: số hồ sơ của từng hàng đợi.",
                          "Queues: mine, department, agency, near-due, overdue, supplementation, ready, postal. Without a name: the count of each."))
    }

    @Argument(help: ArgumentHelp(L("Tên hàng đợi.", "Queue name.")))
    var name: String?

    @Option(name: .long, help: ArgumentHelp(L("Số dòng tối đa (1–200).", "Most rows (1–200).")))
    var limit = 50

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try APIClient.fromSession()
        guard let name else {
            let reply = try await client.send("GET", "/api/v1/queues")
            if options.json { return printJSON(reply.body) }
            let counts = try reply.decoded(QueueCounts.self, server: client.server)
            say(Terminal.table([L("Hàng đợi", "Queue"), L("Tên", "Name"), L("Số hồ sơ", "Count")],
                               counts.items.map { [$0.queue, $0.title, countText($0.total, exact: $0.totalIsExact)] }))
            return
        }
        let reply = try await client.send("GET", "/api/v1/queues/\(name)?limit=\(limit)")
        if options.json { return printJSON(reply.body) }
        let page = try reply.decoded(QueuePage.self, server: client.server)
        let title = Lang.current == .en ? (Self.englishTitles[name] ?? name) : page.title
        say(Terminal.paint("\(title): \(countText(page.total, exact: page.totalIsExact)) " + L("hồ sơ", "dossiers"), .bold))
        guard !page.items.isEmpty else { return say(L("(không có hồ sơ)", "(empty)")) }
        let rows = page.items.map { item -> [String] in
            [item.code, Terminal.clip(item.applicantName, 24), Terminal.clip(item.procedure.name, 34),
             shortTime(item.receivedAt), shortTime(item.dueAt), Self.remaining(item.remainingWorkingSeconds.map(Int.init))]
        }
        let levels = page.items.map(\.level)
        say(Terminal.table(
            [L("Mã hồ sơ", "Code"), L("Người nộp", "Applicant"), L("Thủ tục", "Procedure"), L("Tiếp nhận", "Received"), L("Hẹn trả", "Due"), L("Còn lại", "Left")],
            rows, colour: { index in
                switch levels[index] {
                case "red": .red
                case "amber": .amber
                case "green": .green
                case "paused": .grey
                default: nil
                }
            }))
    }
}

extension QueueCommand {
    static let englishTitles = [
        "mine": "My dossiers", "department": "My department", "agency": "My agency", "near-due": "Near due", "overdue": "Overdue",
        "supplementation": "Waiting for supplementation", "ready": "Results ready to return", "postal": "Waiting at the post office",
    ]

    /// Working time left, in words (a working day is 8 hours): "còn 1 ngày 2 giờ" / "overdue by 3 h".
    static func remaining(_ seconds: Int?) -> String {
        guard let seconds else { return "—" }
        let minutes = abs(seconds) / 60
        let days = minutes / 480, hours = minutes % 480 / 60, rest = minutes % 60
        var parts: [String] = []
        if days > 0 { parts.append(L("\(days) ngày", "\(days) d")) }
        if hours > 0 { parts.append(L("\(hours) giờ", "\(hours) h")) }
        if rest > 0 || parts.isEmpty { parts.append(L("\(rest) phút", "\(rest) min")) }
        let text = parts.joined(separator: " ")
        return seconds < 0 ? L("quá hạn \(text)", "overdue by \(text)") : L("còn \(text)", "\(text) left")
    }
}

struct ShowCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: L("Xem hồ sơ và phiếu kiểm soát quá trình giải quyết.", "Show a dossier and its control sheet."))
    }

    @Argument(help: ArgumentHelp(L("Mã hồ sơ.", "Dossier code."))) var code: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try APIClient.fromSession()
        let reply = try await client.send("GET", "/api/v1/dossiers/\(code)")
        if options.json { return printJSON(reply.body) }
        let d = try reply.decoded(DossierView.self, server: client.server)
        say(Terminal.paint("\(d.code)  \(d.nationalStatus.name) (\(d.nationalStatus.code))", .bold))
        say("\(L("Thủ tục", "Procedure")): \(d.procedure.name) (\(d.procedure.code), \(d.procedure.term))")
        say("\(L("Người nộp", "Applicant")): \(d.applicant.name), \(d.applicant.phone), \(d.applicant.address)")
        say("\(L("Tiếp nhận", "Received")): \(shortTime(d.receivedAt))   \(L("Hẹn trả", "Due")): \(shortTime(d.appointmentAt))")
        if !d.missingItems.isEmpty { say("\(L("Cần bổ sung", "Missing")): \(d.missingItems.joined(separator: "; "))") }
        for shipment in d.shipments ?? [] {
            let direction = PostalFailedCommand.direction(shipment.direction.rawValue)
            let failed = shipment.status.isFailure
            var line = "\(L("Bưu chính", "Post")): \(direction) \(shipment.orderNumber)"
            line += "  \(L("mã bưu gửi", "waybill")) \(shipment.waybill ?? "—")  \(shipment.statusName)"
            if let note = shipment.note { line += " (\(note))" }
            say(failed ? Terminal.paint(line, .red) : line)
        }
        say("")
        say(Terminal.paint(L("Phiếu kiểm soát quá trình giải quyết", "Control sheet"), .bold))
        for event in d.controlSheet ?? [] {
            var line = "  \(shortTime(event.at))  \(event.title)  – \(event.actor.name) @ \(event.agencyID)"
            if let reason = event.reason { line += "  (\(reason))" }
            if let due = event.dueAt { line += "  → \(L("hẹn", "due")) \(shortTime(due))" }
            if let waybill = event.waybill { line += "  [\(waybill)]" }
            say(line)
        }
    }
}

struct PrintCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "print", abstract: L("Lưu phiếu in (HTML khổ A4) của hồ sơ.", "Save a printable form (A4 HTML) of a dossier."))
    }

    @Argument(help: ArgumentHelp(L("Mã hồ sơ.", "Dossier code."))) var code: String
    @Option(name: .long, help: ArgumentHelp(L("Mẫu: 01 tiếp nhận, 02 bổ sung, 03 từ chối, 04 xin lỗi.", "Form: 01 receipt, 02 supplementation, 03 refusal, 04 apology.")))
    var form = "01"
    @Option(name: .long, help: ArgumentHelp(L("Tệp lưu (mặc định: mau-FORM-MÃ.html).", "Output file (default: mau-FORM-CODE.html).")))
    var output: String?
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try APIClient.fromSession()
        let reply = try await client.send("GET", "/api/v1/dossiers/\(code)/forms/\(form)")
        let path = output ?? "mau-\(form)-\(code).html"
        try saveForm(reply.body, to: path, code: code, form: form)
        say(L("Đã lưu phiếu mẫu \(form) vào \(path).", "Saved form \(form) to \(path)."))
    }
}

struct DigestCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "digest", abstract: L("Bảng tổng hợp hồ sơ quá hạn của cơ quan (lãnh đạo).", "The agency's overdue dossiers (leaders)."))
    }

    @Option(name: .long, help: ArgumentHelp(L("Số hồ sơ quá hạn nhất hiển thị (1–1000).", "How many of the most overdue (1–1000).")))
    var limit = 100

    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard (1...1_000).contains(limit) else { throw ValidationError(L("--limit phải từ 1 đến 1000.", "--limit must be 1 to 1000.")) }
    }

    func run() async throws {
        let client = try APIClient.fromSession()
        let reply = try await client.send("GET", "/api/v1/digest?limit=\(limit)")
        if options.json { return printJSON(reply.body) }
        let digest = try reply.decoded(Digest.self, server: client.server)
        say(Terminal.paint("\(digest.agency): \(countText(digest.total, exact: digest.totalIsExact)) " + L("hồ sơ quá hạn", "overdue dossiers"), .bold))
        say(Terminal.table(
            [L("Mã hồ sơ", "Code"), L("Thủ tục", "Procedure"), L("Hẹn trả", "Due"), L("Quá hạn", "Overdue by"), L("Người thụ lý", "Handler")],
            digest.items.map { item in
                [item.code, Terminal.clip(item.procedure.name, 34), shortTime(item.dueAt), item.overdue,
                 item.handler?.name ?? L("(chưa phân công)", "(unassigned)")]
            }, colour: { _ in .red }))
    }
}

/// Writes a printable form; a failure says how to print it again.
func saveForm(_ data: Data, to path: String, code: String, form: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: data) else {
        throw UserError(
            message: L("Không ghi được tệp \(path).", "Cannot write \(path)."),
            hint: L("In lại bằng: motcua print \(code) --form \(form) --output TỆP", "Print it again: motcua print \(code) --form \(form) --output FILE"),
            exitCode: 73)
    }
}

/// A count the server bounded (`totalIsExact` false past 10,000) as "10000+".
func countText(_ total: Int, exact: Bool) -> String {
    exact ? "\(total)" : "\(total)+"
}
