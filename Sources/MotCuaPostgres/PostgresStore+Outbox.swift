import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// The outboxes. A claim takes due rows that no other transaction holds (`FOR UPDATE SKIP
// LOCKED`) and moves their next attempt a lease ahead in the same statement: instances never
// send one message at once, and one that dies mid-send leaves the message to the others once
// the lease runs out.
extension PostgresStore {
    static let notificationColumns = "id, dossier_id, code, kind, sequence, status, attempts, next_at, delivered_at, last_error, coalesce(retry_since, created_at)"

    static func outboxItem(_ row: PostgresRow) throws -> OutboxItem? {
        let (id, dossierID, code, kind, sequence, status, attempts, nextAt, deliveredAt, lastError, retrySince) =
            try row.decode((String, String, String, String, Int, String, Int, Double?, Double?, String?, Double).self)
        guard let kind = NotificationKind(rawValue: kind), let status = OutboxItem.Status(rawValue: status) else { return nil }
        return OutboxItem(
            id: id, dossierID: dossierID, code: code, kind: kind, sequence: sequence, status: status, attempts: attempts,
            nextAt: nextAt.map(Date.init(timeIntervalSince1970:)), deliveredAt: deliveredAt.map(Date.init(timeIntervalSince1970:)),
            lastError: lastError, retrySince: Date(timeIntervalSince1970: retrySince))
    }

    public func claimDueNotifications(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxItem] {
        try await rows("""
            UPDATE notifications SET next_at = \((now + lease).timeIntervalSince1970)
            WHERE id IN (
              SELECT id FROM notifications WHERE status = 'pending' AND next_at <= \(now.timeIntervalSince1970)
              ORDER BY next_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.notificationColumns)
            """).compactMap(Self.outboxItem).sorted { ($0.code, $0.sequence) < ($1.code, $1.sequence) }
    }

    public func notifications(dossierID: String) async throws -> [OutboxItem] {
        try await rows("SELECT \(unescaped: Self.notificationColumns) FROM notifications WHERE dossier_id = \(dossierID) ORDER BY sequence")
            .compactMap(Self.outboxItem)
    }

    public func recordDelivery(_ id: String, outcome: DeliveryOutcome) async throws {
        switch outcome {
        case let .delivered(at):
            try await rows("""
                UPDATE notifications SET status = 'delivered', attempts = attempts + 1, delivered_at = \(at.timeIntervalSince1970),
                  next_at = NULL, last_error = NULL WHERE id = \(id)
                """)
        case let .retry(at, error):
            try await rows("""
                UPDATE notifications SET attempts = attempts + 1, next_at = \(at.timeIntervalSince1970), last_error = \(error)
                WHERE id = \(id) AND status = 'pending'
                """)
        case let .dead(error):
            try await rows("""
                UPDATE notifications SET status = 'dead', attempts = attempts + 1, next_at = NULL, last_error = \(error) WHERE id = \(id)
                """)
        }
    }

    // MARK: Postal orders

    static let postalColumns =
        "id, dossier_id, code, agency_id, direction, created_at, status, attempts, next_at, sent_at, waybill, last_error, coalesce(retry_since, created_at)"

    static func postalOrderItem(_ row: PostgresRow) throws -> PostalOrderItem? {
        let (id, dossierID, code, agency, direction, created, status, attempts, nextAt, sentAt, waybill, lastError, retrySince) =
            try row.decode((String, String, String, String, String, Double, String, Int, Double?, Double?, String?, String?, Double).self)
        guard let direction = PostalDirection(rawValue: direction), let status = PostalOrderItem.Status(rawValue: status) else { return nil }
        return PostalOrderItem(
            id: id, dossierID: dossierID, code: code, agencyID: agency, direction: direction, createdAt: Date(timeIntervalSince1970: created),
            status: status, attempts: attempts, nextAt: nextAt.map(Date.init(timeIntervalSince1970:)),
            sentAt: sentAt.map(Date.init(timeIntervalSince1970:)), waybill: waybill, lastError: lastError,
            retrySince: Date(timeIntervalSince1970: retrySince))
    }

