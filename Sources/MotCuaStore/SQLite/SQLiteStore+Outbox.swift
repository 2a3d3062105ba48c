import Foundation
import GRDB
import MotCuaCore

// The notification outbox: a notification is enqueued in the same transaction as the event that
// calls for it, so none is lost or invented; a relay delivers them later, retrying with backoff.
extension SQLiteStore {
    static func enqueueNotifications(_ events: [DossierEvent], dossierID: String, code: String, db: Database) throws {
        for row in NotificationRow.rows(events, dossierID: dossierID) {
            try db.cachedStatement(sql: """
                INSERT INTO notifications(id, dossier_id, code, kind, sequence, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """).execute(arguments: [
                    row.id, dossierID, code, row.kind.rawValue, row.sequence, row.at.timeIntervalSince1970, row.at.timeIntervalSince1970])
        }
    }

    static func outboxItem(_ row: Row) -> OutboxItem? {
        guard let kind = NotificationKind(rawValue: row["kind"]), let status = OutboxItem.Status(rawValue: row["status"]) else { return nil }
        return OutboxItem(
            id: row["id"], dossierID: row["dossier_id"], code: row["code"], kind: kind, sequence: row["sequence"], status: status,
            attempts: row["attempts"], nextAt: (row["next_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            deliveredAt: (row["delivered_at"] as Double?).map(Date.init(timeIntervalSince1970:)), lastError: row["last_error"],
            retrySince: Date(timeIntervalSince1970: (row["retry_since"] as Double?) ?? row["created_at"]))
    }

    public func claimDueNotifications(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxItem] {
        try await batcher.write { db in
            try Self.claimDue(in: "notifications", now: now, lease: lease, limit: limit, db: db).compactMap(Self.outboxItem)
        }
    }

    /// Pending rows of an outbox table due at `now`, oldest first, their next attempt moved
    /// `lease` ahead (the claim; the writer is single, so nothing else takes them meanwhile).
    static func claimDue(in table: String, now: Date, lease: TimeInterval, limit: Int, db: Database) throws -> [Row] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT * FROM \(table) WHERE status = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?",
            arguments: [now.timeIntervalSince1970, limit])
        for row in rows {
            try db.execute(sql: "UPDATE \(table) SET next_at = ? WHERE id = ?", arguments: [(now + lease).timeIntervalSince1970, row["id"] as String])
        }
        return rows
    }

    public func notifications(dossierID: String) async throws -> [OutboxItem] {
        try await pool.read { db in
            // Ids are "<dossier id>.<sequence>": a range of the primary key.
            try Row.fetchAll(
                db, sql: "SELECT * FROM notifications WHERE id > ? AND id < ? AND dossier_id = ? ORDER BY sequence",
                arguments: [dossierID + ".", dossierID + "/", dossierID]
            ).compactMap(Self.outboxItem)
        }
    }

    public func recordDelivery(_ id: String, outcome: DeliveryOutcome) async throws {
        try await batcher.write { db in
            switch outcome {
            case let .delivered(at):
                try db.execute(
                    sql: "UPDATE notifications SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, next_at = NULL, last_error = NULL WHERE id = ?",
                    arguments: [at.timeIntervalSince1970, id])
            case let .retry(at, error):
                try db.execute(
                    sql: "UPDATE notifications SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ? AND status = 'pending'",
                    arguments: [at.timeIntervalSince1970, error, id])
            case let .dead(error):
                try db.execute(
                    sql: "UPDATE notifications SET status = 'dead', attempts = attempts + 1, next_at = NULL, last_error = ? WHERE id = ?",
                    arguments: [error, id])
            }
        }
    }
}

extension SQLiteStore {
    public func outboxSummaries() async throws -> [OutboxSummary] {
        try await pool.read { db in
            try [("notifications", "notifications"), ("postal", "postal_orders"), ("portal", "portal_messages")].map { name, table in
                let row = try Row.fetchOne(db, sql: """
                    SELECT (SELECT count(*) FROM \(table) WHERE status = 'pending'), (SELECT min(created_at) FROM \(table) WHERE status = 'pending'),
                           (SELECT count(*) FROM \(table) WHERE status = 'dead'),
                           (SELECT count(*) FROM \(table) WHERE status = 'pending' AND last_error IS NOT NULL AND next_at IS NOT NULL)
                    """)!
                let oldest: Double? = row[1]
                return OutboxSummary(
                    outbox: name, pending: row[0], oldestPendingAt: oldest.map(Date.init(timeIntervalSince1970:)), dead: row[2], retrying: row[3])
            }
        }
    }
}
