import Foundation
import Hummingbird
import MotCuaStore

/// `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/me`.
struct AuthRoutes {
    let dependencies: AppDependencies
    let sessions: SessionCache

    func register(on group: RouterGroup<AppRequestContext>) {
        let store = dependencies.store
        let limit = dependencies.configuration.maxBodyBytes
        let hours = dependencies.configuration.sessionHours
        let now = dependencies.now
        group.post("auth/login") { request, context in
            let body = try await decodeBody(LoginRequest.self, from: request, limit: limit)
            guard body.username.count <= 100, body.password.count <= 200,
                  let officer = try await store.officer(username: body.username), officer.active,
                  try await Auth.verify(body.password, hash: officer.passwordHash)
            else {
                context.logger.notice("login refused", metadata: ["username": "\(body.username.prefix(100))"])
                throw Problem.typed("unauthenticated", detail: "Tên đăng nhập hoặc mật khẩu không đúng.")
            }
            let token = Auth.newToken()
            let created = now()
            let expires = created.addingTimeInterval(Double(hours) * 3600)
            try await store.createSession(tokenHash: Auth.hash(token: token), officerID: officer.id, createdAt: created, expiresAt: expires)
            context.logger.info("login", metadata: ["username": "\(officer.username)"])
            return jsonResponse(LoginResponse(token: token, expiresAt: expires, officer: OfficerView(officer)), status: .created)
        }
        let authenticated = group.group().add(middleware: AuthMiddleware(store: store, sessions: sessions, now: now))
        authenticated.post("auth/logout") { request, _ in
            let token = request.headers[.authorization].flatMap(Auth.bearerToken) ?? ""
            sessions.remove(Auth.hash(token: token))
            try await store.deleteSession(tokenHash: Auth.hash(token: token))
            return Response(status: .noContent)
        }
        authenticated.get("me") { _, context in
            jsonResponse(OfficerView(try context.requireOfficer()))
        }
    }
}
