import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// The overdue watch and the officer queues (see `SQLiteStore+Watch.swift` for the columns).
// Several instances may sweep at once: each takes the rows no other sweep holds (`SKIP LOCKED`),
// and the primary key of `dossier_alerts` records a crossing once whatever happens.
extension PostgresStore {
    public func sweepAlerts(now: Date, limit: Int) async throws -> (dossiers: Int, alerts: [DossierAlert]) {
        let nowSeconds = now.timeIntervalSince1970
        return try await transaction { connection in
            let rows = try await connection.query("""
                SELECT id, code, current_agency_id, watch_due, watch_near, watch_step FROM dossiers
                WHERE alert_at IS NOT NULL AND alert_at <= \(nowSeconds) ORDER BY alert_at LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """, logger: self.logger).collect()
            var alerts: [DossierAlert] = []
            for row in rows {
                let (id, code, agency, due, near, step) = try row.decode((String, String, String, Double?, Double?, Double?).self)
                guard let due, let near else {
                    try await connection.query("UPDATE dossiers SET alert_at = NULL WHERE id = \(id)", logger: self.logger)
                    continue
                }
                let plan = WatchPlan(
                    due: Date(timeIntervalSince1970: due), nearDue: Date(timeIntervalSince1970: near), stepDue: step.map(Date.init(timeIntervalSince1970:)))
                let thresholds = plan.thresholds.sorted { $0.at < $1.at }
                for threshold in thresholds where threshold.at <= now {
                    let against = plan.due(of: threshold.kind).timeIntervalSince1970
                    let inserted = try await connection.query("""
                        INSERT INTO dossier_alerts(dossier_id, kind, due, at, agency_id)
                        VALUES (\(id), \(threshold.kind.rawValue), \(against), \(nowSeconds), \(agency))
                        ON CONFLICT DO NOTHING RETURNING 1
                        """, logger: self.logger).collect()
                    if inserted.count == 1 {
                        alerts.append(DossierAlert(dossierID: id, code: code, agencyID: agency, kind: threshold.kind, due: Date(timeIntervalSince1970: against), at: now))
                    }
                }
                let next = thresholds.first { $0.at > now }?.at.timeIntervalSince1970
                try await connection.query("UPDATE dossiers SET alert_at = \(next) WHERE id = \(id)", logger: self.logger)
            }
            return (rows.count, alerts)
        }
    }

    public func awaitingSupplementation(after: String?, limit: Int) async throws -> [WaitingDossier] {
        try await rows("""
            SELECT id, code, procedure_code, current_agency_id FROM dossiers
            WHERE status = 'supplementation' AND id > \(after ?? "") ORDER BY id LIMIT \(limit)
            """).map { row in
            let (id, code, procedure, agency) = try row.decode((String, String, String, String).self)
            return WaitingDossier(id: id, code: code, procedureCode: procedure, currentAgencyID: agency)
        }
    }

    public func alerts(dossierID: String) async throws -> [DossierAlert] {
        try await rows("""
            SELECT a.dossier_id, d.code, a.agency_id, a.kind, a.due, a.at FROM dossier_alerts a JOIN dossiers d ON d.id = a.dossier_id
            WHERE a.dossier_id = \(dossierID) ORDER BY a.at, a.kind
            """).compactMap { row in
            let (id, code, agency, kind, due, at) = try row.decode((String, String, String, String, Double, Double).self)
            return AlertKind(rawValue: kind).map {
                DossierAlert(dossierID: id, code: code, agencyID: agency, kind: $0, due: Date(timeIntervalSince1970: due), at: Date(timeIntervalSince1970: at))
            }
        }
    }

    public func queue(_ query: QueueQuery) async throws -> DossierPage {
        let plan = QueuePlan(query)
        let count = plan.count
        let counted = try await rows(Self.query(count.sql, count.values)).first?.decode(Int.self) ?? 0
        guard let (sql, values) = plan.page(columns: DossierColumns.select(alias: "d.")) else { return plan.answer(counted: counted, items: []) }
        return plan.answer(counted: counted, items: try await dossiers(from: rows(Self.query(sql, values))))
    }
}
