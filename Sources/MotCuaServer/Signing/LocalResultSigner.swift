import Crypto
import Foundation
import MotCuaAPI
import MotCuaCore
import MotCuaStore
import Synchronization

/// The agencies' keys in a directory: `{directory}/{agency}/{keyID}.pem`, each a P-256 private
/// key (PKCS#8 PEM), mode 0600 in a 0700 directory. An agency's first approval with a result
/// makes its first key. The key that signs is the agency's newest published key not retired
/// that this directory holds; `rotate` makes a new one and retires the others, whose signatures
/// stay verifiable since their public keys stay published.
///
/// Several instances with directories of their own each make and publish their own keys: every
/// key is published, so every signature verifies on every instance.
public final class LocalResultSigner: ResultSigner {
    let directory: URL
    let store: any SignatureStore
    /// Private keys read so far, by key ID, as raw bytes (files never change once written;
    /// swift-crypto's key type is not `Sendable`).
    private let loaded = Mutex<[String: Data]>([:])

    public init(directory: URL, store: any SignatureStore) {
        self.directory = directory
        self.store = store
    }

    public func sign(sha256: String, dossierCode: String, agencyID: String, at now: Date) async throws -> ResultSignature {
        let key = try await currentKey(agencyID: agencyID, now: now)
        return try ResultSigning.sign(sha256: sha256, dossierCode: dossierCode, agencyID: agencyID, at: now, key: key)
    }

    /// Makes a new key for the agency, publishes it, and retires the agency's others from `now`.
    /// Returns the new key's ID.
    @discardableResult
    public func rotate(agencyID: String, now: Date) async throws -> String {
        let previous = try await store.signingKeys(agencyID: agencyID).filter { $0.retiredAt == nil }
        let key = try makeKey(agencyID: agencyID)
        let keyID = ResultSigning.keyID(of: key.publicKey)
        try await publish(key, agencyID: agencyID, now: now)
        for record in previous where record.keyID != keyID {
            try await store.retireSigningKey(keyID: record.keyID, at: now)
        }
        return keyID
    }

    /// The private keys this directory holds for the agency.
    func heldKeys(agencyID: String) throws -> [String: P256.Signing.PrivateKey] {
        let folder = directory.appendingPathComponent(agencyID, isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var keys: [String: P256.Signing.PrivateKey] = [:]
        for name in names where name.hasSuffix(".pem") {
            let keyID = String(name.dropLast(4))
            if let raw = loaded.withLock({ $0[keyID] }), let key = try? P256.Signing.PrivateKey(rawRepresentation: raw) {
                keys[keyID] = key
                continue
            }
            let file = folder.appendingPathComponent(name)
            let pem: String
            do {
                pem = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw SigningError("cannot read the signing key \(file.path): \(error.localizedDescription)")
            }
            guard let key = try? P256.Signing.PrivateKey(pemRepresentation: pem), ResultSigning.keyID(of: key.publicKey) == keyID else {
                throw SigningError("\(file.path) is not a P-256 private key whose key ID is its name")
            }
            let raw = key.rawRepresentation
            loaded.withLock { $0[keyID] = raw }
            keys[keyID] = key
        }
        return keys
    }

    private func currentKey(agencyID: String, now: Date) async throws -> P256.Signing.PrivateKey {
        let held = try heldKeys(agencyID: agencyID)
        let published = try await store.signingKeys(agencyID: agencyID)
        if let record = published.filter({ $0.retiredAt == nil && held[$0.keyID] != nil }).max(by: { $0.createdAt < $1.createdAt }),
           let key = held[record.keyID] {
            return key
        }
        // A held key not published yet (a directory supplied by configuration, or a crash between
        // writing and publishing): published now, unless it was retired.
        let retired = Set(published.filter { $0.retiredAt != nil }.map(\.keyID))
        if let (_, key) = held.filter({ !retired.contains($0.key) }).sorted(by: { $0.key < $1.key }).first {
            try await publish(key, agencyID: agencyID, now: now)
            return key
        }
        let key = try makeKey(agencyID: agencyID)
        try await publish(key, agencyID: agencyID, now: now)
        return key
    }

    private func publish(_ key: P256.Signing.PrivateKey, agencyID: String, now: Date) async throws {
        try await store.publishSigningKey(SigningKeyRecord(
            keyID: ResultSigning.keyID(of: key.publicKey), agencyID: agencyID, algorithm: ResultSignature.es256,
            publicKeyPEM: key.publicKey.pemRepresentation, createdAt: now))
    }

    /// A new key, written with mode 0600 before anything signs with it.
    private func makeKey(agencyID: String) throws -> P256.Signing.PrivateKey {
        guard !agencyID.isEmpty, !agencyID.contains("/"), agencyID != ".", agencyID != ".." else {
            throw SigningError("'\(agencyID)' cannot name a key directory")
        }
        let key = P256.Signing.PrivateKey()
        let keyID = ResultSigning.keyID(of: key.publicKey)
        let folder = directory.appendingPathComponent(agencyID, isDirectory: true)
        let file = folder.appendingPathComponent("\(keyID).pem")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(
                atPath: file.path, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            throw SigningError("cannot write the signing key \(file.path): \(error.localizedDescription)")
        }
        let raw = key.rawRepresentation
        loaded.withLock { $0[keyID] = raw }
        return key
    }
}
