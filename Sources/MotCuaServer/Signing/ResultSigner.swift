import Foundation
import MotCuaAPI
import MotCuaConfig
import MotCuaCore
import MotCuaStore

/// Signs an electronic result at approval (issue #20). Two implementations: the agencies' own
/// keys on this machine (`LocalResultSigner`), and a remote signing service over HTTP
/// (`RemoteResultSigner`), which is where a province plugs in its certificate authority.
///
/// Either way the public key that can check the signature is published in the store before the
/// signature is handed out, so that `GET /api/v1/public/verify/{sha256}` and `motcua verify`
/// can check it on every instance.
public protocol ResultSigner: Sendable {
    func sign(sha256: String, dossierCode: String, agencyID: String, at now: Date) async throws -> ResultSignature
}

/// Why a result could not be signed (the approval is then refused with a 503: an unsigned
/// electronic result has no legal value).
public struct SigningError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

public enum ResultSigners {
    /// The signer the configuration asks for; nil when signing is off.
    public static func make(_ configuration: AppConfiguration, store: any SignatureStore) -> (any ResultSigner)? {
        switch configuration.signing.mode {
        case .off: nil
        case .local: LocalResultSigner(directory: URL(fileURLWithPath: configuration.signingKeysPath), store: store)
        case .remote:
            configuration.signing.remoteURL.map {
                RemoteResultSigner(
                    url: $0, apiKey: configuration.signing.remoteAPIKey, timeout: configuration.signing.timeoutSeconds, store: store)
            }
        }
    }
}
