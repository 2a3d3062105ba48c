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

    static func hash(token: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(token.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// bcrypt is deliberately slow: run it off the event loops.
    static func hashPassword(_ password: String, cost: Int) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: UInt8(cost)) }
    }

    static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

/// Resolves `Authorization: Bearer …` into the officer, or answers 401.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: any DossierStore
    let sessions: SessionCache
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw Problem.typed("unauthenticated", detail: "Thiếu mã phiên đăng nhập (Authorization: Bearer).")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 200 else {
            throw Problem.typed("unauthenticated", detail: "Phiên đăng nhập không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập lại.")
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
            throw Problem.typed("unauthenticated", detail: "Phiên đăng nhập không hợp lệ hoặc đã hết hạn; vui lòng đăng nhập lại.")
        }
        var context = context
        context.officer = officer
        context.logger[metadataKey: "officer"] = "\(officer.username)"
        return try await next(request, context)
    }
}
