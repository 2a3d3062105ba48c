import Foundation
import MotCuaTestSupport
import Testing

/// The officers' terminal client against a real `motcua serve --demo` on loopback, used the way
/// a person uses it: scripted commands, and the guided intake typed into a real terminal (tmux).
@Suite("Officer terminal client", .serialized)
struct ClientCommandTests {
    struct Fixture {
        let server: ServerProcess
        let home: URL
        let work: URL
        let passwords: [String: String]

        var environment: [String: String] { ["MOTCUA_HOME": home.path, "NO_COLOR": "1", "MOTCUA_LANG": "vi"] }

        static func start() throws -> Fixture {
            let data = TestScratch.path("motcua-cli")
            let server = try ServerProcess(dataDirectory: data, demo: true)
            try server.waitUntilListening()
            var passwords: [String: String] = [:]
            for line in server.lines {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count >= 2, parts[0].contains(".") && !parts[0].hasPrefix("http") { passwords[String(parts[0])] = String(parts[1]) }
            }
            let home = data.appendingPathComponent("home"), work = data.appendingPathComponent("work")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            return Fixture(server: server, home: home, work: work, passwords: passwords)
        }

        func run(_ arguments: [String], input: String? = nil, lang: String = "vi") throws -> CommandResult {
            var environment = environment
            environment["MOTCUA_LANG"] = lang
            return try motcua(arguments, environment: environment, directory: work, input: input)
        }

        func login(_ user: String) throws {
            let result = try run(["login", "--server", server.baseURL!.absoluteString, "--username", user, "--password-stdin"], input: passwords[user]! + "\n")
            #expect(result.status == 0, "\(result.stderr)")
        }
    }

    @Test("Login stores a 0600 token; queues, show, actions, print, digest, JSON, English, and clear errors")
    func scripted() throws {
        let f = try Fixture.start()
        defer { f.server.stop() }
        #expect(f.passwords["motcua.songtri"] != nil)
        let notLoggedIn = try f.run(["queue"])
        #expect(notLoggedIn.status == 77 && notLoggedIn.stderr.contains("Bạn chưa đăng nhập") && notLoggedIn.stderr.contains("motcua login"))
        let wrong = try f.run(["login", "--server", f.server.baseURL!.absoluteString, "--username", "motcua.songtri", "--password-stdin"], input: "sai\n")
        #expect(wrong.status == 77 && wrong.stderr.contains("Sai tên đăng nhập hoặc mật khẩu"))

        try f.login("motcua.songtri")
        let file = f.home.appendingPathComponent("session.json").path
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try f.run(["whoami"]).stdout.contains("motcua.songtri"))

