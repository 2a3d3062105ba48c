import Foundation
import GRDB
import MotCuaCore

/// The SQLite implementation of `DossierStore`: one database file in WAL mode, written through
/// GRDB's serialized writer, read concurrently.
///
/// `synchronous = FULL`: a write is acknowledged only once it is in the WAL on disk, so an
/// acknowledged intake survives a crash or power loss.
public final class SQLiteStore: DossierStore {
    let pool: DatabasePool
    let batcher: WriteBatcher
    /// A connection of its own that copies the WAL back into the database file in the
    /// background, so that no request waits for a checkpoint inside its commit.
    let checkpointer: DatabaseQueue
    let checkpointTask: Task<Void, Never>
    public let path: String
    /// The catalogue's procedure versions, which the dossiers' stored JSON refers to.
    let versions = ProcedureVersions()

    /// Opens (creating if needed) the database at `path` and runs the migrations. Under load a
    /// commit waits up to `commitDelay` for more writes to share it (see `WriteBatcher`).
    /// `progress` hears of a long migration's rows (the rewrite into the slim layout).
    public init(path: String, commitDelay: TimeInterval = 0.001, progress: (@Sendable (LayoutProgress) -> Void)? = nil) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.rewriteToSlimLayout(pool, progress: progress)
        try Self.migrator.migrate(pool)
        // Only once migrated: a migration's statement journal may hold the pages of a whole table.
        // In service the writer runs each write of a batch in its own savepoint, which keeps a
        // copy of every page the write changes (~25 for an intake) in the statement journal. Past
        // 64 KiB SQLite spills that journal to a temporary file, two system calls a page: ~50 an
        // intake. In memory it stays, emptied when the savepoint is released (so bounded by the
        // pages one write changes).
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA temp_store = MEMORY") }
        let saved = try pool.read { db in try Row.fetchAll(db, sql: "SELECT version, data FROM procedure_versions") }
        versions.add(try saved.map { (version: $0[0], procedure: try Self.decode(Procedure.self, $0[1])) })
        let batcher = WriteBatcher(writer: pool, commitDelay: commitDelay)
        self.batcher = batcher
        var checkpointConfiguration = Configuration()
        // The only blocking checkpoint this connection runs in service, the idle TRUNCATE, holds
        // the write lock while it waits for readers: it gives up after 0.1 s rather than hold a
        // write that arrives behind a long report.
        checkpointConfiguration.busyMode = .timeout(0.1)
        checkpointConfiguration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let checkpointer = try DatabaseQueue(path: path, configuration: checkpointConfiguration)
        self.checkpointer = checkpointer
        checkpointTask = Task.detached(priority: .background) {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                try? await Self.checkpoint(checkpointer, writer: batcher, path: path)
            }
        }
    }

    /// Told of every group commit: the requests it carried and how long it took (the metrics).
    public func observeCommits(_ observer: @escaping @Sendable (_ transactions: Int, _ took: Duration) -> Void) {
        batcher.observeCommits(observer)
    }

    /// The write-ahead log's size in bytes (0 when it is absent or was just truncated).
    public var logBytes: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int) ?? 0
    }

    /// Frames of log (4 KiB each) past which the log is rewound even under an unbroken stream of
    /// writes: 512 MiB.
    static let restartFrames = 131_072
    /// Size past which the log file is cut back once the writer has been idle for a second.
    static let idleTruncateBytes = 64 << 20

    /// One round of the background checkpointer (every 250 ms).
    ///
    /// A passive checkpoint copies the log into the database without blocking anyone. Whenever one
    /// catches up with the last commit, the next commit starts the log over from the beginning of
    /// the file, so with any pause in the writes the log stays short. Under an unbroken stream of
    /// writes it never catches up and the log grows without end (15–28 GB were seen), so past
    /// `restartFrames` passive passes follow each other until one is short (little was written
    /// meanwhile); the writer itself then copies that little between two batches, when nothing
    /// can be appended, and its next commit rewinds the log. That costs the writer one checkpoint
    /// (a few ms, up to ~0.1 s when the disk is slow to sync) once per 512 MiB of log; a blocking
    /// checkpoint from this connection (TRUNCATE, RESTART) held it 0.1–0.4 s every time. The file
    /// itself is cut back to nothing only once the writer has been idle for a second, since
    /// freeing a large file takes the kernel a while.
    static func checkpoint(
        _ checkpointer: DatabaseQueue, writer: WriteBatcher, path: String,
        restartFrames: Int = restartFrames, idleTruncateBytes: Int = idleTruncateBytes, idleFor: Duration = .seconds(1)
    ) async throws {
        let passive = passiveCheckpoint
        let frames = try await checkpointer.writeWithoutTransaction(passive)
        if frames > restartFrames {
            for _ in 0..<16 {
                let started = ContinuousClock.now
                _ = try await checkpointer.writeWithoutTransaction(passive)
                // What a pass leaves is what was written while it ran: after a short one, little.
                if ContinuousClock.now - started < .milliseconds(8) {
                    _ = try await writer.betweenBatches(passive)
                    return
                }
            }
        } else if writer.idleTime >= idleFor,
                  let size = try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int, size > idleTruncateBytes {
            try await checkpointer.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
    }

    /// One checkpointer round with other thresholds (tests).
    func checkpointRound(restartFrames: Int, idleTruncateBytes: Int, idleFor: Duration) async throws {
        try await Self.checkpoint(
            checkpointer, writer: batcher, path: path, restartFrames: restartFrames, idleTruncateBytes: idleTruncateBytes, idleFor: idleFor)
    }

    /// A passive checkpoint; the frames the log holds.
    @Sendable static func passiveCheckpoint(_ db: Database) throws -> Int {
        try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)").flatMap { $0[1] } ?? 0
    }

    /// Frames in the log now (a passive checkpoint on the checkpointer's connection).
    func logFrames() async throws -> Int {
        try await checkpointer.writeWithoutTransaction(Self.passiveCheckpoint)
    }

    /// Copies the whole log into the database file and empties it: after a bulk load (the
    /// catalogue, the demo data) so that serving starts from a short log.
    public func truncateLog() async throws {
        try await checkpointer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA busy_timeout = 10000")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = 100") }
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    deinit {
        checkpointTask.cancel()
        batcher.stop()
    }

    public func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try Self.migrator.appliedMigrations(db) }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        try StoreJSON.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try StoreJSON.decode(type, text)
    }

    // MARK: Catalogue

    public func saveCatalogue(tree: AgencyTree, procedures: [Procedure]) async throws -> CatalogueCounts {
        let levels = tree.levels
        let agencies = Array(tree.agencies.values)
        let rows = try agencies.map { ($0, try Self.json($0)) }
        let procedureRows = try procedures.map { ($0, try Self.json($0)) }
        let (counts, saved) = try await batcher.write { db -> (CatalogueCounts, [(version: Int, procedure: Procedure)]) in
            for level in levels {
                try db.execute(
                    sql: """
                        INSERT INTO agency_levels(code, name, rank) VALUES (?, ?, ?)
                        ON CONFLICT(code) DO UPDATE SET name = excluded.name, rank = excluded.rank
                        """,
                    arguments: [level.code, level.name, level.rank])
            }
            var changedAgencies = 0
            for (agency, data) in rows {
                let existing = try String.fetchOne(db, sql: "SELECT data FROM agencies WHERE id = ?", arguments: [agency.id])
                guard try existing.map({ try Self.decode(Agency.self, $0) }) != agency else { continue }
                try db.execute(
                    sql: """
                        INSERT INTO agencies(id, name, level, parent_id, valid_from, valid_to, successor_id, data)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET name = excluded.name, level = excluded.level,
                          parent_id = excluded.parent_id, valid_from = excluded.valid_from, valid_to = excluded.valid_to,
                          successor_id = excluded.successor_id, data = excluded.data
                        """,
                    arguments: [agency.id, agency.name, agency.level, agency.parentID, agency.validFrom.iso,
                                agency.validTo?.iso, agency.successorID, data])
                changedAgencies += 1
            }
            var saved: [(version: Int, procedure: Procedure)] = []
            for (procedure, data) in procedureRows {
                let existing = try String.fetchOne(db, sql: "SELECT data FROM procedures WHERE code = ?", arguments: [procedure.code])
                guard try existing.map({ try Self.decode(Procedure.self, $0) }) != procedure else { continue }
                // A changed procedure is a new version; the dossiers filed under the old one keep reading it.
                let version = (try Int.fetchOne(
                    db, sql: "SELECT max(version) FROM procedure_versions WHERE code = ?", arguments: [procedure.code]) ?? 0) + 1
                try db.execute(
                    sql: "INSERT INTO procedure_versions(code, version, effective_from, data) VALUES (?, ?, ?, ?)",
                    arguments: [procedure.code, version, Date().timeIntervalSince1970, data])
                try db.execute(
                    sql: """
                        INSERT INTO procedures(code, name, name_folded, field, level, online_level, data, version)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(code) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded,
                          field = excluded.field, level = excluded.level, online_level = excluded.online_level, data = excluded.data,
                          version = excluded.version
                        """,
                    arguments: [procedure.code, procedure.name, foldedSearchKey(procedure.name), procedure.field,
                                procedure.level, procedure.onlineLevel, data, version])
                saved.append((version, procedure))
            }
            return (CatalogueCounts(agencies: changedAgencies, procedures: saved.count), saved)
        }
        versions.add(saved)
        return counts
    }

    public func procedures() async throws -> [Procedure] {
        let rows = try await pool.read { db in try String.fetchAll(db, sql: "SELECT data FROM procedures ORDER BY code") }
        return try rows.map { try Self.decode(Procedure.self, $0) }
    }

    public func procedure(code: String) async throws -> Procedure? {
        let row = try await pool.read { db in try String.fetchOne(db, sql: "SELECT data FROM procedures WHERE code = ?", arguments: [code]) }
        return try row.map { try Self.decode(Procedure.self, $0) }
    }

    public func agencies() async throws -> [Agency] {
        let rows = try await pool.read { db in try String.fetchAll(db, sql: "SELECT data FROM agencies ORDER BY id") }
        return try rows.map { try Self.decode(Agency.self, $0) }
    }

    public func agencyLevels() async throws -> [AgencyLevel] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT code, name, rank FROM agency_levels ORDER BY rank").map {
                AgencyLevel(code: $0["code"], name: $0["name"], rank: $0["rank"])
            }
        }
    }

    // MARK: Officers and sessions

    public func createOfficer(_ officer: Officer) async throws {
        try await batcher.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM officers WHERE username = ?", arguments: [officer.username]) != nil {
                throw StoreError.duplicate("username \(officer.username)")
            }
            try db.execute(
                sql: """
                    INSERT INTO officers(id, username, name, role, agency_id, department_id, password_hash, active, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [officer.id, officer.username, officer.name, officer.role.rawValue, officer.agencyID,
                            officer.departmentID, officer.passwordHash, officer.active, Date().timeIntervalSince1970])
        }
    }

    static func officer(from row: Row) throws -> Officer {
        guard let role = Role(rawValue: row["role"]) else { throw StoreError.corrupt("officer role \(String(describing: row["role"]))") }
        return Officer(
            id: row["id"], username: row["username"], name: row["name"], role: role, agencyID: row["agency_id"],
            departmentID: row["department_id"], passwordHash: row["password_hash"], active: row["active"])
    }

    public func officer(username: String) async throws -> Officer? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM officers WHERE username = ?", arguments: [username]).map(Self.officer(from:))
        }
    }

    public func officer(id: String) async throws -> Officer? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM officers WHERE id = ?", arguments: [id]).map(Self.officer(from:))
        }
    }

    public func officerCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM officers") ?? 0 }
    }

    public func officers(agencyID: String) async throws -> [Officer] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM officers WHERE agency_id = ? ORDER BY name", arguments: [agencyID])
                .map(Self.officer(from:))
        }
    }

    public func setPassword(officerID: String, passwordHash: String) async throws {
        try await batcher.write { db in
            try db.execute(sql: "UPDATE officers SET password_hash = ? WHERE id = ?", arguments: [passwordHash, officerID])
            guard db.changesCount == 1 else { throw StoreError.notFound }
            try db.execute(sql: "DELETE FROM sessions WHERE officer_id = ?", arguments: [officerID])
        }
    }

    public func createSession(tokenHash: String, officerID: String, createdAt: Date, expiresAt: Date) async throws {
        try await batcher.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ?", arguments: [createdAt.timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO sessions(token_hash, officer_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [tokenHash, officerID, createdAt.timeIntervalSince1970, expiresAt.timeIntervalSince1970])
        }
    }

    public func session(tokenHash: String, now: Date) async throws -> (Officer, expiresAt: Date)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT o.*, s.expires_at AS session_expires FROM sessions s JOIN officers o ON o.id = s.officer_id
                    WHERE s.token_hash = ? AND s.expires_at > ? AND o.active = 1
                    """,
                arguments: [tokenHash, now.timeIntervalSince1970])
            else { return nil }
            let expires: Double = row["session_expires"]
            return (try Self.officer(from: row), Date(timeIntervalSince1970: expires))
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await batcher.write { db in try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    // MARK: Dossiers

    public func fileDossier(
        agencyID: String, day: LocalDate, idempotencyKey: IdempotencyKey?, make: @escaping @Sendable (String) throws -> [DossierEvent]
    ) async throws -> (Dossier, [DossierEvent]) {
        // Everything but the code is decided and encoded here, outside the single writer: the
        // events are made with an unguessable placeholder code, which the transaction replaces
        // with the allocated one (SQLite's `replace()` in the INSERT itself, a byte scan in C).
        // The writer then only allocates and inserts.
        let new = try NewDossier(make: make)
        let placeholder = new.placeholder
        let rows = try PreparedDossier(new.dossier, events: new.events, versions: versions)
        let code = try await batcher.write { db -> String in
            let sequence = try Int.fetchOne(
                db.cachedStatement(sql: """
                    INSERT INTO dossier_sequences(agency_id, day, last) VALUES (?, ?, 1)
                    ON CONFLICT(agency_id, day) DO UPDATE SET last = last + 1
                    RETURNING last
                    """),
                arguments: [agencyID, DossierCode.dayKey(day)]) ?? 1
            guard sequence <= DossierCode.dailyLimit else { throw StoreError.dailyCodeLimit(agencyID: agencyID) }
            let code = DossierCode.make(agencyID: agencyID, date: day, sequence: sequence)
            try rows.insert(replacing: placeholder, with: code, db: db)
            if let key = idempotencyKey {
                try db.cachedStatement(sql: "UPDATE idempotency_keys SET dossier_code = ? WHERE scope = ? AND key = ?")
                    .execute(arguments: [code, key.scope, key.key])
            }
            return code
        }
        return new.stored(code: code)
    }

    public func apply(code: String, decide: @escaping @Sendable (Dossier) throws -> [DossierEvent]) async throws -> Dossier {
        let versions = versions
        return try await batcher.write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.dossierColumns) FROM dossiers WHERE code = ?"), arguments: [code])
            else { throw StoreError.notFound }
            let current = try Self.dossier(from: row, versions: versions, db: db)
            let events = try decide(current)
            guard !events.isEmpty else { return current }
            let updated = events.reduce(current) { Lifecycle.evolve($0, $1) }
            try Self.updateDossier(updated, previous: current, versions: versions, db: db)
            try Self.append(events, to: updated, previous: current, db: db)
            return updated
        }
    }

    /// The columns `dossier(from:)` reads.
    static let dossierColumns = DossierColumns.select()

    /// The dossier a row of `dossierColumns` holds, its procedure version fetched first when this
    /// process has not seen it (another instance saved it).
    static func dossier(from row: Row, versions: ProcedureVersions, db: Database) throws -> Dossier {
        let version: Int? = row[1]
        let columns = DossierColumns(
            id: row[2], code: row[3], agencyID: row[4], currentAgencyID: row[5], pendingAgencyID: row[6], procedureCode: row[7],
            status: row[8], channel: row[9], returnMethod: row[10], submittedAt: row[11], receivedAt: row[12], dueAt: row[13],
            updatedAt: row[14], version: row[15], handlerID: row[16], departmentID: row[17])
        if let version, !versions.missing([ProcedureVersions.Key(code: columns.procedureCode, version: version)]).isEmpty {
            try loadProcedureVersions(code: columns.procedureCode, into: versions, db: db)
        }
        return try DossierCodec.decode(row[0], columns: columns, version: version, versions: versions)
    }

    /// Every saved version of a procedure, into the cache (another instance, or a catalogue
    /// change since this store opened, saved one it has not seen).
    static func loadProcedureVersions(code: String, into versions: ProcedureVersions, db: Database) throws {
        versions.add(try Row.fetchAll(db, sql: "SELECT version, data FROM procedure_versions WHERE code = ?", arguments: [code])
            .map { (version: $0[0], procedure: try decode(Procedure.self, $0[1])) })
    }

    /// The rows of a new dossier, encoded ahead of the transaction.
    struct PreparedDossier: Sendable {
        let dossier: Dossier
        let folded: String
        let data: String
        let procedureVersion: Int
        let events: [(DossierEvent, String)]

        init(_ dossier: Dossier, events: [DossierEvent], versions: ProcedureVersions) throws {
            self.dossier = dossier
            folded = foldedSearchKey(dossier.applicant.name)
            (data, procedureVersion) = try DossierCodec.encode(dossier, versions: versions)
            self.events = try events.map { ($0, try EventCodec.encode($0, versions: versions)) }
        }

        func insert(replacing placeholder: String, with code: String, db: Database) throws {
            let d = dossier
            // A new dossier has crossed nothing yet.
            let watch = WatchColumns(d, crossed: [])

            try db.cachedStatement(sql: """
                INSERT INTO dossiers(id, code, agency_id, current_agency_id, pending_agency_id, procedure_code, procedure_version, status,
                  channel, return_method, applicant_folded, id_number, phone, submitted_at, received_at, due_at, updated_at, version,
                  data, handler_id, department_id, watch_due, watch_near, watch_step, alert_at, receiving_agency_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, replace(?, ?, ?), ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    d.id, code, d.agencyID, d.currentAgencyID, d.pendingAgencyID, d.procedureCode, procedureVersion, d.status.rawValue,
                    d.channel.rawValue, d.returnMethod.rawValue, folded, d.applicant.idNumber, d.applicant.phone,
                    d.submittedAt.timeIntervalSince1970, d.receivedAt?.timeIntervalSince1970, d.dueAt?.timeIntervalSince1970,
                    d.updatedAt.timeIntervalSince1970, d.version, data, placeholder, code,
                    d.handlerID, d.departmentID, watch.due, watch.near, watch.step, watch.alertAt, d.receivingAgencyID])
            try SQLiteStore.syncList(d, folded: folded, db: db)
            try SQLiteStore.insertNameKeys(
                folded: folded, agencies: accessAgencies(of: d), submittedAt: d.submittedAt.timeIntervalSince1970, dossierID: d.id, db: db)
            try SQLiteStore.syncStats(d, previous: nil, db: db)
            try SQLiteStore.recordFiles(events.map(\.0), dossierID: d.id, db: db)
            try SQLiteStore.recordSignatures(events.map(\.0), dossierID: d.id, db: db)
            try SQLiteStore.enqueueNotifications(events.map(\.0), dossierID: d.id, code: code, db: db)
            try SQLiteStore.enqueuePortalMessages(events.map(\.0), dossier: d, code: code, isNew: true, db: db)
            try SQLiteStore.syncPostalOrders(events.map(\.0), dossierID: d.id, code: code, db: db)
            for (event, json) in events {
                try db.cachedStatement(sql: """
                    INSERT INTO dossier_events(dossier_id, sequence, kind, at, actor_id, agency_id, data)
                    VALUES (?, ?, ?, ?, ?, ?, replace(?, ?, ?))
                    """).execute(arguments: [
                        d.id, event.sequence, event.kind.rawValue, event.at.timeIntervalSince1970, event.actor.id, event.agencyID,
                        json, placeholder, code])
            }
        }
    }

    static func updateDossier(_ d: Dossier, previous: Dossier, versions: ProcedureVersions, db: Database) throws {
        let previousVersion = previous.version
        let watch = try WatchColumns(d, crossed: crossedAlerts(dossierID: d.id, plan: d.watchPlan, db: db))
        let (data, procedureVersion) = try DossierCodec.encode(d, versions: versions)
        try db.cachedStatement(sql: """
            UPDATE dossiers SET current_agency_id = ?, pending_agency_id = ?, status = ?, return_method = ?, received_at = ?, due_at = ?,
              updated_at = ?, version = ?, data = ?, procedure_version = ?, handler_id = ?, department_id = ?, watch_due = ?,
              watch_near = ?, watch_step = ?, alert_at = ?
            WHERE id = ? AND version = ?
            """).execute(arguments: [
                d.currentAgencyID, d.pendingAgencyID, d.status.rawValue, d.returnMethod.rawValue, d.receivedAt?.timeIntervalSince1970,
                d.dueAt?.timeIntervalSince1970, d.updatedAt.timeIntervalSince1970, d.version, data, procedureVersion,
                d.handlerID, d.departmentID, watch.due, watch.near, watch.step, watch.alertAt, d.id, previousVersion])
        guard db.changesCount == 1 else { throw StoreError.corrupt("dossier \(d.code) changed underneath") }
        let folded = foldedSearchKey(d.applicant.name)
        try syncList(d, folded: folded, db: db)
        try insertNameKeys(
            folded: folded, agencies: accessAgencies(of: d).subtracting(accessAgencies(of: previous)),
            submittedAt: d.submittedAt.timeIntervalSince1970, dossierID: d.id, db: db)
        try syncStats(d, previous: previous, db: db)
    }

    /// The name's keys for each agency newly able to see the dossier (see `nameKeys`).
    static func insertNameKeys(folded: String, agencies: Set<String>, submittedAt: Double, dossierID: String, db: Database) throws {
        let keys = nameKeys(folded: folded)
        for agency in agencies {
            for key in keys {
                try db.cachedStatement(sql: """
                    INSERT INTO dossier_name_keys(agency_id, key, submitted_at, dossier_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """).execute(arguments: [agency, key, submittedAt, dossierID])
            }
        }
    }

    /// One `dossier_list` row per agency that may see the dossier, with its status now.
    static func syncList(_ d: Dossier, folded: String, db: Database) throws {
        for agency in accessAgencies(of: d) {
            try db.cachedStatement(sql: """
                INSERT INTO dossier_list(agency_id, submitted_at, dossier_id, status, procedure_code, name_folded) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(agency_id, submitted_at, dossier_id) DO UPDATE SET status = excluded.status WHERE status != excluded.status
                """).execute(arguments: [agency, d.submittedAt.timeIntervalSince1970, d.id, d.status.rawValue, d.procedureCode, folded])
        }
    }

    /// Keeps `dossier_files` in step with the files the events bring.
    static func recordFiles(_ events: [DossierEvent], dossierID: String, db: Database) throws {
        for sha256 in referencedFiles(events) {
            try db.cachedStatement(sql: "INSERT INTO dossier_files(sha256, dossier_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .execute(arguments: [sha256, dossierID])
        }
    }

    /// The result signatures the events carry (`SQLiteStore+Signatures.swift` reads them).
    static func recordSignatures(_ events: [DossierEvent], dossierID: String, db: Database) throws {
        for (sequence, s) in carriedSignatures(events) {
            try db.cachedStatement(sql: """
                INSERT INTO result_signatures(dossier_id, sequence, sha256, dossier_code, agency_id, key_id, signed_at, algorithm, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    dossierID, sequence, s.sha256, s.dossierCode, s.agencyID, s.keyID, s.signedAt.timeIntervalSince1970, s.algorithm, s.signature])
        }
    }

    static func append(_ events: [DossierEvent], to d: Dossier, previous: Dossier, db: Database) throws {
        try recordFiles(events, dossierID: d.id, db: db)
        try recordSignatures(events, dossierID: d.id, db: db)
        for s in StepFactRow.rows(events, previous: previous, updated: d) {
            try db.cachedStatement(sql: """
                INSERT INTO step_facts(dossier_id, sequence, step, agency_id, department_id, officer_id, officer_name, due_at, ended_at, late)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    d.id, s.sequence, s.step.rawValue, s.agencyID, s.departmentID, s.officerID, s.officerName, s.dueAt, s.endedAt, s.late])
        }
        try enqueueNotifications(events, dossierID: d.id, code: d.code, db: db)
        try enqueuePortalMessages(events, dossier: d, code: d.code, isNew: false, db: db)
        try syncPostalOrders(events, dossierID: d.id, code: d.code, db: db)
        for event in events {
            try db.execute(
                sql: "INSERT INTO dossier_events(dossier_id, sequence, kind, at, actor_id, agency_id, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [d.id, event.sequence, event.kind.rawValue, event.at.timeIntervalSince1970, event.actor.id,
                            event.agencyID, try json(event)])
        }
    }

    public func version(code: String) async throws -> Int? {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT version FROM dossiers WHERE code = ?", arguments: [code]) }
    }

    public func dossier(code: String) async throws -> Dossier? {
        let versions = versions
        return try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.dossierColumns) FROM dossiers WHERE code = ?"), arguments: [code])
                .map { try Self.dossier(from: $0, versions: versions, db: db) }
        }
    }

    public func events(dossierID: String) async throws -> [DossierEvent] {
        let versions = versions
        return try await pool.read { db in
            let stored = try EventCodec.decode(
                try String.fetchAll(db, sql: "SELECT data FROM dossier_events WHERE dossier_id = ? ORDER BY sequence", arguments: [dossierID]))
            for key in versions.missing(stored.versionsNeeded) { try Self.loadProcedureVersions(code: key.code, into: versions, db: db) }
            return try stored.events(versions: versions)
        }
    }

    public func openDossierCodes(heldBy agencyID: String) async throws -> [String] {
        let open = DossierStatus.allCases.filter { !$0.isFinal }.map(\.rawValue)
        return try await pool.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT code FROM dossiers WHERE current_agency_id = ? AND status IN (\(open.map { _ in "?" }.joined(separator: ", "))) ORDER BY code",
                arguments: StatementArguments([agencyID] + open))
        }
    }

    public func counts() async throws -> StoreCounts {
        try await pool.read { db in
            StoreCounts(
                dossiers: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossiers") ?? 0,
                events: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossier_events") ?? 0,
                officers: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM officers") ?? 0,
                sessions: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sessions") ?? 0)
        }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
