import Foundation
import MotCuaCore
@testable import MotCuaStore
import Testing
@testable import MotCuaServer

/// The officer door's reads over loopback: the catalogue, the agency's officers, readiness,
/// the problem types, a leader stopping a dossier, and who may read what.
@Suite("Officer door: the catalogue, officers, problem types, stopping", .serialized)
struct OfficerReadingTests {
    @Test("Procedures: filtered by words without diacritics, field and level; one with its documents; an unknown one a 404")
    func procedures() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let token = try await server.login(.desk)
        let all = try await server.request("GET", "/api/v1/procedures", token: token).json
        let total = try #require(all["total"] as? Int)
        #expect(total == server.dependencies.catalogue.procedures.count)
        #expect((all["items"] as? [[String: Any]])?.allSatisfy { $0["documents"] == nil } == true, "the list leaves the documents out")

        let birth = try await server.request("GET", "/api/v1/procedures?q=khai%20sinh", token: token).json
        let codes = (birth["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.contains("1.001193"))
        let folded = try await server.request("GET", "/api/v1/procedures?q=KHAI%20SINH", token: token).json
        #expect(folded["total"] as? Int == birth["total"] as? Int, "the search folds case")
        let withMarks = try await server.request("GET", "/api/v1/procedures?q=khai%20sinh".replacingOccurrences(of: "khai", with: "kh%E1%BA%A3i"), token: token)
        #expect(withMarks.status == 200)
        #expect(try await server.request("GET", "/api/v1/procedures?q=1.001193", token: token).json["total"] as? Int == 1)
        let field = try await server.request("GET", "/api/v1/procedures?field=H%E1%BB%99%20t%E1%BB%8Bch", token: token).json
        #expect((field["items"] as? [[String: Any]])?.allSatisfy { $0["field"] as? String == "Hộ tịch" } == true)
        #expect((field["total"] as? Int ?? 0) > 0 && (field["total"] as? Int ?? 0) < total)
        #expect(try await server.request("GET", "/api/v1/procedures?level=nowhere", token: token).json["total"] as? Int == 0)

        let one = try await server.request("GET", "/api/v1/procedures/1.001193", token: token).json
        #expect(one["code"] as? String == "1.001193")
        #expect((one["documents"] as? [[String: Any]])?.isEmpty == false)
        #expect(one["anywhereInProvince"] as? Bool == true)
        let unknown = try await server.request("GET", "/api/v1/procedures/9.999999", token: token)
        #expect(unknown.status == 404 && unknown.json["type"] as? String == "/problems/not-found")
        #expect(try await server.request("GET", "/api/v1/procedures").status == 401, "the officer door needs a session")
    }

    @Test("Agencies come with the tree's levels; officers are the caller's agency's")
    func agenciesAndOfficers() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let token = try await server.login(.leader)
        let agencies = try await server.request("GET", "/api/v1/agencies", token: token).json
        let items = try #require(agencies["items"] as? [[String: Any]])
        #expect(items.count == server.dependencies.catalogue.tree.agencies.count)
        let ids = items.compactMap { $0["id"] as? String }
        #expect(ids == ids.sorted())
        #expect((agencies["levels"] as? [[String: Any]])?.count == server.dependencies.catalogue.tree.levels.count)

        let officers = try await server.request("GET", "/api/v1/officers", token: token).json
        let listed = try #require(officers["items"] as? [[String: Any]])
        #expect(listed.count == Role.officerRoles.count)
        #expect(listed.allSatisfy { $0["agencyID"] as? String == TestServer.agencyA })
        #expect(listed.allSatisfy { $0["passwordHash"] == nil }, "no hash leaves the server")
        let other = try await server.request("GET", "/api/v1/officers", token: try await server.login(.desk, agency: TestServer.agencyB)).json
        #expect((other["items"] as? [[String: Any]])?.allSatisfy { $0["agencyID"] as? String == TestServer.agencyB } == true)
    }

