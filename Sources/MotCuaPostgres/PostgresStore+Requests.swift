import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// Idempotency keys and webhook receipts, shared by every instance.
extension PostgresStore {
    public func claimIdempotencyKey(_ key: IdempotencyKey, fingerprint: String, now: Date, expiresAt: Date) async throws -> IdempotencyState {
        let nowSeconds = now.timeIntervalSince1970
        return try await transaction { connection in
            try await connection.query(
                "DELETE FROM idempotency_keys WHERE scope = \(key.scope) AND key = \(key.key) AND expires_at <= \(nowSeconds)",
                logger: self.logger)
            // Two instances claiming one key at once: the primary key lets one insert, the other
            // reads what the first wrote.
            let inserted = try await connection.query("""
                INSERT INTO idempotency_keys(scope, key, fingerprint, created_at, expires_at)
                VALUES (\(key.scope), \(key.key), \(fingerprint), \(nowSeconds), \(expiresAt.timeIntervalSince1970))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: self.logger).collect()
            if inserted.count == 1 { return .claimed }
            guard let row = try await connection.query("""
                SELECT fingerprint, created_at, status, headers, body, dossier_code FROM idempotency_keys
                WHERE scope = \(key.scope) AND key = \(key.key)
                """, logger: self.logger).collect().first
            else { throw StoreError.conflict("idempotency key \(key.key) vanished while claimed") }
            let (stored, created, status, headers, body, code) = try row.decode((String, Double, Int?, String?, Data?, String?).self)
            guard let status else { return .inProgress(fingerprint: stored, since: Date(timeIntervalSince1970: created), dossierCode: code) }
            let decoded = try Self.decode([String: String].self, headers ?? "{}")
            return .completed(StoredResponse(fingerprint: stored, status: status, headers: decoded, body: body ?? Data()))
        }
    }

    public func completeIdempotencyKey(_ key: IdempotencyKey, response: StoredResponse) async throws {
        let headers = try Self.json(response.headers)
        try await rows("""
            UPDATE idempotency_keys SET status = \(response.status), headers = \(headers), body = \(response.body)
            WHERE scope = \(key.scope) AND key = \(key.key)
            """)
    }

    public func releaseIdempotencyKey(_ key: IdempotencyKey) async throws {
        try await rows("""
            DELETE FROM idempotency_keys WHERE scope = \(key.scope) AND key = \(key.key) AND status IS NULL AND dossier_code IS NULL
            """)
    }

    public func purgeExpiredIdempotencyKeys(now: Date) async throws -> Int {
        try await rows("DELETE FROM idempotency_keys WHERE expires_at <= \(now.timeIntervalSince1970) RETURNING 1").count
    }

    public func recordWebhook(source: String, id: String, at: Date) async throws -> Bool {
        try await !rows("""
            INSERT INTO webhook_receipts(source, id, received_at) VALUES (\(source), \(id), \(at.timeIntervalSince1970))
            ON CONFLICT DO NOTHING RETURNING 1
            """).isEmpty
    }

    public func webhookSeen(source: String, id: String) async throws -> Bool {
        try await !rows("SELECT 1 FROM webhook_receipts WHERE source = \(source) AND id = \(id)").isEmpty
    }

    public func purgeWebhookReceipts(before: Date) async throws -> Int {
        try await rows("DELETE FROM webhook_receipts WHERE received_at < \(before.timeIntervalSince1970) RETURNING 1").count
    }
}
