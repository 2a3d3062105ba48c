import Crypto
import Foundation
import MotCuaCore

/// An agency's published public key (`GET /api/v1/public/keys`).
public struct PublishedSigningKey: Codable, Hashable, Sendable {
    public var keyID: String
    public var agencyID: String
    /// "ES256": ECDSA over P-256 with SHA-256.
    public var algorithm: String
    /// SubjectPublicKeyInfo, PEM.
    public var publicKey: String
    public var createdAt: Date
    /// From when the key signs no more; what it signed before stays valid.
    public var retiredAt: Date?

    public init(keyID: String, agencyID: String, algorithm: String, publicKey: String, createdAt: Date, retiredAt: Date?) {
        self.keyID = keyID
        self.agencyID = agencyID
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }
}

public struct PublishedSigningKeyList: Codable, Sendable {
    public var keys: [PublishedSigningKey]

    public init(keys: [PublishedSigningKey]) {
        self.keys = keys
    }
}

/// What `GET /api/v1/public/verify/{sha256}` answers: each signature recorded for the file,
/// checked against the signing agency's published key. No personal data.
public struct ResultVerificationView: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var dossierCode: String
        public var agencyID: String
        public var agencyName: String?
        public var keyID: String
        public var signedAt: Date
        public var algorithm: String
        /// Whether the signature holds against the published key.
        public var valid: Bool
        /// Why it does not, in Vietnamese (nil when valid).
        public var problem: String?

        public init(
            dossierCode: String, agencyID: String, agencyName: String?, keyID: String, signedAt: Date, algorithm: String, valid: Bool,
            problem: String?
        ) {
            self.dossierCode = dossierCode
            self.agencyID = agencyID
            self.agencyName = agencyName
            self.keyID = keyID
            self.signedAt = signedAt
            self.algorithm = algorithm
            self.valid = valid
            self.problem = problem
        }
    }

    public var sha256: String
    public var signatures: [Entry]

    public init(sha256: String, signatures: [Entry]) {
        self.sha256 = sha256
        self.signatures = signatures
    }
}

/// Signing and checking electronic results' signatures (`ResultSignature`), and their portable
/// form: the token the citizen's download carries in `MotCua-Result-Signature` and that
/// `motcua verify` reads.
public enum ResultSigning {
    public static let header = "MotCua-Result-Signature"

    /// The key ID of a public key: the first 16 bytes of the SHA-256 of its DER form, hex.
    public static func keyID(of key: P256.Signing.PublicKey) -> String {
        SHA256.hash(data: key.derRepresentation).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Signs with a local key.
    public static func sign(
        sha256: String, dossierCode: String, agencyID: String, at now: Date, key: P256.Signing.PrivateKey
    ) throws -> ResultSignature {
        let keyID = keyID(of: key.publicKey)
        let at = ResultSignature.signingTime(now)
        let message = ResultSignature.signedMessage(keyID: keyID, agencyID: agencyID, dossierCode: dossierCode, sha256: sha256, signedAt: at)
        let signature = try key.signature(for: message)
        return ResultSignature(
            keyID: keyID, agencyID: agencyID, dossierCode: dossierCode, sha256: sha256, signedAt: at,
            signature: signature.rawRepresentation.base64EncodedString())
    }

    /// Why a signature does not hold; nil when it does.
    public enum Problem: Error, Equatable, Sendable {
        /// No published key has its key ID: a key the agencies do not hold (a re-signed file).
        case unknownKey
        /// The key is another agency's.
        case wrongAgency
        /// The key was retired before the signature's time.
        case keyRetired
        /// The file's digest is not the one signed (an altered file).
        case digestMismatch
        /// The signature does not verify (forged or altered values).
        case badSignature
        case unsupportedAlgorithm

        public var vietnameseDescription: String {
            switch self {
            case .unknownKey: "Chữ ký không do khóa nào mà các cơ quan đã công bố tạo ra."
            case .wrongAgency: "Khóa ký thuộc cơ quan khác với cơ quan ghi trên chữ ký."
            case .keyRetired: "Chữ ký được tạo sau khi khóa ký đã ngừng sử dụng."
            case .digestMismatch: "Tệp không phải tệp đã được ký: nội dung đã bị thay đổi."
            case .badSignature: "Chữ ký không hợp lệ."
            case .unsupportedAlgorithm: "Thuật toán ký không được hỗ trợ."
            }
        }
    }

    /// Checks `signature` against the published keys; `fileSHA256` is the digest of the file in
    /// hand, when there is one.
    public static func check(_ signature: ResultSignature, fileSHA256: String? = nil, keys: [PublishedSigningKey]) -> Problem? {
        if let fileSHA256, fileSHA256.lowercased() != signature.sha256.lowercased() { return .digestMismatch }
        guard signature.algorithm == ResultSignature.es256 else { return .unsupportedAlgorithm }
        guard let published = keys.first(where: { $0.keyID == signature.keyID }),
              let key = try? P256.Signing.PublicKey(pemRepresentation: published.publicKey),
              keyID(of: key) == signature.keyID
        else { return .unknownKey }
        guard published.agencyID == signature.agencyID else { return .wrongAgency }
        if let retired = published.retiredAt, signature.signedAt > retired { return .keyRetired }
        guard let bytes = Data(base64Encoded: signature.signature),
              let raw = try? P256.Signing.ECDSASignature(rawRepresentation: bytes),
              key.isValidSignature(raw, for: signature.signedMessage)
        else { return .badSignature }
        return nil
    }

    /// The signature as one header-safe token: base64url of its JSON.
    public static func token(_ signature: ResultSignature) throws -> String {
        let data = try WireJSON.encode(signature)
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func signature(fromToken token: String) -> ResultSignature? {
        var base64 = token.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? WireJSON.decoder.decode(ResultSignature.self, from: data)
    }
}

/// The remote signing service's contract (our side, defined as for the post office: a province
/// puts an adapter in front of its certificate authority's remote-signing API). Two calls, both
/// with `Authorization: Bearer {key}`:
/// - `GET {url}/keys/{agency}`: the agency's current key (`RemoteSigningKey`);
/// - `POST {url}/sign` with `RemoteSignRequest`: the signature of a SHA-256 digest with that key
///   (`RemoteSignResponse`). The service never sees the file, only the digest of the signed message.
public struct RemoteSigningKey: Codable, Sendable {
    public var keyID: String
    public var algorithm: String
    /// SubjectPublicKeyInfo, PEM.
    public var publicKey: String

    public init(keyID: String, algorithm: String, publicKey: String) {
        self.keyID = keyID
        self.algorithm = algorithm
        self.publicKey = publicKey
    }
}

public struct RemoteSignRequest: Codable, Sendable {
    public var keyID: String
    /// SHA-256 of `ResultSignature.signedMessage`, base64.
    public var digest: String

    public init(keyID: String, digest: String) {
        self.keyID = keyID
        self.digest = digest
    }
}

public struct RemoteSignResponse: Codable, Sendable {
    /// The raw ECDSA signature (r ‖ s), base64.
    public var signature: String

    public init(signature: String) {
        self.signature = signature
    }
}
