import Foundation
import Logging
import MotCuaCore
import MotCuaStore
import PostgresNIO

/// The rows that one or more changes write, gathered table by table: a batch costs one statement
/// per table, however many dossiers it holds. `apply` sends a batch of one change; a group of
/// intakes of one desk and day (`IntakeGroups`) sends one batch for the whole group.
///
/// Why: filed one statement per row, an intake was ~15 statements. The PostgreSQL backend spent
/// ~1 ms of its CPU per intake parsing and planning them, and the server as much again in
/// PostgresNIO's per-statement work, for 268–308 intakes/s from one desk at 32 connections,
/// p99 155–176 ms (same run: SQLite 4,000+/s). The figures with batches are in
/// `docs/benchmarks.md` ("PostgreSQL against SQLite").
struct ChangeBatch {
    private var dossiers = ValuesInsert("""
        INSERT INTO dossiers(id, code, agency_id, current_agency_id, pending_agency_id, procedure_code, status, channel,
          return_method, applicant_name, applicant_folded, id_number, phone, submitted_at, received_at, due_at, updated_at,
          version, handler_id, department_id, watch_due, watch_near, watch_step, alert_at, data, procedure_version,
          receiving_agency_id)
        """, width: 27)
    private var list = ValuesInsert(
        "INSERT INTO dossier_list(agency_id, submitted_at, dossier_id, status, procedure_code, name_folded)", width: 6,
        tail: """
            ON CONFLICT (agency_id, submitted_at, dossier_id) DO UPDATE SET status = excluded.status
            WHERE dossier_list.status <> excluded.status
            """)
    private var nameKeys = ValuesInsert(
        "INSERT INTO dossier_name_keys(agency_id, key, submitted_at, dossier_id)", width: 4, tail: "ON CONFLICT DO NOTHING")
    private var files = ValuesInsert("INSERT INTO dossier_files(sha256, dossier_id)", width: 2, tail: "ON CONFLICT DO NOTHING")
    private var stepFacts = ValuesInsert(
        "INSERT INTO step_facts(dossier_id, sequence, step, agency_id, department_id, officer_id, officer_name, due_at, ended_at, late)",
        width: 10)
    private var signatures = ValuesInsert(
        "INSERT INTO result_signatures(dossier_id, sequence, sha256, dossier_code, agency_id, key_id, signed_at, algorithm, signature)",
        width: 9)
    private var events = ValuesInsert(
        "INSERT INTO dossier_events(dossier_id, sequence, kind, at, actor_id, agency_id, data)", width: 7)
    private var notifications = ValuesInsert(
        "INSERT INTO notifications(id, dossier_id, code, kind, sequence, created_at, next_at)", width: 7, tail: "ON CONFLICT DO NOTHING")
    private var postalOrders = ValuesInsert(
        "INSERT INTO postal_orders(id, dossier_id, code, agency_id, direction, created_at, next_at)", width: 7,
        tail: "ON CONFLICT DO NOTHING")
    private var portalMessages = ValuesInsert(
        "INSERT INTO portal_messages(id, dossier_id, code, agency_id, sequence, kind, created_at)", width: 7, tail: "ON CONFLICT DO NOTHING")
    /// Each change's first portal message: due at once unless an earlier one of its dossier is unacknowledged.
    private var portalHeads: [String] = []
    /// Statements that are not row inserts (postal answers, cancellations, idempotency links),
    /// run after the inserts in the order they were added.
    private var statements: [PostgresQuery] = []
    private var facts: [StatFact] = []
    private var sums = StatRows.Sums()

