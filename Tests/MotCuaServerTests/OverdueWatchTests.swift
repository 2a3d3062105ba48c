import Foundation
import Logging
import MotCuaCore
import MotCuaStore
import Testing
@testable import MotCuaServer

extension TestServer {
    /// A complete desk intake of any procedure.
    func intakeBody(procedure code: String) async throws -> [String: Any] {
        let procedure = try #require(try await store.procedure(code: code))
        return [
            "procedureCode": code,
            "applicant": ["name": "Đỗ Văn Hải", "idNumber": "042190000123", "phone": "0987654321", "address": "Kỳ Anh, Hà Tĩnh"],
            "documents": procedure.documents.map { ["name": $0.name, "originals": $0.originals, "copies": $0.copies] },
            "returnMethod": "desk",
        ]
    }

    func watch() -> OverdueWatch {
        var logger = Logger(label: "watch")
        logger.logLevel = .warning
        return OverdueWatch(store: store, interval: .seconds(60), now: { [clock] in clock.now }, logger: logger, batch: 3)
    }

    func at(_ text: String) { clock.set(WorkCalendar.parse(text)!) }
}

extension TestClock {
    func set(_ date: Date) { advance(date.timeIntervalSince(now)) }
}

@Suite("Overdue watch, queues and digest", .serialized)
struct OverdueWatchTests {
    /// 2.001255 (5 working days) received on Friday 13 February 2026 at 15:30, just before Tết
    /// (16–20 February off): due Friday 27 February at 15:30; the near-due window (one working
    /// day, more than 20% of 40 hours) opens on Thursday 26 at 15:30.
    @Test("Each threshold once, across Tết, repeated sweeps and a restart")
    func thresholds() async throws {
        let server = try await TestServer.start(at: "2026-02-13T15:30:00+07:00")
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), leader = try await server.login(.leader)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(procedure: "2.001255"))
        let code = try #require(filed.json["code"] as? String)
        #expect(filed.json["dueAt"] as? String == "2026-02-27T15:30:00+07:00")
        let departments = try #require(try await server.store.agencies().first { $0.id == TestServer.agencyA }?.departments)
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": departments[0].id])
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/assign", token: leader, json: ["handlerID": "handler@\(TestServer.agencyA)"])
        let watch = server.watch()

        for moment in ["2026-02-13T16:00:00+07:00", "2026-02-20T12:00:00+07:00"] {
            server.at(moment)
            #expect(try await watch.sweep().isEmpty, "nothing is crossed at \(moment)")
        }
        // The processing step (70% of the 40 working hours from Friday 15:30, Tết off) ends on
        // Thursday 26 at 10:00: a step-level warning while the dossier is within its term.
        server.at("2026-02-26T10:00:00+07:00")
        #expect(try await watch.sweep().isEmpty)
        server.at("2026-02-26T15:29:00+07:00")
        let step = try await watch.sweep()
        #expect(step.map(\.kind) == [.stepOverdue] && step.first.map { WorkCalendar.format($0.due) } == "2026-02-26T10:00:00+07:00")
        server.at("2026-02-26T15:31:00+07:00")
        #expect(try await watch.sweep().map(\.kind) == [.nearDue])
        #expect(try await watch.sweep().isEmpty)
        server.at("2026-02-27T00:01:00+07:00")
        #expect(try await watch.sweep().map(\.kind) == [.dueToday])
        server.at("2026-02-27T15:30:00+07:00")
        #expect(try await watch.sweep().isEmpty, "due at 15:30 is not yet overdue at 15:30")
        server.at("2026-02-27T16:00:00+07:00")
        let overdue = try await watch.sweep()
        #expect(overdue.map(\.kind) == [.overdue] && overdue.first?.code == code)

        // A restart: a new store on the same file and a new watch find nothing new.
        let reopened = try SQLiteStore(path: server.store.path)
        var logger = Logger(label: "restart")
        logger.logLevel = .warning
        let restarted = OverdueWatch(store: reopened, interval: .seconds(60), now: { server.clock.now }, logger: logger)
        server.at("2026-03-02T09:00:00+07:00")
        #expect(try await restarted.sweep().isEmpty)
        let dossier = try #require(try await server.store.dossier(code: code))
        let recorded = try await server.store.alerts(dossierID: dossier.id)
        #expect(recorded.map(\.kind) == [.stepOverdue, .nearDue, .dueToday, .overdue])
        #expect(recorded.dropFirst().allSatisfy { WorkCalendar.format($0.due) == "2026-02-27T15:30:00+07:00" })

        // The digest names the handler and how far past due it is, in working time.
        server.at("2026-03-02T09:00:00+07:00")
        let leaderNow = try await server.login(.leader)
        let digest = try await server.request("GET", "/api/v1/digest", token: leaderNow)
        #expect(digest.status == 200)
        // The instant of the digest is a date-time like every other in the API, not a bare number.
        #expect((digest.json["at"] as? String).flatMap(WorkCalendar.parse) == WorkCalendar.parse("2026-03-02T09:00:00+07:00"), "\(digest.json["at"] ?? "none")")
        let entry = try #require((digest.json["items"] as? [[String: Any]])?.first)
        #expect(entry["code"] as? String == code && (entry["handler"] as? [String: Any])?["id"] as? String == "handler@\(TestServer.agencyA)")
        // Friday 15:30–17:00 and Monday 07:30–09:00: three working hours.
        #expect(entry["overdueWorkingSeconds"] as? Int == 3 * 3600 && entry["overdue"] as? String == "3 giờ")
        #expect(digest.json["limit"] as? Int == 100 && digest.json["offset"] as? Int == 0 && digest.json["totalIsExact"] as? Bool == true)
        let past = try await server.request("GET", "/api/v1/digest?offset=1", token: leaderNow)
        #expect(past.json["total"] as? Int == 1 && (past.json["items"] as? [Any])?.isEmpty == true)
        let tooMany = try await server.request("GET", "/api/v1/digest?limit=1001", token: leaderNow)
        #expect(tooMany.status == 422 && (tooMany.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "limit")
        let deskNow = try await server.login(.desk)
        #expect(try await server.request("GET", "/api/v1/digest", token: deskNow).status == 403)
        let alertsView = try await server.request("GET", "/api/v1/dossiers/\(code)/alerts", token: deskNow)
        #expect((alertsView.json["items"] as? [[String: Any]])?.count == 4)
        let firstAlert = try #require((alertsView.json["items"] as? [[String: Any]])?.dropFirst().first)
        #expect((firstAlert["due"] as? String).flatMap(WorkCalendar.parse) == WorkCalendar.parse("2026-02-27T15:30:00+07:00"))
    }

    @Test("Paused dossiers are never flagged; a resumed one is judged on its new appointment")
    func pauses() async throws {
        let server = try await TestServer.start(at: "2026-02-13T10:00:00+07:00")
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), handler = try await server.login(.handler)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(procedure: "2.001255"))
        let code = try #require(filed.json["code"] as? String)
        let departments = try #require(try await server.store.agencies().first { $0.id == TestServer.agencyA }?.departments)
        _ = try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": departments[0].id])
        server.at("2026-02-13T11:00:00+07:00")
        let asked = try await server.request(
            "POST", "/api/v1/dossiers/\(code)/request-supplementation", token: handler, json: ["items": ["Bản sao quyết định"], "reason": "Thiếu"])
        #expect(asked.status == 200, "\(asked.text)")
        let watch = server.watch()
        // Long past the original appointment (27 February), still waiting for the applicant.
        server.at("2026-03-02T07:00:00+07:00")
        #expect(try await watch.sweep().isEmpty)
        let deskNow = try await server.login(.desk)
        let waiting = try await server.request("GET", "/api/v1/queues/supplementation", token: deskNow)
        #expect((waiting.json["items"] as? [[String: Any]])?.first?["level"] as? String == "paused")
        #expect(try await server.request("GET", "/api/v1/queues/overdue", token: deskNow).json["total"] as? Int == 0)

        server.at("2026-03-02T08:00:00+07:00")
        let resumed = try await server.request("POST", "/api/v1/dossiers/\(code)/supplementation-received", token: deskNow, json: [:])
        #expect(resumed.status == 200)
        let dossier = try #require(try await server.store.dossier(code: code))
        // One working hour was used before the pause; 39 remain from Monday 08:00.
        #expect(dossier.dueAt.map(WorkCalendar.format) == "2026-03-06T16:30:00+07:00")
        server.at("2026-03-06T17:00:00+07:00")
        let alerts = try await watch.sweep()
        // The step's warning is recorded against the step's due time; the rest against the new appointment.
        #expect(alerts.map(\.kind) == [.stepOverdue, .nearDue, .dueToday, .overdue])
        #expect(alerts.dropFirst().allSatisfy { $0.due == dossier.dueAt } && alerts[0].due == dossier.stepDueAt && dossier.stepDueAt! < dossier.dueAt!)
    }

    @Test("Queues: counts, order by time left, colours; the apology only near due, and only once")
    func queuesAndApology() async throws {
        let server = try await TestServer.start(at: "2026-03-02T08:00:00+07:00")
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), leader = try await server.login(.leader)
        // A 5-day and a 1-day dossier: the 1-day one is due first.
        let long = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(procedure: "2.001255")).json["code"] as? String)
        let short = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        let agency = try await server.request("GET", "/api/v1/queues/agency", token: desk)
        let items = try #require(agency.json["items"] as? [[String: Any]])
        #expect(items.map { $0["code"] as? String } == [short, long] && agency.json["total"] as? Int == 2)
        // A one-day term is near due at once (its whole term is within one working day).
        #expect(items[0]["level"] as? String == "amber" && items[1]["level"] as? String == "green")
        #expect(items[1]["remaining"] as? String == "còn 5 ngày" && items[1]["remainingWorkingSeconds"] as? Int == 5 * 8 * 3600)
        let counts = try #require(try await server.request("GET", "/api/v1/queues", token: desk).json["items"] as? [[String: Any]])
        #expect(counts.count == QueueKind.allCases.count && counts.count == 10 && counts.first { $0["queue"] as? String == "near-due" }?["total"] as? Int == 1)
        #expect(try await server.request("GET", "/api/v1/queues/nothing", token: desk).status == 404)

        // Too early for an apology on the 5-day dossier; allowed once its window opens; once only.
        let newDue = "2026-03-13T16:00:00+07:00"
        let early = try await server.request("POST", "/api/v1/dossiers/\(long)/apologize", token: leader, json: ["reason": "Chờ xác minh", "newDueAt": newDue])
        #expect(early.status == 403 && early.json["type"] as? String == "/problems/forbidden")
        server.at("2026-03-06T09:00:00+07:00")
        let leaderNow = try await server.login(.leader)
        let apology = try await server.request("POST", "/api/v1/dossiers/\(long)/apologize", token: leaderNow, json: ["reason": "Chờ xác minh", "newDueAt": newDue])
        #expect(apology.status == 200, "\(apology.text)")
        let again = try await server.request("POST", "/api/v1/dossiers/\(long)/apologize", token: leaderNow, json: ["reason": "Lần hai", "newDueAt": "2026-03-20T16:00:00+07:00"])
        #expect(again.status == 409 && again.json["type"] as? String == "/problems/limit-reached")
        // It is judged on the new appointment now, and still counts as late when it ends.
        let overdue = try await server.request("GET", "/api/v1/queues/overdue", token: leaderNow)
        #expect((overdue.json["items"] as? [[String: Any]])?.map { $0["code"] as? String } == [short])
        let view = try await server.request("GET", "/api/v1/queues/agency", token: leaderNow)
        #expect((view.json["items"] as? [[String: Any]])?.first { $0["code"] as? String == long }?["dueAt"] as? String == newDue)
    }
}
