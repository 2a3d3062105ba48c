import Foundation
import MotCuaCore
import Testing
@testable import MotCuaServer

/// Where the server and its published contract (`/openapi.json`) met the contract check
/// (`scripts/contract-check.sh`, schemathesis with `--checks all`) and what changed for it.
@Suite("The contract as served, and the server held to it")
struct ContractTests {
    @Test("A part header name with a byte over 0x7F is a 400, not a crash: on the citizens' door, without a login")
    func multipartHeaderNameBeyondASCII() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let boundary = "b-\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\n".utf8)
        body.append(contentsOf: [0xF3, 0x86, 0xAD, 0x81, 0x37])
        body.append(Data(": x\r\n\r\nabc\r\n--\(boundary)--\r\n".utf8))
        let answer = try await server.request(
            "POST", "/api/v1/public/dossiers", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        #expect(answer.status == 400 && answer.json["type"] as? String == "/problems/malformed-multipart", "\(answer.text)")
        #expect(try await server.request("GET", "/health/live").status == 200)
        // A filename in Vietnamese (UTF-8 in a header value) is still a file.
        let parts = Fixture.birthParts().map { part -> TestPart in
            guard part.name == "document-4" else { return part }
            return .file("document-4", "Giấy chứng sinh.pdf", Fixture.pdf(size: 2048))
        }
        let filed = try await server.submit(parts)
        #expect(filed.status == 201, "\(filed.text)")
    }

    @Test("The served document carries the catalogue: procedure codes, online ones for online filing, active agencies, departments; optional fields take null")
    func servedContract() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let document = try await server.request("GET", "/openapi.json").json
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        func property(_ schema: String, _ name: String) -> [String: Any]? {
            (schemas[schema]?["properties"] as? [String: Any])?[name] as? [String: Any]
        }
        let procedures = try await server.store.procedures()
        let intake = try #require(property("IntakeRequest", "procedureCode")?["enum"] as? [String])
        #expect(Set(intake) == Set(procedures.map(\.code)))
        let online = try #require(property("SubmissionApplication", "procedureCode")?["enum"] as? [String])
        #expect(Set(online) == Set(procedures.filter { $0.onlineLevel >= 3 }.map(\.code)) && online.count < intake.count)
        let agencies = try #require(property("SubmissionApplication", "agencyID")?["enum"] as? [String])
        #expect(agencies.contains(TestServer.agencyA))
        // Every place `ServedContract` writes to exists in the bundled document.
        for (path, _) in ServedContract.places {
            var node: Any? = document
            for key in path { node = (node as? [String: Any])?[key] }
            #expect((node as? [String: Any])?["enum"] != nil, "\(path.joined(separator: "/"))")
        }
        // `null` for an optional field is what Swift's decoding reads as absent; the contract says so.
        #expect(property("Applicant", "email")?["type"] as? [String] == ["string", "null"])
        let role = try #require(schemas["ActorRole"]?["enum"] as? [String])
        #expect(Set(role) == Set(Role.allCases.map(\.rawValue)))
    }

    @Test("A report for a period not yet ended judges pending dossiers now, and says when; without dates, the year so far")
    func reportJudgedNow() async throws {
        let server = try await TestServer.start(at: "2026-06-01T09:00:00+07:00")
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(procedure: "2.001255"))
        #expect(filed.status == 201)
        // June 2: within term. The year's end would find it overdue; today does not.
        server.at("2026-06-02T10:00:00+07:00")
        let leader = try await server.login(.leader)
        let year = try await server.request("GET", "/api/v1/reports?period=2026", token: leader)
        #expect(year.status == 200, "\(year.text)")
        #expect(StatisticsAPITests.section(year.json, "pending") == ["total": 1, "withinTerm": 1, "overdue": 0])
        let period = try #require(year.json["period"] as? [String: Any])
        #expect(period["to"] as? String == "2026-12-31" && period["judgedAt"] as? String == "2026-06-02T10:00:00+07:00")
        // Without from and to: 1 January to today.
        let soFar = try await server.request("GET", "/api/v1/reports", token: leader)
        let soFarPeriod = try #require(soFar.json["period"] as? [String: Any])
        #expect(soFarPeriod["from"] as? String == "2026-01-01" && soFarPeriod["to"] as? String == "2026-06-02")
        #expect(StatisticsAPITests.section(soFar.json, "received")["total"] == 1)
        // A period that has ended is judged at its end, whatever the clock says.
        let may = try await server.request("GET", "/api/v1/reports?period=2026-05", token: leader)
        #expect((may.json["period"] as? [String: Any])?["judgedAt"] as? String == "2026-06-01T00:00:00+07:00")
        // Malformed dates are refused even beside a named period.
        let bad = try await server.request("GET", "/api/v1/reports?period=2026&to=hôm-nay", token: leader)
        #expect(bad.status == 422 && (bad.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "to")
    }

    @Test("A malformed command is a 422 for its fields whatever the dossier's state; a well-formed one on the wrong state is the 409")
    func fieldsBeforeState() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody())
        let code = try #require(filed.json["code"] as? String)
        let withdrawn = try await server.request("POST", "/api/v1/dossiers/\(code)/withdraw", token: desk, json: ["reason": "Công dân xin rút"])
        #expect(withdrawn.status == 200, "\(withdrawn.text)")
        let leader = try await server.login(.leader), handler = try await server.login(.handler)
        for (action, token, body, field) in [
            ("refuse", desk, ["reason": " \u{0C} "], "reason"), ("stop", leader, ["reason": ""], "reason"),
            ("transfer", desk, ["departmentID": "không-có"], "departmentID"),
            ("send", handler, ["agencyID": "000.99.99.X00"], "agencyID"),
        ] as [(String, String, [String: String], String)] {
            let answer = try await server.request("POST", "/api/v1/dossiers/\(code)/\(action)", token: token, json: body)
            #expect(answer.status == 422 && (answer.json["errors"] as? [[String: Any]])?.first?["field"] as? String == field, "\(action): \(answer.text)")
        }
        let wellFormed = try await server.request("POST", "/api/v1/dossiers/\(code)/refuse", token: desk, json: ["reason": "Không đủ điều kiện"])
        #expect(wellFormed.status == 409, "\(wellFormed.text)")
    }

    @Test("Idempotency keys are per path; query integers are numbers (empty too is refused); an overlong login is refused before it counts")
    func keysIntegersAndLogin() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let key = ["Idempotency-Key": "0"]
        // One body, byte for byte (a dictionary's serialization need not keep its order).
        let intake = try JSONSerialization.data(withJSONObject: try await server.intakeBody())
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, body: intake, headers: key)
        #expect(filed.status == 201)
        let code = try #require(filed.json["code"] as? String)
        // The same key on another action is another key, not "reused with another body".
        let received = try await server.request("POST", "/api/v1/dossiers/\(code)/withdraw", token: desk, json: ["reason": "Xin rút"], headers: key)
        #expect(received.status == 200, "\(received.text)")
        let replay = try await server.request("POST", "/api/v1/dossiers", token: desk, body: intake, headers: key)
        #expect(replay.status == 201 && replay.headers["idempotent-replayed"] == "true" && replay.json["code"] as? String == code)

        let leader = try await server.login(.leader)
        for query in ["limit=", "offset=abc", "limit=1001"] {
            let digest = try await server.request("GET", "/api/v1/digest?\(query)", token: leader)
            #expect(digest.status == 422, "\(query): \(digest.text)")
        }
        #expect(try await server.request("GET", "/api/v1/digest?limit=5", token: leader).status == 200)

        let overlong = try await server.request(
            "POST", "/api/v1/auth/login", json: ["username": String(repeating: "a", count: 101), "password": "x"])
        #expect(overlong.status == 422, "\(overlong.text)")
        #expect(try await server.store.loginFailures(keys: [LoginThrottle.userKey(String(repeating: "a", count: 101))]).isEmpty)
    }

    @Test("Who sees a dossier: its agencies' officers; another agency's officer is told nothing (404), an administrator is told why not (403) and reads it counted in every agency's report")
    func administratorsReadReportsNotDossiers() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let deskB = try await server.login(.desk, agency: TestServer.agencyB)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: deskB, json: try await server.intakeBody())
        let code = try #require(filed.json["code"] as? String)
        let admin = try await server.login(.admin), leaderA = try await server.login(.leader)
        for path in ["/api/v1/dossiers/\(code)", "/api/v1/dossiers/\(code)/forms/01"] {
            let asAdmin = try await server.request("GET", path, token: admin)
            #expect(asAdmin.status == 403 && (asAdmin.json["detail"] as? String)?.contains("báo cáo") == true, "\(path): \(asAdmin.text)")
            #expect(try await server.request("GET", path, token: leaderA).status == 404)
        }
        // Once served from the detail cache, the same answers.
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: deskB).status == 200)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: admin).status == 403)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: leaderA).status == 404)
        // A code that does not exist is a 404 to everyone.
        #expect(try await server.request("GET", "/api/v1/dossiers/\(TestServer.agencyB)-260101-9999", token: admin).status == 404)
        let report = try await server.request("GET", "/api/v1/reports?agency=\(TestServer.agencyB)", token: admin)
        #expect(report.status == 200 && StatisticsAPITests.section(report.json, "received")["total"] == 1, "\(report.text)")
    }
}
