import Foundation

/// The detached signature of an electronic result (kết quả điện tử): ECDSA P-256 over the
/// file's SHA-256, the dossier code, the agency and the time (`signedMessage`), by one of the
/// agency's keys. An electronic result has the legal value of paper only when signed
/// (issue #20); the approval event carries it, and the store indexes it by the file's digest.
public struct ResultSignature: Hashable, Sendable, Codable {
    /// The signing key, as published at `GET /api/v1/public/keys`.
    public var keyID: String
    public var agencyID: String
    public var dossierCode: String
    /// The result file's SHA-256, lower-case hex.
    public var sha256: String
    /// Whole seconds: the signed message writes the time to the second.
    public var signedAt: Date
    /// "ES256": ECDSA over P-256 with SHA-256.
    public var algorithm: String
    /// The raw signature (r ‖ s, 64 bytes), base64.
    public var signature: String

    public static let es256 = "ES256"

    public init(keyID: String, agencyID: String, dossierCode: String, sha256: String, signedAt: Date, algorithm: String = Self.es256, signature: String) {
        self.keyID = keyID
        self.agencyID = agencyID
        self.dossierCode = dossierCode
        self.sha256 = sha256
        self.signedAt = signedAt
        self.algorithm = algorithm
        self.signature = signature
    }

    /// The bytes signed: a fixed label, then each signed value on its own line. The key ID is
    /// signed too, so that a signature cannot be passed off as another key's.
    public static func signedMessage(keyID: String, agencyID: String, dossierCode: String, sha256: String, signedAt: Date) -> Data {
        let seconds = Int64(signedAt.timeIntervalSince1970.rounded(.down))
        return Data("motcua-result-signature-v1\n\(keyID)\n\(agencyID)\n\(dossierCode)\n\(sha256)\n\(seconds)\n".utf8)
    }

    public var signedMessage: Data {
        Self.signedMessage(keyID: keyID, agencyID: agencyID, dossierCode: dossierCode, sha256: sha256, signedAt: signedAt)
    }

    /// The time a signature made now carries.
    public static func signingTime(_ now: Date) -> Date {
        Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
    }
}
