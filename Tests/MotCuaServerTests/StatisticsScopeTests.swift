import Foundation
import MotCuaCore
import MotCuaStore
import Testing
@testable import MotCuaServer

/// Who reads which figures, and when they are judged: an officer reads their agency and those
/// below it, an administrator any; a period not yet over is judged now, and says so.
@Suite("Statistics: scope and the moment of judgement", .serialized)
struct StatisticsScopeTests {
    static let province = "000.00.00.H42"

    func provinceLeader(_ server: TestServer) async throws -> String {
        let hash = try await Auth.hashPassword(TestServer.password, cost: 4)
        try await server.store.createOfficer(Officer(
            id: "leader@province", username: "leader@province", name: "Lãnh đạo tỉnh", role: .leader, agencyID: Self.province, departmentID: nil,
            passwordHash: hash))
        let login = try await server.request("POST", "/api/v1/auth/login", json: ["username": "leader@province", "password": TestServer.password])
        return try #require(login.json["token"] as? String)
    }

    static func received(_ json: [String: Any]) -> Int { ((json["total"] as? [String: Any])?["received"] as? [String: Any])?["total"] as? Int ?? -1 }

    @Test("A leader reads their agency; a province's leader the communes below it; an administrator every agency; others are 404")
    func scope() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let deskA = try await server.login(.desk), deskB = try await server.login(.desk, agency: TestServer.agencyB)
        for _ in 0..<2 { _ = try await server.request("POST", "/api/v1/dossiers", token: deskA, json: try await server.intakeBody()) }
        _ = try await server.request("POST", "/api/v1/dossiers", token: deskB, json: try await server.intakeBody())

        let leaderA = try await server.login(.leader)
        #expect(Self.received(try await server.request("GET", "/api/v1/reports?period=2026-03", token: leaderA).json) == 2)
        #expect(try await server.request("GET", "/api/v1/reports?period=2026-03&agency=\(TestServer.agencyB)", token: leaderA).status == 404)
        #expect(try await server.request("GET", "/api/v1/reports?period=2026-03&agency=\(Self.province)", token: leaderA).status == 404, "not upwards")

        let province = try await provinceLeader(server)
        let provincial = try await server.request("GET", "/api/v1/reports?period=2026-03", token: province).json
        #expect(Self.received(provincial) == 2, "Hà Tĩnh's communes, not Phú Thọ's")
        #expect(Self.received(try await server.request("GET", "/api/v1/reports?period=2026-03&agency=\(TestServer.agencyA)", token: province).json) == 2)

        let admin = try await server.login(.admin)
        let everything = try await server.request("GET", "/api/v1/reports?period=2026-03", token: admin).json
        #expect(Self.received(everything) == 3)
        let rows = (everything["rows"] as? [[String: Any]])?.compactMap { $0["key"] as? String } ?? []
        #expect(Set(rows).isSuperset(of: [TestServer.agencyA, TestServer.agencyB]), "\(rows)")
        #expect(Self.received(try await server.request("GET", "/api/v1/reports?period=2026-03&agency=\(TestServer.agencyB)", token: admin).json) == 1)
        #expect(try await server.request("GET", "/api/v1/reports?period=2026-03&agency=nowhere", token: admin).status == 404)
    }

    @Test("A period not yet over is judged now; an ended one at its end; one not begun at its start")
    func judgement() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let leader = try await server.login(.leader)
        let now = WorkCalendar.format(server.clock.now)
        let year = try await server.request("GET", "/api/v1/reports?period=2026", token: leader).json
        #expect((year["period"] as? [String: Any])?["judgedAt"] as? String == now)
        let past = try await server.request("GET", "/api/v1/reports?period=2025", token: leader).json
        #expect((past["period"] as? [String: Any])?["judgedAt"] as? String == "2026-01-01T00:00:00+07:00")
        let future = try await server.request("GET", "/api/v1/reports?period=2027", token: leader).json
        #expect((future["period"] as? [String: Any])?["judgedAt"] as? String == "2027-01-01T00:00:00+07:00")
        // Without a period: the year so far; from alone runs to today.
        let soFar = try await server.request("GET", "/api/v1/reports", token: leader).json
        #expect((soFar["period"] as? [String: Any])?["from"] as? String == "2026-01-01")
        #expect((soFar["period"] as? [String: Any])?["to"] as? String == String(now.prefix(10)))
        let fromOnly = try await server.request("GET", "/api/v1/reports?from=2026-02-01", token: leader).json
        #expect((fromOnly["period"] as? [String: Any])?["from"] as? String == "2026-02-01")
        #expect((fromOnly["period"] as? [String: Any])?["to"] as? String == String(now.prefix(10)))
    }

    @Test("Indicators and late steps follow the same scope")
    func otherFigures() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let leaderA = try await server.login(.leader)
        #expect(try await server.request("GET", "/api/v1/indicators?period=2026&agency=\(TestServer.agencyB)", token: leaderA).status == 404)
        #expect(try await server.request("GET", "/api/v1/reports/steps?period=2026&agency=\(TestServer.agencyB)", token: leaderA).status == 404)
        let admin = try await server.login(.admin)
        #expect(try await server.request("GET", "/api/v1/indicators?period=2026&agency=\(TestServer.agencyB)", token: admin).status == 200)
        let steps = try await server.request("GET", "/api/v1/reports/steps?period=2026", token: admin)
        #expect(steps.status == 200 && steps.json["by"] as? String == "department")
        #expect(try await server.request("GET", "/api/v1/reports/steps?period=2026&by=officer", token: admin).json["by"] as? String == "officer")
    }
}
