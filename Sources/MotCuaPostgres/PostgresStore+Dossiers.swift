import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// The one write path (file, apply) and the reads of dossiers. Each change is one transaction:
// the events appended, the projection row rewritten at the version it was read at, its access,
// file and statistics rows, and the outbox messages the events call for.
extension PostgresStore {
    public func fileDossier(
        agencyID: String, day: LocalDate, idempotencyKey: IdempotencyKey?, make: @escaping @Sendable (String) throws -> [DossierEvent]
    ) async throws -> (Dossier, [DossierEvent]) {
        // Decided and encoded before the transaction with a stand-in code, replaced in the
        // encoded rows once the code is allocated; filed with the other intakes of the agency and
        // day that arrive meanwhile (`IntakeGroups`).
        let new = try NewDossier(make: make)
        let (data, procedureVersion) = try DossierCodec.encode(new.dossier, versions: versions)
        let intake = PreparedIntake(
            agencyID: agencyID, day: day, new: new, data: data, procedureVersion: procedureVersion,
            events: try new.events.map { ($0, try EventCodec.encode($0, versions: versions)) }, idempotencyKey: idempotencyKey)
        let code = try await intakeGroups.file(intake, store: self)
        return new.stored(code: code)
    }

    /// Files a group of intakes of one agency and day in one transaction (see `IntakeGroups`):
    /// their codes taken from the counter row at once, their rows written as one batch (one
    /// statement per table). Should that fail on something one intake brings (the day's last
    /// code used, say), the group is filed again one intake at a time, so that only that intake
    /// fails. Returns each intake's code or error, in order; throws when nothing committed.
    func fileGroup(_ intakes: [PreparedIntake]) async throws -> [Result<String, any Error>] {
        do {
            return try await fileTogether(intakes).map { .success($0) }
        } catch let error as StoreError {
            // The database gone, or a timeout: the commit may have landed, so nothing is filed
            // again (the client retries with its idempotency key).
            guard case .dailyCodeLimit = error else { throw error }
        } catch is PSQLError {
            // Refused by the server (a constraint): the transaction rolled back, nothing landed.
        }
        return try await fileOneByOne(intakes)
    }

    private func fileTogether(_ intakes: [PreparedIntake]) async throws -> [String] {
        try await transaction { connection in
            let first = intakes[0]
            let last = try await self.takeCodes(intakes.count, agencyID: first.agencyID, day: first.day, connection: connection)
            guard last <= DossierCode.dailyLimit else { throw StoreError.dailyCodeLimit(agencyID: first.agencyID) }
            var batch = ChangeBatch()
            let codes = intakes.indices.map { index in
                DossierCode.make(agencyID: first.agencyID, date: first.day, sequence: last - intakes.count + 1 + index)
            }
            for (intake, code) in zip(intakes, codes) { Self.add(intake, code: code, to: &batch) }
            try await batch.run(on: connection, logger: self.logger)
            return codes
        }
    }

