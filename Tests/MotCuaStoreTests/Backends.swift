import Foundation
import GRDB
import MotCuaPostgres
@testable import MotCuaStore
import MotCuaTestSupport
import Testing

/// The store backends the suite runs against: SQLite always; PostgreSQL when
/// `MOTCUA_TEST_DATABASE_URL` names a server (`scripts/with-postgres.sh swift test` starts a
/// private one; CI always does, and `postgresRunsInCI` fails a CI run without it).
enum Backend: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static let postgresURL = ProcessInfo.processInfo.environment["MOTCUA_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let all: [Backend] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    /// A new, empty database of this backend.
    func scratch() async throws -> ScratchDatabase {
        switch self {
        case .sqlite:
            return ScratchDatabase(backend: self, location: temporaryDatabase())
        case .postgres:
            let name = "motcua_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
            return ScratchDatabase(backend: self, location: try await PostgresAdmin.createDatabase(adminURL: Self.postgresURL!, name: name))
        }
    }

    /// A store on a new, empty database.
    func makeStore() async throws -> any DossierStore {
        try await scratch().open()
    }
}

struct ScratchDatabase: Sendable {
    var backend: Backend
    /// The SQLite file, or the PostgreSQL URL.
    var location: String

    func open() async throws -> any DossierStore {
        switch backend {
        case .sqlite: try SQLiteStore(path: location)
        // A whole suite shares two cores with the server: allow for queues far longer than in
        // service, and for a start (its migrations) behind dozens of others (a 6 s bound was passed
        // with ~70 databases made at once).
        case .postgres: try await PostgresStore.connect(url: location, connectTimeout: .seconds(60), requestTimeout: .seconds(120))
        }
    }
}

/// Runs statements past the store's API (to show what the database itself refuses).
func rawExecute(_ store: any DossierStore, _ sql: String) async throws {
    switch store {
    case let sqlite as SQLiteStore: try await sqlite.pool.write { db in try db.execute(sql: sql) }
    case let postgres as PostgresStore: try await postgres.execute(unsafeSQL: sql)
    default: Issue.record("unknown store \(type(of: store))")
    }
}

@Suite("Store backends")
struct BackendTests {
    @Test("CI runs the PostgreSQL suite: MOTCUA_TEST_DATABASE_URL is set whenever CI=true")
    func postgresRunsInCI() {
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            #expect(Backend.postgresURL != nil, "CI must start PostgreSQL (scripts/with-postgres.sh) so that no backend goes untested")
            let environment = ProcessInfo.processInfo.environment
            #expect(environment["MOTCUA_TEST_RESTART_DATABASE_URL"] != nil && environment["MOTCUA_PG_RESTART"] != nil)
        }
        #expect(Backend.all.contains(.sqlite))
    }
}
