import Foundation
import MotCuaCore
import MotCuaStore
import Testing
@testable import MotCuaServer

/// Issue #21: a database of the layout before the slim rows (whole JSON, access rows), taken
/// through the `v10-slim-layout` rewrite, shows every dossier exactly as before.
@Suite("Views and forms after the rewrite into the slim layout")
struct LayoutRewriteViewsTests {
    /// Every view of a dossier an officer, a form printer or Open311 reads, by name.
    static func views(of codes: [String], on server: TestServer, token: String) async throws -> [String: Data] {
        var views: [String: Data] = [:]
        for code in codes {
            var paths = [
                "/api/v1/dossiers/\(code)", "/api/v1/dossiers/\(code)/alerts", "/api/v1/dossiers?code=\(code)",
                "/open311/v2/requests/\(code).json", "/open311/v2/requests/\(code).xml",
            ]
            paths += ["01", "02", "03", "04"].map { "/api/v1/dossiers/\(code)/forms/\($0)" }
            for path in paths {
                let answer = try await server.request("GET", path, token: token)
                views["\(path) \(answer.status)"] = answer.body
            }
        }
        for path in ["/api/v1/dossiers?limit=200", "/api/v1/queues", "/api/v1/queues/agency?limit=200", "/api/v1/digest"] {
            views[path] = try await server.request("GET", path, token: token).body
        }
        return views
    }

    @Test("Every view and form of every dossier is byte-identical before and after the rewrite")
    func sameViews() async throws {
        let first = try await TestServer.start()
        let desk = try await first.login(.desk), leader = try await first.login(.leader), handler = try await first.login(.handler)
        let departments = try #require(try await first.store.agencies().first { $0.id == TestServer.agencyA }?.departments)
        func post(_ code: String, _ command: String, _ token: String, _ body: [String: Any] = [:]) async throws {
            first.clock.advance(600)
            let answer = try await first.request("POST", "/api/v1/dossiers/\(code)/\(command)", token: token, json: body)
            #expect(answer.status == 200, "\(command): \(answer.text)")
        }
        // Every procedure of the catalogue, with each document handed in; then a few moved on.
        var codes: [String] = []
        for procedure in try await first.store.procedures() {
            var body = try await first.intakeBody(name: "Đặng Thị Đào \(codes.count)")
            body["procedureCode"] = procedure.code
            body["documents"] = procedure.documents.map { ["name": $0.name, "originals": $0.originals, "copies": $0.copies] }
            if codes.count % 7 == 3 { body["missingItems"] = [procedure.documents[0].name] }
            let filed = try await first.request("POST", "/api/v1/dossiers", token: desk, json: body)
            #expect(filed.status == 201, "\(procedure.code): \(filed.text)")
            codes.append(try #require(filed.json["code"] as? String))
        }
        #expect(codes.count > 50)
        try await post(codes[0], "transfer", desk, ["departmentID": departments[0].id])
        try await post(codes[0], "assign", leader, ["handlerID": "handler@\(TestServer.agencyA)"])
        try await post(codes[0], "approve", leader)
        try await post(codes[0], "ready", handler)
        try await post(codes[0], "return", desk, ["method": "desk"])
        try await post(codes[1], "refuse", desk, ["reason": "Không đủ điều kiện"])
        try await post(codes[2], "transfer", desk, ["departmentID": departments[0].id])
        try await post(codes[2], "send", handler, ["agencyID": TestServer.agencyB])
        first.clock.advance(30 * 86_400)  // most are overdue now: the digest and the alerts have rows
        _ = try await first.dependencies.store.sweepAlerts(now: first.clock.now, limit: 10_000)
        let reader = try await first.login(.leader)  // the first sessions expired meanwhile
        let before = try await Self.views(of: codes, on: first, token: reader)
        let at = first.clock.now
        await first.stop()

        // The same database as the build before the slim layout wrote it, then opened by this one.
        let directory = first.dependencies.configuration.dataDirectory
        let database = first.dependencies.configuration.databasePath
        let legacy = database + ".legacy"
        try SQLiteStore.writeLegacyCopy(of: database, to: legacy)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        try FileManager.default.moveItem(atPath: legacy, toPath: database)
        let second = try await TestServer.start(at: WorkCalendar.format(at), dataDirectory: directory)
        defer { Task { await second.stop() } }
        #expect(try await second.store.appliedMigrations().contains("v10-slim-layout"))
        let after = try await Self.views(of: codes, on: second, token: reader)
        #expect(before.count == after.count && before.count > 9 * codes.count)
        #expect(Set(before.keys) == Set(after.keys))
        var differing: [String] = []
        for (name, body) in before where after[name] != body { differing.append(name) }
        #expect(differing.isEmpty, "\(differing.count) views differ, e.g. \(differing.sorted().prefix(3).map { "\($0):\n\(String(decoding: before[$0]!, as: UTF8.self).prefix(600))\n≠\n\(String(decoding: after[$0] ?? Data(), as: UTF8.self).prefix(600))" })")
        // Not only refusals: most of them are pages and forms.
        #expect(before.keys.filter { $0.hasSuffix(" 200") }.count > 5 * codes.count)
    }
}
