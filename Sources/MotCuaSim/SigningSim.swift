import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import MotCuaAPI
import MotCuaCore
import NIOCore
import Synchronization

/// A stand-in for a remote signing service (a certificate authority's remote signing, behind
/// the adapter `RemoteSigningKey` describes): one P-256 key per agency, made on first use;
/// `GET /keys/{agency}` gives its public key and `POST /sign` signs a SHA-256 digest with it.
/// `POST /sim/rotate/{agency}` replaces an agency's key; `POST /sim/outage?on=true` makes every
/// call answer 503; `GET /sim/stats` counts the signatures made.
public final class SigningSim: Sendable {
    public struct Stats: Sendable, Codable {
        public var signatures = 0
        public var refused = 0
    }

    private struct State {
        /// Raw private keys (swift-crypto's key type is not `Sendable`): current by agency, all by ID.
        var current: [String: String] = [:]
        var keys: [String: Data] = [:]
        var stats = Stats()
        var down = false
    }

    private let state = Mutex(State())
    let apiKey: String?

    public init(apiKey: String?) {
        self.apiKey = apiKey
    }

    public var stats: Stats { state.withLock { $0.stats } }

    /// An outage: every call is answered 503 until it ends.
    public func setDown(_ down: Bool) { state.withLock { $0.down = down } }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("keys/{agency}") { request, context -> Response in
            if let refusal = self.refusal(request) { return refusal }
            let agency = try context.parameters.require("agency")
            let key = self.currentKey(agency: agency)
            return Self.json(RemoteSigningKey(
                keyID: ResultSigning.keyID(of: key.publicKey), algorithm: ResultSignature.es256, publicKey: key.publicKey.pemRepresentation))
        }
        router.post("sign") { request, _ -> Response in
            if let refusal = self.refusal(request) { return refusal }
            var request = request
            let body = try await request.collectBody(upTo: 65_536)
            guard let sign = try? WireJSON.decoder.decode(RemoteSignRequest.self, from: Data(body.readableBytesView)),
                  let digestBytes = Data(base64Encoded: sign.digest), digestBytes.count == 32,
                  let raw = self.state.withLock({ $0.keys[sign.keyID] }), let key = try? P256.Signing.PrivateKey(rawRepresentation: raw)
            else {
                self.state.withLock { $0.stats.refused += 1 }
                return Response(status: .badRequest)
            }
            // The digest is of the message the server built; signing it is signing the message.
            let signature = try key.signature(for: PrecomputedDigest(bytes: digestBytes))
            self.state.withLock { $0.stats.signatures += 1 }
            return Self.json(RemoteSignResponse(signature: signature.rawRepresentation.base64EncodedString()))
        }
        router.post("sim/rotate/{agency}") { _, context -> Response in
            let agency = try context.parameters.require("agency")
            let key = P256.Signing.PrivateKey()
            let keyID = ResultSigning.keyID(of: key.publicKey)
            self.state.withLock {
                $0.keys[keyID] = key.rawRepresentation
                $0.current[agency] = keyID
            }
            return Self.json(["keyID": keyID])
        }
        SimHTTP.addControls(to: router, stats: { self.stats }, setDown: { self.setDown($0) })
        return router
    }

    private func refusal(_ request: Request) -> Response? {
        if state.withLock({ $0.down }) { return Response(status: .serviceUnavailable) }
        if let apiKey, request.headers[.authorization] != "Bearer \(apiKey)" {
            state.withLock { $0.stats.refused += 1 }
            return Response(status: .unauthorized)
        }
        return nil
    }

    private func currentKey(agency: String) -> P256.Signing.PrivateKey {
        state.withLock { state in
            if let id = state.current[agency], let raw = state.keys[id], let key = try? P256.Signing.PrivateKey(rawRepresentation: raw) {
                return key
            }
            let key = P256.Signing.PrivateKey()
            let keyID = ResultSigning.keyID(of: key.publicKey)
            state.keys[keyID] = key.rawRepresentation
            state.current[agency] = keyID
            return key
        }
    }

    static func json<T: Encodable>(_ value: T) -> Response { SimHTTP.json(value) }
}

/// A SHA-256 digest received as bytes, to sign as swift-crypto signs a digest it computed.
struct PrecomputedDigest: Crypto.Digest {
    static let byteCount = 32
    let bytes: [UInt8]

    init(bytes: Data) {
        self.bytes = Array(bytes)
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    func makeIterator() -> Array<UInt8>.Iterator { bytes.makeIterator() }

    var description: String { bytes.map { String(format: "%02x", $0) }.joined() }
    func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
    static func == (a: PrecomputedDigest, b: PrecomputedDigest) -> Bool { a.bytes == b.bytes }
}
