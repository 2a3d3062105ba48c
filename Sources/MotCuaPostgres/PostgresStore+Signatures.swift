import Foundation
import MotCuaCore
import MotCuaStore
import PostgresNIO

// The agencies' signing keys and the result signatures (written with their approval, in
// `ChangeBatch`).
extension PostgresStore {
    public func publishSigningKey(_ key: SigningKeyRecord) async throws {
        _ = try await rows("""
            INSERT INTO signing_keys(key_id, agency_id, algorithm, public_key, created_at, retired_at)
            VALUES (\(key.keyID), \(key.agencyID), \(key.algorithm), \(key.publicKeyPEM), \(key.createdAt.timeIntervalSince1970),
                    \(key.retiredAt?.timeIntervalSince1970))
            ON CONFLICT (key_id) DO NOTHING
            """)
    }

    public func retireSigningKey(keyID: String, at: Date) async throws {
        _ = try await rows("UPDATE signing_keys SET retired_at = \(at.timeIntervalSince1970) WHERE key_id = \(keyID) AND retired_at IS NULL")
    }

    public func signingKeys(agencyID: String?) async throws -> [SigningKeyRecord] {
        try await rows("""
            SELECT key_id, agency_id, algorithm, public_key, created_at, retired_at FROM signing_keys
            WHERE \(agencyID)::text IS NULL OR agency_id = \(agencyID) ORDER BY created_at, key_id
            """).map { row in
            let (keyID, agencyID, algorithm, pem, created, retired) = try row.decode((String, String, String, String, Double, Double?).self)
            return SigningKeyRecord(
                keyID: keyID, agencyID: agencyID, algorithm: algorithm, publicKeyPEM: pem, createdAt: Date(timeIntervalSince1970: created),
                retiredAt: retired.map(Date.init(timeIntervalSince1970:)))
        }
    }

    public func resultSignatures(digestPrefix: String) async throws -> [ResultSignature] {
        // Lower-case hex sorts below "g" bytewise: the range is the digests with the prefix.
        try await rows("""
            SELECT key_id, agency_id, dossier_code, sha256, signed_at, algorithm, signature FROM result_signatures
            WHERE sha256 COLLATE "C" >= \(digestPrefix) AND sha256 COLLATE "C" < \(digestPrefix + "g") ORDER BY signed_at, dossier_id, sequence
            """).map { row in
            let (keyID, agencyID, code, sha256, signedAt, algorithm, signature) = try row.decode(
                (String, String, String, String, Double, String, String).self)
            return ResultSignature(
                keyID: keyID, agencyID: agencyID, dossierCode: code, sha256: sha256, signedAt: Date(timeIntervalSince1970: signedAt),
                algorithm: algorithm, signature: signature)
        }
    }
}
