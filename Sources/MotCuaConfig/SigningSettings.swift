import Foundation
import MotCuaCore

/// How electronic results are signed at approval (issue #20): with the agencies' own keys in a
/// directory (`local`, the default), by a remote signing service over HTTP (`remote`, e.g. a
/// certificate authority's), or not at all (`off`: results then carry no legal signature; for
/// measurements and for deployments that sign outside MotCua).
public struct SigningSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        case local, remote, off
    }

    public var mode: Mode
    /// Where `local` keeps each agency's private keys (`{agency}/{keyID}.pem`, mode 0600):
    /// relative to the data directory unless absolute. A deployment may mount its secrets here.
    public var keysDirectory: String
    /// The remote service's base URL: `GET {url}/keys/{agency}` and `POST {url}/sign`.
    public var remoteURL: String?
    /// Sent as `Authorization: Bearer …` to the remote service.
    public var remoteAPIKey: String?
    public var timeoutSeconds: Double

    struct File: Decodable {
        var mode: String?
        var keysDirectory: String?
        var remoteURL: String?
        var remoteAPIKey: String?
        var timeoutSeconds: Double?
    }

    init(_ file: File?) {
        mode = .local
        keysDirectory = file?.keysDirectory ?? "keys"
        remoteURL = file?.remoteURL
        remoteAPIKey = file?.remoteAPIKey
        timeoutSeconds = file?.timeoutSeconds ?? 10
    }

    /// Applies `MOTCUA_SIGNING_MODE`, `MOTCUA_SIGNING_KEYS_DIR`, `MOTCUA_SIGNING_URL` and
    /// `MOTCUA_SIGNING_API_KEY`, and checks every value.
    mutating func finish(_ file: File?, environment: [String: String], file main: String) throws(CalendarError) {
        var modeKey = (main, "signing.mode", file?.mode)
        if let text = environment["MOTCUA_SIGNING_MODE"], !text.isEmpty { modeKey = ("environment", "MOTCUA_SIGNING_MODE", text) }
        if let text = modeKey.2 {
            guard let mode = Mode(rawValue: text) else {
                throw .invalidConfiguration(file: modeKey.0, key: modeKey.1, reason: "'\(text)' is not local, remote or off")
            }
            self.mode = mode
        }
        if let dir = environment["MOTCUA_SIGNING_KEYS_DIR"], !dir.isEmpty { keysDirectory = dir }
        if let url = environment["MOTCUA_SIGNING_URL"], !url.isEmpty { remoteURL = url }
        if let key = environment["MOTCUA_SIGNING_API_KEY"], !key.isEmpty { remoteAPIKey = key }
        if let url = remoteURL, URL(string: url).map({ ["http", "https"].contains($0.scheme ?? "") && $0.host != nil }) != true {
            throw .invalidConfiguration(file: main, key: "signing.remoteURL", reason: "'\(url)' is not an http(s) URL")
        }
        if mode == .remote, remoteURL == nil {
            throw .invalidConfiguration(
                file: main, key: "signing.remoteURL", reason: "remote signing needs the service's URL (or MOTCUA_SIGNING_URL)")
        }
        guard timeoutSeconds > 0, timeoutSeconds <= 120 else {
            throw .invalidConfiguration(file: main, key: "signing.timeoutSeconds", reason: "must be above 0 and at most 120")
        }
    }
}
