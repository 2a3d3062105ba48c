import Foundation
import MotCuaCore
import MotCuaStore
import Testing
@testable import MotCuaServer

/// Logins at their edges: an account turned off, an unknown name answered like a wrong password,
/// overlong fields refused before anything is counted, a session's length from the
/// configuration, a logout honoured at once and twice.
@Suite("Login edges", .serialized)
struct LoginEdgeTests {
    func login(_ server: TestServer, _ username: String, _ password: String = TestServer.password) async throws -> HTTPResult {
        try await server.request("POST", "/api/v1/auth/login", json: ["username": username, "password": password])
    }

    @Test("An account turned off cannot log in, and is answered like a wrong password")
    func inactive() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let hash = try await Auth.hashPassword(TestServer.password, cost: 4)
        try await server.store.createOfficer(Officer(
            id: "gone", username: "da.nghi", name: "Đã nghỉ", role: .desk, agencyID: TestServer.agencyA, departmentID: nil, passwordHash: hash, active: false))
        let off = try await login(server, "da.nghi")
        let wrong = try await login(server, "desk@\(TestServer.agencyA)", "sai")
        let unknown = try await login(server, "khong.co.ai")
        #expect(off.status == 401 && wrong.status == 401 && unknown.status == 401)
        #expect(off.json["detail"] as? String == wrong.json["detail"] as? String, "nothing tells which accounts exist")
        #expect(unknown.json["detail"] as? String == wrong.json["detail"] as? String)
    }

    @Test("Overlong or missing fields are refused by name, before the throttle counts them")
    func malformed() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let long = try await login(server, String(repeating: "a", count: 101))
        #expect(long.status == 422 && long.text.contains("username"))
        let longPassword = try await login(server, "desk@\(TestServer.agencyA)", String(repeating: "p", count: 201))
        #expect(longPassword.status == 422 && longPassword.text.contains("password"))
        let missing = try await server.request("POST", "/api/v1/auth/login", json: ["username": "desk@\(TestServer.agencyA)"])
        #expect(missing.status == 422 && missing.text.contains("password"))
        #expect(try await server.store.loginFailures(keys: [LoginThrottle.userKey("desk@\(TestServer.agencyA)")]).isEmpty, "none of these counted")
        // And the real officer logs in at once.
        #expect(try await login(server, "desk@\(TestServer.agencyA)").status == 201)
    }

    @Test("A session lasts the configured hours; a logout is honoured at once, and a second logout is a 401")
    func sessions() async throws {
        let server = try await TestServer.start { $0.sessionHours = 2 }
        defer { Task { await server.stop() } }
        let answer = try await login(server, "leader@\(TestServer.agencyA)")
        let token = try #require(answer.json["token"] as? String)
        let expiresText = try #require(answer.json["expiresAt"] as? String)
        let expires = try #require(WorkCalendar.parse(expiresText))
        #expect(expires == server.clock.now.addingTimeInterval(2 * 3600))
        #expect((answer.json["officer"] as? [String: Any])?["role"] as? String == "leader")
        server.clock.advance(3600)
        #expect(try await server.request("GET", "/api/v1/me", token: token).status == 200)
        server.clock.advance(3601)
        #expect(try await server.request("GET", "/api/v1/me", token: token).status == 401, "two hours on")

        let fresh = try #require(try await login(server, "leader@\(TestServer.agencyA)").json["token"] as? String)
        #expect(try await server.request("GET", "/api/v1/me", token: fresh).status == 200)
        #expect(try await server.request("POST", "/api/v1/auth/logout", token: fresh).status == 204)
        #expect(try await server.request("GET", "/api/v1/me", token: fresh).status == 401, "the cache forgets it at once on this instance")
        #expect(try await server.request("POST", "/api/v1/auth/logout", token: fresh).status == 401)
        let audit = try await server.store.auditEntries(AuditQuery())
        #expect(audit.contains { $0.kind == .logout && $0.username == "leader@\(TestServer.agencyA)" })
    }
}
