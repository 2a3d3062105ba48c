import ArgumentParser
import Foundation
import Testing
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
@testable import motcua

/// The terminal client's own parts, without a server: periods given on the command line, the
/// short times it prints, its tables, and its choice of language.
@Suite("Terminal client parts")
struct ClientPartsTests {
    func book(_ arguments: [String]) throws -> BookCommand { try BookCommand.parse(arguments) }

    @Test("--period: a year, a quarter, a month or a day becomes its first and last day", arguments: [
        ("2026", "2026-01-01", "2026-12-31"), ("2026-Q1", "2026-01-01", "2026-03-31"), ("2026-Q4", "2026-10-01", "2026-12-31"),
        ("2026-02", "2026-02-01", "2026-02-28"), ("2028-02", "2028-02-01", "2028-02-29"), ("2026-12", "2026-12-01", "2026-12-31"),
        ("2026-03-02", "2026-03-02", "2026-03-02"),
    ])
    func periods(period: String, from: String, to: String) throws {
        let days = try book(["--period", period]).days()
        #expect(days.from == from && days.to == to)
    }

    @Test("--from and --to pass as they are; neither: the server's default")
    func explicitDays() throws {
        let days = try book(["--from", "2026-03-01", "--to", "2026-03-31"]).days()
        #expect(days.from == "2026-03-01" && days.to == "2026-03-31")
        let none = try book([]).days()
        #expect(none.from == nil && none.to == nil)
    }

    @Test("A period that is not one, or a period with --from, is a usage error naming --period", arguments: [
        ["--period", "2026-Q5"], ["--period", "2026-13"], ["--period", "26"], ["--period", "2026-02-30"], ["--period", "2026", "--from", "2026-01-01"],
        ["--period", "năm nay"],
    ])
    func badPeriods(arguments: [String]) {
        #expect(throws: (any Error).self) { try BookCommand.parseAsRoot(arguments) }
        do {
            _ = try BookCommand.parseAsRoot(arguments)
        } catch {
            #expect(BookCommand.message(for: error).contains("--period"), "\(BookCommand.message(for: error))")
        }
    }

    @Test("Short times: HH:mm dd/MM/yyyy from the API's ISO 8601, a dash for nothing")
    func shortTimes() {
        #expect(shortTime("2026-03-03T08:00:00+07:00") == "08:00 03/03/2026")
        #expect(shortTime(nil as String?) == "—")
        #expect(shortTime("2026") == "—")
        #expect(shortTime(nil as Date?) == "—")
    }

    @Test("Tables: columns padded to their widest cell, Vietnamese counted in characters")
    func tables() {
        let table = Terminal.table(["Mã", "Người nộp"], [["A-1", "Nguyễn Văn An"], ["B-22", "Lê Ư"]])
        // Not a terminal here: no colour codes, just the columns, two spaces apart.
        #expect(table == "Mã    Người nộp    \nA-1   Nguyễn Văn An\nB-22  Lê Ư         ")
        #expect(Terminal.pad("ệ", 3) == "ệ  ")
        #expect(Terminal.clip("Nguyễn Văn An", 6).count <= 6)
        #expect(Terminal.clip("An", 6) == "An")
    }
}

/// Every failure the client can meet, as one sentence, a hint and an exit code (sysexits).
@Suite("Terminal client: failures as sentences and exit codes")
struct ClientFailureTests {
    let server = URL(string: "http://127.0.0.1:8080")!

    func failure(_ status: Int, detail: String? = "Chi tiết.", errors: [ProblemDocument.FieldError]? = nil) -> UserError {
        APIClient.failure(.problem(status: status, ProblemDocument(title: "Tiêu đề", status: status, detail: detail, errors: errors)), server: server)
    }

    @Test("Each status its exit code: 401 and 403 → 77, 404 → 66, 429 → 75, 5xx → 69, other 4xx → 65", arguments: [
        (401, 77), (403, 77), (404, 66), (429, 75), (500, 69), (503, 69), (409, 65), (422, 65), (400, 65), (413, 65),
    ])
    func exitCodes(status: Int, code: Int32) {
        #expect(failure(status).exitCode == code)
    }

