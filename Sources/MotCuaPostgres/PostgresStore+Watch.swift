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
                SELECT id, code, current_agency_id, watch_due, watch_near FROM dossiers
                WHERE alert_at IS NOT NULL AND alert_at <= \(nowSeconds) ORDER BY alert_at LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """, logger: self.logger).collect()
            var alerts: [DossierAlert] = []
            for row in rows {
                let (id, code, agency, due, near) = try row.decode((String, String, String, Double?, Double?).self)
                guard let due, let near else {
                    try await connection.query("UPDATE dossiers SET alert_at = NULL WHERE id = \(id)", logger: self.logger)
                    continue
                }
                let plan = WatchPlan(due: Date(timeIntervalSince1970: due), nearDue: Date(timeIntervalSince1970: near))
                let thresholds = plan.thresholds.sorted { $0.at < $1.at }
                for threshold in thresholds where threshold.at <= now {
                    let inserted = try await connection.query("""
                        INSERT INTO dossier_alerts(dossier_id, kind, due, at, agency_id)
                        VALUES (\(id), \(threshold.kind.rawValue), \(due), \(nowSeconds), \(agency))
                        ON CONFLICT DO NOTHING RETURNING 1
                        """, logger: self.logger).collect()
                    if inserted.count == 1 {
                        alerts.append(DossierAlert(dossierID: id, code: code, agencyID: agency, kind: threshold.kind, due: plan.due, at: now))
                    }
                }
                let next = thresholds.first { $0.at > now }?.at.timeIntervalSince1970
                try await connection.query("UPDATE dossiers SET alert_at = \(next) WHERE id = \(id)", logger: self.logger)
            }
            return (rows.count, alerts)
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
        var binds = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let open = DossierStatus.allCases.filter { !$0.isFinal }.map(\.rawValue)
        let now = query.now.timeIntervalSince1970
        var condition = "current_agency_id = \(bind(query.agencyID))"
        switch query.kind {
        case .mine: condition += " AND handler_id = \(bind(query.officerID ?? "")) AND status = ANY(\(bind(open)))"
        case .department: condition += " AND department_id = \(bind(query.departmentID ?? "")) AND status = ANY(\(bind(open)))"
        case .agency: condition += " AND status = ANY(\(bind(open)))"
        case .nearDue: condition += " AND watch_due IS NOT NULL AND watch_near <= \(bind(now)) AND watch_due >= \(bind(now))"
        case .overdue: condition += " AND watch_due IS NOT NULL AND watch_due < \(bind(now))"
        case .supplementation: condition += " AND status = 'supplementation'"
        case .ready: condition += " AND status = 'resultReady'"
        case .postal:
            condition += " AND status IN ('submitted', 'resultReady')"
                + " AND ((channel = 'postal' AND status = 'submitted') OR (status = 'resultReady' AND return_method = 'post'))"
        }
        let bound = max(query.totalBound, 1)
        let countQuery = PostgresQuery(
            unsafeSQL: "SELECT count(*) FROM (SELECT 1 FROM dossiers WHERE \(condition) LIMIT \(bound + 1)) AS matches", binds: binds)
        // The watched queues in the order of `dossiers_watch_due`, so that a page (the digest's
        // thousand) stops early instead of sorting every overdue dossier of the agency; the same
        // order as the general one, since their watch_due is never NULL.
        let order = query.kind == .overdue || query.kind == .nearDue
            ? "ORDER BY watch_due, submitted_at, code"
            : "ORDER BY coalesce(watch_due, due_at) IS NULL, coalesce(watch_due, due_at), submitted_at, code"
        let page = "LIMIT \(bind(query.limit)) OFFSET \(bind(query.offset))"
        let pageQuery = PostgresQuery(unsafeSQL: "SELECT \(Self.dossierColumns) FROM dossiers WHERE \(condition) \(order) \(page)", binds: binds)
        let counted = try await rows(countQuery).first?.decode(Int.self) ?? 0
        let items = try await dossiers(from: rows(pageQuery))
        return DossierPage(total: min(counted, bound), totalIsExact: counted <= bound, items: items)
    }
}
