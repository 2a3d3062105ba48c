import Foundation
import MotCuaCore
import MotCuaStore
import Testing
@testable import MotCuaServer

@Suite("Officer API over loopback", .serialized)
struct OfficerAPITests {
    @Test("Health, and the OpenAPI document agrees with the routes")
    func healthAndContract() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        #expect(try await server.request("GET", "/health/live").json["status"] as? String == "ok")
        #expect(try await server.request("GET", "/health/ready").status == 200)
        let document = try await server.request("GET", "/openapi.json").json
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        let routed = Set(server.routes)
        #expect(documented == routed, "only documented: \(documented.subtracting(routed)); only routed: \(routed.subtracting(documented))")
        #expect(routed.count >= 30)
        // A known path with another method: 405 with Allow; an unknown path: 404; both problems.
        let wrongMethod = try await server.request("PUT", "/api/v1/auth/login")
        #expect(wrongMethod.status == 405 && wrongMethod.headers["allow"] == "POST")
        #expect(wrongMethod.headers["content-type"] == "application/problem+json")
        let unknown = try await server.request("GET", "/api/v1/nothing-here")
        #expect(unknown.status == 404 && unknown.json["type"] as? String == "/problems/not-found")
    }

    @Test("Login, session expiry, logout")
    func sessions() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let wrong = try await server.request("POST", "/api/v1/auth/login", json: ["username": "desk@\(TestServer.agencyA)", "password": "sai"])
        #expect(wrong.status == 401 && wrong.headers["content-type"] == "application/problem+json")
        #expect(wrong.json["type"] as? String == "/problems/unauthenticated")
        let anonymous = try await server.request("GET", "/api/v1/me")
        #expect(anonymous.status == 401 && anonymous.headers["www-authenticate"] == "Bearer")
        let token = try await server.login(.desk)
        #expect(try await server.request("GET", "/api/v1/me", token: token).json["role"] as? String == "desk")
        // The scheme is case-insensitive and blanks around the token do not matter; another scheme is refused.
        #expect(try await server.request("GET", "/api/v1/me", headers: ["Authorization": "bEARER \t\(token) "]).status == 200)
        #expect(try await server.request("GET", "/api/v1/me", headers: ["Authorization": "Basic \(token)"]).status == 401)
        #expect(try await server.request("GET", "/api/v1/me", headers: ["Authorization": "Bearer    "]).status == 401)
        // Sessions last 12 hours by default.
        server.clock.advance(13 * 3600)
        let expired = try await server.request("GET", "/api/v1/me", token: token)
        #expect(expired.status == 401 && (expired.json["detail"] as? String ?? "").contains("hết hạn"))
        let fresh = try await server.login(.desk)
        #expect(try await server.request("POST", "/api/v1/auth/logout", token: fresh).status == 204)
        #expect(try await server.request("GET", "/api/v1/me", token: fresh).status == 401)
        // Tokens are stored hashed only.
        #expect(try await server.store.session(tokenHash: fresh, now: server.clock.now) == nil)
    }

    @Test("A dossier from intake to return, with its control sheet and forms")
    func endToEnd() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), leader = try await server.login(.leader), handler = try await server.login(.handler)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody())
        #expect(filed.status == 201, "\(filed.text)")
        let code = try #require(filed.json["code"] as? String)
        #expect(code == "\(TestServer.agencyA)-260302-0001")
        #expect(filed.headers["location"] == "/api/v1/dossiers/\(code)")
        #expect(filed.json["status"] as? String == "received")
        #expect((filed.json["nationalStatus"] as? [String: Any])?["code"] as? Int == 2)
        // 1.001193 takes 1 working day (illustrative): due the same time the next working day.
        #expect(filed.json["dueAt"] as? String == "2026-03-03T08:00:00+07:00")

        let departments = try #require(try await server.store.agencies().first { $0.id == TestServer.agencyA }?.departments)
        func post(_ command: String, _ token: String, _ body: [String: Any] = [:]) async throws -> HTTPResult {
            server.clock.advance(600)
            return try await server.request("POST", "/api/v1/dossiers/\(code)/\(command)", token: token, json: body)
        }
        #expect(try await post("transfer", desk, ["departmentID": departments[0].id]).status == 200)
        #expect(try await post("assign", leader, ["handlerID": "handler@\(TestServer.agencyA)"]).status == 200)
        #expect(try await post("approve", leader).status == 200)
        #expect(try await post("ready", handler).status == 200)
        let returned = try await post("return", desk, ["method": "desk"])
        #expect(returned.status == 200 && returned.json["status"] as? String == "returned")
        #expect(returned.json["outcome"] as? String == "early" || returned.json["outcome"] as? String == "onTime")

        let detail = try await server.request("GET", "/api/v1/dossiers/\(code)", token: desk)
        let sheet = try #require(detail.json["controlSheet"] as? [[String: Any]])
        #expect(sheet.map { $0["kind"] as? String } == ["created", "received", "transferred", "assigned", "approved", "resultReady", "returned"])
        #expect(sheet.map { $0["sequence"] as? Int } == Array(1...7).map { $0 })

        let receipt = try await server.request("GET", "/api/v1/dossiers/\(code)/forms/01", token: desk)
        #expect(receipt.status == 200 && receipt.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(receipt.text.contains("Giấy tiếp nhận hồ sơ và hẹn trả kết quả") && receipt.text.contains(code))
        #expect(receipt.text.contains("size: A4") && receipt.text.contains("Nguyễn Văn An"))
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)/forms/03", token: desk).status == 409)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)/forms/09", token: desk).status == 422)
    }

    @Test("Supplementation at intake gives form 02, refusal form 03, apology form 04 (once)")
    func forms() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), leader = try await server.login(.leader)
        var body = try await server.intakeBody()
        body["missingItems"] = ["Giấy chứng sinh (bản chính)"]
        let pending = try await server.request("POST", "/api/v1/dossiers", token: desk, json: body)
        #expect(pending.json["status"] as? String == "supplementation")
        let pendingCode = try #require(pending.json["code"] as? String)
        let form02 = try await server.request("GET", "/api/v1/dossiers/\(pendingCode)/forms/02", token: desk)
        #expect(form02.text.contains("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ") && form02.text.contains("Giấy chứng sinh (bản chính)"))
        let refused = try await server.request("POST", "/api/v1/dossiers/\(pendingCode)/refuse", token: desk, json: ["reason": "Không <b>đủ</b> điều kiện"])
        #expect(refused.json["status"] as? String == "refused")
        let form03 = try await server.request("GET", "/api/v1/dossiers/\(pendingCode)/forms/03", token: desk)
        #expect(form03.text.contains("Không &lt;b&gt;đủ&lt;/b&gt; điều kiện"))

        let code = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        let apology = ["reason": "Chờ xác minh", "newDueAt": "2026-03-06T16:00:00+07:00"]
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/apologize", token: leader, json: apology).status == 200)
        let again = try await server.request("POST", "/api/v1/dossiers/\(code)/apologize", token: leader, json: apology)
        #expect(again.status == 409 && again.json["type"] as? String == "/problems/limit-reached")
        let form04 = try await server.request("GET", "/api/v1/dossiers/\(code)/forms/04", token: desk)
        #expect(form04.text.contains("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết") && form04.text.contains("06/03/2026"))
    }

    @Test("Bad input gets a problem naming the field, and writes nothing")
    func badInput() async throws {
        let server = try await TestServer.start(maxBodyBytes: 64 * 1024)
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), handler = try await server.login(.handler)
        let code = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        let before = try await server.store.counts()

        func intake(_ change: (inout [String: Any]) -> Void) async throws -> [String: Any] {
            var body = try await server.intakeBody()
            change(&body)
            return body
        }
        var applicantWithout = try await server.intakeBody()
        var applicantFields = applicantWithout["applicant"] as! [String: Any]
        applicantFields.removeValue(forKey: "name")
        applicantWithout["applicant"] = applicantFields

        let cases: [(String, HTTPResult, Int, String?)] = [
            ("malformed JSON", try await server.request("POST", "/api/v1/dossiers", token: desk, body: Data("{\"procedureCode\": ".utf8)), 400, nil),
            ("unknown procedure", try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await intake { $0["procedureCode"] = "9.999999" }), 422, "procedureCode"),
            ("missing applicant field", try await server.request("POST", "/api/v1/dossiers", token: desk, json: applicantWithout), 422, "applicant.name"),
            ("wrong CCCD", try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await intake {
                var a = $0["applicant"] as! [String: Any]; a["idNumber"] = "12345"; $0["applicant"] = a }), 422, "applicant.idNumber"),
            ("oversized field", try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await intake { $0["note"] = String(repeating: "x", count: 5000) }), 422, "note"),
            ("wrong type", try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await intake { $0["returnMethod"] = 3 }), 422, "returnMethod"),
            ("body too large", try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await intake { $0["note"] = String(repeating: "x", count: 100_000) }), 413, nil),
            ("wrong role", try await server.request("POST", "/api/v1/dossiers", token: handler, json: try await server.intakeBody()), 403, nil),
            ("wrong state", try await server.request("POST", "/api/v1/dossiers/\(code)/return", token: desk, json: ["method": "desk"]), 409, nil),
            ("wrong role for command", try await server.request("POST", "/api/v1/dossiers/\(code)/approve", token: desk, json: [:] as [String: Any]), 403, nil),
            ("unknown department", try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": "NOPE"]), 422, "departmentID"),
            ("bad search parameter", try await server.request("GET", "/api/v1/dossiers?limit=0", token: desk), 422, "limit"),
        ]
        for (name, result, status, field) in cases {
            #expect(result.status == status, "\(name): \(result.text)")
            #expect(result.headers["content-type"] == "application/problem+json", "\(name)")
            #expect(result.json["status"] as? Int == status && result.json["title"] != nil && result.json["type"] != nil, "\(name)")
            if let field {
                let errors = result.json["errors"] as? [[String: Any]] ?? []
                #expect(errors.contains { $0["field"] as? String == field }, "\(name): \(result.text)")
            }
        }
        #expect(try await server.store.counts() == before)
    }

    @Test("Officers see only their agency's dossiers and those handed to it; anything else is 404")
    func scoping() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let deskA = try await server.login(.desk), handlerA = try await server.login(.handler)
        let deskB = try await server.login(.desk, agency: TestServer.agencyB)
        let code = try #require(try await server.request("POST", "/api/v1/dossiers", token: deskA, json: try await server.intakeBody()).json["code"] as? String)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: deskB).status == 404)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)/forms/01", token: deskB).status == 404)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/refuse", token: deskB, json: ["reason": "x"]).status == 404)
        #expect((try await server.request("GET", "/api/v1/dossiers", token: deskB).json["total"] as? Int) == 0)
        #expect(try await server.request("GET", "/api/v1/dossiers/NOT-A-CODE", token: deskA).status == 404)

        // Handed to B: B sees it and receives it; A still sees it.
        let department = try #require(try await server.store.agencies().first { $0.id == TestServer.agencyA }?.departments.first?.id)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: deskA, json: ["departmentID": department]).status == 200)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/send", token: handlerA, json: ["agencyID": TestServer.agencyB]).status == 200)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: deskB).status == 200)
        let received = try await server.request("POST", "/api/v1/dossiers/\(code)/receive-transfer", token: deskB)
        #expect(received.json["currentAgencyID"] as? String == TestServer.agencyB)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: deskA).status == 200)
        let search = try await server.request("GET", "/api/v1/dossiers?name=nguyen%20van%20an", token: deskB)
        #expect(search.json["total"] as? Int == 1)
    }

    @Test("Search: by name without diacritics, ID number, status, with pagination")
    func search() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        for name in ["Nguyễn Văn An", "Đặng Thị Đào", "Nguyễn Thị Ánh"] {
            #expect(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: name)).status == 201)
        }
        #expect(try await server.request("GET", "/api/v1/dossiers?name=dang%20thi%20dao", token: desk).json["total"] as? Int == 1)
        #expect(try await server.request("GET", "/api/v1/dossiers?name=NGUYEN", token: desk).json["total"] as? Int == 2)
        #expect(try await server.request("GET", "/api/v1/dossiers?idNumber=001203004005&status=received", token: desk).json["total"] as? Int == 3)
        let page = try await server.request("GET", "/api/v1/dossiers?limit=2&offset=2", token: desk).json
        #expect(page["total"] as? Int == 3 && (page["items"] as? [Any])?.count == 1)
        #expect(try await server.request("GET", "/api/v1/dossiers?from=2026-03-02&to=2026-03-02", token: desk).json["total"] as? Int == 3)
        #expect(try await server.request("GET", "/api/v1/dossiers?from=2026-03-03", token: desk).json["total"] as? Int == 0)
        // By code: last code first; the cursor of a code search continues it, and only it.
        let byCode = try await server.request("GET", "/api/v1/dossiers?code=\(TestServer.agencyA)&limit=2", token: desk).json
        let codes = try #require((byCode["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String })
        #expect(codes.count == 2 && codes == codes.sorted(by: >) && byCode["totalIsExact"] as? Bool == true)
        let cursor = try #require(byCode["nextCursor"] as? String)
        let rest = try await server.request("GET", "/api/v1/dossiers?code=\(TestServer.agencyA)&limit=2&cursor=\(cursor)", token: desk).json
        #expect(((rest["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String }.allSatisfy { $0 < codes[1] }) == true)
        let mixed = try await server.request("GET", "/api/v1/dossiers?limit=2&cursor=\(cursor)", token: desk)
        #expect(mixed.status == 422 && (mixed.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "cursor")
        #expect(try await server.request("GET", "/api/v1/procedures?q=khai%20sinh", token: desk).json["total"] as? Int ?? 0 >= 1)
    }
}
