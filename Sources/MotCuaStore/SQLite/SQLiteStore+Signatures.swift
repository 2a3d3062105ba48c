import Foundation
import GRDB
import MotCuaCore

// The agencies' signing keys and the result signatures (written with their approval, in
// `SQLiteStore.recordSignatures`).
extension SQLiteStore {
    public func publishSigningKey(_ key: SigningKeyRecord) async throws {
        try await batcher.write { db in
            try db.execute(
                sql: """
                    INSERT INTO signing_keys(key_id, agency_id, algorithm, public_key, created_at, retired_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(key_id) DO NOTHING
                    """,
                arguments: [key.keyID, key.agencyID, key.algorithm, key.publicKeyPEM, key.createdAt.timeIntervalSince1970,
                            key.retiredAt?.timeIntervalSince1970])
        }
    }

    public func retireSigningKey(keyID: String, at: Date) async throws {
        try await batcher.write { db in
            try db.execute(
                sql: "UPDATE signing_keys SET retired_at = ? WHERE key_id = ? AND retired_at IS NULL",
                arguments: [at.timeIntervalSince1970, keyID])
        }
    }

    public func signingKeys(agencyID: String?) async throws -> [SigningKeyRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT key_id, agency_id, algorithm, public_key, created_at, retired_at FROM signing_keys
                    WHERE ?1 IS NULL OR agency_id = ?1 ORDER BY created_at, key_id
                    """,
                arguments: [agencyID]
            ).map { row in
                SigningKeyRecord(
                    keyID: row[0], agencyID: row[1], algorithm: row[2], publicKeyPEM: row[3], createdAt: Date(timeIntervalSince1970: row[4]),
                    retiredAt: (row[5] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    public func resultSignatures(digestPrefix: String) async throws -> [ResultSignature] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT key_id, agency_id, dossier_code, sha256, signed_at, algorithm, signature FROM result_signatures
                    WHERE sha256 >= ? AND sha256 < ? ORDER BY signed_at, dossier_id, sequence
                    """,
                // Lower-case hex sorts below "g": the range is the digests with the prefix (indexed).
                arguments: [digestPrefix, digestPrefix + "g"]
            ).map { row in
                ResultSignature(
                    keyID: row[0], agencyID: row[1], dossierCode: row[2], sha256: row[3], signedAt: Date(timeIntervalSince1970: row[4]),
                    algorithm: row[5], signature: row[6])
            }
        }
    }
}