    public func claimDuePostalOrders(now: Date, lease: TimeInterval, limit: Int) async throws -> [PostalOrderItem] {
        try await rows("""
            UPDATE postal_orders SET next_at = \((now + lease).timeIntervalSince1970)
            WHERE id IN (
              SELECT id FROM postal_orders WHERE status = 'pending' AND next_at <= \(now.timeIntervalSince1970)
              ORDER BY next_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.postalColumns)
            """).compactMap(Self.postalOrderItem).sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func postalOrders(agencies: Set<String>?, status: PostalOrderItem.Status?, limit: Int) async throws -> [PostalOrderItem] {
        if let agencies, agencies.isEmpty { return [] }
        var binds = PostgresBindings()
        var conditions: [String] = []
        if let agencies {
            binds.append(agencies.sorted())
            conditions.append("agency_id = ANY($\(binds.count))")
        }
        if let status {
            binds.append(status.rawValue)
            conditions.append("status = $\(binds.count)")
        }
        binds.append(limit)
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.postalColumns) FROM postal_orders \(filter) ORDER BY created_at DESC, id LIMIT $\(binds.count)"
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).compactMap(Self.postalOrderItem)
    }

    public func postalOrder(id: String) async throws -> PostalOrderItem? {
        try await rows("SELECT \(unescaped: Self.postalColumns) FROM postal_orders WHERE id = \(id)").first.flatMap(Self.postalOrderItem)
    }

    public func postalOrder(waybill: String) async throws -> PostalOrderItem? {
        try await rows("SELECT \(unescaped: Self.postalColumns) FROM postal_orders WHERE waybill = \(waybill)").first.flatMap(Self.postalOrderItem)
    }

    public func recordPostalAttempt(_ id: String, outcome: DeliveryOutcome) async throws {
        switch outcome {
        case let .delivered(at):
            try await rows("""
                UPDATE postal_orders SET status = 'sent', attempts = attempts + 1, sent_at = coalesce(sent_at, \(at.timeIntervalSince1970)),
                  next_at = NULL, last_error = NULL WHERE id = \(id) AND status IN ('pending', 'dead')
                """)
        case let .retry(at, error):
            try await rows("""
                UPDATE postal_orders SET attempts = attempts + 1, next_at = \(at.timeIntervalSince1970), last_error = \(error)
                WHERE id = \(id) AND status = 'pending'
                """)
        case let .dead(error):
            try await rows("""
                UPDATE postal_orders SET status = 'dead', attempts = attempts + 1, next_at = NULL, last_error = \(error)
                WHERE id = \(id) AND status = 'pending'
                """)
        }
    }

    public func retryPostalOrder(_ id: String, now: Date) async throws -> Bool {
        try await !rows("""
            UPDATE postal_orders SET status = 'pending', attempts = 0, next_at = \(now.timeIntervalSince1970),
              retry_since = \(now.timeIntervalSince1970)
            WHERE id = \(id) AND status = 'dead' RETURNING 1
            """).isEmpty
    }
}

extension PostgresStore {
    public func outboxSummaries() async throws -> [OutboxSummary] {
        try await rows("""
            SELECT 'notifications', (SELECT count(*) FROM notifications WHERE status = 'pending'),
                   (SELECT min(created_at) FROM notifications WHERE status = 'pending'), (SELECT count(*) FROM notifications WHERE status = 'dead'),
                   (SELECT count(*) FROM notifications WHERE status = 'pending' AND last_error IS NOT NULL AND next_at IS NOT NULL)
            UNION ALL
            SELECT 'postal', (SELECT count(*) FROM postal_orders WHERE status = 'pending'),
                   (SELECT min(created_at) FROM postal_orders WHERE status = 'pending'), (SELECT count(*) FROM postal_orders WHERE status = 'dead'),
                   (SELECT count(*) FROM postal_orders WHERE status = 'pending' AND last_error IS NOT NULL AND next_at IS NOT NULL)
            UNION ALL
            SELECT 'portal', (SELECT count(*) FROM portal_messages WHERE status = 'pending'),
                   (SELECT min(created_at) FROM portal_messages WHERE status = 'pending'), (SELECT count(*) FROM portal_messages WHERE status = 'dead'),
                   (SELECT count(*) FROM portal_messages WHERE status = 'pending' AND last_error IS NOT NULL AND next_at IS NOT NULL)
            """).map { row in
            let (name, pending, oldest, dead, retrying) = try row.decode((String, Int, Double?, Int, Int).self)
            return OutboxSummary(
                outbox: name, pending: pending, oldestPendingAt: oldest.map(Date.init(timeIntervalSince1970:)), dead: dead, retrying: retrying)
        }
    }
}
