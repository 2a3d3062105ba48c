import Foundation
import GRDB
import MotCuaCore

// Migration `v10-slim-layout` (issue #21): the layout that keeps an officer's lists and searches
// fast over a province's history.
//
// - `dossiers` is rebuilt: an explicit integer key `n` (the old rowid: stable under VACUUM, and the
//   name index's row id), the narrow columns first, the JSON last and slim (`DossierCodec`: the
//   catalogue's texts as references to `procedure_versions`), `return_method` as a column.
// - `dossier_list` replaces `dossier_access`: one row per agency that may see a dossier, keyed
//   (agency, submitted_at, id) so that an agency's list newest first is one index range, with
//   the status, procedure and folded name beside it so that the usual filters never leave the
//   index (`dossier_list_status`, `dossier_list_procedure`).
// - `dossier_name_keys`: per agency that may see a dossier, the folded name from each of its
//   words on (`nameKeys`), so that a name is one range of its primary key (see `SearchPlan`).
//
// The rewrite of a large database takes minutes (decoding and re-encoding every row), so it runs
// before the migration proper in batches of its own transactions, printing progress, and resumes
// where it stopped: rows go to `dossiers_v10` under their old rowid, and a restart continues
// after the highest one there. The migration then copies whatever is left and swaps the tables
// in one transaction.
extension SQLiteStore {
    static let layoutMigration = "v10-slim-layout"

    /// Creates a database in the layout before `v10-slim-layout`: what the build before issue #21
    /// reads (the history benchmark's baseline, and the tests of the rewrite).
    package static func createLegacyDatabase(at path: String) throws {
        let pool = try DatabasePool(path: path)
        try migrator.migrate(pool, upTo: "v9-dead-letters")
    }

