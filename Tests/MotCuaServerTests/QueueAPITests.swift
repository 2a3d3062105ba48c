import Foundation
import MotCuaCore
import MotCuaStore
import Testing
@testable import MotCuaServer

/// The officer queues over HTTP: counts, pages with the time left in words and a colour, the
/// leader's digest, each dossier's recorded crossings; and their refusals.
@Suite("Queues, the digest and alerts over the API", .serialized)
struct QueueAPITests {
    @Test("Working time left, in words: days of the calendar's length, hours, minutes")
    func words() {
        let day: Int64 = 8 * 3600
        #expect(QueueRoutes.words(0, day: day) == "0 phút")
        #expect(QueueRoutes.words(59, day: day) == "0 phút")
        #expect(QueueRoutes.words(90 * 60, day: day) == "1 giờ 30 phút")
        #expect(QueueRoutes.words(day, day: day) == "1 ngày")
        #expect(QueueRoutes.words(day + 2 * 3600 + 300, day: day) == "1 ngày 2 giờ 5 phút")
        #expect(QueueRoutes.words(-(day + 60), day: day) == "1 ngày 1 phút", "the sign is said apart ('quá hạn')")
        #expect(QueueRoutes.words(12 * 3600, day: 12 * 3600) == "1 ngày", "an agency with longer days")
    }

    @Test("Each queue's page: soonest first, green, then amber near the appointment, red past it; paused while waiting")
    func levels() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        var codes: [String] = []
        for name in ["Một", "Hai"] {
            codes.append(try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: "Người nộp \(name)")).json["code"] as? String))
        }
        let page = try await server.request("GET", "/api/v1/queues/agency", token: desk).json
        let items = try #require(page["items"] as? [[String: Any]])
        #expect(items.compactMap { $0["code"] as? String } == codes, "soonest appointment first")
        // One working day's term: near due from the start.
        #expect(items.allSatisfy { $0["level"] as? String == "amber" && ($0["remaining"] as? String)?.hasPrefix("còn ") == true })
        #expect(items.allSatisfy { $0["agencyRole"] as? String == "competent" })

        #expect(try await server.request("POST", "/api/v1/dossiers/\(codes[1])/request-supplementation", token: desk,
                                          json: ["items": ["Giấy chứng sinh"], "reason": "Thiếu"]).status == 200)
        server.clock.advance(3 * 86_400)
        let later = try await server.login(.desk)
        let overdue = try await server.request("GET", "/api/v1/queues/overdue", token: later).json
        let late = try #require((overdue["items"] as? [[String: Any]])?.first)
        #expect(late["code"] as? String == codes[0] && late["level"] as? String == "red" && (late["remaining"] as? String)?.hasPrefix("quá hạn ") == true)
        let waiting = try await server.request("GET", "/api/v1/queues/supplementation", token: later).json
        let paused = try #require((waiting["items"] as? [[String: Any]])?.first)
        #expect(paused["code"] as? String == codes[1] && paused["level"] as? String == "paused")

        let counts = try #require(try await server.request("GET", "/api/v1/queues", token: later).json["items"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: counts.compactMap { c in (c["queue"] as? String).map { ($0, c["total"] as? Int ?? -1) } })
        #expect(byName["overdue"] == 1 && byName["supplementation"] == 1 && byName["agency"] == 2)
        #expect(Set(byName.keys) == Set(QueueKind.allCases.map(\.rawValue)))
    }

    @Test("Queue refusals: an unknown queue 404 naming the queues; a limit or offset out of range 422; no session 401")
    func refusals() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let unknown = try await server.request("GET", "/api/v1/queues/urgent", token: desk)
        #expect(unknown.status == 404 && (unknown.json["detail"] as? String)?.contains("near-due") == true)
        #expect(try await server.request("GET", "/api/v1/queues/agency?limit=0", token: desk).status == 422)
        #expect(try await server.request("GET", "/api/v1/queues/agency?limit=abc", token: desk).status == 422)
        #expect(try await server.request("GET", "/api/v1/queues/agency?offset=-1", token: desk).status == 422)
        #expect(try await server.request("GET", "/api/v1/queues/agency").status == 401)
    }

    @Test("The digest: leaders only, most overdue first, paged; alerts of a dossier, for its agencies only")
    func digestAndAlerts() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        var codes: [String] = []
        for index in 0..<3 {
            codes.append(try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: "Quá hạn \(index)")).json["code"] as? String))
            server.clock.advance(3_600)
        }
        server.clock.advance(5 * 86_400)
        let leader = try await server.login(.leader)
        #expect(try await server.request("GET", "/api/v1/digest", token: try await server.login(.desk)).status == 403)
        let digest = try await server.request("GET", "/api/v1/digest?limit=2", token: leader).json
        let entries = try #require(digest["items"] as? [[String: Any]])
        #expect(digest["total"] as? Int == 3 && entries.count == 2 && digest["limit"] as? Int == 2)
        #expect(entries.compactMap { $0["code"] as? String } == [codes[0], codes[1]], "the earliest appointment is the most overdue")
        let seconds = entries.compactMap { $0["overdueWorkingSeconds"] as? Int }
        #expect(seconds == seconds.sorted(by: >) && seconds.allSatisfy { $0 > 0 })
        #expect((digest["at"] as? String)?.hasSuffix("+07:00") == true, "an instant written as ISO 8601")
        let rest = try await server.request("GET", "/api/v1/digest?limit=2&offset=2", token: leader).json
        #expect((rest["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == [codes[2]])
        #expect(try await server.request("GET", "/api/v1/digest?limit=1001", token: leader).status == 422)

        // The watch's crossings, once swept.
        let watch = OverdueWatch(store: server.store, interval: .seconds(60), now: { server.clock.now }, logger: server.dependencies.logger)
        _ = try await watch.sweep()
        let alerts = try await server.request("GET", "/api/v1/dossiers/\(codes[0])/alerts", token: leader).json
        let kinds = Set(((alerts["items"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String })
        #expect(kinds.isSuperset(of: ["nearDue", "dueToday", "overdue"]), "\(kinds)")
        #expect(try await server.request("GET", "/api/v1/dossiers/\(codes[0])/alerts", token: try await server.login(.leader, agency: TestServer.agencyB)).status == 404)
    }
}
