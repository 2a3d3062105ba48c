import Crypto
import Foundation
import MotCuaConfig
import MotCuaTestSupport
import Testing
@testable import MotCuaServer

/// The access secret printed on a receipt: derived from the code under the server's key, read
/// back however a citizen types it, and the key itself kept, shared and checked.
@Suite("Access secrets")
struct AccessSecretsTests {
    let secrets = AccessSecrets(key: SymmetricKey(data: Data(repeating: 7, count: 32)))
    let code = "000.15.01.H42-260302-0001"

    @Test("Twelve Crockford base-32 characters in three groups, the same for the same code and key")
    func shape() {
        let secret = secrets.secret(for: code)
        #expect(secret.count == 14 && secret.split(separator: "-").map(\.count) == [4, 4, 4])
        let alphabet = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ-")
        #expect(secret.allSatisfy(alphabet.contains), "no I, L, O or U: \(secret)")
        #expect(secrets.secret(for: code) == secret)
        #expect(secrets.secret(for: "000.15.01.H42-260302-0002") != secret)
        #expect(AccessSecrets(key: SymmetricKey(data: Data(repeating: 8, count: 32))).secret(for: code) != secret, "another key, another secret")
    }

    @Test("Read back in lower case, without dashes, with spaces, with O for 0 and I or L for 1")
    func lenientReading() {
        let secret = secrets.secret(for: code)
        #expect(secrets.verify(secret, code: code))
        #expect(secrets.verify(secret.lowercased(), code: code))
        #expect(secrets.verify(secret.replacingOccurrences(of: "-", with: ""), code: code))
        #expect(secrets.verify(secret.replacingOccurrences(of: "-", with: " "), code: code))
        let typed = secret.replacingOccurrences(of: "0", with: "O").replacingOccurrences(of: "1", with: "l")
        #expect(secrets.verify(typed, code: code))
    }

    @Test("Another code's secret, a changed character, a short or long one, or nothing, is refused")
    func refusals() {
        let secret = secrets.secret(for: code)
        #expect(!secrets.verify(secrets.secret(for: "other"), code: code))
        var changed = Array(secret)
        changed[0] = changed[0] == "A" ? "B" : "A"
        #expect(!secrets.verify(String(changed), code: code))
        #expect(!secrets.verify(String(secret.dropLast()), code: code))
        #expect(!secrets.verify(secret + "X", code: code))
        #expect(!secrets.verify("", code: code))
        #expect(!secrets.verify(String(repeating: "-", count: 100), code: code))
    }

    func configuration(_ directory: URL, key: String? = nil) throws -> AppConfiguration {
        var configuration = try AppConfiguration.load(from: repository.appendingPathComponent("Config"), environment: [:])
        configuration.dataDirectory = directory.path
        configuration.publicAPI.accessKey = key
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return configuration
    }

    @Test("The key: made on first start with mode 0600, read again after, from MOTCUA_ACCESS_KEY when given")
    func keyFile() throws {
        let directory = TestScratch.path("motcua-access-key")
        let first = try AccessSecrets.load(try configuration(directory))
        let file = directory.appendingPathComponent("access-secret.key").path
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        #expect(FileManager.default.contents(atPath: file)?.count == 32)
        let again = try AccessSecrets.load(try configuration(directory))
        #expect(again.secret(for: code) == first.secret(for: code), "a restart prints the same secrets")
        let given = Data(repeating: 7, count: 32).base64EncodedString()
        #expect(try AccessSecrets.load(try configuration(directory, key: given)).secret(for: code) == secrets.secret(for: code))
    }

    @Test("Instances starting together on one data directory end up with one key")
    func sharedKey() async throws {
        let directory = TestScratch.path("motcua-access-key-shared")
        let configuration = try configuration(directory)
        let loaded = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try AccessSecrets.load(configuration).secret(for: "X-260302-0001") } }
            var all: [String] = []
            for try await secret in group { all.append(secret) }
            return all
        }
        #expect(Set(loaded).count == 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("access-secret.key.") }
        #expect(leftovers.isEmpty, "the files written aside are removed")
    }

    @Test("A key file shorter than 32 bytes stops the start, naming the file")
    func shortKey() throws {
        let directory = TestScratch.path("motcua-access-key-short")
        let configuration = try configuration(directory)
        #expect(FileManager.default.createFile(atPath: directory.appendingPathComponent("access-secret.key").path, contents: Data(repeating: 1, count: 16)))
        #expect(throws: AccessSecrets.AccessKeyError.self) { try AccessSecrets.load(configuration) }
    }
}