    /// A new dossier's projection row.
    mutating func insert(_ d: Dossier, data: String, procedureVersion: Int) {
        let watch = WatchColumns(d, crossed: [])
        dossiers.row { row in
            row.add(d.id); row.add(d.code); row.add(d.agencyID); row.add(d.currentAgencyID); row.add(d.pendingAgencyID)
            row.add(d.procedureCode); row.add(d.status.rawValue); row.add(d.channel.rawValue); row.add(d.returnMethod.rawValue)
            row.add(d.applicant.name); row.add(foldedSearchKey(d.applicant.name)); row.add(d.applicant.idNumber)
            row.add(d.applicant.phone); row.add(d.submittedAt.timeIntervalSince1970); row.add(d.receivedAt?.timeIntervalSince1970)
            row.add(d.dueAt?.timeIntervalSince1970); row.add(d.updatedAt.timeIntervalSince1970); row.add(d.version)
            row.add(d.handlerID); row.add(d.departmentID); row.add(watch.due); row.add(watch.near); row.add(watch.step); row.add(watch.alertAt)
            row.add(data)
            row.add(procedureVersion)
            row.add(d.receivingAgencyID)
        }
    }

    /// Everything a change writes besides the projection row itself: list, file, event and
    /// outbox rows, and the statistics rows (see `PostgresStore+Statistics.swift`).
    mutating func add(_ d: Dossier, previous: Dossier?, events encoded: [(DossierEvent, String)]) {
        let submitted = d.submittedAt.timeIntervalSince1970, folded = foldedSearchKey(d.applicant.name)
        for agency in accessAgencies(of: d).sorted() {
            list.row { row in
                row.add(agency); row.add(submitted); row.add(d.id); row.add(d.status.rawValue); row.add(d.procedureCode); row.add(folded)
            }
        }
        // The name's keys for each agency newly able to see it.
        let keys = MotCuaStore.nameKeys(folded: folded)
        for agency in accessAgencies(of: d).subtracting(previous.map(accessAgencies(of:)) ?? []).sorted() {
            for key in keys {
                nameKeys.row { row in row.add(agency); row.add(key); row.add(submitted); row.add(d.id) }
            }
        }
        let plain = encoded.map(\.0)
        for sha256 in Set(referencedFiles(plain)).sorted() {
            files.row { row in row.add(sha256); row.add(d.id) }
        }
        for s in StepFactRow.rows(plain, previous: previous, updated: d) {
            stepFacts.row { row in
                row.add(d.id); row.add(s.sequence); row.add(s.step.rawValue); row.add(s.agencyID); row.add(s.departmentID)
                row.add(s.officerID); row.add(s.officerName); row.add(s.dueAt); row.add(s.endedAt); row.add(s.late)
            }
        }
        for (sequence, s) in carriedSignatures(plain) {
            signatures.row { row in
                row.add(d.id); row.add(sequence); row.add(s.sha256); row.add(s.dossierCode); row.add(s.agencyID); row.add(s.keyID)
                row.add(s.signedAt.timeIntervalSince1970); row.add(s.algorithm); row.add(s.signature)
            }
        }
        for (event, json) in encoded {
            events.row { row in
                row.add(d.id); row.add(event.sequence); row.add(event.kind.rawValue); row.add(event.at.timeIntervalSince1970)
                row.add(event.actor.id); row.add(event.agencyID); row.add(json)
            }
        }
        for n in NotificationRow.rows(plain, dossierID: d.id) {
            let at = n.at.timeIntervalSince1970
            notifications.row { row in
                row.add(n.id); row.add(d.id); row.add(d.code); row.add(n.kind.rawValue); row.add(n.sequence); row.add(at); row.add(at)
            }
        }
        let portalRows = PortalRow.rows(plain, dossierID: d.id)
        for p in portalRows {
            portalMessages.row { row in
                row.add(p.id); row.add(d.id); row.add(d.code); row.add(d.agencyID); row.add(p.sequence); row.add(p.kind.rawValue)
                row.add(p.at.timeIntervalSince1970)
            }
        }
        if let first = portalRows.first { portalHeads.append(first.id) }
        for change in PostalRowChange.changes(plain, code: d.code) {
            switch change {
            case let .order(id, agencyID, direction, at):
                let seconds = at.timeIntervalSince1970
                postalOrders.row { row in
                    row.add(id); row.add(d.id); row.add(d.code); row.add(agencyID); row.add(direction.rawValue); row.add(seconds)
                    row.add(seconds)
                }
            case let .accepted(id, waybill, at):
                statements.append("""
                    UPDATE postal_orders SET waybill = coalesce(waybill, \(waybill)), sent_at = coalesce(sent_at, \(at.timeIntervalSince1970)),
                      next_at = NULL, status = CASE WHEN status IN ('pending', 'dead') THEN 'sent' ELSE status END
                    WHERE id = \(id)
                    """)
            case .cancelAll:
                statements.append("""
                    UPDATE postal_orders SET status = 'cancelled', next_at = NULL WHERE dossier_id = \(d.id) AND status IN ('pending', 'dead')
                    """)
            }
        }
        addStatistics(d, previous: previous)
    }

