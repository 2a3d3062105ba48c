import Crypto
import Foundation
import Testing
@testable import MotCuaAPI
@testable import MotCuaCore

/// An electronic result's signature (ES256 over the signed message) and its portable token:
/// what `motcua verify` and `GET /api/v1/public/verify/{sha256}` decide on.
@Suite("Result signatures: signing, checking, tokens")
struct ResultSigningTests {
    static let digest = String(repeating: "ab", count: 32)
    static let signedAt = Date(timeIntervalSince1970: 1_780_000_000.75)

    struct Keys {
        let key = P256.Signing.PrivateKey()
        let agencyID = "H40.22.05"
        var published: PublishedSigningKey {
            PublishedSigningKey(
                keyID: ResultSigning.keyID(of: key.publicKey), agencyID: agencyID, algorithm: "ES256", publicKey: key.publicKey.pemRepresentation,
                createdAt: Date(timeIntervalSince1970: 1_700_000_000), retiredAt: nil)
        }

        func sign(_ digest: String = ResultSigningTests.digest, at: Date = ResultSigningTests.signedAt) throws -> ResultSignature {
            try ResultSigning.sign(sha256: digest, dossierCode: "H40.22.05-260601-0001", agencyID: agencyID, at: at, key: key)
        }
    }

    @Test("A signature checks against its agency's published key, with or without the file in hand")
    func holds() throws {
        let keys = Keys()
        let signature = try keys.sign()
        #expect(signature.algorithm == "ES256")
        #expect(signature.keyID == keys.published.keyID)
        #expect(ResultSigning.check(signature, keys: [keys.published]) == nil)
        #expect(ResultSigning.check(signature, fileSHA256: Self.digest, keys: [keys.published]) == nil)
        #expect(ResultSigning.check(signature, fileSHA256: Self.digest.uppercased(), keys: [keys.published]) == nil, "hex case does not matter")
        #expect(Data(base64Encoded: signature.signature)?.count == 64, "raw r ‖ s")
    }

    @Test("The key ID is 16 bytes of the SHA-256 of the key's DER form, in hex")
    func keyID() throws {
        let key = P256.Signing.PrivateKey().publicKey
        let id = ResultSigning.keyID(of: key)
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit) && id == id.lowercased())
        let expected = SHA256.hash(data: key.derRepresentation).prefix(16).map { String(format: "%02x", $0) }.joined()
        #expect(id == expected)
        #expect(ResultSigning.keyID(of: P256.Signing.PrivateKey().publicKey) != id)
    }

    @Test("The signing time is kept to the second, as the signed message writes it")
    func wholeSeconds() throws {
        let signature = try Keys().sign()
        #expect(signature.signedAt.timeIntervalSince1970 == 1_780_000_000)
        let message = String(decoding: signature.signedMessage, as: UTF8.self)
        #expect(message == "motcua-result-signature-v1\n\(signature.keyID)\nH40.22.05\nH40.22.05-260601-0001\n\(Self.digest)\n1780000000\n")
    }

    @Test("Each way a signature can fail is told apart")
    func problems() throws {
        let keys = Keys()
        let signature = try keys.sign()
        // Another file.
        #expect(ResultSigning.check(signature, fileSHA256: String(repeating: "cd", count: 32), keys: [keys.published]) == .digestMismatch)
        // A key nobody published (a re-signed file).
        #expect(ResultSigning.check(try Keys().sign(), keys: [keys.published]) == .unknownKey)
        #expect(ResultSigning.check(signature, keys: []) == .unknownKey)
        // A published entry whose PEM is not the key its ID names.
        var swapped = keys.published
        swapped.publicKey = P256.Signing.PrivateKey().publicKey.pemRepresentation
        #expect(ResultSigning.check(signature, keys: [swapped]) == .unknownKey)
        // Another agency's key.
        var elsewhere = keys.published
        elsewhere.agencyID = "H40.01"
        #expect(ResultSigning.check(signature, keys: [elsewhere]) == .wrongAgency)
        // Retired before the signature; what it signed before stays valid.
        var retired = keys.published
        retired.retiredAt = Self.signedAt.addingTimeInterval(-60)
        #expect(ResultSigning.check(signature, keys: [retired]) == .keyRetired)
        retired.retiredAt = Self.signedAt.addingTimeInterval(60)
        #expect(ResultSigning.check(signature, keys: [retired]) == nil)
        // Altered values.
        var altered = signature
        altered.dossierCode = "H40.22.05-260601-0002"
        #expect(ResultSigning.check(altered, keys: [keys.published]) == .badSignature)
        altered = signature
        altered.signedAt = signature.signedAt.addingTimeInterval(1)
        #expect(ResultSigning.check(altered, keys: [keys.published]) == .badSignature)
        altered = signature
        altered.signature = "not base64"
        #expect(ResultSigning.check(altered, keys: [keys.published]) == .badSignature)
        altered.signature = Data(repeating: 1, count: 64).base64EncodedString()
        #expect(ResultSigning.check(altered, keys: [keys.published]) == .badSignature)
        altered = signature
        altered.algorithm = "RS256"
        #expect(ResultSigning.check(altered, keys: [keys.published]) == .unsupportedAlgorithm)
    }

    @Test("Every problem has its own Vietnamese sentence")
    func sentences() {
        let all: [ResultSigning.Problem] = [.unknownKey, .wrongAgency, .keyRetired, .digestMismatch, .badSignature, .unsupportedAlgorithm]
        #expect(Set(all.map(\.vietnameseDescription)).count == all.count)
    }

    @Test("The token is base64url without padding, and reads back to the same signature")
    func tokens() throws {
        let keys = Keys()
        for _ in 0..<8 {
            let signature = try keys.sign()
            let token = try ResultSigning.token(signature)
            #expect(!token.contains("+") && !token.contains("/") && !token.contains("="))
            #expect(ResultSigning.signature(fromToken: token) == signature)
            #expect(ResultSigning.signature(fromToken: " \(token)\n") == signature, "white space around a pasted token")
            #expect(ResultSigning.check(try #require(ResultSigning.signature(fromToken: token)), keys: [keys.published]) == nil)
        }
        #expect(ResultSigning.signature(fromToken: "%%%") == nil)
        #expect(ResultSigning.signature(fromToken: Data("{}".utf8).base64EncodedString()) == nil)
    }

    @Test("The published key list and the verification answer keep their wire names")
    func wireNames() throws {
        let keys = Keys()
        let text = String(decoding: try WireJSON.encode(PublishedSigningKeyList(keys: [keys.published])), as: UTF8.self)
        for name in ["\"keys\"", "\"keyID\"", "\"agencyID\"", "\"algorithm\":\"ES256\"", "\"publicKey\":\"-----BEGIN PUBLIC KEY-----", "\"createdAt\":\"2023-11-15T05:13:20+07:00\""] {
            #expect(text.contains(name), "\(name)")
        }
        #expect(!text.contains("retiredAt"))
        let back = try WireJSON.decoder.decode(PublishedSigningKeyList.self, from: Data(text.utf8))
        #expect(back.keys == [keys.published])
    }
}
