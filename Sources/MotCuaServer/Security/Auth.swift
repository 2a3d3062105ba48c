import Crypto
import Foundation
import Hummingbird
import HummingbirdBcrypt
import MotCuaStore
import NIOPosix

/// Officer sessions: bcrypt-checked passwords, random bearer tokens stored only as SHA-256.
enum Auth {
    /// A fresh token: 32 random bytes, base64url without padding.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A random password people can type: 16 characters from an unambiguous alphabet.
    static func newPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
    }

    static func hash(token: some StringProtocol) -> String {
        var token = String(token)
        let digest = token.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return String(unsafeUninitializedCapacity: 64) { out in
            var index = 0
            for byte in digest {
                out[index] = hexDigits[Int(byte >> 4)]
                out[index + 1] = hexDigits[Int(byte & 0x0f)]
                index += 2
            }
            return index
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The token of an `Authorization: Bearer …` header (scheme case-insensitive, blanks around
    /// the token ignored), or nil for another scheme.
    static func bearerToken(_ header: String) -> Substring? {
        let utf8 = header.utf8
        guard utf8.count > 7, zip(utf8.prefix(7), "bearer ".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        var token = header[utf8.index(utf8.startIndex, offsetBy: 7)...]
        while let first = token.utf8.first, first == 0x20 || first == 0x09 { token = token.dropFirst() }
        while let last = token.utf8.last, last == 0x20 || last == 0x09 { token = token.dropLast() }
        return token
    }

    /// bcrypt is deliberately slow: run it off the event loops.
    static func hashPassword(_ password: String, cost: Int) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: UInt8(cost)) }
    }
}


/// Resolves `Authorization: Bearer …` into the officer, or answers 401.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: any DossierStore
    let sessions: SessionCache
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], let token = Auth.bearerToken(header) else {
            throw Problem.typed(.unauthenticated, detail: "Thiếu mã phiên đăng nhập (Authorization: Bearer).")
        }
        guard !token.isEmpty, token.utf8.count <= 200 else {
            throw Problem.typed(.unauthenticated, detail: "Phiên đăng nhập không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập lại.")
        }
        let hash = Auth.hash(token: token)
        let current = now()
        let officer: Officer
        if let cached = sessions.get(hash, now: current) {
            officer = cached
        } else if let (found, expiresAt) = try await store.session(tokenHash: hash, now: current) {
            sessions.put(hash, officer: found, expiresAt: expiresAt, now: current)
            officer = found
        } else {
            throw Problem.typed(.unauthenticated, detail: "Phiên đăng nhập không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập lại.")
        }
        var context = context
        context.officer = officer
        context.logger[metadataKey: "officer"] = "\(officer.username)"
        return try await next(request, context)
    }
}
