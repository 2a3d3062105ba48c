import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// The national portal's outbox (see `PortalTypes.swift`). A message's turn is handed on under
// the dossier row's lock, which every change to the dossier holds too: a change that adds a
// message and a delivery that ends the one before it cannot both miss each other.
extension PostgresStore {
    static let portalColumns = """
        id, dossier_id, code, agency_id, sequence, kind, status, attempts, created_at, next_at, delivered_at, last_error,
        coalesce(retry_since, created_at)
        """

    static func portalMessage(_ row: PostgresRow) throws -> PortalMessage? {
        let (id, dossierID, code, agency, sequence, kind, status, attempts, created, nextAt, deliveredAt, lastError, retrySince) =
            try row.decode((String, String, String, String, Int, String, String, Int, Double, Double?, Double?, String?, Double).self)
        guard let kind = PortalMessageKind(rawValue: kind), let status = PortalMessage.Status(rawValue: status) else { return nil }
        return PortalMessage(
            id: id, dossierID: dossierID, code: code, agencyID: agency, sequence: sequence, kind: kind, status: status, attempts: attempts,
            createdAt: Date(timeIntervalSince1970: created), nextAt: nextAt.map(Date.init(timeIntervalSince1970:)),
            deliveredAt: deliveredAt.map(Date.init(timeIntervalSince1970:)), lastError: lastError,
            retrySince: Date(timeIntervalSince1970: retrySince))
    }

    public func claimDuePortalMessages(now: Date, lease: TimeInterval, limit: Int) async throws -> [PortalMessage] {
        try await rows("""
            UPDATE portal_messages SET next_at = \((now + lease).timeIntervalSince1970)
            WHERE id IN (
              SELECT id FROM portal_messages WHERE status = 'pending' AND next_at IS NOT NULL AND next_at <= \(now.timeIntervalSince1970)
              ORDER BY next_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.portalColumns)
            """).compactMap(Self.portalMessage).sorted { ($0.code, $0.sequence) < ($1.code, $1.sequence) }
    }

    public func recordPortalDelivery(_ message: PortalMessage, outcome: DeliveryOutcome) async throws {
        let logger = self.logger
        try await transaction { connection in
            try await connection.query("SELECT 1 FROM dossiers WHERE id = \(message.dossierID) FOR UPDATE", logger: logger)
            switch outcome {
            case let .delivered(at):
                let done = try await connection.query("""
                    UPDATE portal_messages SET status = 'delivered', attempts = attempts + 1, delivered_at = \(at.timeIntervalSince1970),
                      next_at = NULL, last_error = NULL
                    WHERE id = \(message.id) AND status = 'pending' RETURNING 1
                    """, logger: logger).collect()
                guard !done.isEmpty else { return }
                try await connection.query("""
                    UPDATE portal_messages SET next_at = \(at.timeIntervalSince1970), last_error = NULL
                    WHERE id = (SELECT id FROM portal_messages WHERE dossier_id = \(message.dossierID) AND sequence > \(message.sequence)
                                AND status = 'pending' ORDER BY sequence LIMIT 1)
                    """, logger: logger)
            case let .retry(at, error):
                try await connection.query("""
                    UPDATE portal_messages SET attempts = attempts + 1, next_at = \(at.timeIntervalSince1970), last_error = \(error)
                    WHERE id = \(message.id) AND status = 'pending'
                    """, logger: logger)
            case let .dead(error):
                // Guarded: another instance may have delivered it meanwhile (its lease ran out here).
                let dead = try await connection.query("""
                    UPDATE portal_messages SET status = 'dead', attempts = attempts + 1, next_at = NULL, last_error = \(error)
                    WHERE id = \(message.id) AND status = 'pending' RETURNING 1
                    """, logger: logger).collect()
                guard !dead.isEmpty else { return }
                try await connection.query("""
                    UPDATE portal_messages SET last_error = \(PortalMessage.blockedNote(behind: message))
                    WHERE dossier_id = \(message.dossierID) AND sequence > \(message.sequence) AND status = 'pending'
                    """, logger: logger)
            }
        }
    }

    public func portalMessages(dossierID: String) async throws -> [PortalMessage] {
        try await rows("SELECT \(unescaped: Self.portalColumns) FROM portal_messages WHERE dossier_id = \(dossierID) ORDER BY sequence")
            .compactMap(Self.portalMessage)
    }

    public func deadPortalMessages(agencies: Set<String>?, limit: Int) async throws -> [PortalMessage] {
        let list = agencies.map { $0.sorted() }
        let found: [PostgresRow]
        if let list {
            found = try await rows("""
                SELECT \(unescaped: Self.portalColumns) FROM portal_messages WHERE status = 'dead' AND agency_id = ANY(\(list))
                ORDER BY created_at DESC LIMIT \(limit)
                """)
        } else {
            found = try await rows(
                "SELECT \(unescaped: Self.portalColumns) FROM portal_messages WHERE status = 'dead' ORDER BY created_at DESC LIMIT \(limit)")
        }
        return try found.compactMap(Self.portalMessage)
    }

