import Foundation
import GRDB
import MotCuaCore
@testable import MotCuaPostgres
import Synchronization
import Testing
@testable import MotCuaStore

/// `motcua migrate-store`'s parts: the SQLite snapshot read table by table in key order, the
/// rows in COPY's text format, the control sheet's checksum, and the copy into PostgreSQL with
/// every dossier and control sheet read back the same.
@Suite("Moving a SQLite store to PostgreSQL")
struct StoreCopyTests {
    let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!

    func text(_ value: DatabaseValue) -> String {
        var out = ""
        SQLiteCopySource.appendCopyText(value, to: &out)
        return out
    }

    @Test("COPY text: NULL, numbers, text with its separators escaped, bytes in hex")
    func copyText() {
        #expect(text(.null) == "\\N")
        #expect(text(42.databaseValue) == "42")
        #expect(text((-7).databaseValue) == "-7")
        #expect(text(1_772_413_200.25.databaseValue) == "1772413200.25")
        #expect(text("Nguyễn Văn An".databaseValue) == "Nguyễn Văn An", "text without separators is copied as it is")
        #expect(text("a\tb\nc\rd\\e".databaseValue) == "a\\tb\\nc\\rd\\\\e")
        #expect(text("\\N".databaseValue) == "\\\\N", "a text that reads \\N is not NULL")
        #expect(text("đ\tđ".databaseValue) == "đ\\tđ")
        #expect(text(Data([0x00, 0xAB, 0xFF]).databaseValue) == "\\\\x00abff")
        #expect(text("".databaseValue) == "")
    }

    @Test("The control sheet's checksum: the first 8 bytes of MD5 over id ␟ sequence ␟ JSON")
    func checksum() {
        // MD5("a\u{1F}1\u{1F}{}"), computed independently: 8 bytes, big-endian.
        let value = SQLiteCopySource.eventChecksum(dossierID: "a", sequence: 1, data: "{}")
        #expect(value != 0)
        #expect(SQLiteCopySource.eventChecksum(dossierID: "a", sequence: 1, data: "{}") == value, "the same input, the same sum")
        #expect(SQLiteCopySource.eventChecksum(dossierID: "a", sequence: 2, data: "{}") != value)
        #expect(SQLiteCopySource.eventChecksum(dossierID: "a", sequence: 1, data: "{ }") != value)
        // The separator keeps ("a1", 1) and ("a", 11) apart.
        #expect(SQLiteCopySource.eventChecksum(dossierID: "a1", sequence: 1, data: "x") != SQLiteCopySource.eventChecksum(dossierID: "a", sequence: 11, data: "x"))
    }

    @Test("A table read in batches after each cursor: every row once, in key order, and a snapshot that later writes do not move")
    func batches() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        for index in 0..<12 { _ = try await file(store, intake("Người nộp \(index)"), at: now + Double(index)) }
        let source = try store.copySource()
        let counts = try source.rowCounts()
        #expect(counts["dossiers"] == 12)
        let events = try #require(StoreCopy.tables.first { $0.name == "dossier_events" })
        #expect(counts["dossier_events"] == 24)

        // Written after the snapshot: not in it.
        _ = try await file(store, intake("Đến sau"), at: now + 100)
        #expect(try source.rowCounts()["dossiers"] == 12)