    @Test("The server's words are the sentence: its detail, else its title; several fields are listed")
    func sentences() {
        #expect(failure(409).message == "Chi tiết.")
        #expect(failure(409, detail: nil).message == "Tiêu đề")
        let fields = failure(422, errors: [.init(field: "applicant.phone", reason: "Sai."), .init(field: "applicant.idNumber", reason: "Thiếu.")])
        #expect(fields.message == "applicant.phone: Sai.; applicant.idNumber: Thiếu.")
        let one = failure(422, errors: [.init(field: "applicant.phone", reason: "Sai.")])
        #expect(one.message == "Chi tiết.", "one field: the server's own sentence")
        // A session that ended says how to start another, whatever the server wrote.
        #expect(failure(401).message.contains("Phiên đăng nhập") && failure(401).hint?.contains("motcua login") == true)
        let bare = APIClient.failure(.problem(status: 502, ProblemDocument()), server: server)
        #expect(bare.message == "HTTP 502" && bare.exitCode == 69)
    }

    @Test("No server, an answer of another shape, a path that is not one")
    func transport() {
        let unreachable = APIClient.failure(.unreachable(server, reason: "connection refused"), server: server)
        #expect(unreachable.exitCode == 69 && unreachable.message.contains("127.0.0.1:8080") && unreachable.hint?.contains("--server") == true)
        let slow = APIClient.failure(.timedOut(server, seconds: 30), server: server)
        #expect(slow.exitCode == 69 && slow.message == "Máy chủ http://127.0.0.1:8080 không trả lời sau 30 giây.")
        let shape = APIClient.failure(.unexpectedShape("DossierView"), server: server)
        #expect(shape.exitCode == 1 && shape.hint != nil)
        let path = APIClient.failure(.invalidPath("/a b"), server: server)
        #expect(path.exitCode == 65 && path.message.contains("/a b"))
    }
}

/// Which failures ArgumentParser prints (help, usage, a deliberate exit code), and which the
/// executable prints itself as one line in the person's language.
@Suite("The executable's last word on a failure")
struct LastWordTests {
    @Test("Help, usage mistakes and exit codes are ArgumentParser's; a failure of the work is not")
    func whoPrints() {
        #expect(MotCua.isArgumentParserError(ExitCode(3)))
        #expect(MotCua.isArgumentParserError(CleanExit.helpRequest()))
        #expect(MotCua.isArgumentParserError(ValidationError("--batch")))
        do {
            _ = try MotCua.parseAsRoot(["khong-co-lenh-nay"])
            Issue.record("an unknown command was parsed")
        } catch {
            #expect(MotCua.isArgumentParserError(error), "\(String(reflecting: type(of: error)))")
        }
        #expect(!MotCua.isArgumentParserError(DomainError.forbidden(command: "rate", reason: "Hồ sơ đang do cơ quan khác giữ.")))
        #expect(!MotCua.isArgumentParserError(CocoaError(.fileNoSuchFile)))
        #expect(!MotCua.isArgumentParserError(UserError.input("Sai.")))
    }
}

/// The intake's numbered lists, the deadline's options and rendering, migrate-store's batch.
@Suite("Command-line options read as they should")
struct CommandOptionTests {
    @Test("Document numbers: a comma or space list, deduplicated and sorted; none, empty or 0 is none; out of range is refused", arguments: [
        ("2,5", 8, [2, 5] as [Int]?), ("5 2 2", 8, [2, 5]), ("none", 8, []), ("NONE", 8, []), ("", 8, []), ("0", 8, []), (" 1 , 8 ", 8, [1, 8]),
        ("9", 8, nil), ("-1", 8, nil), ("2;5", 8, nil), ("hai", 8, nil), ("1,,2", 8, [1, 2]),
    ])
    func numbers(text: String, max: Int, expected: [Int]?) {
        #expect(IntakeCommand.numbers(text, max: max) == expected, "\(text)")
    }

