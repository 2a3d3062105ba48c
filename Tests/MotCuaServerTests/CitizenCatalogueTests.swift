import Foundation
import MotCuaCore
import Testing
@testable import MotCuaServer

/// The catalogue as citizens and the national portal read it (no login): filtered by words, by
/// field and by the online level they can file at; one procedure with its papers.
@Suite("The citizens' catalogue", .serialized)
struct CitizenCatalogueTests {
    @Test("No login needed; filters by words without marks, field (folded) and the least online level")
    func filters() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let catalogue = server.dependencies.catalogue
        func list(_ query: String) async throws -> [[String: Any]] {
            let answer = try await server.request("GET", "/api/v1/public/procedures\(query)")
            #expect(answer.status == 200, "\(query): \(answer.text)")
            return (answer.json["items"] as? [[String: Any]]) ?? []
        }
        #expect(try await list("").count == catalogue.procedures.count)
        let level4 = try await list("?onlineLevel=4")
        #expect(level4.count == catalogue.procedures.filter { $0.onlineLevel >= 4 }.count)
        #expect(level4.allSatisfy { $0["onlineLevel"] as? Int == 4 })
        let online = try await list("?onlineLevel=3")
        #expect(online.count == catalogue.procedures.filter { $0.onlineLevel >= 3 }.count && online.count >= level4.count)
        let words = try await list("?q=khai%20sinh")
        #expect(words.contains { $0["code"] as? String == "1.001193" })
        let field = try await list("?field=ho%20tich")
        #expect(!field.isEmpty && field.allSatisfy { $0["field"] as? String == "Hộ tịch" }, "the field's name folded: 'ho tich' is Hộ tịch")
        #expect(try await server.request("GET", "/api/v1/public/procedures?onlineLevel=5").status == 422)
        #expect(try await server.request("GET", "/api/v1/public/procedures?onlineLevel=1").status == 422)
    }

    @Test("One procedure with its papers; an unknown code is a problem, not a page")
    func one() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let birth = try await server.request("GET", "/api/v1/public/procedures/1.001193")
        #expect(birth.status == 200 && birth.json["code"] as? String == "1.001193")
        let papers = try #require(birth.json["documents"] as? [[String: Any]])
        let procedure = try #require(server.dependencies.catalogue.procedures.first { $0.code == "1.001193" })
        #expect(papers.count == procedure.documents.count)
        #expect(papers.first?["name"] as? String == procedure.documents.first?.name)
        let unknown = try await server.request("GET", "/api/v1/public/procedures/9.999999")
        #expect(unknown.status == 404 && unknown.headers["content-type"] == "application/problem+json")
    }
}