        var cursor: CopyCursor?
        var lines: [String] = []
        var checksum: UInt64 = 0
        var batches = 0
        while let batch = try source.batch(events, after: cursor, limit: 5) {
            #expect(batch.rows <= 5)
            let rows = batch.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(rows.count == batch.rows)
            #expect(rows.allSatisfy { $0.split(separator: "\t", omittingEmptySubsequences: false).count == events.columns.count })
            lines += rows.map(String.init)
            checksum &+= batch.checksum
            cursor = batch.cursor
            batches += 1
        }
        #expect(batches == 5 && lines.count == 24)
        let keys = lines.map { line -> String in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return "\(fields[0])/\(fields[1])"
        }
        #expect(Set(keys).count == 24)
        // The batches' sums add up to the sum over the whole control sheet.
        let whole = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT dossier_id, sequence, data FROM dossier_events").reduce(UInt64(0)) { sum, row in
                sum &+ SQLiteCopySource.eventChecksum(dossierID: row[0], sequence: row[1], data: row[2])
            }
        }
        #expect(whole != checksum, "the store holds the later dossier too")
        let snapshotOnly = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT e.dossier_id, e.sequence, e.data FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id WHERE d.applicant_folded <> 'den sau'")
                .reduce(UInt64(0)) { sum, row in sum &+ SQLiteCopySource.eventChecksum(dossierID: row[0], sequence: row[1], data: row[2]) }
        }
        #expect(snapshotOnly == checksum)
    }

    @Test("Every table of the shared schema is copied, and each copy column exists on the SQLite side")
    func schema() async throws {
        let store = try SQLiteStore(path: temporaryDatabase())
        let source = try store.copySource()
        // Reading the first batch of each table runs its column expressions: a renamed column fails here.
        for table in StoreCopy.tables { _ = try source.batch(table, after: nil, limit: 1) }
        let names = StoreCopy.tables.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.firstIndex(of: "dossiers")! < names.firstIndex(of: "dossier_events")!, "parents before children")
        #expect(names.firstIndex(of: "officers")! < names.firstIndex(of: "sessions")!)
        #expect(names.firstIndex(of: "agencies")! < names.firstIndex(of: "dossiers")!)
    }

    /// On the PostgreSQL backend only (CI always has one: `BackendTests`).
    @Test("Into PostgreSQL: counted and checksummed, every dossier and control sheet the same; a second copy is refused",
          arguments: Backend.all.filter { $0 == .postgres })
    func intoPostgres(backend: Backend) async throws {
        let sqlite = try SQLiteStore(path: temporaryDatabase())
        _ = try await sqlite.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        var codes: [String] = []
        for index in 0..<15 {
            var application = intake("Người nộp \(index)\tcó tab")
            application.note = "dòng 1\ndòng 2 \\ gạch"
            codes.append(try await file(sqlite, application, at: now + Double(index)).code)
        }
        try await sqlite.createOfficer(Officer(id: "o1", username: "hoa", name: "Hoa", role: .desk, agencyID: desk.agencyID, departmentID: nil, passwordHash: "x"))

        let target = try await backend.scratch()
        let postgres = try #require(try await target.open() as? PostgresStore)
        let seen = ProgressLog()
        let report = try await postgres.copy(from: try sqlite.copySource(), batchRows: 4) { table, done, total in seen.add(table, done, total) }
        #expect(report.matches && report.sourceChecksum == report.targetChecksum)
        #expect(report.tables.first { $0.name == "dossiers" }.map { $0.source == 15 && $0.target == 15 } == true)
        #expect(seen.finished("dossier_events") == 30)

        for code in codes {
            let original = try #require(try await sqlite.dossier(code: code))
            #expect(try await postgres.dossier(code: code) == original, "\(code)")
            #expect(try await postgres.events(dossierID: original.id) == (try await sqlite.events(dossierID: original.id)))
        }
        #expect(try await postgres.officer(username: "hoa")?.id == "o1")
        // The copy continues where the source left off: the next code of the day follows the last.
        let next = try await file(postgres, intake("Sau khi chuyển"), at: now + 60)
        #expect(next.code.hasSuffix("-0016"), "\(next.code)")

        await #expect(throws: StoreCopyError.self) { _ = try await postgres.copy(from: try sqlite.copySource()) }
        // The indexes and keys, dropped for the copy, are all back under their names, as the migrations made them.
        let fresh = try #require(try await backend.makeStore() as? PostgresStore)
        defer { fresh.close() }
        let schema = try await Self.indexesAndKeys(postgres)
        #expect(schema == (try await Self.indexesAndKeys(fresh)))
        #expect(schema.filter { $0.contains("FOREIGN KEY") }.count >= 7 && schema.filter { $0.contains("CREATE INDEX") }.count >= 30)
        // A primary key is enforced again: the copied rows cannot be inserted twice.
        await #expect(throws: (any Error).self) {
            _ = try await postgres.rows("INSERT INTO dossier_events SELECT * FROM dossier_events LIMIT 1")
        }
    }

    /// Every index (its definition) and every key (its table, name and definition) of the schema.
    static func indexesAndKeys(_ store: PostgresStore) async throws -> [String] {
        try await store.rows("""
            SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()
            UNION ALL
            SELECT conrelid::regclass::text || ' ' || conname::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = current_schema()::regnamespace AND contype IN ('f', 'p', 'u', 'x')
            ORDER BY 1
            """).map { try $0.decode(String.self) }
    }

    @Test("A source row that breaks a foreign key fails the copy as a whole: the target stays empty, its indexes and keys in place",
          arguments: Backend.all.filter { $0 == .postgres })
    func brokenForeignKey(backend: Backend) async throws {
        let sqlite = try SQLiteStore(path: temporaryDatabase())
        _ = try await sqlite.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures)
        let filed = try await file(sqlite, intake("Người nộp"), at: now)
        // An event whose dossier is not there: SQLite's own check is off for this one write.
        try await sqlite.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: """
                INSERT INTO dossier_events(dossier_id, sequence, kind, at, actor_id, agency_id, data)
                SELECT 'không-có', sequence, kind, at, actor_id, agency_id, data FROM dossier_events WHERE dossier_id = ?
                """, arguments: [filed.id])
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let postgres = try #require(try await backend.makeStore() as? PostgresStore)
        defer { postgres.close() }
        let keys = try await Self.indexesAndKeys(postgres)
        await #expect(throws: (any Error).self) { _ = try await postgres.copy(from: try sqlite.copySource()) }
        #expect(try await postgres.dossier(code: filed.code) == nil)
        #expect(try await postgres.rows("SELECT count(*) FROM dossier_events").first?.decode(Int.self) == 0)
        #expect(try await Self.indexesAndKeys(postgres) == keys)
    }

    final class ProgressLog: Sendable {
        private let state = Mutex<[String: Int]>([:])
        func add(_ table: String, _ done: Int, _ total: Int) { state.withLock { $0[table] = max($0[table] ?? 0, done) } }
        func finished(_ table: String) -> Int { state.withLock { $0[table] ?? 0 } }
    }
}
