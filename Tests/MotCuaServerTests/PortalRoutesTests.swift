import Foundation
import MotCuaCore
import Testing
@testable import MotCuaServer

/// The officers' routes of the national portal link on a server that has no portal configured:
/// what each role may do, what each refuses before it would reach the portal, and the figures.
@Suite("The portal link's officer routes", .serialized)
struct PortalRoutesTests {
    @Test("Reconciliation: leaders and administrators only, days checked, at most 92 of them, an agency of one's own; no portal configured is a 503")
    func reconcile() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let leader = try await server.login(.leader)
        let path = "/api/v1/portal/reconcile"
        #expect(try await server.request("POST", path, token: try await server.login(.desk), json: ["from": "2026-03-01", "to": "2026-03-02"]).status == 403)
        #expect(try await server.request("POST", path, token: try await server.login(.handler), json: ["from": "2026-03-01", "to": "2026-03-02"]).status == 403)
        func fields(_ body: [String: Any]) async throws -> (Int, [String]) {
            let answer = try await server.request("POST", path, token: leader, json: body)
            return (answer.status, ((answer.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
        }
        #expect(try await fields(["from": "01/03/2026", "to": "2026-03-02"]) == (422, ["from"]))
        #expect(try await fields(["from": "2026-03-01", "to": "2026-02-30"]) == (422, ["to"]))
        #expect(try await fields(["from": "2026-03-02", "to": "2026-03-01"]) == (422, ["to"]))
        #expect(try await fields(["from": "2026-01-01", "to": "2026-06-30"]) == (422, ["to"]), "more than 92 days")
        #expect(try await fields(["from": "2026-03-01", "to": "2026-03-02", "agencyID": TestServer.agencyB]) == (422, ["agencyID"]), "another agency's")
        #expect(try await fields(["from": "2026-03-01"]).0 == 422, "a missing day")
        let unconfigured = try await server.request("POST", path, token: leader, json: ["from": "2026-03-01", "to": "2026-03-02"])
        #expect(unconfigured.status == 503 && unconfigured.json["type"] as? String == "/problems/unavailable")
        #expect((unconfigured.json["detail"] as? String)?.contains("portal.url") == true)
    }

    @Test("Retrying a message: an id that is not one, another agency's, or one that is not a dead letter")
    func retry() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody())
        let code = try #require(filed.json["code"] as? String)
        let id = try #require(try await server.store.dossier(code: code)?.id)
        #expect(try await server.request("POST", "/api/v1/portal/messages/not-an-id/retry", token: desk).status == 404)
        #expect(try await server.request("POST", "/api/v1/portal/messages/\(id).99/retry", token: desk).status == 404)
        let pending = try await server.request("POST", "/api/v1/portal/messages/\(id).1/retry", token: desk)
        #expect(pending.status == 409 && (pending.json["detail"] as? String)?.contains("pending") == true, "\(pending.text)")
        let elsewhere = try await server.request("POST", "/api/v1/portal/messages/\(id).1/retry", token: try await server.login(.desk, agency: TestServer.agencyB))
        #expect(elsewhere.status == 404)
        #expect(try await server.request("POST", "/api/v1/portal/messages/\(id).1/retry", token: try await server.login(.handler)).status == 403)
    }

    @Test("Dead letters and sync figures: empty on a fresh server, the agency's own, every agency's for an administrator")
    func lists() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        _ = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody())
        let dead = try await server.request("GET", "/api/v1/portal/messages", token: desk)
        #expect(dead.status == 200 && (dead.json["items"] as? [Any])?.isEmpty == true)
        let figures = try await server.request("GET", "/api/v1/portal/indicators?from=2026-03-01&to=2026-03-31", token: try await server.login(.leader))
        #expect(figures.status == 200, "\(figures.text)")
        #expect(figures.json["from"] as? String == "2026-03-01" && figures.json["to"] as? String == "2026-03-31")
        let admin = try await server.request("GET", "/api/v1/portal/indicators?from=2026-03-01&to=2026-03-31", token: try await server.login(.admin))
        #expect(admin.status == 200)
        let noFrom = try await server.request("GET", "/api/v1/portal/indicators?to=2026-03-31", token: desk)
        #expect(noFrom.status == 422 && noFrom.text.contains("from"))
        let backwards = try await server.request("GET", "/api/v1/portal/indicators?from=2026-03-31&to=2026-03-01", token: desk)
        #expect(backwards.status == 422 && backwards.text.contains("\"to\""))
    }
}
