import Foundation
import GRDB
import MotCuaCore

// The overdue watch and the officer queues. Each dossier row carries its appointment and
// near-due instant while its clock runs (`watch_due`, `watch_near`) and the instant of the next
// threshold it has not crossed yet (`alert_at`, indexed only where set): a sweep reads just the
// rows whose `alert_at` has passed, so its cost follows the crossings, not the table.
extension SQLiteStore {
    /// The thresholds of `plan` already crossed: each recorded against its appointment (the
    /// step's due for a step's crossing).
    static func crossedAlerts(dossierID: String, plan: WatchPlan?, db: Database) throws -> Set<AlertKind> {
        guard let plan else { return [] }
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT kind, due FROM dossier_alerts WHERE dossier_id = ? AND due IN (?, ?)"),
            arguments: [dossierID, plan.due.timeIntervalSince1970, plan.due(of: .stepOverdue).timeIntervalSince1970])
        return Set(rows.compactMap { row in
            AlertKind(rawValue: row[0]).flatMap { kind in plan.due(of: kind).timeIntervalSince1970 == row[1] ? kind : nil }
        })
    }

    public func sweepAlerts(now: Date, limit: Int) async throws -> (dossiers: Int, alerts: [DossierAlert]) {
        try await batcher.write { db -> (dossiers: Int, alerts: [DossierAlert]) in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT id, code, current_agency_id, watch_due, watch_near, watch_step FROM dossiers
                    WHERE alert_at IS NOT NULL AND alert_at <= ? ORDER BY alert_at LIMIT ?
                    """),
                arguments: [now.timeIntervalSince1970, limit])
            var alerts: [DossierAlert] = []
            let insert = try db.cachedStatement(sql: """
                INSERT INTO dossier_alerts(dossier_id, kind, due, at, agency_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            let advance = try db.cachedStatement(sql: "UPDATE dossiers SET alert_at = ? WHERE id = ?")
            for row in rows {
                let id: String = row["id"]
                guard let due: Double = row["watch_due"], let near: Double = row["watch_near"] else {
                    try advance.execute(arguments: [nil, id])
                    continue
                }
                let plan = WatchPlan(
                    due: Date(timeIntervalSince1970: due), nearDue: Date(timeIntervalSince1970: near),
                    stepDue: (row["watch_step"] as Double?).map(Date.init(timeIntervalSince1970:)))
                let thresholds = plan.thresholds.sorted { $0.at < $1.at }
                for threshold in thresholds where threshold.at <= now {
                    let against = plan.due(of: threshold.kind)
                    try insert.execute(arguments: [
                        id, threshold.kind.rawValue, against.timeIntervalSince1970, now.timeIntervalSince1970, row["current_agency_id"]])
                    // The primary key makes a crossing count once, whatever restarts or sweeps repeat it.
                    if db.changesCount == 1 {
                        alerts.append(DossierAlert(
                            dossierID: id, code: row["code"], agencyID: row["current_agency_id"], kind: threshold.kind, due: against, at: now))
                    }
                }
                try advance.execute(arguments: [thresholds.first { $0.at > now }?.at.timeIntervalSince1970, id])
            }
            return (rows.count, alerts)
        }
    }

    public func awaitingSupplementation(after: String?, limit: Int) async throws -> [WaitingDossier] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT id, code, procedure_code, current_agency_id FROM dossiers INDEXED BY dossiers_awaiting_supplementation
                    WHERE status = 'supplementation' AND id > ? ORDER BY id LIMIT ?
                    """,
                arguments: [after ?? "", limit]
            ).map { WaitingDossier(id: $0[0], code: $0[1], procedureCode: $0[2], currentAgencyID: $0[3]) }
        }
    }

    public func alerts(dossierID: String) async throws -> [DossierAlert] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT a.*, d.code FROM dossier_alerts a JOIN dossiers d ON d.id = a.dossier_id
                    WHERE a.dossier_id = ? ORDER BY a.at, a.kind
                    """,
                arguments: [dossierID]
            ).compactMap(Self.alert(from:))
        }
    }

    static func alert(from row: Row) -> DossierAlert? {
        guard let kind = AlertKind(rawValue: row["kind"]) else { return nil }
        return DossierAlert(
            dossierID: row["dossier_id"], code: row["code"], agencyID: row["agency_id"], kind: kind,
            due: Date(timeIntervalSince1970: row["due"]), at: Date(timeIntervalSince1970: row["at"]))
    }

    public func queue(_ query: QueueQuery) async throws -> DossierPage {
        let plan = QueuePlan(query)
        let versions = versions
        return try await pool.read { db in
            let count = plan.count
            let counted = try Int.fetchOne(db, sql: count.sql, arguments: Self.arguments(count.values)) ?? 0
            guard let (sql, values) = plan.page(columns: DossierColumns.select(alias: "d.")) else { return plan.answer(counted: counted, items: []) }
            let rows = try Row.fetchAll(db, sql: sql, arguments: Self.arguments(values))
            return plan.answer(counted: counted, items: try rows.map { try Self.dossier(from: $0, versions: versions, db: db) })
        }
    }
}
