import Foundation
import GRDB
import MotCuaCore

// The national portal's outbox (see `PortalTypes.swift`). The writer is single, so a message's
// turn is decided without races: a new message is due at once only when its dossier has no
// unacknowledged message, and each delivery makes the next one due.
extension SQLiteStore {
    static func enqueuePortalMessages(_ events: [DossierEvent], dossier d: Dossier, code: String, isNew: Bool, db: Database) throws {
        let rows = PortalRow.rows(events, dossierID: d.id)
        guard let first = rows.first else { return }
        let waiting = try !isNew && Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM portal_messages WHERE dossier_id = ? AND status <> 'delivered')", arguments: [d.id]) == true
        for row in rows {
            let at = row.at.timeIntervalSince1970
            try db.cachedStatement(sql: """
                INSERT INTO portal_messages(id, dossier_id, code, agency_id, sequence, kind, created_at, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """).execute(arguments: [row.id, d.id, code, d.agencyID, row.sequence, row.kind.rawValue, at,
                                         row.id == first.id && !waiting ? at : nil])
        }
    }

    static func portalMessage(_ row: Row) -> PortalMessage? {
        guard let kind = PortalMessageKind(rawValue: row["kind"]), let status = PortalMessage.Status(rawValue: row["status"]) else { return nil }
        let created: Double = row["created_at"]
        return PortalMessage(
            id: row["id"], dossierID: row["dossier_id"], code: row["code"], agencyID: row["agency_id"], sequence: row["sequence"], kind: kind,
            status: status, attempts: row["attempts"], createdAt: Date(timeIntervalSince1970: created),
            nextAt: (row["next_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            deliveredAt: (row["delivered_at"] as Double?).map(Date.init(timeIntervalSince1970:)), lastError: row["last_error"],
            retrySince: Date(timeIntervalSince1970: (row["retry_since"] as Double?) ?? created))
    }

    public func claimDuePortalMessages(now: Date, lease: TimeInterval, limit: Int) async throws -> [PortalMessage] {
        try await batcher.write { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM portal_messages WHERE status = 'pending' AND next_at IS NOT NULL AND next_at <= ? ORDER BY next_at LIMIT ?",
                arguments: [now.timeIntervalSince1970, limit])
            for row in rows {
                try db.execute(
                    sql: "UPDATE portal_messages SET next_at = ? WHERE id = ?", arguments: [(now + lease).timeIntervalSince1970, row["id"] as String])
            }
            return rows.compactMap(Self.portalMessage)
        }
    }

    public func recordPortalDelivery(_ message: PortalMessage, outcome: DeliveryOutcome) async throws {
        try await batcher.write { db in
            switch outcome {
            case let .delivered(at):
                try db.execute(sql: """
                    UPDATE portal_messages SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, next_at = NULL, last_error = NULL
                    WHERE id = ? AND status = 'pending'
                    """, arguments: [at.timeIntervalSince1970, message.id])
                guard db.changesCount == 1 else { return }
                // The dossier's next message takes its turn.
                try db.execute(sql: """
                    UPDATE portal_messages SET next_at = ?, last_error = NULL
                    WHERE id = (SELECT id FROM portal_messages WHERE dossier_id = ? AND sequence > ? AND status = 'pending' ORDER BY sequence LIMIT 1)
                    """, arguments: [at.timeIntervalSince1970, message.dossierID, message.sequence])
            case let .retry(at, error):
                try db.execute(
                    sql: "UPDATE portal_messages SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ? AND status = 'pending'",
                    arguments: [at.timeIntervalSince1970, error, message.id])
            case let .dead(error):
                // Guarded: another instance may have delivered it meanwhile (its lease ran out here).
                try db.execute(
                    sql: "UPDATE portal_messages SET status = 'dead', attempts = attempts + 1, next_at = NULL, last_error = ? WHERE id = ? AND status = 'pending'",
                    arguments: [error, message.id])
                guard db.changesCount == 1 else { return }
                try db.execute(sql: """
                    UPDATE portal_messages SET last_error = ? WHERE dossier_id = ? AND sequence > ? AND status = 'pending'
                    """, arguments: [PortalMessage.blockedNote(behind: message), message.dossierID, message.sequence])
            }
        }
    }

    public func portalMessages(dossierID: String) async throws -> [PortalMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM portal_messages WHERE dossier_id = ? ORDER BY sequence", arguments: [dossierID])
                .compactMap(Self.portalMessage)
        }
    }

    public func deadPortalMessages(agencies: Set<String>?, limit: Int) async throws -> [PortalMessage] {
        if let agencies, agencies.isEmpty { return [] }
        return try await pool.read { db in
            var arguments = StatementArguments()
            var filter = ""
            if let agencies {
                filter = "AND agency_id IN (\(Array(repeating: "?", count: agencies.count).joined(separator: ", ")))"
                arguments += StatementArguments(agencies.sorted())
            }
            arguments += [limit]
            return try Row.fetchAll(
                db, sql: "SELECT * FROM portal_messages WHERE status = 'dead' \(filter) ORDER BY created_at DESC LIMIT ?", arguments: arguments
            ).compactMap(Self.portalMessage)
        }
    }

    public func retryPortalMessage(id: String, now: Date) async throws -> Bool {
        try await batcher.write { db in
            try db.execute(sql: """
                UPDATE portal_messages SET status = 'pending', attempts = 0, next_at = ?, retry_since = ?, last_error = NULL
                WHERE id = ? AND status = 'dead'
                """, arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, id])
            return db.changesCount == 1
        }
    }

    public func resendPortalMessages(dossierID: String, after sequence: Int, now: Date) async throws -> Int {
        try await batcher.write { db in
            let unsent = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM portal_messages WHERE dossier_id = ? AND status <> 'delivered'", arguments: [dossierID]) ?? 0
            guard unsent == 0 else { return 0 }
            try db.execute(sql: """
                UPDATE portal_messages SET status = 'pending', next_at = CASE WHEN sequence = (
                    SELECT min(sequence) FROM portal_messages WHERE dossier_id = ? AND sequence > ?) THEN ? END,
                  retry_since = ?, last_error = NULL
                WHERE dossier_id = ? AND sequence > ?
                """, arguments: [dossierID, sequence, now.timeIntervalSince1970, now.timeIntervalSince1970, dossierID, sequence])
            return db.changesCount
        }
    }

    public func portalLedger(agencies: Set<String>?, from: Date, to: Date) async throws -> [PortalLedgerEntry] {
        try await pool.read { db in
            let agencyList = try agencies.map(Array.init) ?? String.fetchAll(db, sql: "SELECT id FROM agencies")
            var entries: [PortalLedgerEntry] = []
            for agency in agencyList.sorted() {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT d.id, d.code, d.agency_id, d.version, d.status, d.due_at,
                      (SELECT count(*) FROM portal_messages p WHERE p.dossier_id = d.id AND p.status <> 'delivered') AS unsent,
                      (SELECT count(*) FROM portal_messages p WHERE p.dossier_id = d.id AND p.status = 'dead') AS dead
                    FROM dossier_list l JOIN dossiers d ON d.id = l.dossier_id
                    WHERE l.agency_id = ? AND l.submitted_at >= ? AND l.submitted_at < ? AND d.agency_id = l.agency_id
                    ORDER BY d.code
                    """, arguments: [agency, from.timeIntervalSince1970, to.timeIntervalSince1970])
                for row in rows {
                    guard let status = DossierStatus(rawValue: row["status"]) else { continue }
                    entries.append(PortalLedgerEntry(
                        dossierID: row["id"], code: row["code"], agencyID: row["agency_id"], version: row["version"], status: status,
                        dueAt: (row["due_at"] as Double?).map(Date.init(timeIntervalSince1970:)), unsent: row["unsent"], dead: row["dead"]))
                }
            }
            return entries
        }
    }

    public func portalSyncFigures(agencies: Set<String>?, from: Date, to: Date) async throws -> [PortalSyncFigures] {
        try await pool.read { db in
            let agencyList = try agencies.map(Array.init) ?? String.fetchAll(db, sql: "SELECT DISTINCT agency_id FROM portal_messages")
            return try agencyList.sorted().compactMap { agency in
                let arguments: StatementArguments = [agency, from.timeIntervalSince1970, to.timeIntervalSince1970]
                let counts = try Row.fetchOne(db, sql: """
                    SELECT count(*), coalesce(sum(synced), 0) FROM (
                      SELECT min(status = 'delivered') AS synced FROM portal_messages
                      WHERE agency_id = ? AND created_at >= ? AND created_at < ? GROUP BY dossier_id)
                    """, arguments: arguments)!
                let dossiers: Int = counts[0]
                guard dossiers > 0 else { return nil }
                let delays = try Double.fetchAll(db, sql: """
                    SELECT delivered_at - created_at AS delay FROM portal_messages
                    WHERE agency_id = ? AND created_at >= ? AND created_at < ? AND status = 'delivered' ORDER BY delay
                    """, arguments: arguments)
                return PortalSyncFigures(agencyID: agency, dossiers: dossiers, synced: counts[1], delays: delays)
            }
        }
    }
}

extension PortalMessage {
    /// What a message held back by a dead letter says.
    public static func blockedNote(behind message: PortalMessage) -> String {
        "waiting behind dead letter \(message.id) (version \(message.sequence))"
    }
}