    @Test("Every problem type is documented at its own address with its status and title; others are 404")
    func problemTypes() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        var statuses: [String: Int] = [:]
        for kind in ProblemType.allCases {
            let answer = try await server.request("GET", "/problems/\(kind.rawValue)")
            #expect(answer.status == 200, "\(kind.rawValue)")
            #expect(answer.json["type"] as? String == "/problems/\(kind.rawValue)")
            #expect(answer.json["title"] as? String == kind.title)
            #expect(answer.json["status"] as? Int == kind.status)
            #expect((answer.json["description"] as? String)?.isEmpty == false)
            statuses[kind.rawValue] = kind.status
        }
        #expect(statuses["validation"] == 422 && statuses["not-found"] == 404 && statuses["unauthenticated"] == 401)
        #expect(statuses["invalid-state"] == 409 && statuses["rate-limited"] == 429 && statuses["too-large"] == 413)
        #expect(Set(ProblemType.allCases.map(\.title)).count == ProblemType.allCases.count, "each title its own")
        #expect(try await server.request("GET", "/problems/no-such-problem").status == 404)
    }

    @Test("A leader stops a dossier with a reason; others may not, and a stopped dossier takes no more commands")
    func stopping() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), leader = try await server.login(.leader), handler = try await server.login(.handler)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody())
        let code = try #require(filed.json["code"] as? String)

        let byDesk = try await server.request("POST", "/api/v1/dossiers/\(code)/stop", token: desk, json: ["reason": "Có tranh chấp"])
        #expect(byDesk.status == 403 && byDesk.json["type"] as? String == "/problems/forbidden")
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/stop", token: handler, json: ["reason": "x"]).status == 403)
        let noReason = try await server.request("POST", "/api/v1/dossiers/\(code)/stop", token: leader, json: ["reason": "  "])
        #expect(noReason.status == 422)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: desk).json["status"] as? String == "received")

        let stopped = try await server.request("POST", "/api/v1/dossiers/\(code)/stop", token: leader, json: ["reason": "Có tranh chấp đất đai"])
        #expect(stopped.status == 200)
        #expect(stopped.json["status"] as? String == "stopped")
        let again = try await server.request("POST", "/api/v1/dossiers/\(code)/stop", token: leader, json: ["reason": "Lần nữa"])
        #expect(again.status == 409 && again.json["type"] as? String == "/problems/invalid-state")
        let transfer = try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": "x"])
        #expect(transfer.status == 409 || transfer.status == 422)
        let detail = try await server.request("GET", "/api/v1/dossiers/\(code)", token: desk).json
        let events = (detail["controlSheet"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
        #expect(events.last == "stopped")
        #expect(try await server.store.notifications(dossierID: try #require(detail["id"] as? String)).map(\.kind).contains(.stopped),
                "the applicant is told")
    }

    @Test("Another agency's officer is not told a dossier exists; an administrator is told why not")
    func visibility() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let code = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        let stranger = try await server.request("GET", "/api/v1/dossiers/\(code)", token: try await server.login(.leader, agency: TestServer.agencyB))
        #expect(stranger.status == 404)
        let admin = try await server.request("GET", "/api/v1/dossiers/\(code)", token: try await server.login(.admin, agency: TestServer.agencyB))
        #expect(admin.status == 403 && (admin.json["detail"] as? String ?? "").contains("Quản trị"))
        // The same answers for a command, and nothing changes.
        let command = try await server.request("POST", "/api/v1/dossiers/\(code)/refuse", token: try await server.login(.desk, agency: TestServer.agencyB), json: ["reason": "x"])
        #expect(command.status == 404)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: desk).json["status"] as? String == "received")
        // A code too long to be one is not looked up.
        #expect(try await server.request("GET", "/api/v1/dossiers/\(String(repeating: "X", count: 65))", token: desk).status == 404)
    }

    @Test("Readiness follows the database; liveness does not")
    func readiness() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let ready = try await server.request("GET", "/health/ready")
        #expect(ready.status == 200 && ready.json["database"] as? String == "ok")
        try server.store.pool.close()
        let down = try await server.request("GET", "/health/ready")
        #expect(down.status == 503 && down.json["status"] as? String == "unavailable")
        #expect(!(down.text.contains("SQLite") || down.text.contains("error")), "the reason goes to the log only")
        #expect(try await server.request("GET", "/health/live").status == 200)
    }
}
