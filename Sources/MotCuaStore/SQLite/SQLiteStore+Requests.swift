import Foundation
import GRDB
import MotCuaCore

// Idempotency keys, webhook receipts and file references: the bookkeeping of the doors that
// face the public and the partners.
extension SQLiteStore {
    public func isFileReferenced(sha256: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM dossier_files WHERE sha256 = ? LIMIT 1", arguments: [sha256]) ?? false
        }
    }

    public func claimIdempotencyKey(_ key: IdempotencyKey, fingerprint: String, now: Date, expiresAt: Date) async throws -> IdempotencyState {
        try await batcher.write { db in
            try db.cachedStatement(sql: "DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND expires_at <= ?")
                .execute(arguments: [key.scope, key.key, now.timeIntervalSince1970])
            if let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?"), arguments: [key.scope, key.key]) {
                let stored: String = row["fingerprint"]
                guard let status: Int = row["status"] else {
                    return .inProgress(fingerprint: stored, since: Date(timeIntervalSince1970: row["created_at"]), dossierCode: row["dossier_code"])
                }
                let headers = try SQLiteStore.decode([String: String].self, row["headers"] ?? "{}")
                return .completed(StoredResponse(fingerprint: stored, status: status, headers: headers, body: row["body"] ?? Data()))
            }
            try db.cachedStatement(sql: """
                INSERT INTO idempotency_keys(scope, key, fingerprint, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
                """).execute(arguments: [key.scope, key.key, fingerprint, now.timeIntervalSince1970, expiresAt.timeIntervalSince1970])
            return .claimed
        }
    }

    public func completeIdempotencyKey(_ key: IdempotencyKey, response: StoredResponse) async throws {
        let headers = try SQLiteStore.json(response.headers)
        try await batcher.write { db in
            try db.cachedStatement(sql: "UPDATE idempotency_keys SET status = ?, headers = ?, body = ? WHERE scope = ? AND key = ?")
                .execute(arguments: [response.status, headers, response.body, key.scope, key.key])
        }
    }

    public func releaseIdempotencyKey(_ key: IdempotencyKey) async throws {
        try await batcher.write { db in
            try db.cachedStatement(sql: "DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND status IS NULL AND dossier_code IS NULL")
                .execute(arguments: [key.scope, key.key])
        }
    }

    /// Forgets keys that expired before `now`; returns how many.
    public func purgeExpiredIdempotencyKeys(now: Date) async throws -> Int {
        try await batcher.write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE expires_at <= ?", arguments: [now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func recordWebhook(source: String, id: String, at: Date) async throws -> Bool {
        try await batcher.write { db in
            try db.cachedStatement(sql: "INSERT INTO webhook_receipts(source, id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .execute(arguments: [source, id, at.timeIntervalSince1970])
            return db.changesCount == 1
        }
    }

    public func webhookSeen(source: String, id: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM webhook_receipts WHERE source = ? AND id = ?", arguments: [source, id]) ?? false
        }
    }

    public func purgeWebhookReceipts(before: Date) async throws -> Int {
        try await batcher.write { db in
            try db.execute(sql: "DELETE FROM webhook_receipts WHERE received_at < ?", arguments: [before.timeIntervalSince1970])
            return db.changesCount
        }
    }
}
