import Crypto
import Foundation
import MotCuaConfig

/// The access secret of each dossier: what, besides the guessable code, proves the right to see
/// it. It is derived from the code with HMAC-SHA256 under a server key, so it is never stored,
/// can be printed again on any receipt, and is checked before the database is touched (a wrong
/// secret and an unknown code cost the same and answer the same).
///
/// Twelve Crockford base-32 characters (60 bits), shown as `ABCD-EFGH-JKMN`; input is read
/// case-insensitively, with or without dashes, and with O/I/L taken as 0/1/1.
public struct AccessSecrets: Sendable {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    static let length = 12
    /// The key bytes (`SymmetricKey` itself is not `Sendable`).
    let keyBytes: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public init(key: SymmetricKey) {
        keyBytes = key.withUnsafeBytes { Array($0) }
    }

    /// A fresh random key (tests, or a throw-away demo).
    public static func random() -> AccessSecrets {
        AccessSecrets(key: SymmetricKey(size: .bits256))
    }

    /// The key from `MOTCUA_ACCESS_KEY`, else from the key file in the data directory, created
    /// (32 random bytes, mode 0600) on first start.
    public static func load(_ configuration: AppConfiguration) throws -> AccessSecrets {
        if let base64 = configuration.publicAPI.accessKey, let data = Data(base64Encoded: base64) {
            return AccessSecrets(key: SymmetricKey(data: data))
        }
        let path = URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent(configuration.publicAPI.accessKeyFile).path
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count >= 32 else { throw AccessKeyError(path: path) }
            return AccessSecrets(key: SymmetricKey(data: data))
        }
        // Several instances may share the data directory and start together: the key is written
        // aside and linked into place, which fails if another instance got there first; then
        // its key is the one everybody reads.
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        let aside = path + ".\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: aside, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw AccessKeyError(path: path)
        }
        defer { unlink(aside) }
        if link(aside, path) != 0 {
            guard errno == EEXIST, let existing = FileManager.default.contents(atPath: path), existing.count >= 32 else {
                throw AccessKeyError(path: path)
            }
            return AccessSecrets(key: SymmetricKey(data: existing))
        }
        return AccessSecrets(key: key)
    }

    struct AccessKeyError: Error, CustomStringConvertible {
        var path: String
        var description: String { "the access key file \(path) cannot be created or is shorter than 32 bytes" }
    }

    /// The raw 12 characters for `code`.
    func raw(for code: String) -> [UInt8] {
        let mac = Array(HMAC<SHA256>.authenticationCode(for: Array(code.utf8), using: key))
        // 60 bits from the first 8 bytes, 5 bits a character.
        var bits: UInt64 = 0
        for byte in mac.prefix(8) { bits = bits << 8 | UInt64(byte) }
        return (0..<Self.length).map { index in Self.alphabet[Int((bits >> (59 - 5 * UInt64(index))) & 31)] }
    }

    /// The secret as printed: `ABCD-EFGH-JKMN`.
    public func secret(for code: String) -> String {
        let raw = raw(for: code)
        return [raw[0..<4], raw[4..<8], raw[8..<12]].map { String(decoding: $0, as: UTF8.self) }.joined(separator: "-")
    }

    /// Whether `given` is the secret of `code`, compared in constant time.
    public func verify(_ given: String, code: String) -> Bool {
        var normalized: [UInt8] = []
        normalized.reserveCapacity(Self.length)
        for byte in given.utf8.prefix(64) {
            switch byte {
            case UInt8(ascii: "-"), UInt8(ascii: " "): continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"): normalized.append(Self.crockford(byte - 32))
            default: normalized.append(Self.crockford(byte))
            }
        }
        let expected = raw(for: code)
        var difference: UInt8 = normalized.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            difference |= expected[index] ^ (index < normalized.count ? normalized[index] : 0)
        }
        return difference == 0
    }

    static func crockford(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "O"): UInt8(ascii: "0")
        case UInt8(ascii: "I"), UInt8(ascii: "L"): UInt8(ascii: "1")
        default: byte
        }
    }
}
