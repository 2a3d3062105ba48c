import Foundation
import MotCuaTestSupport
import Testing

/// Each lifecycle command of the terminal client, as the desk, the handler and the leader give
/// them (each in a terminal of their own) against a real `motcua serve --demo`: what it prints,
/// what it refuses in one sentence, and the desk's tracking book and the portal's lists.
@Suite("Officer terminal client: lifecycle commands and books", .serialized)
struct ActionCommandTests {
    typealias Fixture = ClientCommandTests.Fixture

    /// One officer's terminal: a home of their own, so each keeps their session.
    struct Officer {
        let fixture: Fixture
        let home: URL

        init(_ fixture: Fixture, _ username: String) throws {
            self.fixture = fixture
            home = fixture.home.deletingLastPathComponent().appendingPathComponent("home-\(username)")
            let result = try run(["login", "--server", fixture.server.baseURL!.absoluteString, "--username", username, "--password-stdin"],
                                 input: try #require(fixture.passwords[username]) + "\n")
            #expect(result.status == 0, "\(username): \(result.stderr)")
        }

        func run(_ arguments: [String], input: String? = nil, lang: String = "vi") throws -> CommandResult {
            try motcua(arguments, environment: ["MOTCUA_HOME": home.path, "NO_COLOR": "1", "MOTCUA_LANG": lang], directory: fixture.work, input: input)
        }

        func json(_ arguments: [String]) throws -> [String: Any] {
            let result = try run(arguments + ["--json"])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
        }
    }

    static let intakeArguments = [
        "intake", "--procedure", "1.001193", "--name", "Phan Thị Lụa", "--id-number", "042190000901", "--phone", "0905000901",
        "--address", "Phường Sông Trí, Hà Tĩnh", "--not-applicable", "1,2,3,5,8", "--missing", "none", "--return", "desk", "--yes", "--json",
    ]

