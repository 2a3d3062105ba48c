import Foundation
import GRDB
@testable import MotCuaPostgres
@testable import MotCuaStore
import Testing

/// The two backends share one schema (`PostgresMigrations` explains the few differences), and
/// `motcua migrate-store` copies it table by table from `StoreCopy.tables`: a table or a column
/// added to one backend and not the other, or left out of the copy, would be lost on the move up.
@Suite("One schema on both backends")
struct SchemaParityTests {
    /// What only one side has, and why.
    static let onlySQLite: Set<String> = [
        // The slim layout's integer key: SQLite's rowid made explicit, the name keys' row id.
        "dossiers.n",
    ]
    static let onlyPostgres: Set<String> = [
        // PostgreSQL keeps the applicant's name as a column; SQLite reads it from the JSON
        // (`CopyTable`'s override).
        "dossiers.applicant_name",
        // PostgreSQL's own record of its migrations (GRDB's `grdb_migrations` on SQLite).
        "motcua_migrations.name", "motcua_migrations.applied_order", "motcua_migrations.applied_at",
        // A rewrite of the rows left to do after a migration (`v6-slim-layout`); SQLite does its
        // own before the migration, in `dossiers_v10`.
        "motcua_pending_rewrites.name",
    ]

    static func sqliteColumns() throws -> Set<String> {
        let queue = try DatabaseQueue()
        try SQLiteStore.migrator.migrate(queue)
        return try queue.read { db in
            Set(try String.fetchAll(db, sql: """
                SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != 'grdb_migrations'
                """))
        }
    }

    static func postgresColumns(_ store: PostgresStore) async throws -> Set<String> {
        let rows = try await store.rows("""
            SELECT table_name::text || '.' || column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema()
            """)
        return Set(try rows.map { try $0.decode(String.self) })
    }

    @Test("Every table and column is on both backends, but for the listed few", arguments: Backend.all.filter { $0 == .postgres })
    func sameColumns(backend: Backend) async throws {
        let store = try #require(try await backend.makeStore() as? PostgresStore)
        defer { store.close() }
        let sqlite = try Self.sqliteColumns()
        let postgres = try await Self.postgresColumns(store)
        #expect(sqlite.count > 150, "read \(sqlite.count) SQLite columns")
        let missingInPostgres = sqlite.subtracting(postgres).subtracting(Self.onlySQLite)
        let missingInSQLite = postgres.subtracting(sqlite).subtracting(Self.onlyPostgres)
        #expect(missingInPostgres.isEmpty, "only on SQLite: \(missingInPostgres.sorted())")
        #expect(missingInSQLite.isEmpty, "only on PostgreSQL: \(missingInSQLite.sorted())")
        // The exceptions are still true: an exception that no longer holds is removed from the list.
        #expect(Self.onlySQLite.isSubset(of: sqlite) && Self.onlySQLite.isDisjoint(with: postgres))
        #expect(Self.onlyPostgres.isSubset(of: postgres) && Self.onlyPostgres.isDisjoint(with: sqlite))
    }

    @Test("The move up copies every table and column of SQLite's schema")
    func copyCoversTheSchema() throws {
        let sqlite = try Self.sqliteColumns()
        let tables = Set(sqlite.map { String($0.prefix { $0 != "." }) })
        let copied = Set(StoreCopy.tables.map(\.name))
        #expect(tables == copied, "not copied: \(tables.subtracting(copied).sorted()); no such table: \(copied.subtracting(tables).sorted())")
        for table in StoreCopy.tables {
            let columns = Set(table.columns.map { "\(table.name).\($0)" })
            let inSQLite = sqlite.filter { $0.hasPrefix(table.name + ".") }
            // Every SQLite column travels (but the rowid made explicit); the copy may fill a
            // PostgreSQL column from an expression (`overrides`).
            #expect(inSQLite.subtracting(columns).subtracting(Self.onlySQLite).isEmpty, "\(table.name) leaves out \(inSQLite.subtracting(columns).sorted())")
            #expect(columns.subtracting(inSQLite).subtracting(Self.onlyPostgres).isEmpty, "\(table.name) copies \(columns.subtracting(inSQLite).sorted()), which SQLite lacks")
        }
    }
}