    @Test("motcua deadline takes exactly one of --days, --hours, --calendar-days, from 0 to 10000", arguments: [
        (["--from", "2026-03-02T08:00", "--days", "3"], true), (["--from", "2026-03-02T08:00", "--hours", "4"], true),
        (["--from", "2026-03-02T08:00", "--calendar-days", "30"], true), (["--from", "2026-03-02T08:00"], false),
        (["--from", "2026-03-02T08:00", "--days", "3", "--hours", "2"], false), (["--from", "2026-03-02T08:00", "--days", "-1"], false),
        (["--from", "2026-03-02T08:00", "--days", "10001"], false),
    ])
    func deadlineOptions(arguments: [String], valid: Bool) {
        let parsed = (try? DeadlineCommand.parseAsRoot(arguments)) != nil
        #expect(parsed == valid, "\(arguments)")
    }

    @Test("The deadline's answer: its due time, where counting starts, and each day not worked with its reason")
    func deadlineRendering() throws {
        let calendar = try ConfigLoader.loadCalendars(from: repositoryRoot.appendingPathComponent("Config")).standard
        let start = try #require(WorkCalendar.parse("2026-02-13T15:30:00+07:00"))
        let text = try DeadlineCommand.render(calendar: calendar, start: start, term: .workingDays(3), json: false)
        #expect(text.hasPrefix("Tiếp nhận:  Thứ Sáu 13/02/2026 15:30"))
        #expect(text.contains("Thời hạn:   3 ngày làm việc"))
        #expect(text.contains("Tết") || text.contains("tết"), "the days off across Tết are listed: \(text)")
        let json = try JSONSerialization.jsonObject(with: Data(try DeadlineCommand.render(calendar: calendar, start: start, term: .workingDays(3), json: true).utf8)) as? [String: Any]
        #expect((json?["term"] as? [String: Any])?["unit"] as? String == "workingDays")
        #expect(json?["workingSeconds"] as? Int == 3 * 8 * 3600)
        #expect(((json?["skippedDays"] as? [[String: Any]]) ?? []).count >= 5)
        // Received after hours: counting starts at the next working period.
        let evening = try #require(WorkCalendar.parse("2026-03-02T19:00:00+07:00"))
        let late = try DeadlineCommand.render(calendar: calendar, start: evening, term: .workingHours(4), json: false)
        #expect(late.contains("ngoài giờ làm việc") && late.contains("Thứ Ba 03/03/2026 07:30"))
        #expect(DeadlineCommand.human(try #require(WorkCalendar.parse("2026-03-03T08:15:30+07:00"))) == "Thứ Ba 03/03/2026 08:15:30")
    }

    @Test("migrate-store reads between 100 and a million rows at a time")
    func batches() {
        #expect((try? MigrateStoreCommand.parseAsRoot(["--from", "sqlite:/x.sqlite", "--to", "postgres://a@h/d", "--batch", "100"])) != nil)
        #expect((try? MigrateStoreCommand.parseAsRoot(["--from", "sqlite:/x.sqlite", "--to", "postgres://a@h/d", "--batch", "99"])) == nil)
        #expect((try? MigrateStoreCommand.parseAsRoot(["--from", "sqlite:/x.sqlite", "--to", "postgres://a@h/d", "--batch", "1000001"])) == nil)
    }
}

/// How the terminal client words and draws what the server answers.
@Suite("Terminal client: words, bars and columns")
struct ClientWordingTests {
    @Test("Time left in words, a working day being 8 hours; past it, how far")
    func remaining() {
        #expect(QueueCommand.remaining(nil) == "—")
        #expect(QueueCommand.remaining(0) == "còn 0 phút")
        #expect(QueueCommand.remaining(90 * 60) == "còn 1 giờ 30 phút")
        #expect(QueueCommand.remaining(8 * 3600 + 3600) == "còn 1 ngày 1 giờ")
        #expect(QueueCommand.remaining(-(2 * 8 * 3600)) == "quá hạn 2 ngày")
    }

