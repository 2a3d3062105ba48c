import Foundation
import MotCuaCore
import Testing
@testable import MotCuaServer

/// `GET /api/v1/dossiers` as an officer calls it: each filter, a bare date taking its whole day,
/// cursors walked to the end, and every malformed parameter refused by name.
@Suite("Searching dossiers over the API", .serialized)
struct SearchAPITests {
    @Test("Filters by name, status, procedure and days; a bare 'to' date includes that day; cursors walk every page once")
    func filters() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        var codes: [String] = []
        for name in ["Nguyễn Văn An", "Trần Thị Bình", "Nguyễn Thị Ánh", "Lê Văn Cường", "Nguyễn Văn Anh"] {
            codes.append(try #require(try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: name)).json["code"] as? String))
        }
        _ = try await server.request("POST", "/api/v1/dossiers/\(codes[1])/refuse", token: desk, json: ["reason": "Không đủ điều kiện"])
        func found(_ query: String) async throws -> [String] {
            let answer = try await server.request("GET", "/api/v1/dossiers?\(query)", token: desk)
            #expect(answer.status == 200, "\(query): \(answer.text)")
            return ((answer.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
        }
        #expect(Set(try await found("name=nguyen")) == [codes[0], codes[2], codes[4]])
        #expect(Set(try await found("name=v%C4%83n%20an")) == [codes[0], codes[4]], "văn an: a word's start, with or without marks")
        #expect(try await found("status=refused") == [codes[1]])
        #expect(Set(try await found("status=received,refused")).count == 5)
        #expect(try await found("procedure=1.000656").isEmpty)
        let before = try await found("to=2026-03-01")
        let sameDay = try await found("from=2026-03-02&to=2026-03-02")
        #expect(before.isEmpty && Set(sameDay).count == 5, "a bare date includes its day")
        #expect(try await found("code=\(codes[3])") == [codes[3]])

        var seen: [String] = []
        var path = "/api/v1/dossiers?limit=2"
        for _ in 0..<10 {
            let page = try await server.request("GET", path, token: desk).json
            seen += ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
            guard let cursor = page["nextCursor"] as? String else { break }
            path = "/api/v1/dossiers?limit=2&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor)"
        }
        #expect(seen.count == 5 && Set(seen) == Set(codes))
    }

    static let malformed = [
        ("status=lost", "status"), ("status=received,", "status"), ("limit=0", "limit"), ("limit=201", "limit"), ("limit=ten", "limit"),
        ("offset=-1", "offset"), ("offset=10001", "offset"), ("from=yesterday", "from"), ("to=2026-02-30", "to"), ("cursor=abc", "cursor"),
        ("code=\(String(repeating: "X", count: 65))", "code"), ("name=\(String(repeating: "a", count: 201))", "name"),
    ]

    @Test("Each malformed parameter is a 422 naming it")
    func refusals() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        for (query, field) in Self.malformed {
            let answer = try await server.request("GET", "/api/v1/dossiers?\(query)", token: desk)
            #expect(answer.status == 422, "\(query): \(answer.text)")
            let fields = ((answer.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
            #expect(fields == [field], "\(query): \(fields)")
        }
    }
}
