import Foundation
import HTTPTypes
import Hummingbird
import MotCuaCore
import MotCuaStore
import NIOCore
import Testing
@testable import MotCuaServer

/// What a client is told for each error below the routes (RFC 9457): the domain's refusals, the
/// store's states, a full disk, the framework's own errors, and everything else as a bare 500.
@Suite("Errors as problems")
struct ProblemMappingTests {
    @Test("The lifecycle's refusals: state 409, once-only 409, role 403, data 422 with its fields")
    func domain() {
        let state = Problem.from(DomainError.invalidState(command: "approve", status: .received))
        #expect(state.status == 409 && state.type == "/problems/invalid-state" && state.detail?.isEmpty == false)
        #expect(Problem.from(DomainError.limitReached(command: "apologize", reason: "Một lần")).type == "/problems/limit-reached")
        let role = Problem.from(DomainError.forbidden(command: "stop", reason: "Chỉ lãnh đạo."))
        #expect(role.status == 403 && role.type == "/problems/forbidden")
        let data = Problem.from(DomainError.invalid([FieldProblem(field: "reason", reason: "Trống."), FieldProblem(field: "items", reason: "Trống.")]))
        #expect(data.status == 422 && data.errors?.map(\.field) == ["reason", "items"])
    }

    @Test("The store: not found 404, duplicate 422, unavailable or conflicting 503 with Retry-After, full disk 503, the day's last code 503")
    func store() {
        #expect(Problem.from(StoreError.notFound).status == 404)
        let duplicate = Problem.from(StoreError.duplicate("officer hoa"))
        #expect(duplicate.status == 422 && duplicate.detail?.contains("officer hoa") == true)
        let down = Problem.from(StoreError.unavailable("PostgreSQL did not answer"))
        #expect(down.status == 503 && down.type == "/problems/database-unavailable" && down.retryAfter == 5)
        #expect(down.detail?.contains("PostgreSQL") == false, "the cause goes to the log, not to the client")
        #expect(Problem.from(StoreError.storageFull).type == "/problems/storage-full")
        #expect(Problem.from(StoreError.dailyCodeLimit(agencyID: "X")).status == 503)
        #expect(Problem.from(StoreError.conflict("version")).type == "/problems/database-unavailable")
        #expect(Problem.from(StoreError.corrupt("row")).status == 500, "a corrupt row is a fault, said to nobody but the log")
    }

    @Test("A full disk, however the system reports it")
    func fullDisk() {
        #expect(Problem.from(POSIXError(.ENOSPC)).type == "/problems/storage-full")
        #expect(Problem.from(POSIXError(.EDQUOT)).type == "/problems/storage-full")
        #expect(Problem.from(NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))).retryAfter == 60)
        #expect(Problem.from(POSIXError(.EACCES)).status == 500)
    }

    @Test("The framework's errors keep their status; anything else is a 500 that says nothing of itself")
    func others() {
        #expect(Problem.from(HTTPError(.notFound)).type == "/problems/not-found")
        #expect(Problem.from(HTTPError(.contentTooLarge)).type == "/problems/too-large")
        #expect(Problem.from(HTTPError(.badRequest, message: "Thiếu tham số.")).status == 400)
        struct Secret: Error { var password = "hunter2" }
        let hidden = Problem.from(Secret())
        #expect(hidden.status == 500 && hidden.title == "Internal Server Error")
        #expect(!(hidden.detail ?? "").contains("hunter2") && !(hidden.detail ?? "").contains("Secret"))
        let typed = Problem.typed(.rateLimited, retryAfter: 30)
        #expect(Problem.from(typed).retryAfter == 30, "a problem passes through as it is")
    }

    @Test("The response: problem+json with the instance, Retry-After and, for a login problem, WWW-Authenticate")
    func responses() throws {
        let unauthenticated = Problem.typed(.unauthenticated, detail: "Đăng nhập lại.").response(instance: "/api/v1/me")
        #expect(unauthenticated.status == .unauthorized)
        #expect(unauthenticated.headers[.contentType] == "application/problem+json")
        #expect(unauthenticated.headers[.wwwAuthenticate] == "Bearer")
        let busy = Problem.typed(.rateLimited, retryAfter: 12).response(instance: "/x")
        #expect(busy.headers[.retryAfter] == "12" && busy.headers[.wwwAuthenticate] == nil)
        let forbidden = Problem.typed(.forbidden).response(instance: "/x")
        #expect(forbidden.headers[.wwwAuthenticate] == nil)
    }

    @Test("The route table finds the methods of a path, placeholders included, for 405 answers")
    func routeTable() {
        let table = RouteTable()
        table.fill([("/api/v1/dossiers", "GET"), ("/api/v1/dossiers", "POST"), ("/api/v1/dossiers/{code}", "GET"), ("/api/v1/dossiers/{code}/refuse", "POST")])
        #expect(table.methods(for: "/api/v1/dossiers") == ["GET", "POST"])
        #expect(table.methods(for: "/api/v1/dossiers/X-1") == ["GET"])
        #expect(table.methods(for: "/api/v1/dossiers/X-1/refuse") == ["POST"])
        #expect(table.methods(for: "/api/v1/dossiers/X-1/refuse/again") == nil)
        #expect(table.methods(for: "/elsewhere") == nil)
    }
}