    @Test("Targets: values in their unit, a 30-cell bar with the threshold marked")
    func targets() {
        #expect(TargetsCommand.format(0.354, "ratio") == "35.4%")
        #expect(TargetsCommand.format(2.6, "count") == "3")
        #expect(TargetsCommand.format(2.25, "days") == "2.2" || TargetsCommand.format(2.25, "days") == "2.3")
        let half = TargetsCommand.bar(0.5, threshold: 0.35, unit: "ratio")
        #expect(half.count == 32 && half.hasPrefix("[") && half.hasSuffix("]"))
        #expect(half.filter { $0 == "|" }.count == 1)
        #expect(Array(half)[1 + 11] == "|", "35% of 30 cells is 10.5, rounded to 11")
        #expect(half.filter { $0 == "█" }.count == 14, "50% is 15 cells, one of them the mark")
        let none = TargetsCommand.bar(nil, threshold: 0.9, unit: "ratio")
        #expect(!none.contains("█") && none.contains("|"))
        let over = TargetsCommand.bar(3, threshold: 0, unit: "count")
        #expect(over.count == 32 && Array(over)[1] == "|", "a threshold of 0 at the start")
        #expect(TargetsCommand.bar(2, threshold: 1, unit: "ratio").filter { $0 == "█" }.count == 29, "a share past 100% fills the bar")
    }

    @Test("The report's CSV quotes what needs quoting; its row has fourteen numbers in the headers' order")
    func report() {
        #expect(ReportCommand.csvField("Sông Trí") == "Sông Trí")
        #expect(ReportCommand.csvField("Hộ tịch, chứng thực") == "\"Hộ tịch, chứng thực\"")
        #expect(ReportCommand.csvField("Nói \"không\"") == "\"Nói \"\"không\"\"\"")
        #expect(ReportCommand.csvField("hai\ndòng") == "\"hai\ndòng\"")
        #expect(ReportCommand.csvField("hai\r\ndòng") == "\"hai\r\ndòng\"", "a CRLF is one Character")
        #expect(ReportCommand.csvField("về\r") == "\"về\r\"")
        var tally = Tally()
        tally.received.total = 9; tally.received.online = 2; tally.received.desk = 5; tally.received.postal = 1; tally.received.carriedOver = 1
        tally.resolved.total = 6; tally.resolved.early = 1; tally.resolved.onTime = 4; tally.resolved.late = 1
        tally.pending.total = 3; tally.pending.withinTerm = 2; tally.pending.overdue = 1
        tally.counts.receivedElsewhere = 1
        let numbers = ReportCommand.numbers(ReportRowView(key: "X", name: "X", tally: tally))
        #expect(numbers == ["9", "2", "5", "1", "1", "6", "1", "4", "1", "3", "2", "1", "1", "0"])
        #expect(numbers.count == ReportCommand.headers.count)
        #expect((try? ReportCommand.parseAsRoot(["--period", "2026"])) != nil)
        #expect((try? ReportCommand.parseAsRoot(["--from", "2026-01-01"])) == nil, "--from needs --to")
        #expect((try? ReportCommand.parseAsRoot(["--period", "2026", "--by", "colour"])) == nil)
    }

    @Test("Postal and portal words")
    func words() {
        #expect(PostalFailedCommand.direction("pickup") == "Thu gom hồ sơ" && PostalFailedCommand.direction("delivery") == "Chuyển phát kết quả")
        #expect(["dead", "pending", "sent", "cancelled"].map(PostalFailedCommand.status) == ["Lỗi", "Chờ gửi", "Đã gửi", "Đã hủy"])
        #expect(PostalFailedCommand.status("other") == "other" && PostalFailedCommand.status(nil) == "")
        #expect(PortalFailedCommand.kind("sync") == "Đồng bộ hồ sơ" && PortalFailedCommand.kind("progress") == "Tiến độ xử lý")
        let findings = ["missing", "resent", "unknown", "inFlight", "dead", "conflict"].map(PortalReconcileCommand.finding)
        #expect(Set(findings).count == 6 && !findings.contains("missing"))
        #expect(PortalReconcileCommand.finding("new") == "new")
    }
}
