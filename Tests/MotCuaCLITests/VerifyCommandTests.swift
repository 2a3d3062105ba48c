import Crypto
import Foundation
import MotCuaAPI
import MotCuaTestSupport
import Testing

@Suite("motcua verify: a downloaded result checked offline against the published keys")
struct VerifyCommandTests {
    let agency = "000.15.01.H42"
    let code = "000.15.01.H42-260302-0001"

    /// A result file, its signature token and a keys file as `GET /api/v1/public/keys` answers.
    func signedResult(in directory: URL, key: P256.Signing.PrivateKey, published: [P256.Signing.PrivateKey]) throws -> (file: URL, token: String, keys: URL) {
        let bytes = Data("%PDF-1.7\n% Giấy khai sinh điện tử\n".utf8) + Data(repeating: 42, count: 4000)
        let file = directory.appendingPathComponent("ket-qua.pdf")
        try bytes.write(to: file)
        let sha256 = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let signature = try ResultSigning.sign(
            sha256: sha256, dossierCode: code, agencyID: agency, at: Date(timeIntervalSince1970: 1_772_413_200), key: key)
        let list = PublishedSigningKeyList(keys: published.map {
            PublishedSigningKey(
                keyID: ResultSigning.keyID(of: $0.publicKey), agencyID: agency, algorithm: "ES256", publicKey: $0.publicKey.pemRepresentation,
                createdAt: Date(timeIntervalSince1970: 1_772_000_000), retiredAt: nil)
        })
        let keys = directory.appendingPathComponent("keys.json")
        try WireJSON.encode(list).write(to: keys)
        return (file, try ResultSigning.token(signature), keys)
    }

    @Test("A genuine result verifies (exit 0); altered, forged or re-signed ones do not (exit 1), each saying why")
    func verdicts() throws {
        let directory = TestScratch.path("motcua-verify")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = P256.Signing.PrivateKey()
        let (file, token, keys) = try signedResult(in: directory, key: key, published: [key])

        let good = try motcua(["verify", file.path, "--signature", token, "--keys", keys.path])
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        #expect(good.stdout.contains("HỢP LỆ") && good.stdout.contains(code) && good.stdout.contains(agency))
        // The token beside the file, as TỆP.sig.
        try Data(token.utf8).write(to: URL(fileURLWithPath: file.path + ".sig"))
        #expect(try motcua(["verify", file.path, "--keys", keys.path]).status == 0)

        // Altered: one byte of the file changed.
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count - 1] ^= 1
        let altered = directory.appendingPathComponent("sua.pdf")
        try bytes.write(to: altered)
        let alteredResult = try motcua(["verify", altered.path, "--signature", token, "--keys", keys.path])
        #expect(alteredResult.status == 1 && alteredResult.stdout.contains("đã bị thay đổi"), "\(alteredResult.stdout)")

        // Forged: the signed dossier code changed in the token.
        var forged = try #require(ResultSigning.signature(fromToken: token))
        forged.dossierCode = "000.15.01.H42-260302-0002"
        let forgedResult = try motcua(["verify", file.path, "--signature", try ResultSigning.token(forged), "--keys", keys.path])
        #expect(forgedResult.status == 1 && forgedResult.stdout.contains("không hợp lệ"), "\(forgedResult.stdout)")

        // Re-signed by a key no agency published.
        let (_, stranger, _) = try signedResult(in: directory, key: P256.Signing.PrivateKey(), published: [key])
        let strangerResult = try motcua(["verify", file.path, "--signature", stranger, "--keys", keys.path])
        #expect(strangerResult.status == 1 && strangerResult.stdout.contains("khóa"), "\(strangerResult.stdout)")

        // Bad input: one sentence, exit 65.
        let garbage = try motcua(["verify", file.path, "--signature", "%%%", "--keys", keys.path])
        #expect(garbage.status == 65 && garbage.stderr.contains("Không đọc được chữ ký"))
        let missing = try motcua(["verify", directory.appendingPathComponent("khong-co.pdf").path, "--signature", token, "--keys", keys.path])
        #expect(missing.status == 65)
    }
}
