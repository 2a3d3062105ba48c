import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// Failed-login counters, shared by every instance, and the audit trail.
extension PostgresStore {
    public func loginFailures(keys: [String]) async throws -> [String: LoginFailures] {
        try await Self.failures(from: rows("SELECT key, count, last_at, locked_until FROM login_failures WHERE key = ANY(\(keys))"))
    }

    public func recordLoginFailure(
        keys: [String], next: @escaping @Sendable (String, LoginFailures?) -> LoginFailures
    ) async throws -> [String: LoginFailures] {
        try await transaction { connection in
            // The rows locked (created first when missing) until commit: failures counted at
            // once on two instances take turns, and both count.
            let sorted = keys.sorted()
            try await connection.query("""
                INSERT INTO login_failures(key, count, last_at) SELECT unnest(\(sorted)::text[]), 0, 0 ON CONFLICT DO NOTHING
                """, logger: self.logger)
            let stored = try Self.failures(from: try await connection.query("""
                SELECT key, count, last_at, locked_until FROM login_failures WHERE key = ANY(\(sorted)) ORDER BY key FOR UPDATE
                """, logger: self.logger).collect())
            var result: [String: LoginFailures] = [:]
            for key in sorted {
                let new = next(key, stored[key])
                try await connection.query("""
                    UPDATE login_failures SET count = \(new.count), last_at = \(new.lastAt.timeIntervalSince1970),
                      locked_until = \(new.lockedUntil?.timeIntervalSince1970)
                    WHERE key = \(key)
                    """, logger: self.logger)
                result[key] = new
            }
            return result
        }
    }

    public func clearLoginFailures(key: String) async throws {
        try await rows("DELETE FROM login_failures WHERE key = \(key)")
    }

    public func purgeLoginFailures(before: Date) async throws -> Int {
        let seconds = before.timeIntervalSince1970
        return try await rows("""
            DELETE FROM login_failures WHERE last_at < \(seconds) AND coalesce(locked_until, 0) < \(seconds) RETURNING 1
            """).count
    }

    /// Records by key; a row created for locking but never written (count 0) is no record.
    static func failures(from rows: [PostgresRow]) throws -> [String: LoginFailures] {
        var result: [String: LoginFailures] = [:]
        for row in rows {
            let (key, count, lastAt, locked) = try row.decode((String, Int, Double, Double?).self)
            guard count > 0 else { continue }
            result[key] = LoginFailures(
                count: count, lastAt: Date(timeIntervalSince1970: lastAt), lockedUntil: locked.map(Date.init(timeIntervalSince1970:)))
        }
        return result
    }

    @discardableResult
    public func appendAudit(_ entry: AuditEntry) async throws -> Int64 {
        try await rows("""
            INSERT INTO audit_log(at, kind, username, officer_id, agency_id, address, detail)
            VALUES (\(entry.at.timeIntervalSince1970), \(entry.kind.rawValue), \(entry.username), \(entry.officerID), \(entry.agencyID),
              \(entry.address), \(entry.detail))
            RETURNING id
            """)[0].decode(Int64.self)
    }

    public func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry] {
        let kinds: [String]? = query.kinds.isEmpty ? nil : query.kinds.map(\.rawValue).sorted()
        return try await rows("""
            SELECT id, at, kind, username, officer_id, agency_id, address, detail FROM audit_log
            WHERE (\(query.before)::bigint IS NULL OR id < \(query.before)) AND (\(kinds)::text[] IS NULL OR kind = ANY(\(kinds)))
              AND (\(query.username)::text IS NULL OR username = \(query.username))
            ORDER BY id DESC LIMIT \(query.limit)
            """).map { row in
            let (id, at, kind, username, officerID, agencyID, address, detail) = try row.decode(
                (Int64, Double, String, String?, String?, String?, String?, String).self)
            guard let known = AuditKind(rawValue: kind) else { throw StoreError.corrupt("audit entry of unknown kind '\(kind)'") }
            return AuditEntry(
                id: id, at: Date(timeIntervalSince1970: at), kind: known, username: username, officerID: officerID, agencyID: agencyID,
                address: address, detail: detail)
        }
    }
}
