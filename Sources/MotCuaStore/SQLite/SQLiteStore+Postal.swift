import Foundation
import GRDB
import MotCuaCore

// The postal outbox: an order is enqueued in the same transaction as the event that places it,
// and leaves the queue in the same transaction as the event that records the waybill the post
// office answered with, so an order is neither lost nor sent on after it was accepted.
extension SQLiteStore {
    static func syncPostalOrders(_ events: [DossierEvent], dossierID: String, code: String, db: Database) throws {
        for change in PostalRowChange.changes(events, code: code) {
            switch change {
            case let .order(id, agencyID, direction, at):
                try db.cachedStatement(sql: """
                    INSERT INTO postal_orders(id, dossier_id, code, agency_id, direction, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """).execute(arguments: [id, dossierID, code, agencyID, direction.rawValue, at.timeIntervalSince1970, at.timeIntervalSince1970])
            case let .accepted(id, waybill, at):
                try db.cachedStatement(sql: """
                    UPDATE postal_orders SET waybill = coalesce(waybill, ?), sent_at = coalesce(sent_at, ?), next_at = NULL,
                      status = CASE WHEN status IN ('pending', 'dead') THEN 'sent' ELSE status END
                    WHERE id = ?
                    """).execute(arguments: [waybill, at.timeIntervalSince1970, id])
            case .cancelAll:
                try db.cachedStatement(sql: """
                    UPDATE postal_orders SET status = 'cancelled', next_at = NULL WHERE dossier_id = ? AND status IN ('pending', 'dead')
                    """).execute(arguments: [dossierID])
            }
        }
    }

    static func postalOrderItem(_ row: Row) -> PostalOrderItem? {
        guard let direction = PostalDirection(rawValue: row["direction"]), let status = PostalOrderItem.Status(rawValue: row["status"]) else {
            return nil
        }
        func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        return PostalOrderItem(
            id: row["id"], dossierID: row["dossier_id"], code: row["code"], agencyID: row["agency_id"], direction: direction,
            createdAt: Date(timeIntervalSince1970: row["created_at"]), status: status, attempts: row["attempts"],
            nextAt: date("next_at"), sentAt: date("sent_at"), waybill: row["waybill"], lastError: row["last_error"], retrySince: date("retry_since"))
    }

    public func claimDuePostalOrders(now: Date, lease: TimeInterval, limit: Int) async throws -> [PostalOrderItem] {
        try await batcher.write { db in
            try Self.claimDue(in: "postal_orders", now: now, lease: lease, limit: limit, db: db).compactMap(Self.postalOrderItem)
        }
    }

    public func postalOrders(agencies: Set<String>?, status: PostalOrderItem.Status?, limit: Int) async throws -> [PostalOrderItem] {
        var conditions: [String] = []
        var arguments: [DatabaseValueConvertible] = []
        if let agencies {
            conditions.append("agency_id IN (\(Array(repeating: "?", count: agencies.count).joined(separator: ", ")))")
            arguments += agencies.sorted() as [DatabaseValueConvertible]
            if agencies.isEmpty { return [] }
        }
        if let status {
            conditions.append("status = ?")
            arguments.append(status.rawValue)
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let values = StatementArguments((arguments + [limit]).map { $0.databaseValue })
        return try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM postal_orders \(filter) ORDER BY created_at DESC, id LIMIT ?", arguments: values)
                .compactMap(Self.postalOrderItem)
        }
    }

    public func postalOrder(id: String) async throws -> PostalOrderItem? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM postal_orders WHERE id = ?", arguments: [id]).flatMap(Self.postalOrderItem)
        }
    }

    public func postalOrder(waybill: String) async throws -> PostalOrderItem? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM postal_orders WHERE waybill = ?", arguments: [waybill]).flatMap(Self.postalOrderItem)
        }
    }

    public func recordPostalAttempt(_ id: String, outcome: DeliveryOutcome) async throws {
        try await batcher.write { db in
            switch outcome {
            case let .delivered(at):
                try db.execute(
                    sql: """
                        UPDATE postal_orders SET status = 'sent', attempts = attempts + 1, sent_at = coalesce(sent_at, ?), next_at = NULL,
                          last_error = NULL WHERE id = ? AND status IN ('pending', 'dead')
                        """,
                    arguments: [at.timeIntervalSince1970, id])
            case let .retry(at, error):
                try db.execute(
                    sql: "UPDATE postal_orders SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ? AND status = 'pending'",
                    arguments: [at.timeIntervalSince1970, error, id])
            case let .dead(error):
                try db.execute(
                    sql: "UPDATE postal_orders SET status = 'dead', attempts = attempts + 1, next_at = NULL, last_error = ? WHERE id = ? AND status = 'pending'",
                    arguments: [error, id])
            }
        }
    }

    public func retryPostalOrder(_ id: String, now: Date) async throws -> Bool {
        try await batcher.write { db in
            try db.execute(
                sql: "UPDATE postal_orders SET status = 'pending', attempts = 0, next_at = ?, retry_since = ? WHERE id = ? AND status = 'dead'",
                arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, id])
            return db.changesCount == 1
        }
    }
}
