import Foundation
import GRDB
@testable import MotCuaStore
import Testing
@testable import MotCuaServer

@Suite("Out of space, without a mount")
struct StorageFullTests {
    @Test("SQLite full (its page limit reached): a write answers 503 storage-full with Retry-After, and works again once the limit is lifted")
    func sqliteFull() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let pages = try await server.store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        // On the writer's connection (the one the group commits use): no page may be added.
        try await server.store.pool.write { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)") }
        let desk = try await server.login(.desk)
        let body = try await server.intakeBody()
        // The first intakes may still fit in the pages' free room; then the file must grow.
        var filed = 0
        var refused: HTTPResult?
        while refused == nil && filed < 500 {
            let answer = try await server.request("POST", "/api/v1/dossiers", token: desk, json: body)
            if answer.status == 201 { filed += 1 } else { refused = answer }
        }
        let answer = try #require(refused, "500 intakes fitted in \(pages) pages")
        #expect(answer.status == 503 && answer.json["type"] as? String == "/problems/storage-full", "\(answer.status) \(answer.text.prefix(200))")
        #expect(answer.headers["retry-after"] == "60")
        #expect(try await server.store.counts().dossiers == filed, "the refused intake left nothing")
        try await server.store.pool.write { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = 1073741823") }
        #expect(try await server.request("POST", "/api/v1/dossiers", token: desk, json: body).status == 201)
    }

    @Test("A file write that finds the disk full (ENOSPC, or a quota: EDQUOT) is the same 503 problem")
    func fileWriteFull() {
        for error: any Error in [
            NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC)), NSError(domain: NSPOSIXErrorDomain, code: Int(EDQUOT)),
            POSIXError(.ENOSPC), StoreError.storageFull,
        ] {
            let problem = Problem.from(error)
            #expect(problem.status == 503 && problem.type == "/problems/storage-full" && problem.retryAfter == 60, "\(error)")
        }
        #expect(Problem.from(NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))).status == 500)
    }
}
