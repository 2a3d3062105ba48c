import Foundation
import Synchronization
import Testing
@testable import MotCuaServer

/// Sessions' small parts: tokens, their stored hashes, the bearer header, generated passwords,
/// and the bounded password checks that keep a flood of logins off the other requests' cores.
@Suite("Security: tokens, passwords, bounded checks")
struct SecurityPartsTests {
    @Test("Tokens: 43 characters of base64url, 256 bits, never twice")
    func tokens() {
        let tokens = (0..<500).map { _ in Auth.newToken() }
        #expect(Set(tokens).count == 500)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(tokens.allSatisfy { $0.count == 43 && $0.allSatisfy(alphabet.contains) })
    }

    @Test("A token is stored as the hex of its SHA-256")
    func tokenHash() {
        // SHA-256("abc"), the standard's own example.
        #expect(Auth.hash(token: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Auth.hash(token: "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Auth.hash(token: "abc"[...]) == Auth.hash(token: "abc"))
        let token = Auth.newToken()
        #expect(Auth.hash(token: token).count == 64 && Auth.hash(token: token) != token)
    }

    @Test("The bearer header: any case of the scheme, blanks around the token; anything else is no token", arguments: [
        ("Bearer abc", "abc"), ("bearer abc", "abc"), ("BEARER abc", "abc"), ("Bearer \t abc \t", "abc"), ("bEaReR a.b-c_d", "a.b-c_d"),
        ("Bearer    ", ""), ("Basic abc", nil), ("Bearerabc", nil), ("Bearer", nil), ("", nil), ("Token abc", nil), ("Bearer: abc", nil),
    ] as [(String, String?)])
    func bearer(header: String, token: String?) {
        #expect(Auth.bearerToken(header).map(String.init) == token)
    }

    @Test("Generated passwords: 16 characters a person can read back without confusing 0/O or 1/l/I")
    func passwords() {
        let passwords = (0..<200).map { _ in Auth.newPassword() }
        #expect(Set(passwords).count == 200)
        #expect(passwords.allSatisfy { $0.count == 16 })
        let ambiguous = Set("0O1lIo")
        #expect(passwords.allSatisfy { !$0.contains(where: ambiguous.contains) })
    }

    @Test("bcrypt hashes check the password they were made from, and only it")
    func bcrypt() async throws {
        let hash = try await Auth.hashPassword("mật khẩu đúng", cost: 4)
        #expect(hash.hasPrefix("$2b$04$") || hash.hasPrefix("$2a$04$") || hash.hasPrefix("$2y$04$"))
        let checks = PasswordChecks(limit: 2)
        #expect(try await checks.check("mật khẩu đúng", hash: hash, lockedUntil: { nil }) == .matched)
        #expect(try await checks.check("mật khẩu sai", hash: hash, lockedUntil: { nil }) == .mismatched)
        #expect(try await checks.check("Mật khẩu đúng", hash: hash, lockedUntil: { nil }) == .mismatched, "case matters")
        #expect(checks.performed == 3)
        #expect(try await Auth.hashPassword("mật khẩu đúng", cost: 4) != hash, "salted")
    }

    @Test("A lock found when the check's turn comes answers without running bcrypt")
    func lockedChecks() async throws {
        let hash = try await Auth.hashPassword("x", cost: 4)
        let checks = PasswordChecks(limit: 1)
        let until = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await checks.check("x", hash: hash, lockedUntil: { until }) == .locked(until: until))
        #expect(checks.performed == 0)
        struct Down: Error {}
        await #expect(throws: Down.self) { try await checks.check("x", hash: hash, lockedUntil: { throw Down() }) }
        // A failure gives its turn back: the next check runs.
        #expect(try await checks.check("x", hash: hash, lockedUntil: { nil }) == .matched)
    }

    @Test("No more checks run at once than the limit; the rest wait their turn and all finish")
    func bounded() async throws {
        let hash = try await Auth.hashPassword("x", cost: 4)
        let checks = PasswordChecks(limit: 2)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: PasswordChecks.Outcome.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await checks.check("x", hash: hash, lockedUntil: {
                        gauge.enter()
                        try await Task.sleep(for: .milliseconds(20))
                        gauge.leave()
                        return nil
                    })
                }
            }
            var matched = 0
            for try await outcome in group where outcome == .matched { matched += 1 }
            #expect(matched == 8)
        }
        #expect(gauge.peak <= 2 && gauge.peak >= 1)
        #expect(checks.performed == 8)
        #expect(PasswordChecks(limit: 0).limit == 1, "at least one at a time")
    }

    @Test("The decoy hash is made once and does not match what a person would type")
    func decoy() async throws {
        let checks = PasswordChecks(limit: 1)
        let first = try await checks.decoyHash(cost: 4)
        #expect(try await checks.decoyHash(cost: 4) == first)
        #expect(try await checks.check("", hash: first, lockedUntil: { nil }) == .mismatched)
        #expect(try await checks.check("password", hash: first, lockedUntil: { nil }) == .mismatched)
    }

    /// Counts how many are inside at once.
    final class Gauge: Sendable {
        private let state = Mutex((now: 0, peak: 0))
        func enter() { state.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) } }
        func leave() { state.withLock { $0.now -= 1 } }
        var peak: Int { state.withLock { $0.peak } }
    }
}
