import Foundation
import MotCuaCore
@testable import MotCuaPostgres
import MotCuaStore
import Testing

/// What only the PostgreSQL backend has: its URL, instances that start together on one empty
/// database, the database's own refusals, and what a request answers when the server is gone.
@Suite("PostgreSQL backend")
struct PostgresBackendTests {
    let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!

    @Test("URLs: host, port, user, password (decoded), database and TLS mode; the password never shows")
    func urls() throws {
        let url = try PostgresURL("postgres://mot%20cua:m%E1%BA%ADt%40kh%E1%BA%A9u@db.tinh.vn:6543/motcua?sslmode=disable")
        #expect(url.host == "db.tinh.vn" && url.port == 6543 && url.user == "mot cua" && url.password == "mật@khẩu" && url.database == "motcua")
        #expect(url.mode == "disable")
        #expect(url.redacted == "postgres://mot cua@db.tinh.vn:6543/motcua" && !url.redacted.contains("khẩu"))
        let defaults = try PostgresURL("postgresql://motcua@127.0.0.1/motcua")
        #expect(defaults.port == 5432 && defaults.password == nil && defaults.mode == "prefer")
        #expect(try PostgresURL("postgres://a@h/d?sslmode=require").mode == "require")
    }

    @Test("A URL that cannot work is refused naming what is wrong", arguments: [
        ("mysql://a@h/d", "scheme"), ("postgres://h/d", "user"), ("postgres://a@/d", "host"), ("postgres://a@h", "database"),
        ("postgres://a@h:70000/d", "port"), ("postgres://a@h/d?sslmode=sometimes", "sslmode"), ("không phải url", "URL"),
    ])
    func badURLs(text: String, names: String) {
        do {
            _ = try PostgresURL(text)
            Issue.record("\(text) was accepted")
        } catch let error as PostgresStoreError {
            #expect(error.kind == .badURL)
            #expect(error.description.contains(names), "\(error.description)")
            #expect(error.description.contains("postgres://user:password@host:port/database"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("Database names for scratch databases are plain names only")
    func plainNames() async {
        await #expect(throws: PostgresStoreError.self) { _ = try await PostgresAdmin.createDatabase(adminURL: "postgres://a@127.0.0.1/postgres", name: "x; DROP DATABASE y") }
        await #expect(throws: PostgresStoreError.self) { _ = try await PostgresAdmin.createDatabase(adminURL: "postgres://a@127.0.0.1/postgres", name: "tên") }
    }

    @Test("Nothing listening: one sentence saying so, within the connect timeout")
    func unreachable() async {
        let started = ContinuousClock.now
        do {
            _ = try await PostgresStore.connect(url: "postgres://motcua@127.0.0.1:9/motcua?sslmode=disable", connectTimeout: .seconds(2))
            Issue.record("connected to port 9")
        } catch let error as PostgresStoreError {
            #expect(error.kind == .unreachable, "\(error.description)")
            #expect(error.description.contains("127.0.0.1:9"))
        } catch {
            Issue.record("\(error)")
        }
        // Refused at once on an idle machine; the bound leaves room for a loaded one.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test("Several instances starting at once on an empty database: the migrations run once, all of them open", arguments: Backend.all.filter { $0 == .postgres })
    func concurrentStarts(backend: Backend) async throws {
        let database = try await backend.scratch()
        let stores = try await withThrowingTaskGroup(of: (any DossierStore).self) { group in
            for _ in 0..<4 { group.addTask { try await database.open() } }
            var all: [any DossierStore] = []
            for try await store in group { all.append(store) }
            return all
        }
        #expect(stores.count == 4)
        let applied = try await stores[0].appliedMigrations()
        #expect(applied.count == Set(applied).count && applied.first == "v1-schema")
        for store in stores.dropFirst() { #expect(try await store.appliedMigrations() == applied) }
        // They share one system: a dossier filed through one is read through another.
        let filed = try await file(stores[1], intake(), at: now)
        #expect(try await stores[3].dossier(code: filed.code) == filed)
    }

    @Test("The database itself refuses rewriting or deleting the control sheet", arguments: Backend.all.filter { $0 == .postgres })
    func appendOnly(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let filed = try await file(store, intake(), at: now)
        await #expect(throws: (any Error).self) { try await rawExecute(store, "UPDATE dossier_events SET kind = 'returned' WHERE dossier_id = '\(filed.id)'") }
        await #expect(throws: (any Error).self) { try await rawExecute(store, "DELETE FROM dossier_events WHERE dossier_id = '\(filed.id)'") }
        #expect(try await store.events(dossierID: filed.id).count == 2)
    }

    @Test("A server that stops answering: a request gets 'unavailable' within its timeout, not a hang", arguments: Backend.all.filter { $0 == .postgres })
    func timeouts(backend: Backend) async throws {
        let database = try await backend.scratch()
        _ = try await database.open()  // migrated with the tests' patient timeouts
        let store = try await PostgresStore.connect(url: database.location, connectTimeout: .seconds(60), requestTimeout: .seconds(2))
        let started = ContinuousClock.now
        do {
            // A statement that holds its connection longer than the request may wait.
            try await store.execute(unsafeSQL: "SELECT pg_sleep(20)")
            Issue.record("a 20 s statement finished within a 2 s timeout")
        } catch let error as StoreError {
            guard case .unavailable = error else { Issue.record("\(error)"); return }
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        // The pool goes on serving.
        try await store.ping()
    }
}
