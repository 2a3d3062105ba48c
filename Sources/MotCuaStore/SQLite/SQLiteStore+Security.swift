import Foundation
import GRDB
import MotCuaCore

// Failed-login counters and the audit trail.
extension SQLiteStore {
    public func loginFailures(keys: [String]) async throws -> [String: LoginFailures] {
        try await pool.read { db in
            try Self.loginFailures(keys: keys, db: db)
        }
    }

    public func recordLoginFailure(
        keys: [String], next: @escaping @Sendable (String, LoginFailures?) -> LoginFailures
    ) async throws -> [String: LoginFailures] {
        // The writer is the lock: read and rewrite happen in one write transaction.
        try await batcher.write { db in
            let stored = try Self.loginFailures(keys: keys, db: db)
            var result: [String: LoginFailures] = [:]
            for key in keys {
                let new = next(key, stored[key])
                try db.cachedStatement(sql: """
                    INSERT INTO login_failures(key, count, last_at, locked_until) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET count = excluded.count, last_at = excluded.last_at, locked_until = excluded.locked_until
                    """).execute(arguments: [key, new.count, new.lastAt.timeIntervalSince1970, new.lockedUntil?.timeIntervalSince1970])
                result[key] = new
            }
            return result
        }
    }

    public func clearLoginFailures(key: String) async throws {
        try await batcher.write { db in
            try db.cachedStatement(sql: "DELETE FROM login_failures WHERE key = ?").execute(arguments: [key])
        }
    }

    public func purgeLoginFailures(before: Date) async throws -> Int {
        try await batcher.write { db in
            try db.execute(
                sql: "DELETE FROM login_failures WHERE last_at < ?1 AND coalesce(locked_until, 0) < ?1", arguments: [before.timeIntervalSince1970])
            return db.changesCount
        }
    }

    static func loginFailures(keys: [String], db: Database) throws -> [String: LoginFailures] {
        var result: [String: LoginFailures] = [:]
        for key in keys {
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT count, last_at, locked_until FROM login_failures WHERE key = ?"), arguments: [key])
            else { continue }
            let locked: Double? = row[2]
            result[key] = LoginFailures(
                count: row[0], lastAt: Date(timeIntervalSince1970: row[1]), lockedUntil: locked.map(Date.init(timeIntervalSince1970:)))
        }
        return result
    }

    @discardableResult
    public func appendAudit(_ entry: AuditEntry) async throws -> Int64 {
        try await batcher.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO audit_log(at, kind, username, officer_id, agency_id, address, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    entry.at.timeIntervalSince1970, entry.kind.rawValue, entry.username, entry.officerID, entry.agencyID, entry.address,
                    entry.detail,
                ])
            return db.lastInsertedRowID
        }
    }

    public func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let before = query.before {
            conditions.append("id < ?")
            arguments += [before]
        }
        if !query.kinds.isEmpty {
            conditions.append("kind IN (\(query.kinds.map { _ in "?" }.joined(separator: ", ")))")
            arguments += StatementArguments(query.kinds.map(\.rawValue).sorted())
        }
        if let username = query.username {
            conditions.append("username = ?")
            arguments += [username]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [query.limit]
        let sql = "SELECT id, at, kind, username, officer_id, agency_id, address, detail FROM audit_log \(whereClause) ORDER BY id DESC LIMIT ?"
        let bound = arguments
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map { row in
                let kind: String = row[2]
                guard let known = AuditKind(rawValue: kind) else { throw StoreError.corrupt("audit entry of unknown kind '\(kind)'") }
                return AuditEntry(
                    id: row[0], at: Date(timeIntervalSince1970: row[1]), kind: known, username: row[3], officerID: row[4],
                    agencyID: row[5], address: row[6], detail: row[7])
            }
        }
    }
}
