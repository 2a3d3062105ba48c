import Foundation
import MotCuaCore
import Testing
@testable import MotCuaServer

/// Every lifecycle command over HTTP, with bodies it must refuse: a missing or mistyped field is
/// a 422 naming it, malformed JSON a 400, no session a 401, an unknown dossier a 404; and none of
/// them changes the dossier or its control sheet.
@Suite("Officer commands: what each body must hold", .serialized)
struct CommandBodiesTests {
    /// (command, a body missing or mistyping a field, the field the 422 names).
    static let refusals: [(String, String, String)] = [
        ("request-supplementation", #"{"reason": "Thiếu"}"#, "items"),
        ("request-supplementation", #"{"items": "Giấy chứng sinh", "reason": "Thiếu"}"#, "items"),
        ("request-supplementation", #"{"items": ["Giấy chứng sinh"]}"#, "reason"),
        ("refuse", #"{}"#, "reason"),
        ("refuse", #"{"reason": 7}"#, "reason"),
        ("transfer", #"{}"#, "departmentID"),
        ("transfer", #"{"departmentID": ["TPHT"]}"#, "departmentID"),
        ("assign", #"{}"#, "handlerID"),
        ("assign", #"{"handlerID": "nobody"}"#, "handlerID"),
        ("send", #"{}"#, "agencyID"),
        ("request-fee", #"{}"#, "amount"),
        ("request-fee", #"{"amount": "tám nghìn"}"#, "amount"),
        // Foundation does not say which field a fraction for an integer is in: the body is named.
        ("request-fee", #"{"amount": 1.5}"#, "body"),
        ("request-fee", #"{"amount": 1e40}"#, "body"),
        ("return", #"{}"#, "method"),
        ("return", #"{"method": "drone"}"#, "method"),
        ("apologize", #"{"reason": "Chậm"}"#, "newDueAt"),
        ("apologize", #"{"reason": "Chậm", "newDueAt": "ngày mai"}"#, "newDueAt"),
        ("apologize", #"{"newDueAt": "2026-04-30T10:00:00+07:00"}"#, "reason"),
        ("withdraw", #"{}"#, "reason"),
        ("stop", #"{}"#, "reason"),
        ("postal-order", #"{}"#, "direction"),
        ("postal-order", #"{"direction": "sideways"}"#, "direction"),
    ]

    @Test("A body missing or mistyping a field is a 422 naming it, and changes nothing")
    func fieldRefusals() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), leader = try await server.login(.leader)
        let code = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        let before = try #require(try await server.store.dossier(code: code))
        for (command, body, field) in Self.refusals {
            let token = ["assign", "stop", "apologize"].contains(command) ? leader : desk
            let answer = try await server.request("POST", "/api/v1/dossiers/\(code)/\(command)", token: token, body: Data(body.utf8))
            #expect(answer.status == 422, "\(command) \(body): \(answer.status) \(answer.text)")
            #expect(answer.headers["content-type"] == "application/problem+json")
            let fields = ((answer.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
            #expect(fields.contains(field), "\(command) \(body): \(fields)")
        }
        let after = try #require(try await server.store.dossier(code: code))
        #expect(after == before)
        #expect(try await server.store.events(dossierID: after.id).count == before.version)
    }

    @Test("Malformed JSON is a 400; JSON that is not an object a 422; no session a 401; an unknown dossier a 404")
    func otherRefusals() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let code = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        for command in ["refuse", "transfer", "request-fee", "withdraw"] {
            let malformed = try await server.request("POST", "/api/v1/dossiers/\(code)/\(command)", token: desk, body: Data(#"{"reason": "#.utf8))
            #expect(malformed.status == 400 && malformed.json["type"] as? String == "/problems/malformed-json", "\(command): \(malformed.text)")
            let array = try await server.request("POST", "/api/v1/dossiers/\(code)/\(command)", token: desk, body: Data("[]".utf8))
            #expect(array.status == 422 || array.status == 400, "\(command): \(array.status)")
            let anonymous = try await server.request("POST", "/api/v1/dossiers/\(code)/\(command)", json: ["reason": "x"])
            #expect(anonymous.status == 401)
            let unknown = try await server.request("POST", "/api/v1/dossiers/000.15.01.H42-990101-0001/\(command)", token: desk, json: ["reason": "x", "departmentID": "x", "amount": 1])
            #expect(unknown.status == 404, "\(command): \(unknown.status)")
        }
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: desk).json["status"] as? String == "received")
    }

    @Test("Values the rules refuse: a fee below zero, an apology's new time in the past, a department the agency does not have")
    func ruleRefusals() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), leader = try await server.login(.leader)
        let code = try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody()).json["code"] as? String)
        let negative = try await server.request("POST", "/api/v1/dossiers/\(code)/request-fee", token: desk, json: ["amount": -1])
        #expect(negative.status == 422 && negative.text.contains("amount"))
        let past = try await server.request("POST", "/api/v1/dossiers/\(code)/apologize", token: leader, json: ["reason": "Chậm", "newDueAt": "2020-01-01T08:00:00+07:00"])
        #expect(past.status == 422 || past.status == 409, "\(past.text)")
        let elsewhere = try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": "KHONGCO"])
        #expect(elsewhere.status == 422 && elsewhere.text.contains("departmentID"), "\(elsewhere.text)")
        // Sending to another agency is a handler's or a leader's; the desk is told so.
        let byDesk = try await server.request("POST", "/api/v1/dossiers/\(code)/send", token: desk, json: ["agencyID": TestServer.agencyB])
        #expect(byDesk.status == 403 && byDesk.json["type"] as? String == "/problems/forbidden")
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)", token: desk).json["status"] as? String == "received")
    }
}