        let counts = try f.run(["queue"])
        #expect(counts.status == 0 && counts.stdout.contains("near-due") && counts.stdout.contains("Số hồ sơ"))
        let agency = try f.run(["queue", "agency", "--limit", "5"])
        #expect(agency.status == 0 && agency.stdout.contains("Mã hồ sơ") && agency.stdout.contains("Hẹn trả"))
        let json = try f.run(["queue", "agency", "--limit", "3", "--json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((parsed?["items"] as? [Any])?.count == 3)
        let english = try f.run(["queue", "agency", "--limit", "2"], lang: "en")
        #expect(english.stdout.contains("Code") && english.stdout.contains("Due"))

        // A scripted intake (every step as a flag), then the dossier's timeline and its forms.
        let intake = try f.run([
            "intake", "--procedure", "1.001193", "--name", "Hoàng Thị Mai", "--id-number", "042190000777", "--phone", "0905123456",
            "--address", "Phường Sông Trí, Hà Tĩnh", "--not-applicable", "1,2,3,5,8", "--missing", "none", "--return", "desk", "--yes",
        ])
        #expect(intake.status == 0, "\(intake.stderr)")
        #expect(intake.stdout.contains("GIẤY TIẾP NHẬN HỒ SƠ") && intake.stdout.contains("Mã bí mật tra cứu"))
        let code = try #require(intake.stdout.split(separator: "\n").first { $0.hasPrefix("Mã hồ sơ: ") }?.split(separator: " ")[3]).description
        #expect(FileManager.default.fileExists(atPath: f.work.appendingPathComponent("mau-01-\(code).html").path))
        let show = try f.run(["show", code])
        #expect(show.stdout.contains("Phiếu kiểm soát quá trình giải quyết") && show.stdout.contains("Tiếp nhận hồ sơ") && show.stdout.contains("Hoàng Thị Mai"))
        #expect(try f.run(["print", code, "--form", "01", "--output", "receipt.html"]).status == 0)
        #expect(try String(contentsOf: f.work.appendingPathComponent("receipt.html"), encoding: .utf8).contains("Giấy tiếp nhận hồ sơ"))
        // Returned by post: the delivery address goes with the dossier (the applicant's by default).
        let byPost = try f.run([
            "intake", "--procedure", "1.001193", "--name", "Lê Văn Tâm", "--id-number", "042190000778", "--phone", "0905123457",
            "--address", "Số 5 đường Lê Lợi", "--not-applicable", "1,2,3,5,8", "--missing", "none", "--return", "post",
            "--ward", "phường Sông Trí", "--province", "tỉnh Hà Tĩnh", "--yes", "--json",
        ])
        let posted = try JSONSerialization.jsonObject(with: Data(byPost.stdout.utf8)) as? [String: Any]
        let postedCode = try #require(posted?["code"] as? String, "\(byPost.stderr)")
        let postedDossier = try JSONSerialization.jsonObject(with: Data(try f.run(["show", postedCode, "--json"]).stdout.utf8)) as? [String: Any]
        let postal = postedDossier?["postalAddress"] as? [String: Any]
        #expect(postal?["street"] as? String == "Số 5 đường Lê Lợi" && postal?["ward"] as? String == "phường Sông Trí" && postal?["recipient"] as? String == "Lê Văn Tâm")

        // Filed for Hoành Sơn at Sông Trí's desk: the scans go with it; without them, one sentence.
        let across = [
            "intake", "--procedure", "1.001193", "--name", "Đỗ Thị Hạnh", "--id-number", "042190000779", "--phone", "0905123458",
            "--address", "Phường Hoành Sơn, Hà Tĩnh", "--not-applicable", "1,2,3,5,8", "--missing", "none", "--return", "desk",
            "--competent-agency", "000.15.02.H42", "--yes",
        ]
        let unscanned = try f.run(across)
        #expect(unscanned.status == 65 && unscanned.stderr.contains("số hóa"), "\(unscanned.stderr)")
        for number in [4, 6, 7] {
            try Data("%PDF-1.7\n% quét \(number)\n".utf8).write(to: f.work.appendingPathComponent("quet-\(number).pdf"))
        }
        let scanned = try f.run(across + ["--scan", "4=quet-4.pdf", "--scan", "6=quet-6.pdf", "--scan", "7=quet-7.pdf"])
        #expect(scanned.status == 0, "\(scanned.stderr)")
        let acrossCode = try #require(scanned.stdout.split(separator: "\n").first { $0.hasPrefix("Mã hồ sơ: ") }?.split(separator: " ")[3]).description
        #expect(acrossCode.hasPrefix("000.15.02.H42-"))
        let acrossShow = try f.run(["show", acrossCode])
        #expect(acrossShow.stdout.contains("Tiếp nhận không phụ thuộc địa giới hành chính tại 000.15.01.H42") && acrossShow.stdout.contains("Đang chuyển đến: 000.15.02.H42"))
        #expect(try f.run(["queue", "received-for-others"]).stdout.contains(acrossCode))

        // Lifecycle actions; a refused one is one clear sentence and a documented exit code.
        let stop = try f.run(["stop", code, "--reason", "Thử"])
        #expect(stop.status == 77 && stop.stderr.hasPrefix("Lỗi: ") && !stop.stderr.contains("Error"))
        let refuse = try f.run(["refuse", code, "--reason", "Không thuộc thẩm quyền"])
        #expect(refuse.status == 0 && refuse.stdout.contains("Không được tiếp nhận"))
        let again = try f.run(["refuse", code, "--reason", "Lần hai"])
        #expect(again.status == 65 && again.stderr.contains("Không thể thực hiện"))
        let missing = try f.run(["show", "000.15.01.H42-990101-0001"])
        #expect(missing.status == 66)

        try f.login("lanhdao.songtri")
        let digest = try f.run(["digest"])
        #expect(digest.status == 0 && digest.stdout.contains("hồ sơ quá hạn"))
        #expect(try f.run(["logout"]).status == 0)
        #expect(try f.run(["whoami"]).status == 77)
        // Help reads in both languages; completions come from the parser.
        #expect(try f.run(["--help"]).stdout.contains("Mã thoát"))
        #expect(try f.run(["--help"], lang: "en").stdout.contains("Exit codes"))
        #expect(try f.run(["--generate-completion-script", "bash"]).stdout.contains("_motcua"))
    }

    @Test("Too many wrong passwords: login refused for a while (exit 75, one sentence); the admin reads it all in motcua audit")
    func throttledLoginAndAudit() throws {
        let f = try Fixture.start()
        defer { f.server.stop() }
        let base = f.server.baseURL!.absoluteString
        for _ in 0..<5 {
            let wrong = try f.run(["login", "--server", base, "--username", "motcua.songtri", "--password-stdin"], input: "sai\n")
            #expect(wrong.status == 77)
        }
        let locked = try f.run(["login", "--server", base, "--username", "motcua.songtri", "--password-stdin"], input: f.passwords["motcua.songtri"]! + "\n")
        #expect(locked.status == 75)
        #expect(locked.stderr.contains("Đăng nhập sai quá nhiều lần") && locked.stderr.contains("giây"), "\(locked.stderr)")
        #expect(!locked.stderr.contains("Error:") && locked.stdout.isEmpty)

        try f.login("lanhdao.songtri")
        let notAdmin = try f.run(["audit"])
        #expect(notAdmin.status == 77 && notAdmin.stderr.contains("quản trị"))
        try f.login("quantri.demo")
        let audit = try f.run(["audit", "--kind", "login.failed", "--kind", "login.throttled"])
        #expect(audit.status == 0, "\(audit.stderr)")
        let lines = audit.stdout.split(separator: "\n")
        #expect(lines.first?.contains("Tài khoản") == true)
        #expect(lines.filter { $0.contains("login.failed") && $0.contains("motcua.songtri") }.count == 5)
        #expect(lines.filter { $0.contains("login.throttled") }.count == 1)
        let json = try f.run(["audit", "--user", "quantri.demo", "--json"])
        let items = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["items"] as? [[String: Any]]
        #expect(items?.first?["kind"] as? String == "login.succeeded")
        let bad = try f.run(["audit", "--limit", "0"])
        #expect(bad.status == 64 && bad.stderr.contains("--limit phải từ 1 đến 200"), "\(bad.stderr)")
        #expect(try f.run(["audit", "--kind", "login"]).status == 64)
    }

    @Test("report: table, JSON with the issue's keys and identities, CSV with a BOM; targets with bars; bad periods are one sentence")
    func statistics() throws {
        let f = try Fixture.start()
        defer { f.server.stop() }
        try f.login("lanhdao.songtri")
        let year = String(Calendar(identifier: .gregorian).component(.year, from: Date()))
        let table = try f.run(["report", "--period", year, "--by", "procedure"])
        #expect(table.status == 0 && table.stdout.contains("Tiếp nhận") && table.stdout.contains("Tổng cộng"), "\(table.stderr)")
        let json = try f.run(["report", "--from", "\(year)-01-01", "--to", "\(year)-12-31", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        for row in ((report["rows"] as? [[String: Any]]) ?? []) + [report["total"] as? [String: Any] ?? [:]] {
            let received = try #require(row["received"] as? [String: Int]), resolved = try #require(row["resolved"] as? [String: Int])
            let pending = try #require(row["pending"] as? [String: Int])
            #expect(Set(received.keys) == ["total", "online", "desk", "postal", "carriedOver"])
            #expect(Set(resolved.keys) == ["total", "early", "onTime", "late"] && Set(pending.keys) == ["total", "withinTerm", "overdue"])
            #expect(received["total"] == received["online"]! + received["desk"]! + received["postal"]! + received["carriedOver"]!)
            #expect(received["total"] == resolved["total"]! + pending["total"]!)
            #expect(resolved["total"] == resolved["early"]! + resolved["onTime"]! + resolved["late"]!)
            #expect(pending["total"] == pending["withinTerm"]! + pending["overdue"]!)
        }
        #expect(((report["total"] as? [String: Any])?["received"] as? [String: Int])?["total"] ?? 0 > 0)
        let csv = try f.run(["report", "--period", year, "--by", "field", "--csv", "bao-cao.csv"])
        #expect(csv.status == 0)
        let bytes = try Data(contentsOf: f.work.appendingPathComponent("bao-cao.csv"))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]) && String(decoding: bytes.dropFirst(3), as: UTF8.self).hasPrefix("Mã,Tên,Tiếp nhận"))
        // The "received across boundaries" columns close each line (filing anywhere in the province).
        let header = String(decoding: bytes.dropFirst(3), as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        #expect(header.hasSuffix("Phi địa giới: nơi khác nhận,Phi địa giới: nhận hộ"), "\(header)")
        let bad = try f.run(["report", "--from", "\(year)-12-31", "--to", "\(year)-01-01"])
        #expect(bad.status == 65 && bad.stderr.hasPrefix("Lỗi: ") && !bad.stderr.contains("Error"), "\(bad.stderr)")
        #expect(try f.run(["report"]).status == 64)

        try f.login("quantri.demo")
        let targets = try f.run(["targets"])
        #expect(targets.status == 0 && targets.stdout.contains("doan-hung-2021") && targets.stdout.contains("["), "\(targets.stderr)")
        let targetsJSON = try JSONSerialization.jsonObject(with: Data(try f.run(["targets", "--directive", "ky-anh-30-ct-thu-2019", "--json"]).stdout.utf8)) as? [String: Any]
        #expect((targetsJSON?["items"] as? [[String: Any]])?.count == 1)
        #expect(try f.run(["targets", "--directive", "khong-co"]).status == 66)
    }

    @Test("Guided intake typed into a real terminal (tmux): search without diacritics, checked fields, form 02")
    func interactive() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            Issue.record("tmux is required for the terminal test (apt-get install tmux)")
            return
        }
        let f = try Fixture.start()
        defer { f.server.stop() }
        try f.login("motcua.songtri")
        let session = "motcua-\(UUID().uuidString.prefix(8))"
        func tmux(_ arguments: [String]) throws -> String {
            // UTF-8 whatever the runner's locale: tmux would otherwise draw Vietnamese as "_".
            var environment = ProcessInfo.processInfo.environment
            environment["LC_ALL"] = "C.UTF-8"
            environment["TERM"] = environment["TERM"] ?? "xterm-256color"
            return try runCommand("/usr/bin/tmux", ["-u"] + arguments, environment: environment, seconds: 20).stdout
        }
        func screen() throws -> String { try tmux(["capture-pane", "-p", "-J", "-t", session, "-S", "-200"]) }
        func waitFor(_ text: String) throws -> String {
            for _ in 0..<100 {
                let shown = try screen()
                if shown.contains(text) { return shown }
                Thread.sleep(forTimeInterval: 0.1)
            }
            Issue.record("never saw \"\(text)\" on the screen:\n\(try screen())")
            return try screen()
        }
        func type(_ text: String) throws { _ = try tmux(["send-keys", "-t", session, "-l", text]); _ = try tmux(["send-keys", "-t", session, "Enter"]) }

