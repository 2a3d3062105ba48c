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
        let intake = PreparedIntake(
            agencyID: agencyID, day: day, placeholder: new.placeholder, dossier: new.dossier, data: try Self.json(new.dossier),
            events: try new.events.map { ($0, try Self.json($0)) }, idempotencyKey: idempotencyKey)
        let code = try await intakeGroups.file(intake, store: self)
        return new.stored(code: code)
    }

    /// Files a group of intakes of one agency and day in one transaction (see `IntakeGroups`):
    /// each in its own savepoint, its code taken from the counter row inside it, so a failing
    /// intake rolls back alone and gives its number back; the rest commit together, one flush
    /// for all. Returns each intake's code or error, in order; throws when nothing committed.
    func fileGroup(_ intakes: [PreparedIntake]) async throws -> [Result<String, any Error>] {
        try await transaction { connection in
            var results: [Result<String, any Error>] = []
            for intake in intakes {
                try await connection.query("SAVEPOINT intake", logger: self.logger)
                do {
                    let dayKey = DossierCode.dayKey(intake.day)
                    let sequence = try await connection.query("""
                        INSERT INTO dossier_sequences(agency_id, day, last) VALUES (\(intake.agencyID), \(dayKey), 1)
                        ON CONFLICT (agency_id, day) DO UPDATE SET last = dossier_sequences.last + 1
                        RETURNING last
                        """, logger: self.logger).collect().first?.decode(Int.self) ?? 1
                    guard sequence <= DossierCode.dailyLimit else { throw StoreError.dailyCodeLimit(agencyID: intake.agencyID) }
                    let code = DossierCode.make(agencyID: intake.agencyID, date: intake.day, sequence: sequence)
                    var dossier = intake.dossier
                    dossier.code = code
                    var pipeline = Pipeline()
                    Self.insertDossier(dossier, data: intake.data.replacingOccurrences(of: intake.placeholder, with: code), into: &pipeline)
                    Self.writeChange(
                        dossier, previous: nil,
                        events: intake.events.map { ($0.0, $0.1.replacingOccurrences(of: intake.placeholder, with: code)) }, into: &pipeline)
                    if let key = intake.idempotencyKey {
                        pipeline.add("UPDATE idempotency_keys SET dossier_code = \(code) WHERE scope = \(key.scope) AND key = \(key.key)")
                    }
                    pipeline.add("RELEASE SAVEPOINT intake")
                    try await pipeline.run(on: connection, logger: self.logger)
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

    public func apply(code: String, decide: @escaping @Sendable (Dossier) throws -> [DossierEvent]) async throws -> Dossier {
        try await transaction { connection in
            // The row stays locked until commit: concurrent commands on one dossier take turns.
            guard let data = try await connection.query("SELECT data FROM dossiers WHERE code = \(code) FOR UPDATE", logger: self.logger)
                .collect().first?.decode(String.self)
            else { throw StoreError.notFound }
            let current = try Self.decode(Dossier.self, data)
            let events = try decide(current)
            guard !events.isEmpty else { return current }
            let updated = events.reduce(current) { Lifecycle.evolve($0, $1) }
            try await Self.updateDossier(updated, previous: current, connection: connection, logger: self.logger)
            var pipeline = Pipeline()
            Self.writeChange(updated, previous: current, events: try events.map { ($0, try Self.json($0)) }, into: &pipeline)
            try await pipeline.run(on: connection, logger: self.logger)
            return updated
        }
    }

    static func insertDossier(_ d: Dossier, data: String, into pipeline: inout Pipeline) {
        let watch = WatchColumns(d, crossed: [])
        pipeline.add("""
            INSERT INTO dossiers(id, code, agency_id, current_agency_id, pending_agency_id, procedure_code, status, channel,
              return_method, applicant_name, applicant_folded, id_number, phone, submitted_at, received_at, due_at, updated_at,
              version, handler_id, department_id, watch_due, watch_near, alert_at, data)
            VALUES (\(d.id), \(d.code), \(d.agencyID), \(d.currentAgencyID), \(d.pendingAgencyID), \(d.procedureCode),
              \(d.status.rawValue), \(d.channel.rawValue), \(d.returnMethod.rawValue), \(d.applicant.name),
              \(foldedSearchKey(d.applicant.name)), \(d.applicant.idNumber), \(d.applicant.phone), \(d.submittedAt.timeIntervalSince1970),
              \(d.receivedAt?.timeIntervalSince1970), \(d.dueAt?.timeIntervalSince1970), \(d.updatedAt.timeIntervalSince1970),
              \(d.version), \(d.handlerID), \(d.departmentID), \(watch.due), \(watch.near), \(watch.alertAt), \(data))
            """)
    }

    static func updateDossier(_ d: Dossier, previous: Dossier, connection: PostgresConnection, logger: Logger) async throws {
        var crossed: Set<AlertKind> = []
        if let due = d.watchPlan?.due.timeIntervalSince1970 {
            let kinds = try await connection.query(
                "SELECT kind FROM dossier_alerts WHERE dossier_id = \(d.id) AND due = \(due)", logger: logger).collect()
            crossed = Set(try kinds.compactMap { AlertKind(rawValue: try $0.decode(String.self)) })
        }
        let watch = WatchColumns(d, crossed: crossed)
        let updated = try await connection.query("""
            UPDATE dossiers SET current_agency_id = \(d.currentAgencyID), pending_agency_id = \(d.pendingAgencyID),
              status = \(d.status.rawValue), return_method = \(d.returnMethod.rawValue), received_at = \(d.receivedAt?.timeIntervalSince1970),
              due_at = \(d.dueAt?.timeIntervalSince1970), updated_at = \(d.updatedAt.timeIntervalSince1970), version = \(d.version),
              data = \(try json(d)), handler_id = \(d.handlerID), department_id = \(d.departmentID), watch_due = \(watch.due),
              watch_near = \(watch.near), alert_at = \(watch.alertAt)
            WHERE id = \(d.id) AND version = \(previous.version)
            RETURNING 1
            """, logger: logger).collect()
        guard updated.count == 1 else { throw StoreError.conflict("dossier \(d.code) changed underneath") }
    }

    /// Everything a change writes besides the projection row itself, pipelined.
    static func writeChange(_ d: Dossier, previous: Dossier?, events: [(DossierEvent, String)], into pipeline: inout Pipeline) {
        let submitted = d.submittedAt.timeIntervalSince1970
        for agency in accessAgencies(of: d).sorted() {
            pipeline.add("""
                INSERT INTO dossier_access(agency_id, dossier_id, submitted_at) VALUES (\(agency), \(d.id), \(submitted))
                ON CONFLICT DO NOTHING
                """)
        }
        syncStats(d, previous: previous, into: &pipeline)
        let plain = events.map(\.0)
        for sha256 in Set(referencedFiles(plain)).sorted() {
            pipeline.add(
                "INSERT INTO dossier_files(sha256, dossier_id) VALUES (\(sha256), \(d.id)) ON CONFLICT DO NOTHING")
        }
        for row in NotificationRow.rows(plain, dossierID: d.id) {
            let at = row.at.timeIntervalSince1970
            pipeline.add("""
                INSERT INTO notifications(id, dossier_id, code, kind, sequence, created_at, next_at)
                VALUES (\(row.id), \(d.id), \(d.code), \(row.kind.rawValue), \(row.sequence), \(at), \(at))
                ON CONFLICT DO NOTHING
                """)
        }
        for change in PostalRowChange.changes(plain, code: d.code) {
            switch change {
            case let .order(id, agencyID, direction, at):
                let seconds = at.timeIntervalSince1970
                pipeline.add("""
                    INSERT INTO postal_orders(id, dossier_id, code, agency_id, direction, created_at, next_at)
                    VALUES (\(id), \(d.id), \(d.code), \(agencyID), \(direction.rawValue), \(seconds), \(seconds))
                    ON CONFLICT DO NOTHING
                    """)
            case let .accepted(id, waybill, at):
                pipeline.add("""
                    UPDATE postal_orders SET waybill = coalesce(waybill, \(waybill)), sent_at = coalesce(sent_at, \(at.timeIntervalSince1970)),
                      next_at = NULL, status = CASE WHEN status IN ('pending', 'dead') THEN 'sent' ELSE status END
                    WHERE id = \(id)
                    """)
            case .cancelAll:
                pipeline.add("""
                    UPDATE postal_orders SET status = 'cancelled', next_at = NULL WHERE dossier_id = \(d.id) AND status IN ('pending', 'dead')
                    """)
            }
        }
        for (event, json) in events {
            pipeline.add("""
                INSERT INTO dossier_events(dossier_id, sequence, kind, at, actor_id, agency_id, data)
                VALUES (\(d.id), \(event.sequence), \(event.kind.rawValue), \(event.at.timeIntervalSince1970), \(event.actor.id),
                  \(event.agencyID), \(json))
                """)
        }
    }

    public func version(code: String) async throws -> Int? {
        try await rows("SELECT version FROM dossiers WHERE code = \(code)").first?.decode(Int.self)
    }

    public func dossier(code: String) async throws -> Dossier? {
        try await rows("SELECT data FROM dossiers WHERE code = \(code)").first.map { try Self.decode(Dossier.self, try $0.decode(String.self)) }
    }

    public func events(dossierID: String) async throws -> [DossierEvent] {
        try await rows("SELECT data FROM dossier_events WHERE dossier_id = \(dossierID) ORDER BY sequence")
            .map { try Self.decode(DossierEvent.self, try $0.decode(String.self)) }
    }

    public func search(_ query: DossierQuery) async throws -> DossierPage {
        var binds = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        var joins = ""
        var conditions: [String] = []
        if let agency = query.visibleToAgency {
            joins = "JOIN dossier_access a ON a.dossier_id = d.id AND a.agency_id = \(bind(agency))"
        }
        func like(_ text: String) -> String {
            "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%"
        }
        if let code = query.code { conditions.append("d.code LIKE \(bind(like(code)))") }
        if let name = query.name { conditions.append("d.applicant_folded LIKE \(bind(like(foldedSearchKey(name))))") }
        if let idNumber = query.idNumber { conditions.append("d.id_number = \(bind(idNumber))") }
        if let phone = query.phone { conditions.append("d.phone = \(bind(phone))") }
        if !query.statuses.isEmpty { conditions.append("d.status = ANY(\(bind(query.statuses.map(\.rawValue))))") }
        if let procedure = query.procedureCode { conditions.append("d.procedure_code = \(bind(procedure))") }
        if let agency = query.agencyID { conditions.append("d.agency_id = \(bind(agency))") }
        if !query.procedureCodes.isEmpty { conditions.append("d.procedure_code = ANY(\(bind(query.procedureCodes)))") }
        if !query.codes.isEmpty { conditions.append("d.code = ANY(\(bind(query.codes)))") }
        if let from = query.submittedFrom { conditions.append("d.submitted_at >= \(bind(from.timeIntervalSince1970))") }
        if let to = query.submittedTo { conditions.append("d.submitted_at < \(bind(to.timeIntervalSince1970))") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let countQuery = PostgresQuery(unsafeSQL: "SELECT count(*) FROM dossiers d \(joins) \(whereClause)", binds: binds)
        // Within an agency, newest first from the access rows' own copy of the submission time:
        // one range of `dossier_access_newest`, however long the agency's history.
        let newest = query.visibleToAgency == nil ? "d.submitted_at" : "a.submitted_at"
        let order = "ORDER BY \(newest) DESC, d.code DESC LIMIT \(bind(query.limit)) OFFSET \(bind(query.offset))"
        let pageQuery = PostgresQuery(unsafeSQL: "SELECT d.data FROM dossiers d \(joins) \(whereClause) \(order)", binds: binds)
        let total = try await rows(countQuery).first?.decode(Int.self) ?? 0
        let items = try await rows(pageQuery).map { try Self.decode(Dossier.self, try $0.decode(String.self)) }
        return DossierPage(total: total, items: items)
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
