import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore

/// Anyone may check an electronic result, without logging in (issue #20):
/// - `GET /api/v1/public/keys[?agency=]`: the agencies' published public keys, retired ones
///   included (what they signed stays valid), for `motcua verify` and third parties;
/// - `GET /api/v1/public/verify/{digest}[?signature=TOKEN]`: who signed the file with that
///   SHA-256 (or whose digest starts with the verification code a result prints), when, for
///   which dossier code, and whether each signature holds. With `signature` (the token of the
///   download's `MotCua-Result-Signature`), that signature is the one checked: it must verify
///   against a published key and be one the system recorded. No personal data is shown.
struct VerificationRoutes {
    let store: any DossierStore
    let catalogue: Catalogue

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("keys", use: keys)
        group.get("verify/{digest}", use: verify)
    }

    @Sendable func keys(_ request: Request, context: AppRequestContext) async throws -> Reply<PublishedSigningKeyList> {
        let agency = try QueryReader(request.uri.queryParameters).text("agency", max: 64)
        return Reply(PublishedSigningKeyList(keys: try await publishedKeys(agencyID: agency)))
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Reply<ResultVerificationView> {
        let raw = try context.parameters.require("digest")
        guard let digest = Self.digest(raw) else {
            throw Problem.validation(
                field: "digest", reason: "Phải là mã SHA-256 của tệp (64 ký tự thập lục phân) hoặc mã xác thực in trên kết quả (16 ký tự).")
        }
        let token = try QueryReader(request.uri.queryParameters).text("signature", max: 4096)
        let recorded = try await store.resultSignatures(digestPrefix: digest)
        let keys = try await publishedKeys(agencyID: nil)
        let entries: [ResultVerificationView.Entry]
        if let token {
            guard let signature = ResultSigning.signature(fromToken: token) else {
                throw Problem.validation(field: "signature", reason: "Không đọc được chữ ký (mã trong tiêu đề MotCua-Result-Signature).")
            }
            var problem = ResultSigning.check(signature, keys: keys)?.vietnameseDescription
            if !signature.sha256.hasPrefix(digest) {
                problem = ResultSigning.Problem.digestMismatch.vietnameseDescription
            } else if problem == nil, !recorded.contains(signature) {
                problem = "Chữ ký không có trong sổ các kết quả đã ký của hệ thống."
            }
            entries = [entry(signature, problem: problem)]
        } else {
            guard !recorded.isEmpty else {
                throw Problem.typed(.notFound, detail: "Không có kết quả điện tử đã ký nào mang mã này: tệp không do hệ thống ký, hoặc đã bị thay đổi.")
            }
            entries = recorded.map { entry($0, problem: ResultSigning.check($0, keys: keys)?.vietnameseDescription) }
        }
        return Reply(ResultVerificationView(sha256: recorded.first?.sha256 ?? digest, signatures: entries))
    }

    private func entry(_ signature: ResultSignature, problem: String?) -> ResultVerificationView.Entry {
        ResultVerificationView.Entry(
            dossierCode: signature.dossierCode, agencyID: signature.agencyID, agencyName: catalogue.tree.agencies[signature.agencyID]?.name,
            keyID: signature.keyID, signedAt: signature.signedAt, algorithm: signature.algorithm, valid: problem == nil, problem: problem)
    }

    private func publishedKeys(agencyID: String?) async throws -> [PublishedSigningKey] {
        try await store.signingKeys(agencyID: agencyID).map {
            PublishedSigningKey(
                keyID: $0.keyID, agencyID: $0.agencyID, algorithm: $0.algorithm, publicKey: $0.publicKeyPEM, createdAt: $0.createdAt,
                retiredAt: $0.retiredAt)
        }
    }

    /// The token of the newest signature of a dossier's result file, for the download's
    /// `MotCua-Result-Signature` header; nil when it was not signed.
    static func signatureToken(store: any SignatureStore, sha256: String, code: String) async throws -> String? {
        try await store.resultSignatures(digestPrefix: sha256).last { $0.dossierCode == code && $0.sha256 == sha256 }
            .map { try ResultSigning.token($0) }
    }

    /// A whole SHA-256, or a verification code (its first 16 hex digits, dashes allowed), in
    /// lower case; nil for anything else.
    static func digest(_ raw: String) -> String? {
        let hex = raw.replacingOccurrences(of: "-", with: "").lowercased()
        guard hex.utf8.count == 64 || hex.utf8.count == 16, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        return hex
    }

    /// The verification code a result prints: the first 16 hex digits of its SHA-256, upper
    /// case, in groups of four.
    static func verificationCode(sha256: String) -> String {
        let head = Array(sha256.prefix(16).uppercased())
        return stride(from: 0, to: head.count, by: 4).map { String(head[$0..<min($0 + 4, head.count)]) }.joined(separator: "-")
    }
}
