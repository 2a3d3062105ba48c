import Foundation
import Hummingbird
import MotCuaAPI
import MotCuaClient
import MotCuaCore
import Testing

/// The typed client the terminal uses, against the real server: every answer decodes into the
/// contract's types (a field the server renamed would fail here, not in an officer's terminal),
/// and every failure comes back as the client's typed error.
@Suite("Typed officer client against the server", .serialized)
struct OfficerClientTests {
    func client(_ server: TestServer, _ role: Role, agency: String = TestServer.agencyA) async throws -> OfficerClient {
        let anonymous = Self.patient(OfficerClient(server: server.baseURL, token: nil))
        let login = try await anonymous.login(username: "\(role.rawValue)@\(agency)", password: TestServer.password)
        #expect(login.officer.role == role && login.officer.agencyID == agency)
        #expect(login.expiresAt > server.clock.now)
        return Self.patient(OfficerClient(server: server.baseURL, token: login.token))
    }

    /// The terminal's 30 s is for one officer; CI runs ~600 tests on 2 cores beside this one
    /// (a CI run once saw an answer take longer), so these clients wait as long as the other
    /// tests' requests do.
    static func patient(_ client: OfficerClient) -> OfficerClient {
        var client = client
        client.timeout = 120
        return client
    }

    func intake(_ client: OfficerClient, name: String = "Nguyễn Văn An") async throws -> IntakeReceipt {
        let procedure = try await client.procedure("1.001193")
        let documents = (procedure.documents ?? []).map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) }
        return try await client.intake(IntakeRequest(
            procedureCode: procedure.code, applicant: Applicant(name: name, idNumber: "001203004005", phone: "0912345678", address: "Sông Trí"),
            documents: documents, returnMethod: .desk))
    }

    @Test("A dossier from intake to return through the typed client, each answer decoded")
    func lifecycle() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await client(server, .desk), leader = try await client(server, .leader), handler = try await client(server, .handler)
        #expect(try await desk.me().role == .desk)
        #expect(try await desk.procedures(matching: "khai sinh").contains { $0.code == "1.001193" })

        let receipt = try await intake(desk)
        #expect(receipt.status == .received && receipt.procedure.code == "1.001193" && receipt.dueAt != nil)
        #expect(receipt.code.hasPrefix(TestServer.agencyA + "-"))

        let department = try #require(server.dependencies.catalogue.tree.agencies[TestServer.agencyA]?.departments.first?.id)
        var view = try await desk.command(receipt.code, "transfer", TransferRequest(departmentID: department))
        #expect(view.status == .processing && view.departmentID == department)
        let handlerID = try await handler.me().id
        view = try await leader.command(receipt.code, "assign", AssignRequest(handlerID: handlerID))
        #expect(view.handler?.id == handlerID)
        view = try await leader.command(receipt.code, "approve", NoteRequest(note: "Đồng ý"))
        #expect(view.status == .approved)
        view = try await handler.command(receipt.code, "ready", EmptyRequest())
        #expect(view.status == .resultReady)
        view = try await desk.command(receipt.code, "return", ReturnRequest(method: .desk))
        #expect(view.status == .returned && view.returnedAt != nil)

        let detail = try await desk.dossier(receipt.code)
        #expect(detail.code == receipt.code && detail.applicant.name == "Nguyễn Văn An")
        #expect(detail.controlSheet?.map(\.kind) == [.created, .received, .transferred, .assigned, .approved, .resultReady, .returned])
    }

    @Test("Queues, their counts and the leader's digest decode")
    func queues() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await client(server, .desk)
        let first = try await intake(desk, name: "Trần Văn Một")
        _ = try await intake(desk, name: "Lê Thị Hai")
        let counts = try await desk.queueCounts()
        #expect(counts.items.first { $0.queue == "agency" }?.total == 2)
        #expect(counts.items.allSatisfy { !$0.title.isEmpty })
        let page = try await desk.queue("agency", limit: 1)
        #expect(page.total == 2 && page.items.count == 1 && page.limit == 1 && page.queue == "agency")
        // Past the due time (sessions last 12 hours: the leader logs in then), the digest lists both.
        server.clock.advance(5 * 86_400)
        let leader = try await client(server, .leader)
        let digest = try await leader.digest(limit: 10)
        #expect(digest.agencyID == TestServer.agencyA && digest.total == 2 && digest.items.count == 2)
        #expect(digest.items.contains { $0.code == first.code })
        #expect(digest.at == server.clock.now)
    }

    @Test("Failures are typed: the server's problem with its status, no server at all, a path that is not one")
    func failures() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await client(server, .desk)
        do {
            _ = try await desk.dossier("000.15.01.H42-990101-0001")
            Issue.record("a missing dossier was found")
        } catch let OfficerClientError.problem(status, problem) {
            #expect(status == 404 && problem.type == "/problems/not-found")
        }
        do {
            _ = try await desk.command(try await intake(desk).code, "approve", NoteRequest())
            Issue.record("a desk officer approved")
        } catch let OfficerClientError.problem(status, problem) {
            #expect(status == 403 || status == 409)
            #expect(problem.title?.isEmpty == false)
        }
        do {
            _ = try await OfficerClient(server: server.baseURL, token: "not-a-token").me()
            Issue.record("a made-up token was taken")
        } catch let OfficerClientError.problem(status, problem) {
            #expect(status == 401 && problem.type == "/problems/unauthenticated")
        }
        do {
            _ = try await OfficerClient(server: try #require(URL(string: "http://127.0.0.1:9")), token: nil).me()
            Issue.record("port 9 answered")
        } catch let OfficerClientError.unreachable(url, reason) {
            #expect(url.port == 9 && reason == "connection refused")
        }
        // A 2xx answer of another shape: the health probe is no officer.
        do {
            _ = try await desk.send("GET", "/health/live").decode(OfficerView.self)
            Issue.record("the probe decoded as an officer")
        } catch OfficerClientError.unexpectedShape(let detail) {
            #expect(detail.contains("OfficerView"))
        }
    }

    @Test("Codes with characters a path must escape reach the server as one segment")
    func escaping() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await client(server, .desk)
        for code in ["a/b", "x y", "../me", "?q=1"] {
            do {
                _ = try await desk.dossier(code)
                Issue.record("\(code) was found")
            } catch let OfficerClientError.problem(status, _) {
                #expect(status == 404, "\(code)")
            }
        }
    }

    @Test("A server that takes longer than the client's timeout is a timeout, told apart from no server")
    func timeout() async throws {
        let router = Router()
        router.get("/api/v1/me") { _, _ -> String in
            // An answer that came would fail to decode as an officer (`unexpectedShape`), so
            // only a client that gave up at its timeout passes, without timing the test itself.
            try await Task.sleep(for: .seconds(10))
            return "{}"
        }
        let (port, task) = await serveOnLoopback(router, label: "slow")
        defer { task.cancel() }
        var client = OfficerClient(server: try #require(URL(string: "http://127.0.0.1:\(port)")), token: nil)
        client.timeout = 1
        do {
            _ = try await client.me()
            Issue.record("an answer came within the timeout")
        } catch let OfficerClientError.timedOut(url, seconds) {
            #expect(url.port == port && seconds == 1)
        }
    }
}