    /// Each intake in its own savepoint, so that a failing one rolls back alone and gives its
    /// number back; the rest commit together.
    private func fileOneByOne(_ intakes: [PreparedIntake]) async throws -> [Result<String, any Error>] {
        try await transaction { connection in
            var results: [Result<String, any Error>] = []
            for intake in intakes {
                try await connection.query("SAVEPOINT intake", logger: self.logger)
                do {
                    let sequence = try await self.takeCodes(1, agencyID: intake.agencyID, day: intake.day, connection: connection)
                    guard sequence <= DossierCode.dailyLimit else { throw StoreError.dailyCodeLimit(agencyID: intake.agencyID) }
                    let code = DossierCode.make(agencyID: intake.agencyID, date: intake.day, sequence: sequence)
                    var batch = ChangeBatch()
                    Self.add(intake, code: code, to: &batch)
                    try await batch.run(on: connection, logger: self.logger)
                    try await connection.query("RELEASE SAVEPOINT intake", logger: self.logger)
                    results.append(.success(code))
                } catch {
                    // This intake only: back to before it, its number given back. (When the
                    // connection itself failed, this fails too and the whole group does.)
                    try await connection.query("ROLLBACK TO SAVEPOINT intake", logger: self.logger)
                    try await connection.query("RELEASE SAVEPOINT intake", logger: self.logger)
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    /// Takes `count` numbers from the agency's counter row for the day (locked until commit);
    /// returns the last one.
    private func takeCodes(_ count: Int, agencyID: String, day: LocalDate, connection: PostgresConnection) async throws -> Int {
        let dayKey = DossierCode.dayKey(day)
        return try await connection.query("""
            INSERT INTO dossier_sequences(agency_id, day, last) VALUES (\(agencyID), \(dayKey), \(count))
            ON CONFLICT (agency_id, day) DO UPDATE SET last = dossier_sequences.last + excluded.last
            RETURNING last
            """, logger: logger).collect().first?.decode(Int.self) ?? count
    }

    /// An intake's rows, its code put in place of the stand-in.
    private static func add(_ intake: PreparedIntake, code: String, to batch: inout ChangeBatch) {
        var dossier = intake.new.dossier
        dossier.code = code
        batch.insert(dossier, data: intake.new.replacingPlaceholder(in: intake.data, with: code), procedureVersion: intake.procedureVersion)
        batch.add(dossier, previous: nil, events: intake.events.map { ($0.0, intake.new.replacingPlaceholder(in: $0.1, with: code)) })
        if let key = intake.idempotencyKey { batch.link(key, to: code) }
    }

    public func apply(code: String, decide: @escaping @Sendable (Dossier) throws -> [DossierEvent]) async throws -> Dossier {
        try await transaction { connection in
            // The row stays locked until commit: concurrent commands on one dossier take turns.
            guard let row = try await connection.query(
                "SELECT \(unescaped: Self.dossierColumns) FROM dossiers WHERE code = \(code) FOR UPDATE", logger: self.logger
            ).collect().first
            else { throw StoreError.notFound }
            let current = try await self.dossier(from: row, connection: connection)
            let events = try decide(current)
            guard !events.isEmpty else { return current }
            let updated = events.reduce(current) { Lifecycle.evolve($0, $1) }
            try await Self.updateDossier(updated, previous: current, versions: self.versions, connection: connection, logger: self.logger)
            var batch = ChangeBatch()
            batch.add(updated, previous: current, events: try events.map { ($0, try Self.json($0)) })
            try await batch.run(on: connection, logger: self.logger)
            return updated
        }
    }

    static func updateDossier(
        _ d: Dossier, previous: Dossier, versions: ProcedureVersions, connection: PostgresConnection, logger: Logger
    ) async throws {
        let (data, procedureVersion) = try DossierCodec.encode(d, versions: versions)
        var crossed: Set<AlertKind> = []
        if let plan = d.watchPlan {
            // Each crossing is recorded against its appointment (the step's due for a step's).
            let due = plan.due.timeIntervalSince1970, stepDue = plan.due(of: .stepOverdue).timeIntervalSince1970
            let rows = try await connection.query(
                "SELECT kind, due FROM dossier_alerts WHERE dossier_id = \(d.id) AND due IN (\(due), \(stepDue))", logger: logger).collect()
            crossed = Set(try rows.compactMap { row in
                let (kind, at) = try row.decode((String, Double).self)
                return AlertKind(rawValue: kind).flatMap { plan.due(of: $0).timeIntervalSince1970 == at ? $0 : nil }
            })
        }
        let watch = WatchColumns(d, crossed: crossed)
        let updated = try await connection.query("""
            UPDATE dossiers SET current_agency_id = \(d.currentAgencyID), pending_agency_id = \(d.pendingAgencyID),
              status = \(d.status.rawValue), return_method = \(d.returnMethod.rawValue), received_at = \(d.receivedAt?.timeIntervalSince1970),
              due_at = \(d.dueAt?.timeIntervalSince1970), updated_at = \(d.updatedAt.timeIntervalSince1970), version = \(d.version),
              data = \(data), procedure_version = \(procedureVersion), handler_id = \(d.handlerID), department_id = \(d.departmentID), watch_due = \(watch.due),
              watch_near = \(watch.near), watch_step = \(watch.step), alert_at = \(watch.alertAt)
            WHERE id = \(d.id) AND version = \(previous.version)
            RETURNING 1
            """, logger: logger).collect()
        guard updated.count == 1 else { throw StoreError.conflict("dossier \(d.code) changed underneath") }
    }

    /// Asked before every detail read (the rendering of a version is cached), so prepared once per
    /// connection rather than parsed and planned each time.
    public func version(code: String) async throws -> Int? {
        try await timed {
            var versions: [Int] = []
            for try await version in try await self.client.execute(VersionOfCode(code: code), logger: self.logger) { versions.append(version) }
            return versions.first
        }
    }

    public func dossier(code: String) async throws -> Dossier? {
        try await dossiers(from: rows("SELECT \(unescaped: Self.dossierColumns) FROM dossiers WHERE code = \(code)")).first
    }

    public func events(dossierID: String) async throws -> [DossierEvent] {
        let stored = try EventCodec.decode(
            try await rows("SELECT data FROM dossier_events WHERE dossier_id = \(dossierID) ORDER BY sequence").map { try $0.decode(String.self) })
        for key in versions.missing(stored.versionsNeeded) { try await loadProcedureVersions(code: key.code) }
        return try stored.events(versions: versions)
    }

    /// Officers' lists and searches, planned in `SearchPlan`. Codes and name keys are compared
    /// bytewise (`COLLATE "C"`, with indexes of that collation), whatever the database's collation.
    public func search(_ query: DossierQuery) async throws -> DossierPage {
        let collation = " COLLATE \"C\""
        var nameCount: (rows: Int, matches: Int)?
        if let (sql, values) = SearchPlan.nameCount(query, collation: collation), let row = try await rows(Self.query(sql, values)).first {
            let columns = row.makeRandomAccess()
            nameCount = (try columns[0].decode(Int.self), try columns[1].decode(Int.self))
        }
        let plan = SearchPlan(query, nameCount: nameCount, dataColumns: DossierColumns.select(alias: "d."), collation: collation)
        var counted = plan.decidedTotal ?? 0
        if plan.decidedTotal == nil {
            for part in plan.parts where counted <= plan.bound {
                counted += try await rows(Self.query(part.count, part.countValues)).first?.decode(Int.self) ?? 0
            }
        }
        let (sql, values) = plan.page
        return plan.answer(counted: counted, items: try await dossiers(from: rows(Self.query(sql, values))))
    }

    /// `sql` with its `?` numbered `$1`, `$2`… and `values` bound to them.
    static func query(_ sql: String, _ values: [SearchValue]) -> PostgresQuery {
        var binds = PostgresBindings()
        for value in values {
            switch value {
            case let .text(text): binds.append(text)
            case let .real(number): binds.append(number)
            }
        }
        var numbered = "", n = 0
        for character in sql {
            if character == "?" {
                n += 1
                numbered += "$\(n)"
            } else {
                numbered.append(character)
            }
        }
        return PostgresQuery(unsafeSQL: numbered, binds: binds)
    }

    public func openDossierCodes(heldBy agencyID: String) async throws -> [String] {
        let open = DossierStatus.allCases.filter { !$0.isFinal }.map(\.rawValue)
        return try await rows("SELECT code FROM dossiers WHERE current_agency_id = \(agencyID) AND status = ANY(\(open)) ORDER BY code")
            .map { try $0.decode(String.self) }
    }

    public func isFileReferenced(sha256: String) async throws -> Bool {
        try await !rows("SELECT 1 FROM dossier_files WHERE sha256 = \(sha256) LIMIT 1").isEmpty
    }
}

struct VersionOfCode: PostgresPreparedStatement {
    static let sql = "SELECT version FROM dossiers WHERE code = $1"
    typealias Row = Int
    var code: String

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(code)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int {
        try row.decode(Int.self)
    }
}