    /// The key that asked for an intake now names its dossier.
    mutating func link(_ key: IdempotencyKey, to code: String) {
        statements.append("UPDATE idempotency_keys SET dossier_code = \(code) WHERE scope = \(key.scope) AND key = \(key.key)")
    }

    private mutating func addStatistics(_ d: Dossier, previous: Dossier?) {
        guard let fact = StatFact(d) else { return }
        let old = previous.flatMap(StatFact.init)
        if old == fact { return }
        facts.append(fact)
        sums.add(fact, replacing: old)
    }

    /// The statements, projection rows first (the others refer to them).
    var queries: [PostgresQuery] {
        var queries = [dossiers, list, nameKeys, files, signatures, stepFacts, events, notifications, postalOrders, portalMessages].compactMap(\.query)
        if !portalHeads.isEmpty {
            // The dossier row is locked by the change, and a delivery locks it before it hands the
            // turn on (`recordPortalDelivery`), so exactly one of the two makes the message due.
            queries.append("""
                UPDATE portal_messages p SET next_at = p.created_at
                WHERE p.id = ANY(\(portalHeads)) AND NOT EXISTS (
                  SELECT 1 FROM portal_messages q WHERE q.dossier_id = p.dossier_id AND q.sequence < p.sequence AND q.status <> 'delivered')
                """)
        }
        queries += statements
        if !facts.isEmpty { queries.append(PostgresStore.factsQuery(facts[...])) }
        let dayRows = sums.dayRows, groupRows = sums.groupRows
        if !dayRows.isEmpty { queries.append(PostgresStore.daysQuery(dayRows[...])) }
        if !groupRows.isEmpty { queries.append(PostgresStore.groupsQuery(groupRows[...])) }
        return queries
    }

    /// Sends every statement without waiting for each answer (see `Pipeline`).
    func run(on connection: PostgresConnection, logger: Logger) async throws {
        var pipeline = Pipeline()
        for query in queries { pipeline.add(query) }
        try await pipeline.run(on: connection, logger: logger)
    }
}

/// `INSERT INTO table(columns) VALUES (…), (…) tail`: many rows in one statement, their values
/// bound (PostgreSQL coerces each to its column's type).
struct ValuesInsert {
    let head: String
    let tail: String
    let width: Int
    private var binds = PostgresBindings()
    private var rows = 0

    init(_ head: String, width: Int, tail: String = "") {
        self.head = head
        self.width = width
        self.tail = tail
    }

    /// One row: `values` adds exactly `width` values, in the columns' order.
    mutating func row(_ values: (inout PostgresBindings) -> Void) {
        values(&binds)
        rows += 1
        precondition(binds.count == rows * width, "a row of \(head) has \(width) values")
    }

    var query: PostgresQuery? {
        guard rows > 0 else { return nil }
        var sql = head + "\nVALUES "
        for r in 0..<rows {
            if r > 0 { sql += ", " }
            sql += "(" + (1...width).map { "$\(r * width + $0)" }.joined(separator: ", ") + ")"
        }
        return PostgresQuery(unsafeSQL: sql + " " + tail, binds: binds)
    }
}

extension PostgresBindings {
    /// A value, or NULL.
    mutating func add<Value: PostgresDynamicTypeEncodable>(_ value: Value?) {
        if let value { append(value) } else { appendNull() }
    }
}
