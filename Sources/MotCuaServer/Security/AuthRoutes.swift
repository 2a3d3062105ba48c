import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaCore
import MotCuaStore
import Synchronization

/// `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/me`.
///
/// A login is refused before any password check while its username or its client address is
/// locked (`LoginThrottle`); password checks run a few at a time (`PasswordChecks`); every
/// outcome goes to the audit trail.
struct AuthRoutes {
    let dependencies: AppDependencies
    let sessions: SessionCache
    let passwordChecks: PasswordChecks
    let throttle: LoginThrottle
    let clientAddress: ClientAddress
    /// Throttled attempts already written to the audit trail, by key and lock (see `noteThrottled`).
    private let throttledNoted = NotedLocks()

    init(dependencies: AppDependencies, sessions: SessionCache) {
        self.dependencies = dependencies
        self.sessions = sessions
        passwordChecks = dependencies.passwordChecks
        throttle = LoginThrottle(dependencies.configuration.login)
        clientAddress = ClientAddress(trustedProxies: dependencies.configuration.trustedProxies)
    }

    func register(on group: RouterGroup<AppRequestContext>) {
        let store = dependencies.store
        group.post("auth/login", use: login)
        let authenticated = group.group().add(middleware: AuthMiddleware(store: store, sessions: sessions, now: dependencies.now))
        authenticated.post("auth/logout", use: logout)
        authenticated.get("me", use: me)
    }

    /// `GET /api/v1/me`: who the token belongs to.
    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> Reply<OfficerView> {
        Reply(OfficerView(try context.requireOfficer()))
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Reply<LoginResponse> {
        let store = dependencies.store
        let body = try await request.decode(as: LoginRequest.self, context: context)
        // Longer than any account's: malformed, refused before the throttle counts it.
        var overlong: [FieldProblem] = []
        if body.username.unicodeScalars.count > 100 { overlong.append(FieldProblem(field: "username", reason: "Dài quá 100 ký tự.")) }
        if body.password.unicodeScalars.count > 200 { overlong.append(FieldProblem(field: "password", reason: "Dài quá 200 ký tự.")) }
        guard overlong.isEmpty else { throw Problem.validation(overlong) }
        let now = dependencies.now()
        let address = clientAddress.resolve(request, context: context)
        let username = body.username
        let keys = [LoginThrottle.userKey(username), LoginThrottle.addressKey(address)]
        let throttle = self.throttle
        let lockedUntil: @Sendable () async throws -> Date? = {
            throttle.lockedUntil(try await store.loginFailures(keys: keys), now: now)
        }
        if let until = try await lockedUntil() { throw try await throttled(username: username, address: address, until: until, now: now) }
        let officer = try await store.officer(username: body.username)
        let hash = officer.flatMap { $0.active ? $0.passwordHash : nil }
        let checked: String
        if let hash { checked = hash } else { checked = try await passwordChecks.decoyHash(cost: dependencies.configuration.bcryptCost) }
        let outcome = try await passwordChecks.check(body.password, hash: checked, lockedUntil: lockedUntil)
        if case let .locked(until) = outcome { throw try await throttled(username: username, address: address, until: until, now: now) }
        guard let officer, hash != nil, outcome == .matched else {
            let records = try await store.recordLoginFailure(keys: keys) { key, stored in throttle.next(key, stored, now: now) }
            let count = records[keys[0]]?.count ?? 0
            try await store.appendAudit(AuditEntry(
                at: now, kind: .loginFailed, username: username, address: address,
                detail: "sai tên đăng nhập hoặc mật khẩu (lần \(count)/\(throttle.perUser) trong \(Int(throttle.window / 60)) phút)"))
            context.logger.notice("login refused", metadata: ["username": "\(username)", "address": "\(address)"])
            throw Problem.typed(.unauthenticated, detail: "Tên đăng nhập hoặc mật khẩu không đúng.")
        }
        try await store.clearLoginFailures(key: keys[0])
        let token = Auth.newToken()
        let expires = now.addingTimeInterval(Double(dependencies.configuration.sessionHours) * 3600)
        try await store.createSession(tokenHash: Auth.hash(token: token), officerID: officer.id, createdAt: now, expiresAt: expires)
        try await store.appendAudit(AuditEntry(
            at: now, kind: .loginSucceeded, username: officer.username, officerID: officer.id, agencyID: officer.agencyID, address: address,
            detail: "mở phiên \(dependencies.configuration.sessionHours) giờ"))
        context.logger.info("login", metadata: ["username": "\(officer.username)"])
        return Reply(LoginResponse(token: token, expiresAt: expires, officer: OfficerView(officer)), status: .created)
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try context.requireOfficer()
        let token = request.headers[.authorization].flatMap(Auth.bearerToken) ?? ""
        sessions.remove(Auth.hash(token: token))
        try await dependencies.store.deleteSession(tokenHash: Auth.hash(token: token))
        try await dependencies.store.appendAudit(AuditEntry(
            at: dependencies.now(), kind: .logout, username: officer.username, officerID: officer.id, agencyID: officer.agencyID,
            address: clientAddress.resolve(request, context: context), detail: "kết thúc phiên"))
        return Response(status: .noContent)
    }

    /// The 429 for a locked username or address. The attempt goes to the audit trail once per
    /// lock and instance: a flood of thousands a second must not become as many rows (the
    /// metrics count them all: `motcua_http_requests_total{route="/api/v1/auth/login",status="429"}`).
    private func throttled(username: String, address: String, until: Date, now: Date) async throws -> Problem {
        let wait = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        let first = throttledNoted.locks.withLock { noted in
            noted = noted.filter { $0.value > now }
            let key = "\(username)|\(address)"
            guard noted[key] != until else { return false }
            noted[key] = until
            return true
        }
        if first {
            try await dependencies.store.appendAudit(AuditEntry(
                at: now, kind: .loginThrottled, username: username, address: address,
                detail: "chặn đến \(Self.clock(until)), không kiểm tra mật khẩu"))
        }
        return Problem.typed(.loginThrottled, detail: "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau \(wait) giây.", retryAfter: wait)
    }
}

extension AuthRoutes {
    /// `21:00:26 29/11/2026`, Vietnam time, for the audit trail's details.
    static func clock(_ date: Date) -> String {
        let iso = Array(WorkCalendar.format(date))
        guard iso.count >= 19 else { return String(iso) }
        return "\(String(iso[11..<19])) \(String(iso[8..<10]))/\(String(iso[5..<7]))/\(String(iso[0..<4]))"
    }
}

final class NotedLocks: Sendable {
    let locks = Mutex<[String: Date]>([:])
}

extension OfficerView {
    init(_ officer: Officer) {
        self.init(
            id: officer.id, username: officer.username, name: officer.name, role: officer.role, agencyID: officer.agencyID,
            departmentID: officer.departmentID)
    }
}