    /// Writes the database at `source` (this layout) to a new file at `path` in the layout before
    /// `v10-slim-layout`, as that build wrote it: each dossier's whole JSON and its access rows,
    /// every other table as it is. Tests of the rewrite start a server on it and compare every
    /// view with what the server showed before.
    package static func writeLegacyCopy(of source: String, to path: String) throws {
        try createLegacyDatabase(at: path)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [source])
            // Tables in any order; checked whole at the end.
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.inTransaction {
                let tables = try String.fetchAll(db, sql: """
                    SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                      AND name NOT IN ('grdb_migrations', 'dossiers', 'dossier_access')
                    """)
                for table in tables {
                    let here = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?, 'main')", arguments: [table]).map { $0[0] as String }
                    let there = Set(try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?, 'src')", arguments: [table]).map { $0[0] as String })
                    let columns = here.filter(there.contains).map { "\"\($0)\"" }.joined(separator: ", ")
                    guard !columns.isEmpty else { continue }
                    try db.execute(sql: "INSERT INTO main.\"\(table)\"(\(columns)) SELECT \(columns) FROM src.\"\(table)\"")
                }
                // Versions are read from the source's `procedure_versions` (the legacy file has none).
                let versions = ProcedureVersions()
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT \(DossierColumns.select()), watch_due, watch_near, alert_at FROM src.dossiers ORDER BY n")
                while let row = try rows.next() {
                    let d = try dossier(from: row, versions: versions, db: db)
                    try db.execute(
                        sql: """
                            INSERT INTO main.dossiers(id, code, agency_id, current_agency_id, pending_agency_id, procedure_code, status, channel,
                              applicant_name, applicant_folded, id_number, phone, submitted_at, received_at, due_at, updated_at, version, data,
                              handler_id, department_id, watch_due, watch_near, alert_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [d.id, d.code, d.agencyID, d.currentAgencyID, d.pendingAgencyID, d.procedureCode, d.status.rawValue,
                                    d.channel.rawValue, d.applicant.name, foldedSearchKey(d.applicant.name), d.applicant.idNumber,
                                    d.applicant.phone, d.submittedAt.timeIntervalSince1970, d.receivedAt?.timeIntervalSince1970,
                                    d.dueAt?.timeIntervalSince1970, d.updatedAt.timeIntervalSince1970, d.version, try StoreJSON.encode(d),
                                    d.handlerID, d.departmentID, row["watch_due"], row["watch_near"], row["alert_at"]])
                    for agency in accessAgencies(of: d) {
                        try db.execute(sql: "INSERT INTO main.dossier_access(agency_id, dossier_id) VALUES (?, ?)", arguments: [agency, d.id])
                    }
                }
                guard try Row.fetchOne(db, sql: "PRAGMA main.foreign_key_check") == nil else {
                    throw StoreError.corrupt("the legacy copy of \(source) breaks a foreign key")
                }
                return .commit
            }
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "DETACH DATABASE src")
        }
    }

    static let rewriteBatch = 2_000

    /// The columns a dossier is found and timed by, alike in both SQLite layouts of `dossiers`
    /// (`v1-catalogue-officers-dossiers` and this one): shipped text, pinned by
    /// `ShippedMigrationTests`. Each line after the first carries the tables' indentation.
    static let dossierSearchAndClockColumns = """
        applicant_folded TEXT NOT NULL,
          id_number TEXT NOT NULL,
          phone TEXT NOT NULL,
          submitted_at REAL NOT NULL,
          received_at REAL,
          due_at REAL,
          updated_at REAL NOT NULL,
          version INTEGER NOT NULL,
        """

    static let slimDossiersTable = """
        CREATE TABLE IF NOT EXISTS dossiers_v10 (
          n INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          code TEXT NOT NULL UNIQUE,
          agency_id TEXT NOT NULL,
          current_agency_id TEXT NOT NULL,
          pending_agency_id TEXT,
          procedure_code TEXT NOT NULL,
          procedure_version INTEGER NOT NULL,
          status TEXT NOT NULL,
          channel TEXT NOT NULL,
          return_method TEXT NOT NULL,
          \(dossierSearchAndClockColumns)
          handler_id TEXT,
          department_id TEXT,
          watch_due REAL,
          watch_near REAL,
          alert_at REAL,
          data TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS procedure_versions (
          code TEXT NOT NULL,
          version INTEGER NOT NULL,
          effective_from REAL NOT NULL,
          data TEXT NOT NULL,
          PRIMARY KEY (code, version)
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO procedure_versions(code, version, effective_from, data) SELECT code, 1, 0, data FROM procedures;
        """

    /// Rewrites the dossiers of a database that has yet to take `v10-slim-layout`, in batches of
    /// their own transactions; nothing to do on a new or already migrated database.
    static func rewriteToSlimLayout(_ pool: DatabasePool, progress: (@Sendable (LayoutProgress) -> Void)?) throws {
        let pending = try pool.read { db -> Bool in
            let applied = try migrator.appliedIdentifiers(db)
            return applied.contains("v9-dead-letters") && !applied.contains(layoutMigration)
        }
        guard pending else { return }
        try pool.write { db in try db.execute(sql: slimDossiersTable) }
        let total = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM dossiers") ?? 0 }
        var done = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM dossiers_v10") ?? 0 }
        progress?(LayoutProgress(done: done, total: total))
        while true {
            let copied = try pool.write { db in try copySlimRows(db, limit: rewriteBatch) }
            if copied == 0 { break }
            done += copied
            progress?(LayoutProgress(done: done, total: total))
        }
    }

    /// Copies the next `limit` rows of `dossiers` (after the highest rowid already in
    /// `dossiers_v10`) into it, slim. Returns how many it copied.
    static func copySlimRows(_ db: Database, limit: Int) throws -> Int {
        let after = try Int64.fetchOne(db, sql: "SELECT max(n) FROM dossiers_v10") ?? 0
        let versions = ProcedureVersions()
        versions.add(try Row.fetchAll(db, sql: "SELECT version, data FROM procedure_versions").map {
            (version: $0[0], procedure: try decode(Procedure.self, $0[1]))
        })
        let rows = try Row.fetchAll(db, sql: """
            SELECT rowid, id, code, agency_id, current_agency_id, pending_agency_id, procedure_code, status, channel, applicant_folded,
              id_number, phone, submitted_at, received_at, due_at, updated_at, version, handler_id, department_id, watch_due,
              watch_near, alert_at, data
            FROM dossiers WHERE rowid > ? ORDER BY rowid LIMIT ?
            """, arguments: [after, limit])
        let insert = try db.cachedStatement(sql: """
            INSERT INTO dossiers_v10(n, id, code, agency_id, current_agency_id, pending_agency_id, procedure_code, procedure_version, status,
              channel, return_method, applicant_folded, id_number, phone, submitted_at, received_at, due_at, updated_at, version,
              handler_id, department_id, watch_due, watch_near, alert_at, data)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for row in rows {
            let dossier = try decode(Dossier.self, row["data"])
            let (data, version) = try DossierCodec.encode(dossier, versions: versions)
            var values: [DatabaseValue] = (0..<7).map { row[$0] as DatabaseValue }
            values += [version.databaseValue, row["status"], row["channel"], dossier.returnMethod.rawValue.databaseValue]
            values += (9..<22).map { row[$0] as DatabaseValue }
            values.append(data.databaseValue)
            try insert.execute(arguments: StatementArguments(values))
        }
        return rows.count
    }

    static func registerSlimLayout(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration(layoutMigration) { db in
            // Debian's SQLite zeroes every page a DROP frees (SECURE_DELETE): the old dossiers
            // table written out again, gigabytes of log, for data the new table holds anyway.
            let secureDelete = try Int.fetchOne(db, sql: "PRAGMA secure_delete") ?? 0
            try db.execute(sql: "PRAGMA secure_delete = OFF")
            defer { try? db.execute(sql: "PRAGMA secure_delete = \(secureDelete)") }
            try db.execute(sql: slimDossiersTable)
            while try copySlimRows(db, limit: 10_000) > 0 {}
            // Every rewritten row checked before the old ones go (a full read, once: ~2 s a million).
            let malformed = try Int.fetchOne(db, sql: "SELECT count(*) FROM dossiers_v10 WHERE json_valid(data) = 0") ?? 0
            guard malformed == 0 else {
                throw StoreError.corrupt("\(malformed) rewritten dossiers hold malformed JSON: the migration is rolled back, the old rows kept")
            }
            try db.execute(sql: """
                ALTER TABLE procedures ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
                CREATE TABLE dossier_list (
                  agency_id TEXT NOT NULL,
                  submitted_at REAL NOT NULL,
                  dossier_id TEXT NOT NULL,
                  status TEXT NOT NULL,
                  procedure_code TEXT NOT NULL,
                  name_folded TEXT NOT NULL,
                  PRIMARY KEY (agency_id, submitted_at, dossier_id)
                ) WITHOUT ROWID;
                INSERT INTO dossier_list(agency_id, submitted_at, dossier_id, status, procedure_code, name_folded)
                  SELECT a.agency_id, d.submitted_at, d.id, d.status, d.procedure_code, d.applicant_folded
                  FROM dossier_access a JOIN dossiers_v10 d ON d.id = a.dossier_id;
                DROP TABLE dossier_access;
                DROP TABLE dossiers;
                ALTER TABLE dossiers_v10 RENAME TO dossiers;
                -- With the name, so that a status and a name are answered from this index alone.
                CREATE INDEX dossier_list_status ON dossier_list(agency_id, status, submitted_at, name_folded);
                CREATE INDEX dossier_list_procedure ON dossier_list(agency_id, procedure_code, submitted_at);
                -- Queue counts read this index alone (the postal queue's channel and return method too).
                CREATE INDEX dossiers_current_agency ON dossiers(current_agency_id, status, channel, return_method);
                CREATE INDEX dossiers_id_number ON dossiers(id_number);
                CREATE INDEX dossiers_phone ON dossiers(phone);
                CREATE INDEX dossiers_procedure ON dossiers(procedure_code, submitted_at);
                CREATE INDEX dossiers_submitted ON dossiers(submitted_at);
                CREATE INDEX dossiers_alert_at ON dossiers(alert_at) WHERE alert_at IS NOT NULL;
                CREATE INDEX dossiers_watch_due ON dossiers(current_agency_id, watch_due) WHERE watch_due IS NOT NULL;
                CREATE INDEX dossiers_handler ON dossiers(handler_id, status) WHERE handler_id IS NOT NULL;
                CREATE INDEX dossiers_department ON dossiers(current_agency_id, department_id, status) WHERE department_id IS NOT NULL;
                CREATE TABLE dossier_name_keys (
                  agency_id TEXT NOT NULL,
                  key TEXT NOT NULL,
                  submitted_at REAL NOT NULL,
                  dossier_id TEXT NOT NULL,
                  PRIMARY KEY (agency_id, key, submitted_at, dossier_id)
                ) WITHOUT ROWID;
                """)
            let rows = try Row.fetchCursor(db, sql: "SELECT agency_id, submitted_at, dossier_id, name_folded FROM dossier_list")
            while let row = try rows.next() {
                try insertNameKeys(folded: row[3], agencies: [row[0]], submittedAt: row[1], dossierID: row[2], db: db)
            }
        }
    }
}
