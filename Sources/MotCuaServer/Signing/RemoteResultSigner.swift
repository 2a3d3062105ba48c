import Crypto
import Foundation
import MotCuaAPI
import MotCuaCore
import MotCuaStore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Signs through a remote signing service (`RemoteSigningKey` describes its two calls). The
/// signature it returns is checked against the key it names before it is used, and that key is
/// published in the store, so that results verify on every instance and after the service
/// rotates its keys.
public final class RemoteResultSigner: ResultSigner {
    let base: String
    let apiKey: String?
    let store: any SignatureStore
    let session: URLSession

    public init(url: String, apiKey: String?, timeout: Double, store: any SignatureStore) {
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.apiKey = apiKey
        self.store = store
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        session = URLSession(configuration: configuration)
    }

    public func sign(sha256: String, dossierCode: String, agencyID: String, at now: Date) async throws -> ResultSignature {
        guard let agency = agencyID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed), let keysURL = URL(string: "\(base)/keys/\(agency)"),
              let signURL = URL(string: "\(base)/sign")
        else { throw SigningError("the signing service's URL \(base) is not usable") }
        let remoteKey: RemoteSigningKey = try await call(request(keysURL))
        guard remoteKey.algorithm == ResultSignature.es256, let publicKey = try? P256.Signing.PublicKey(pemRepresentation: remoteKey.publicKey),
              ResultSigning.keyID(of: publicKey) == remoteKey.keyID
        else { throw SigningError("the signing service's key for \(agencyID) is not an ES256 key whose ID matches it") }
        let at = ResultSignature.signingTime(now)
        var signature = ResultSignature(
            keyID: remoteKey.keyID, agencyID: agencyID, dossierCode: dossierCode, sha256: sha256, signedAt: at, signature: "")
        var post = request(signURL)
        post.httpMethod = "POST"
        post.setValue("application/json", forHTTPHeaderField: "Content-Type")
        post.httpBody = try WireJSON.encode(RemoteSignRequest(
            keyID: remoteKey.keyID, digest: Data(SHA256.hash(data: signature.signedMessage)).base64EncodedString()))
        let answer: RemoteSignResponse = try await call(post)
        signature.signature = answer.signature
        // Published first, so that the check below (and every instance) can find it.
        try await store.publishSigningKey(SigningKeyRecord(
            keyID: remoteKey.keyID, agencyID: agencyID, algorithm: remoteKey.algorithm, publicKeyPEM: remoteKey.publicKey, createdAt: at))
        let published = PublishedSigningKey(
            keyID: remoteKey.keyID, agencyID: agencyID, algorithm: remoteKey.algorithm, publicKey: remoteKey.publicKey, createdAt: at,
            retiredAt: nil)
        if let problem = ResultSigning.check(signature, keys: [published]) {
            throw SigningError("the signing service's signature does not verify: \(problem)")
        }
        return signature
    }

    private func request(_ url: URL) -> URLRequest {
        var request = URLRequest(url: url)
        if let apiKey { request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization") }
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        return request
    }

    private func call<T: Decodable>(_ request: URLRequest) async throws -> T {
        let (data, response): (Data, HTTPURLResponse)
        do {
            (data, response) = try await session.exchange(request)
        } catch {
            throw SigningError("the signing service at \(base) did not answer: \(error.localizedDescription)")
        }
        guard response.statusCode == 200 else {
            throw SigningError("the signing service answered \(response.statusCode) to \(request.httpMethod ?? "GET") \(request.url?.path ?? "")")
        }
        do {
            return try WireJSON.decoder.decode(T.self, from: data)
        } catch {
            throw SigningError("the signing service's answer is not a \(T.self): \(error)")
        }
    }
}
