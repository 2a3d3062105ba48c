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
        if let desk = d.receivingAgencyID {
            say("\(L("Tiếp nhận không phụ thuộc địa giới hành chính tại", "Filed anywhere in the province, at")) \(desk); "
                + "\(L("cơ quan có thẩm quyền", "competent agency")) \(d.agencyID); \(L("trả kết quả tại", "result returned at")) \(d.returnAgencyID ?? "—")")
        }
        if let pending = d.pendingAgencyID { say("\(L("Đang chuyển đến", "On its way to")): \(pending)") }
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
            if let ended = event.stepOutcome {
                line += "  " + L("bước", "step") + " \(ended.step.vietnameseName): \(ended.outcome.vietnameseName)"
            }
            if event.step != nil, let due = event.stepDueAt {
                line += "  → " + L("hạn bước", "step due") + " \(shortTime(due))"
            }
            say(event.stepOutcome?.outcome == .late ? Terminal.paint(line, .red) : line)
        }
    }
}

struct PrintCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "print", abstract: L("Lưu phiếu in (HTML khổ A4) của hồ sơ.", "Save a printable form (A4 HTML) of a dossier."))
    }

    @Argument(help: ArgumentHelp(L("Mã hồ sơ.", "Dossier code."))) var code: String
    @Option(name: .long, help: ArgumentHelp(L(
        "Mẫu (theo thông tư áp dụng khi tiếp nhận hồ sơ): 01 tiếp nhận, 02 bổ sung, 03 từ chối, 04 xin lỗi, 05 thông báo dừng giải quyết, 06 phiếu kiểm soát. Sổ theo dõi: motcua book.",
        "Form (numbered by the circular in force at receipt): 01 receipt, 02 supplementation, 03 refusal, 04 apology, 05 notice of stop, 06 control sheet. Tracking book: motcua book.")))
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

/// `motcua book`: the desk's tracking book (sổ theo dõi hồ sơ) for a period, HTML or CSV.
struct BookCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "book",
            abstract: L("Lưu sổ theo dõi hồ sơ của bộ phận một cửa trong một kỳ (HTML khổ A4 ngang hoặc CSV).",
                        "Save the desk's tracking book for a period (A4 landscape HTML or CSV)."))
    }

    @Option(name: .long, help: ArgumentHelp(L("Kỳ: 2026 (năm), 2026-Q1 (quý), 2026-03 (tháng) hoặc 2026-03-02 (ngày).",
                                               "Period: 2026 (year), 2026-Q1 (quarter), 2026-03 (month) or 2026-03-02 (day).")))
    var period: String?
    @Option(name: .long, help: ArgumentHelp(L("Từ ngày (YYYY-MM-DD), thay cho --period.", "From day (YYYY-MM-DD), instead of --period."))) var from: String?
    @Option(name: .long, help: ArgumentHelp(L("Đến ngày (YYYY-MM-DD), thay cho --period.", "To day (YYYY-MM-DD), instead of --period."))) var to: String?
    @Flag(name: .long, help: ArgumentHelp(L("Lưu dạng CSV (UTF-8 có BOM, mở được bằng Excel).", "Save as CSV (UTF-8 with BOM)."))) var csv = false
    @Option(name: .long, help: ArgumentHelp(L("Tệp lưu (mặc định: so-theo-doi-TỪ-ĐẾN.html|csv).", "Output file (default: so-theo-doi-FROM-TO.html|csv).")))
    var output: String?
    @OptionGroup var options: ClientOptions

    /// The first and last day of `--period`, or of --from/--to.
    func days() throws -> (from: String?, to: String?) {
        guard let period else { return (from, to) }
        guard from == nil, to == nil else { throw ValidationError(L("Dùng --period hoặc --from/--to, không dùng cả hai.", "Use --period or --from/--to, not both.")) }
        let parts = period.split(separator: "-").map(String.init)
        func day(_ y: Int, _ m: Int, _ d: Int) -> String { String(format: "%04d-%02d-%02d", y, m, d) }
        func lastDay(_ y: Int, _ m: Int) -> Int { LocalDate(year: m == 12 ? y + 1 : y, month: m == 12 ? 1 : m + 1, day: 1)!.adding(days: -1).day }
        guard let year = parts.first.flatMap(Int.init), (1900...2099).contains(year) else {
            throw ValidationError(L("--period không hợp lệ: \(period) (ví dụ 2026, 2026-Q1, 2026-03).", "Invalid --period: \(period) (e.g. 2026, 2026-Q1, 2026-03)."))
        }
        switch parts.count {
        case 1: return (day(year, 1, 1), day(year, 12, 31))
        case 2 where parts[1].hasPrefix("Q"):
            guard let q = Int(parts[1].dropFirst()), (1...4).contains(q) else { break }
            return (day(year, q * 3 - 2, 1), day(year, q * 3, lastDay(year, q * 3)))
        case 2:
            guard let month = Int(parts[1]), (1...12).contains(month) else { break }
            return (day(year, month, 1), day(year, month, lastDay(year, month)))
        case 3:
            guard LocalDate(iso: period) != nil else { break }
            return (period, period)
        default: break
        }
        throw ValidationError(L("--period không hợp lệ: \(period) (ví dụ 2026, 2026-Q1, 2026-03).", "Invalid --period: \(period) (e.g. 2026, 2026-Q1, 2026-03)."))
    }

    func validate() throws { _ = try days() }

    func run() async throws {
        let (from, to) = try days()
        var query = ["format=\(csv ? "csv" : "html")"]
        if let from { query.append("from=\(from)") }
        if let to { query.append("to=\(to)") }
        let client = try APIClient.fromSession()
        let reply = try await client.send("GET", "/api/v1/books?\(query.joined(separator: "&"))")
        let path = output ?? "so-theo-doi-\(from ?? "dau-thang")-\(to ?? "hom-nay").\(csv ? "csv" : "html")"
        guard FileManager.default.createFile(atPath: path, contents: reply.body) else {
            throw UserError(message: L("Không ghi được tệp \(path).", "Cannot write \(path)."), hint: nil, exitCode: 73)
        }
        say(L("Đã lưu sổ theo dõi hồ sơ vào \(path).", "Saved the tracking book to \(path)."))
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