    @Test("Intake, transfer, assign, approve, ready, return: each prints where the dossier stands; the control sheet shows them all")
    func lifecycle() throws {
        let f = try Fixture.start()
        defer { f.server.stop() }
        let desk = try Officer(f, "motcua.songtri"), handler = try Officer(f, "thuly.songtri"), leader = try Officer(f, "lanhdao.songtri")
        let code = try #require(try desk.json(Self.intakeArguments)["code"] as? String)

        let transferred = try desk.run(["transfer", code, "--department", "TPHT"])
        #expect(transferred.status == 0 && transferred.stdout.hasPrefix("\(code): ") && transferred.stdout.contains("hẹn trả"), "\(transferred.stderr)")
        let handlerID = try #require(try handler.json(["whoami"])["id"] as? String)
        #expect(try leader.run(["assign", code, "--handler", handlerID]).status == 0)
        let approved = try leader.run(["approve", code, "--note", "Đồng ý"])
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect(try handler.run(["ready", code]).status == 0)
        let returned = try desk.run(["return", code, "--method", "desk"])
        #expect(returned.status == 0 && !returned.stdout.contains("hẹn trả"), "a returned dossier has no appointment left: \(returned.stdout)")

        let detail = try desk.json(["show", code])
        #expect(detail["status"] as? String == "returned")
        let kinds = (detail["controlSheet"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
        #expect(kinds == ["created", "received", "transferred", "assigned", "approved", "resultReady", "returned"])
        // In English on request.
        let english = try desk.run(["show", code], lang: "en")
        #expect(english.status == 0 && english.stdout.contains("Phan Thị Lụa"))
    }

    @Test("Refusals: a command the role may not give, a state that does not allow it, a dossier that does not exist, a bad option")
    func refusals() throws {
        let f = try Fixture.start()
        defer { f.server.stop() }
        let desk = try Officer(f, "motcua.songtri"), handler = try Officer(f, "thuly.songtri")
        let code = try #require(try desk.json(Self.intakeArguments)["code"] as? String)

        // Stopping is a leader's; the handler and the desk may not.
        let forbidden = try handler.run(["stop", code, "--reason", "Có tranh chấp"])
        #expect(forbidden.status != 0 && forbidden.stderr.split(separator: "\n").count <= 2, "\(forbidden.stderr)")
        #expect(try desk.run(["stop", code, "--reason", "Có tranh chấp"]).status != 0)
        let notYet = try desk.run(["return", code, "--method", "desk"])
        #expect(notYet.status != 0 && !notYet.stderr.isEmpty, "a received dossier has no result to return")
        let missing = try desk.run(["show", "000.15.01.H42-990101-0001"])
        #expect(missing.status != 0 && (missing.stderr.contains("000.15.01.H42-990101-0001") || missing.stderr.contains("Không tìm thấy")), "\(missing.stderr)")
        let badMethod = try desk.run(["return", code, "--method", "drone"])
        #expect(badMethod.status != 0 && badMethod.stderr.contains("desk, post"), "\(badMethod.stderr)")
        let badDepartment = try desk.run(["transfer", code, "--department", "KHONGCO"])
        #expect(badDepartment.status != 0 && !badDepartment.stderr.isEmpty)
        // Nothing of the refusals changed the dossier.
        #expect(try desk.json(["show", code])["status"] as? String == "received")
        // Withdrawn at the applicant's request: final, with the reason on the sheet.
        let withdrawn = try desk.run(["withdraw", code, "--reason", "Công dân xin rút hồ sơ"])
        #expect(withdrawn.status == 0, "\(withdrawn.stderr)")
        #expect(try desk.json(["show", code])["status"] as? String == "withdrawn")
    }

    @Test("The tracking book is saved as HTML or as CSV with a BOM, for a period or from/to; a bad period is one sentence")
    func books() throws {
        let f = try Fixture.start()
        defer { f.server.stop() }
        let desk = try Officer(f, "motcua.songtri")
        let code = try #require(try desk.json(Self.intakeArguments)["code"] as? String)
        let today = String(try #require(try desk.json(["show", code])["submittedAt"] as? String).prefix(10))

        let html = try desk.run(["book", "--from", today, "--to", today, "--output", "so.html"])
        #expect(html.status == 0 && html.stdout.contains("so.html"), "\(html.stderr)")
        let page = try String(contentsOf: f.work.appendingPathComponent("so.html"), encoding: .utf8)
        #expect(page.contains("<html") && page.contains(code) && page.contains("Phan Thị Lụa"))

        let csv = try desk.run(["book", "--period", String(today.prefix(7)), "--csv", "--output", "so.csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let bytes = try Data(contentsOf: f.work.appendingPathComponent("so.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "a BOM, so that Excel reads UTF-8")
        #expect(String(decoding: bytes, as: UTF8.self).contains(code))

        let both = try desk.run(["book", "--period", "2026", "--from", "2026-01-01"])
        #expect(both.status != 0 && both.stderr.contains("--period"))
        let bad = try desk.run(["book", "--period", "2026-Q7"])
        #expect(bad.status != 0 && bad.stderr.contains("2026-Q7"))
    }

    @Test("The portal's lists: nothing failed on a fresh demo, sync figures, and a retry of what does not exist")
    func portal() throws {
        let f = try Fixture.start()
        defer { f.server.stop() }
        let leader = try Officer(f, "lanhdao.songtri")
        let failed = try leader.run(["portal", "failed"])
        #expect(failed.status == 0, "\(failed.stderr)")
        let failedJSON = try leader.run(["portal", "failed", "--json"])
        #expect(failedJSON.status == 0 && failedJSON.stdout.contains("items"))
        let sync = try leader.run(["portal", "sync", "--from", "2025-01-01", "--to", "2030-12-31"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(try leader.run(["portal", "sync"]).status == 64, "the period is required: a usage error")
        let retry = try leader.run(["portal", "retry", "no-such-message"])
        #expect(retry.status != 0 && !retry.stderr.isEmpty)
    }
}
