import Crypto
import Foundation
import MotCuaConfig
import MotCuaCore
import Testing
@testable import MotCuaServer

@Suite("HTTP hardening: headers, CORS, and no internals in any error")
struct HardeningTests {
    @Test("Every answer says nosniff and no-referrer; JSON allows nothing; a form allows its own style sheet by hash and nothing else")
    func headers() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody())
        let code = try #require(filed.json["code"] as? String)
        for answer in [filed, try await server.request("GET", "/api/v1/nothing-here"), try await server.request("GET", "/health/live")] {
            #expect(answer.headers["x-content-type-options"] == "nosniff")
            #expect(answer.headers["referrer-policy"] == "no-referrer")
            #expect(answer.headers["content-security-policy"]?.hasPrefix("default-src 'none'; frame-ancestors 'none'") == true)
        }
        let form = try await server.request("GET", "/api/v1/dossiers/\(code)/forms/01", token: desk)
        #expect(form.status == 200)
        let policy = try #require(form.headers["content-security-policy"])
        #expect(!policy.contains("unsafe") && !policy.contains("script"))
        // The hash in the policy is the hash of the style the page carries, byte for byte.
        let html = form.text
        let style = try #require(html.range(of: "<style>").flatMap { open in
            html.range(of: "</style>", range: open.upperBound..<html.endIndex).map { String(html[open.upperBound..<$0.lowerBound]) }
        })
        let hash = Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString()
        #expect(policy.contains("style-src 'sha256-\(hash)'"))
        #expect(html.components(separatedBy: "<style").count == 2 && !html.contains("<script") && !html.contains(" style="))
    }

    @Test("CORS: the configured portal origin may call the citizen API from a browser, preflight included; nobody else, and never the officer API")
    func cors() async throws {
        let portal = "https://dichvucong.gov.vn"
        let server = try await TestServer.start { $0.publicAPI.corsOrigins = [portal] }
        defer { Task { await server.stop() } }
        let preflight = try await server.request(
            "OPTIONS", "/api/v1/public/dossiers", headers: ["Origin": portal, "Access-Control-Request-Method": "POST",
                                                           "Access-Control-Request-Headers": "content-type, idempotency-key"])
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == portal)
        #expect(preflight.headers["access-control-allow-methods"] == "GET, POST")
        #expect(preflight.headers["access-control-allow-headers"]?.contains("Idempotency-Key") == true)
        let allowed = try await server.request("GET", "/api/v1/public/procedures?q=khai%20sinh", headers: ["Origin": portal])
        #expect(allowed.status == 200 && allowed.headers["access-control-allow-origin"] == portal)
        #expect(allowed.headers["vary"]?.contains("Origin") == true)
        let other = try await server.request("GET", "/api/v1/public/procedures", headers: ["Origin": "https://evil.example"])
        #expect(other.status == 200 && other.headers["access-control-allow-origin"] == nil)
        let officer = try await server.request("GET", "/api/v1/procedures", headers: ["Origin": portal])
        #expect(officer.headers["access-control-allow-origin"] == nil)
        let refused = try await server.request(
            "OPTIONS", "/api/v1/public/dossiers", headers: ["Origin": "https://evil.example", "Access-Control-Request-Method": "POST"])
        #expect(refused.headers["access-control-allow-origin"] == nil)
    }

    @Test("Malformed input to every route, with and without a login: never a 500, and no stack trace, SQL or type name in any body")
    func malformedEverywhere() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let token = try await server.login(.desk)
        let junk = "%27%22%3E%3Cx%3E%00%E0%A4"
        let bodies: [(Data, String)] = [
            (Data("{\"procedureCode\": [1, {\"a\": ".utf8), "application/json"),
            (Data([0xFF, 0xFE, 0x00, 0x7B]), "application/json"),
            (Data("--x\r\nContent-Disposition: form-data; name=\"application\"\r\n\r\n{\r\n--x".utf8), "multipart/form-data; boundary=x"),
            (Data("{\"username\": 1e999, \"password\": null, \"amount\": -1, \"at\": \"not a date\"}".utf8), "application/json"),
        ]
        let telltales = [".swift", "Swift.", "Error(", "DecodingError", "GRDB", "SQLite", "sqlite", "SELECT ", "INSERT ", "PSQL",
                         "Fatal", "backtrace", "MotCuaServer", "MotCuaStore", "keyNotFound", "CodingKeys"]
        var checked = 0
        for route in server.routes {
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            let (method, template) = (parts[0], parts[1])
            var path = template
            while let open = path.firstIndex(of: "{"), let close = path[open...].firstIndex(of: "}") {
                path.replaceSubrange(open...close, with: junk)
            }
            for (body, type) in bodies {
                for auth in [nil, token] {
                    let answer = try await server.request(
                        method, path + "?limit=-5&from=x&period=2026-Q9&q=%00", token: auth, body: method == "GET" ? nil : body, contentType: type,
                        headers: ["Idempotency-Key": junk])
                    checked += 1
                    #expect(answer.status < 500 || answer.status == 503, "\(method) \(path): \(answer.status) \(answer.text.prefix(300))")
                    // Error bodies only: the OpenAPI document and the metrics name SQLite on purpose.
                    for telltale in telltales where answer.status >= 400 && answer.text.contains(telltale) {
                        Issue.record("\(method) \(template) answered \(answer.status) with '\(telltale)': \(answer.text.prefix(300))")
                    }
                    #expect(answer.headers["x-content-type-options"] == "nosniff")
                }
            }
        }
        #expect(checked >= server.routes.count * 8)
    }
}

@Suite("Problem types")
struct ProblemTypeTests {
    @Test("Every problem type the API sends is described at /problems/{name}, with its status; an unknown name is a 404 problem")
    func described() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        for kind in ProblemType.allCases {
            let answer = try await server.request("GET", "/problems/\(kind.rawValue)")
            #expect(answer.status == 200)
            #expect(answer.json["type"] as? String == "/problems/\(kind.rawValue)" && answer.json["status"] as? Int == kind.status)
            #expect((answer.json["title"] as? String)?.isEmpty == false && (answer.json["description"] as? String)?.isEmpty == false)
            #expect(Problem.typed(kind).type == "/problems/\(kind.rawValue)" && (400...599).contains(kind.status))
        }
        let unknown = try await server.request("GET", "/problems/no-such-type")
        #expect(unknown.status == 404 && unknown.json["type"] as? String == "/problems/not-found")
    }
}