    public func retryPortalMessage(id: String, now: Date) async throws -> Bool {
        try await !rows("""
            UPDATE portal_messages SET status = 'pending', attempts = 0, next_at = \(now.timeIntervalSince1970),
              retry_since = \(now.timeIntervalSince1970), last_error = NULL
            WHERE id = \(id) AND status = 'dead' RETURNING 1
            """).isEmpty
    }

    public func resendPortalMessages(dossierID: String, after sequence: Int, now: Date) async throws -> Int {
        let logger = self.logger
        return try await transaction { connection in
            try await connection.query("SELECT 1 FROM dossiers WHERE id = \(dossierID) FOR UPDATE", logger: logger)
            let unsent = try await connection.query(
                "SELECT count(*) FROM portal_messages WHERE dossier_id = \(dossierID) AND status <> 'delivered'", logger: logger
            ).collect().first?.decode(Int.self) ?? 0
            guard unsent == 0 else { return 0 }
            let seconds = now.timeIntervalSince1970
            return try await connection.query("""
                UPDATE portal_messages SET status = 'pending', retry_since = \(seconds), last_error = NULL,
                  next_at = CASE WHEN sequence = (SELECT min(sequence) FROM portal_messages WHERE dossier_id = \(dossierID) AND sequence > \(sequence))
                            THEN \(seconds) END
                WHERE dossier_id = \(dossierID) AND sequence > \(sequence) RETURNING 1
                """, logger: logger).collect().count
        }
    }

    public func portalLedger(agencies: Set<String>?, from: Date, to: Date) async throws -> [PortalLedgerEntry] {
        let list: [String]
        if let agencies {
            list = agencies.sorted()
        } else {
            list = try await rows("SELECT id FROM agencies ORDER BY id").map { try $0.decode(String.self) }
        }
        return try await rows("""
            SELECT d.id, d.code, d.agency_id, d.version, d.status, d.due_at,
              (SELECT count(*) FROM portal_messages p WHERE p.dossier_id = d.id AND p.status <> 'delivered'),
              (SELECT count(*) FROM portal_messages p WHERE p.dossier_id = d.id AND p.status = 'dead')
            FROM dossier_list l JOIN dossiers d ON d.id = l.dossier_id
            WHERE l.agency_id = ANY(\(list)) AND l.submitted_at >= \(from.timeIntervalSince1970) AND l.submitted_at < \(to.timeIntervalSince1970)
              AND d.agency_id = l.agency_id
            ORDER BY d.agency_id, d.code
            """).compactMap { row in
            let (id, code, agency, version, status, due, unsent, dead) =
                try row.decode((String, String, String, Int, String, Double?, Int, Int).self)
            guard let status = DossierStatus(rawValue: status) else { return nil }
            return PortalLedgerEntry(
                dossierID: id, code: code, agencyID: agency, version: version, status: status,
                dueAt: due.map(Date.init(timeIntervalSince1970:)), unsent: unsent, dead: dead)
        }
    }

    public func portalSyncFigures(agencies: Set<String>?, from: Date, to: Date) async throws -> [PortalSyncFigures] {
        let list: [String]
        if let agencies {
            list = agencies.sorted()
        } else {
            list = try await rows("SELECT DISTINCT agency_id FROM portal_messages ORDER BY 1").map { try $0.decode(String.self) }
        }
        var figures: [PortalSyncFigures] = []
        for agency in list {
            let (lower, upper) = (from.timeIntervalSince1970, to.timeIntervalSince1970)
            let counts = try await rows("""
                SELECT count(*), coalesce(sum(synced), 0) FROM (
                  SELECT bool_and(status = 'delivered')::int AS synced FROM portal_messages
                  WHERE agency_id = \(agency) AND created_at >= \(lower) AND created_at < \(upper) GROUP BY dossier_id) AS per_dossier
                """).first?.decode((Int, Int).self) ?? (0, 0)
            guard counts.0 > 0 else { continue }
            let delays = try await rows("""
                SELECT delivered_at - created_at AS delay FROM portal_messages
                WHERE agency_id = \(agency) AND created_at >= \(lower) AND created_at < \(upper) AND status = 'delivered' ORDER BY delay
                """).map { try $0.decode(Double.self) }
            figures.append(PortalSyncFigures(agencyID: agency, dossiers: counts.0, synced: counts.1, delays: delays))
        }
        return figures
    }
}