        let environment = f.environment.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        _ = try tmux(["new-session", "-d", "-s", session, "-x", "200", "-y", "50", "-c", f.work.path,
                      "env \(environment) \(try motcuaExecutable().path) intake; echo EXIT=$?; sleep 30"])
        defer { _ = try? tmux(["kill-session", "-t", session]) }
        _ = try waitFor("Tìm thủ tục")
        try type("dang ky khai sinh")
        _ = try waitFor("Chọn số")
        try type("1")
        _ = try waitFor("Họ tên:")
        try type("Phan Văn Đức")
        _ = try waitFor("Số CCCD:")
        try type("12345")
        _ = try waitFor("phải gồm đúng 12 chữ số")
        try type("042190000888")
        _ = try waitFor("Số điện thoại:")
        try type("0905000111")
        _ = try waitFor("Email")
        try type("")
        _ = try waitFor("Địa chỉ:")
        try type("Thôn 3, xã Kỳ Hoa")
        _ = try waitFor("KHÔNG áp dụng")
        try type("1,2,3,5,8")
        _ = try waitFor("CÒN THIẾU")
        try type("4")
        _ = try waitFor("Trả kết quả")
        try type("")
        _ = try waitFor("mẫu 02")
        try type("c")
        let final = try waitFor("EXIT=")
        #expect(final.contains("PHIẾU YÊU CẦU BỔ SUNG") && final.contains("EXIT=0"), "\(final)")
        #expect(final.contains("Giấy chứng sinh") && final.contains("Mã bí mật tra cứu"))
        let saved = try FileManager.default.contentsOfDirectory(atPath: f.work.path)
        #expect(saved.contains { $0.hasPrefix("mau-02-") })
    }
}
