import Foundation
import MotCuaCore
import Testing
@testable import MotCuaServer

/// The desk's intake as a form with scans of the papers handed in (any intake may carry them):
/// the scans are kept with the dossier, and every wrong part is refused naming it, with nothing
/// filed and no file left behind.
@Suite("Desk intake with scans", .serialized)
struct DeskScanTests {
    func form(_ server: TestServer, token: String, _ parts: [TestPart]) async throws -> HTTPResult {
        let (body, type) = Fixture.multipart(parts)
        return try await server.request("POST", "/api/v1/dossiers", token: token, body: body, contentType: type)
    }

    @Test("An intake with two scans: filed, the scans listed with their documents and types, each downloadable")
    func withScans() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let intake = try await server.intakeBody(name: "Đỗ Văn Quét")
        let pdf = Fixture.pdf(seed: "tờ khai"), png = Fixture.png
        let answer = try await form(server, token: desk, [
            .json("intake", intake), .file("document-1", "to-khai.pdf", pdf), .file("document-2", "anh.png", png, type: "application/octet-stream"),
        ])
        #expect(answer.status == 201, "\(answer.text)")
        let code = try #require(answer.json["code"] as? String)
        let dossier = try #require(try await server.store.dossier(code: code))
        let files = dossier.files ?? []
        #expect(files.count == 2)
        let procedure = try #require(try await server.store.procedure(code: "1.001193"))
        #expect(files.map(\.document) == [procedure.documents[0].name, procedure.documents[1].name])
        #expect(files.map(\.contentType) == ["application/pdf", "image/png"], "the type is read from the content, not the part's header")
        #expect(files.first?.sha256 == BlobStore.sha256Hex(.init(data: pdf)))
        let download = try await server.request("GET", "/api/v1/dossiers/\(code)/files/\(files[0].sha256)", token: desk)
        #expect(download.status == 200 && download.body == pdf)
    }

    @Test("Each wrong part is refused naming it; nothing is filed and no file is left")
    func refusals() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let intake = try await server.intakeBody()
        let before = try await server.footprint()
        let cases: [([TestPart], Int, String)] = [
            ([.json("intake", intake), .file("document-99", "x.pdf", Fixture.pdf())], 422, "document-99"),
            ([.json("intake", intake), .file("scan", "x.pdf", Fixture.pdf())], 422, "scan"),
            ([.json("intake", intake), .file("document-1", "virus.pdf", Fixture.executable)], 415, "document-1"),
            ([.json("intake", intake), .file("document-1", "rong.pdf", Data())], 422, "document-1"),
            ([.file("document-1", "x.pdf", Fixture.pdf())], 422, "intake"),
            ([.json("intake", ["procedureCode": "1.001193"]), .file("document-1", "x.pdf", Fixture.pdf())], 422, "intake.applicant"),
            ([.json("intake", ["procedureCode": "9.999999", "applicant": intake["applicant"]!, "documents": [], "returnMethod": "desk"])], 422, "procedureCode"),
        ]
        for (parts, status, field) in cases {
            let answer = try await form(server, token: desk, parts)
            #expect(answer.status == status, "\(field): \(answer.status) \(answer.text)")
            let fields = ((answer.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
            #expect(fields.contains { $0.hasPrefix(field) }, "\(field): \(fields) \(answer.text)")
        }
        let malformed = try await form(server, token: desk, [TestPart(name: "intake", filename: nil, contentType: "application/json", data: Data("{".utf8))])
        #expect(malformed.status == 400)
        let after = try await server.footprint()
        #expect(after.dossiers == before.dossiers && after.blobs == before.blobs)
    }

    @Test("A body that is not a form is read as JSON: anything else is malformed JSON")
    func wrongType() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        let text = try await server.request("POST", "/api/v1/dossiers", token: desk, body: Data("procedureCode=1.001193".utf8), contentType: "application/x-www-form-urlencoded")
        #expect(text.status == 400 && text.json["type"] as? String == "/problems/malformed-json", "\(text.text)")
        #expect(text.headers["content-type"] == "application/problem+json")
    }
}
