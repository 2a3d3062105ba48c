import Foundation
import MotCuaConfig
import MotCuaCore
import MotCuaStore
import Testing
@testable import MotCuaServer

/// The watch that closes dossiers abandoned in supplementation (issue #20), on the real store.
@Suite("Abandoned supplementation: the watch closes dossiers waiting too long")
struct AbandonmentWatchTests {
    /// A desk intake of 1.001193 put waiting for supplementation at the server's clock.
    func waiting(_ server: TestServer, name: String) async throws -> String {
        let desk = try await server.login(.desk)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: name))
        let code = try #require(filed.json["code"] as? String)
        let asked = try await server.request(
            "POST", "/api/v1/dossiers/\(code)/request-supplementation", token: desk,
            json: ["items": ["Giấy chứng sinh"], "reason": "Bản chụp không đọc được"])
        #expect(asked.status == 200, "\(asked.text)")
        return code
    }

    func watch(_ server: TestServer, _ settings: SupplementationSettings) -> AbandonmentWatch {
        let clock = server.clock
        return AbandonmentWatch(
            store: server.store, settings: settings, calendars: server.dependencies.calendars, now: { clock.now },
            logger: server.dependencies.logger, page: 2)
    }

    @Test("Closed at its limit in working days, once across two watchers: stopped with the reason on the control sheet, a notice in the outbox, counted as resolved; a supplemented dossier stays open")
    func closes() async throws {
        // Monday 2 March 2026, 08:00.
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let abandoned = try await waiting(server, name: "Lê Thị Một")
        let second = try await waiting(server, name: "Lê Thị Hai")
        let third = try await waiting(server, name: "Lê Thị Ba")
        let supplemented = try await waiting(server, name: "Lê Thị Bốn")
        let desk = try await server.login(.desk)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(supplemented)/supplementation-received", token: desk, json: [:]).status == 200)
        let settings = SupplementationSettings(abandonAfterWorkingDays: 5)
        let first = watch(server, settings), other = watch(server, settings)

        // Five working days later, a second before: nothing.
        server.clock.advance(7 * 86_400 - 1)
        #expect(try await first.sweep().isEmpty)
        server.clock.advance(1)
        // Two instances sweep at once: each dossier is closed by one of them.
        async let a = first.sweep()
        async let b = other.sweep()
        let closed = try await a + b
        #expect(Set(closed) == [abandoned, second, third] && closed.count == 3)
        #expect(try await first.sweep().isEmpty)

        let dossier = try #require(try await server.store.dossier(code: abandoned))
        #expect(dossier.status == .stopped && dossier.closedAt == server.clock.now)
        let events = try await server.store.events(dossierID: dossier.id)
        let stop = try #require(events.last)
        #expect(stop.kind == .stopped && stop.actor.role == .system && stop.items == ["Giấy chứng sinh"])
        #expect(stop.reason?.contains("5 ngày làm việc") == true)
        #expect(try await server.store.notifications(dossierID: dossier.id).contains { $0.kind == .stopped })
        #expect(try await server.store.dossier(code: supplemented)?.status == .received)

        // The month's report counts it resolved (stopped: on time, domain.md's practice).
        let leader = try await server.login(.leader)
        let report = try await server.request("GET", "/api/v1/reports?from=2026-03-01&to=2026-03-31&by=agency", token: leader)
        #expect(report.status == 200, "\(report.text)")
        let row = try #require(report.json["total"] as? [String: Any])
        let resolved = try #require(row["resolved"] as? [String: Any])
        #expect(resolved["total"] as? Int == 3 && resolved["onTime"] as? Int == 3, "\(report.text)")
    }

    @Test("A procedure's own limit overrides the default; none at all leaves dossiers waiting")
    func limits() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let code = try await waiting(server, name: "Phan Văn Năm")
        server.clock.advance(7 * 86_400)
        #expect(try await watch(server, SupplementationSettings(abandonAfterWorkingDays: nil)).sweep().isEmpty)
        #expect(try await watch(server, SupplementationSettings(abandonAfterWorkingDays: 5, procedures: ["1.001193": 10])).sweep().isEmpty)
        server.clock.advance(7 * 86_400)
        #expect(try await watch(server, SupplementationSettings(abandonAfterWorkingDays: 30, procedures: ["1.001193": 10])).sweep() == [code])
    }
}
