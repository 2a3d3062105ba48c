import ArgumentParser
import Foundation
import MotCuaAPI

/// `motcua report`: the service-centre report for a period, as a table, CSV or JSON.
struct ReportCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "report",
            abstract: L("Báo cáo tình hình tiếp nhận, giải quyết hồ sơ trong kỳ.", "The service-centre report for a period."),
            discussion: L(
                "Kỳ: --from/--to (YYYY-MM-DD) hoặc --period 2026 | 2026-H1 | 2026-Q2 | 2026-06. CSV có BOM UTF-8 để Excel hiện đúng tiếng Việt.",
                "Period: --from/--to (YYYY-MM-DD) or --period 2026 | 2026-H1 | 2026-Q2 | 2026-06. CSV carries a UTF-8 BOM so Excel shows Vietnamese."))
    }

    @OptionGroup var options: ClientOptions
    @Option(name: .long, help: ArgumentHelp(L("Ngày đầu kỳ (YYYY-MM-DD).", "First day (YYYY-MM-DD).")))
    var from: String?
    @Option(name: .long, help: ArgumentHelp(L("Ngày cuối kỳ, tính cả ngày đó.", "Last day, included.")))
    var to: String?
    @Option(name: .long, help: ArgumentHelp(L("Kỳ đặt tên: 2026, 2026-H1, 2026-Q2, 2026-06.", "Named period: 2026, 2026-H1, 2026-Q2, 2026-06.")))
    var period: String?
    @Option(name: .long, help: ArgumentHelp(L("Mã cơ quan (gồm cả các cơ quan cấp dưới).", "Agency code (with the agencies below it).")))
    var agency: String?
    @Option(name: .long, help: ArgumentHelp(L("Nhóm theo: agency (mặc định), field, procedure.", "Group by: agency (default), field, procedure.")))
    var by: String = "agency"
    @Option(name: .long, help: ArgumentHelp(L("Ghi CSV vào tệp này.", "Write CSV to this file.")))
    var csv: String?

    func validate() throws {
        guard period != nil || (from != nil && to != nil) else {
            throw ValidationError(L("Cần --period hoặc cả --from và --to.", "Give --period, or both --from and --to."))
        }
        guard ["agency", "field", "procedure"].contains(by) else {
            throw ValidationError(L("--by chỉ nhận agency, field hoặc procedure.", "--by takes agency, field or procedure."))
        }
    }


    static var headers: [String] {
        [
            L("Tiếp nhận", "Received"), L("Trực tuyến", "Online"), L("Trực tiếp", "Desk"), L("BCCI", "Post"), L("Kỳ trước", "Carried"),
            L("Đã giải quyết", "Resolved"), L("Trước hạn", "Early"), L("Đúng hạn", "On time"), L("Quá hạn", "Late"),
            L("Đang giải quyết", "Pending"), L("Trong hạn", "Within"), L("Quá hạn", "Overdue"),
            L("Phi địa giới: nơi khác nhận", "Across: taken in elsewhere"), L("Phi địa giới: nhận hộ", "Across: taken in for others"),
        ]
    }

    /// A row's fourteen numbers, in the order of `headers`.
    static func numbers(_ row: ReportRowView) -> [String] {
        let (r, s, p, x) = (row.received, row.resolved, row.pending, row.acrossBoundaries)
        return [r.total, r.online, r.desk, r.postal, r.carriedOver, s.total, s.early, s.onTime, s.late, p.total, p.withinTerm, p.overdue,
                x.receivedElsewhere, x.receivedForOthers]
            .map(String.init)
    }

    func run() async throws {
        let client = try APIClient.fromSession()
        var query = [period.map { "period=\($0)" }, from.map { "from=\($0)" }, to.map { "to=\($0)" }, "by=\(by)"].compactMap { $0 }
        if let agency { query.append("agency=\(agency)") }
        let reply = try await client.send("GET", "/api/v1/reports?" + query.joined(separator: "&"))
        let report = try reply.decoded(ReportView.self, server: client.server)
        let (rows, total) = (report.rows, report.total)
        if let csv {
            var lines = [([L("Mã", "Key"), L("Tên", "Name")] + Self.headers).map(Self.csvField).joined(separator: ",")]
            for row in rows + [total] {
                lines.append(([row.key, row.name] + Self.numbers(row)).map(Self.csvField).joined(separator: ","))
            }
            // The BOM tells Excel the file is UTF-8; lines end in CRLF (RFC 4180).
            let data = Data([0xEF, 0xBB, 0xBF]) + Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
            guard FileManager.default.createFile(atPath: csv, contents: data) else {
                throw UserError(message: L("Không ghi được tệp \(csv).", "Cannot write \(csv)."), hint: nil, exitCode: 73)
            }
            say(L("Đã ghi \(rows.count) dòng và dòng tổng vào \(csv).", "Wrote \(rows.count) rows and the total to \(csv)."))
            return
        }
        if options.json { return printJSON(reply.body) }
        let scope = report.agency?.name ?? L("tất cả cơ quan", "all agencies")
        say(Terminal.paint(L("Báo cáo từ \(report.period.from) đến \(report.period.to) — \(scope)",
                             "Report from \(report.period.from) to \(report.period.to) — \(scope)"), .bold))
        let label = by == "procedure" ? L("Thủ tục", "Procedure") : by == "field" ? L("Lĩnh vực", "Field") : L("Cơ quan", "Agency")
        let body = rows.map { [Terminal.clip($0.name, 30)] + Self.numbers($0) }
            + [[L("Tổng cộng", "Total")] + Self.numbers(total)]
        say(Terminal.table([label] + Self.headers, body, colour: { $0 == body.count - 1 ? .bold : nil }))
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break. Scalars, not characters:
    /// "\r\n" is one Character, so a character test for "\n" misses a CRLF (and "\r\n" as a
    /// set of characters misses a lone "\n").
    static func csvField(_ text: String) -> String {
        text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}

/// `motcua targets`: each directive target beside its value, with a bar and met or not.
struct TargetsCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "targets",
            abstract: L("Chỉ tiêu của các chỉ thị: giá trị đạt được, khoảng cách, đạt hay chưa.", "Directive targets: value, gap, met or not."))
    }

    @OptionGroup var options: ClientOptions
    @Option(name: .long, help: ArgumentHelp(L("Chỉ một chỉ thị (mã trong Config/directives).", "One directive (its id in Config/directives).")))
    var directive: String?
    @Option(name: .long, help: ArgumentHelp(L("Mã cơ quan thay cho phạm vi của chỉ thị.", "An agency instead of the directive's scope.")))
    var agency: String?
    @Option(name: .long, help: ArgumentHelp(L("Kỳ đánh giá (mặc định: năm kết thúc ở hạn của chỉ tiêu).", "Period (default: the year ending at the target's deadline).")))
    var period: String?

    func run() async throws {
        let client = try APIClient.fromSession()
        let query = [directive.map { "directive=\($0)" }, agency.map { "agency=\($0)" }, period.map { "period=\($0)" }].compactMap { $0 }
        let reply = try await client.send("GET", "/api/v1/targets" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
        if options.json { return printJSON(reply.body) }
        let items = try reply.decoded(TargetEvaluationList.self, server: client.server).items
        if items.isEmpty {
            say(L("Không có chỉ tiêu nào trong phạm vi bạn được xem.", "No targets within your reach."))
            return
        }
        for item in items {
            say(Terminal.paint("\(item.directive.id) — \(item.agency.name) (\(item.period.from) → \(item.period.to))", .bold))
            for target in item.targets {
                let (unit, threshold, value) = (target.unit, target.threshold, target.value)
                let (mark, colour): (String, Terminal.Colour) = switch target.status {
                case "met": (L("ĐẠT", "MET"), .green)
                case "notMet": (L("CHƯA ĐẠT", "NOT MET"), .red)
                default: (L("CHƯA CÓ SỐ LIỆU", "NO DATA"), .grey)
                }
                let shown = value.map { Self.format($0, unit) } ?? "—"
                let gap = target.gap.map { ($0 >= 0 ? "+" : "") + Self.format($0, unit) } ?? ""
                say("  \(Terminal.clip(target.text, 60))")
                say("    \(Self.bar(value, threshold: threshold, unit: unit)) \(shown) \(target.comparator) \(Self.format(threshold, unit))  \(gap)  "
                    + Terminal.paint(mark, colour))
            }
        }
    }

    static func format(_ value: Double, _ unit: String) -> String {
        switch unit {
        case "ratio": String(format: "%.1f%%", value * 100)
        case "count": String(Int(value.rounded()))
        default: String(format: "%.1f", value)
        }
    }

    /// A 30-cell bar of the value, with `|` where the threshold is (shares on 0–100%; counts and
    /// days on 0 to twice the larger of value and threshold).
    static func bar(_ value: Double?, threshold: Double, unit: String) -> String {
        let width = 30
        let scale = unit == "ratio" ? 1.0 : max(1, 2 * max(value ?? 0, threshold))
        let filled = Int(((value ?? 0) / scale * Double(width)).rounded()).clamped(0, width)
        let mark = Int((threshold / scale * Double(width)).rounded()).clamped(0, width - 1)
        return "[" + String((0..<width).map { $0 == mark ? "|" : $0 < filled ? "█" : "·" }) + "]"
    }
}

extension Int {
    func clamped(_ low: Int, _ high: Int) -> Int { Swift.min(Swift.max(self, low), high) }
}
