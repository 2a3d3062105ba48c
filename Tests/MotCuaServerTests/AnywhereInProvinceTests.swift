import Foundation
import MotCuaCore
import MotCuaStore
import Testing
@testable import MotCuaServer

/// Filing anywhere in the province (issue #20, part 2), end to end over loopback: the desk of
/// Sông Trí (A) takes in a birth registration for Hoành Sơn (C, the same province, Hà Tĩnh),
/// hands it to C at receipt, C processes it, and the result comes back to A's desk.
@Suite("Filing anywhere in the province", .serialized)
struct AnywhereInProvinceTests {
    static let receiving = TestServer.agencyA
    static let competent = "000.15.02.H42"

    /// The server, with officers of every role at C too.
    static func start() async throws -> TestServer {
        let server = try await TestServer.start()
        let hash = try await Auth.hashPassword(TestServer.password, cost: 4)
        let departments = server.dependencies.catalogue.tree.agencies[competent]!.departments
        for role in Role.officerRoles {
            try await server.store.createOfficer(Officer(
                id: "\(role.rawValue)@\(competent)", username: "\(role.rawValue)@\(competent)", name: "Cán bộ \(role.rawValue) Hoành Sơn",
                role: role, agencyID: competent, departmentID: role == .desk ? nil : departments[0].id, passwordHash: hash))
        }
        return server
    }

    /// Tokens of A's desk and of C's desk, leader and handler.
    static func tokens(_ server: TestServer) async throws -> (deskA: String, deskC: String, leaderC: String, handlerC: String) {
        (try await server.login(.desk, agency: receiving), try await server.login(.desk, agency: competent),
         try await server.login(.leader, agency: competent), try await server.login(.handler, agency: competent))
    }

    /// The intake as a form: its JSON in `intake`, and the desk's scan of every document handed in.
    static func fileWithScans(_ server: TestServer, _ body: [String: Any], token: String, skipping: Int? = nil) async throws -> HTTPResult {
        let count = (body["documents"] as? [Any])?.count ?? 0
        let scans = (1...max(count, 1)).filter { $0 != skipping && count > 0 }
            .map { TestPart.file("document-\($0)", "quet-\($0).pdf", Fixture.pdf(seed: "scan \($0) \(UUID())")) }
        let (data, type) = Fixture.multipart([.json("intake", body)] + scans)
        return try await server.request("POST", "/api/v1/dossiers", token: token, body: data, contentType: type)
    }

    static func queue(_ server: TestServer, _ name: String, token: String) async throws -> [[String: Any]] {
        let page = try await server.request("GET", "/api/v1/queues/\(name)", token: token)
        #expect(page.status == 200, "\(page.text)")
        return page.json["items"] as? [[String: Any]] ?? []
    }

    @Test("Taken in at A for C: C's code, handed to C at receipt, in both agencies' queues, result returned at A, counted for C")
    func acrossTwoAgencies() async throws {
        let server = try await Self.start()
        defer { Task { await server.stop() } }
        let (deskA, deskC, leaderC, handlerC) = try await Self.tokens(server)

        var body = try await server.intakeBody(name: "Trần Thị Bình")
        body["competentAgencyID"] = Self.competent
        let filed = try await Self.fileWithScans(server, body, token: deskA)
        #expect(filed.status == 201, "\(filed.text)")
        let code = try #require(filed.json["code"] as? String)
        #expect(code.hasPrefix("\(Self.competent)-"), "the code is the competent agency's")

        func detail(_ token: String) async throws -> [String: Any] {
            let result = try await server.request("GET", "/api/v1/dossiers/\(code)", token: token)
            #expect(result.status == 200, "\(result.text)")
            return result.json
        }
        var dossier = try await detail(deskA)
        #expect(dossier["status"] as? String == "received")
        #expect(dossier["agencyID"] as? String == Self.competent)
        #expect(dossier["receivingAgencyID"] as? String == Self.receiving)
        #expect(dossier["returnAgencyID"] as? String == Self.receiving, "returned where it was taken in unless the citizen chose otherwise")
        #expect(dossier["pendingAgencyID"] as? String == Self.competent, "handed to C at receipt")
        let scans = try #require(dossier["files"] as? [[String: Any]])
        #expect(scans.count == (body["documents"] as? [Any])?.count, "digitised at A: one scan a document")
        let receivedAt = try #require(dossier["receivedAt"] as? String)

        // Both agencies see it in their queues, each with its own role.
        let forOthers = try await Self.queue(server, "received-for-others", token: deskA)
        #expect(forOthers.contains { $0["code"] as? String == code && $0["agencyRole"] as? String == "receiving" })
        let incoming = try await Self.queue(server, "incoming", token: deskC)
        #expect(incoming.contains { $0["code"] as? String == code && $0["agencyRole"] as? String == "competent" })
        // A no longer acts on it; C receives the hand-off, and the clock does not restart.
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: deskA, json: ["departmentID": "x"]).status != 200)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/receive-transfer", token: deskC, json: [:] as [String: Any]).status == 200)
        dossier = try await detail(deskC)
        #expect(dossier["currentAgencyID"] as? String == Self.competent && dossier["receivedAt"] as? String == receivedAt)
        #expect(try await Self.queue(server, "agency", token: deskC).contains { $0["code"] as? String == code })

        func post(_ command: String, _ token: String, _ json: [String: Any] = [:]) async throws -> HTTPResult {
            try await server.request("POST", "/api/v1/dossiers/\(code)/\(command)", token: token, json: json)
        }
        let department = server.dependencies.catalogue.tree.agencies[Self.competent]!.departments[0].id
        #expect(try await post("transfer", deskC, ["departmentID": department]).status == 200)
        #expect(try await post("assign", leaderC, ["handlerID": "handler@\(Self.competent)"]).status == 200)
        #expect(try await post("approve", leaderC).status == 200)
        #expect(try await post("ready", handlerC).status == 200)
        // The result goes back to A's desk, which returns it.
        dossier = try await detail(deskC)
        #expect(dossier["status"] as? String == "resultReady" && dossier["pendingAgencyID"] as? String == Self.receiving)
        #expect(try await post("return", deskC, ["method": "desk"]).status == 409, "on its way to A's desk: C returns nothing")
        #expect(try await post("receive-transfer", deskA).status == 200)
        #expect(try await Self.queue(server, "ready", token: deskA).contains { $0["code"] as? String == code })
        #expect(try await post("return", deskA, ["method": "desk"]).status == 200)
        dossier = try await detail(deskA)
        #expect(dossier["status"] as? String == "returned")

        // The control sheet shows both hand-offs, each with its giver and receiver.
        let events = try #require(dossier["controlSheet"] as? [[String: Any]])
        let handOffs = events.filter { ["sentToAgency", "receivedFromAgency"].contains($0["kind"] as? String) }
            .map { "\($0["kind"]!) \($0["fromAgencyID"] as? String ?? "-")→\($0["toAgencyID"] as? String ?? "-")" }
        #expect(handOffs == [
            "sentToAgency \(Self.receiving)→\(Self.competent)", "receivedFromAgency \(Self.receiving)→\(Self.competent)",
            "sentToAgency \(Self.competent)→\(Self.receiving)", "receivedFromAgency \(Self.competent)→\(Self.receiving)",
        ])
        #expect(events.first { $0["kind"] as? String == "received" }?["agencyID"] as? String == Self.receiving)

        // Statistics: the dossier is C's; A counts it as received for others, C as received elsewhere.
        let reportC = try await server.request("GET", "/api/v1/reports?period=2026-03", token: leaderC).json
        let rowC = try #require((reportC["rows"] as? [[String: Any]])?.first { $0["key"] as? String == Self.competent })
        #expect((rowC["received"] as? [String: Any])?["desk"] as? Int == 1)
        #expect((rowC["acrossBoundaries"] as? [String: Any])?["receivedElsewhere"] as? Int == 1)
        #expect((rowC["resolved"] as? [String: Any])?["total"] as? Int == 1)
        let reportA = try await server.request("GET", "/api/v1/reports?period=2026-03", token: try await server.login(.leader)).json
        let rowA = try #require((reportA["rows"] as? [[String: Any]])?.first { $0["key"] as? String == Self.receiving })
        #expect((rowA["received"] as? [String: Any])?["total"] as? Int == 0, "counted for the competent agency, not the desk")
        #expect((rowA["acrossBoundaries"] as? [String: Any])?["receivedForOthers"] as? Int == 1)
        let indicators = try await server.request("GET", "/api/v1/indicators?period=2026-03", token: leaderC).json
        let share = (indicators["items"] as? [[String: Any]])?.first { $0["indicator"] as? String == "acrossBoundariesShare" }
        #expect(share?["value"] as? Double == 1.0 && share?["numerator"] as? Double == 1)

        // Both desks' tracking books (form 07) list it: A's desk took it in, C answers for it.
        for token in [deskA, deskC] {
            let book = try await server.request("GET", "/api/v1/books?from=2026-03-01&to=2026-03-31&format=csv", token: token)
            #expect(book.status == 200 && book.text.contains(code))
        }
        let bookB = try await server.request("GET", "/api/v1/books?from=2026-03-01&to=2026-03-31&format=csv", token: try await server.login(.desk, agency: TestServer.agencyB))
        #expect(bookB.status == 200 && !bookB.text.contains(code))
    }

    @Test("Any desk intake may carry scans of the documents handed in; a scan of another, or not a PDF, JPEG or PNG, is refused")
    func scansAtTheDesk() async throws {
        let server = try await Self.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk)
        var body = try await server.intakeBody()
        let filed = try await Self.fileWithScans(server, body, token: desk)
        #expect(filed.status == 201, "\(filed.text)")
        let code = try #require(filed.json["code"] as? String)
        let dossier = try await server.request("GET", "/api/v1/dossiers/\(code)", token: desk).json
        let scans = try #require(dossier["files"] as? [[String: Any]])
        #expect(dossier["receivingAgencyID"] == nil && scans.count == (body["documents"] as? [Any])?.count)
        let first = try #require(scans.first?["sha256"] as? String)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)/files/\(first)", token: desk).status == 200)

        // Document 2 not handed in: its scan has nothing to stand for.
        var documents = try #require(body["documents"] as? [[String: Any]])
        documents.remove(at: 1)
        body["documents"] = documents
        body["notApplicable"] = [try await server.store.procedure(code: "1.001193")!.documents[1].name]
        let (stray, strayType) = Fixture.multipart([.json("intake", body), .file("document-2", "b.pdf", Fixture.pdf())])
        let refused = try await server.request("POST", "/api/v1/dossiers", token: desk, body: stray, contentType: strayType)
        #expect(refused.status == 422 && (refused.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "document-2", "\(refused.text)")
        let (program, programType) = Fixture.multipart([.json("intake", body), .file("document-1", "a.pdf", Fixture.executable)])
        #expect(try await server.request("POST", "/api/v1/dossiers", token: desk, body: program, contentType: programType).status == 415)
        let (noIntake, noIntakeType) = Fixture.multipart([.file("document-1", "a.pdf", Fixture.pdf())])
        let missing = try await server.request("POST", "/api/v1/dossiers", token: desk, body: noIntake, contentType: noIntakeType)
        #expect(missing.status == 422 && (missing.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "intake")
    }

    @Test("An inter-agency hand-off is the receiving agency's as a partner; reports by procedure carry the across columns")
    func partnerAndReportByProcedure() async throws {
        let server = try await Self.start()
        defer { Task { await server.stop() } }
        let (deskA, deskC, leaderC, handlerC) = try await Self.tokens(server)

        // C's own dossier, sent to A for its opinion (một cửa liên thông): A's incoming, as a partner.
        let own = try #require(try await server.request("POST", "/api/v1/dossiers", token: deskC, json: try await server.intakeBody()).json["code"] as? String)
        let department = server.dependencies.catalogue.tree.agencies[Self.competent]!.departments[0].id
        #expect(try await server.request("POST", "/api/v1/dossiers/\(own)/transfer", token: deskC, json: ["departmentID": department]).status == 200)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(own)/assign", token: leaderC, json: ["handlerID": "handler@\(Self.competent)"]).status == 200)
        let sent = try await server.request("POST", "/api/v1/dossiers/\(own)/send", token: handlerC, json: ["agencyID": Self.receiving, "note": "Xin ý kiến"])
        #expect(sent.status == 200, "\(sent.text)")
        let incoming = try await Self.queue(server, "incoming", token: deskA)
        #expect(incoming.map { $0["code"] as? String } == [own] && incoming.first?["agencyRole"] as? String == "partner")
        #expect(try await Self.queue(server, "received-for-others", token: deskA).isEmpty, "handed over, not taken in by A's desk")

        // One filed at A for C: the procedure's row counts it on both sides.
        var body = try await server.intakeBody()
        body["competentAgencyID"] = Self.competent
        #expect(try await Self.fileWithScans(server, body, token: deskA).status == 201)
        func row(_ token: String) async throws -> [String: Any] {
            let report = try await server.request("GET", "/api/v1/reports?period=2026-03&by=procedure", token: token).json
            return try #require((report["rows"] as? [[String: Any]])?.first { $0["key"] as? String == "1.001193" }?["acrossBoundaries"] as? [String: Any])
        }
        #expect(try await row(leaderC)["receivedElsewhere"] as? Int == 1)
        #expect(try await row(try await server.login(.leader, agency: Self.receiving))["receivedForOthers"] as? Int == 1)
    }

    @Test("Returned at the competent agency when the citizen chose it: no hand-off back")
    func returnedAtCompetent() async throws {
        let server = try await Self.start()
        defer { Task { await server.stop() } }
        let deskA = try await server.login(.desk, agency: Self.receiving)
        var body = try await server.intakeBody()
        body["competentAgencyID"] = Self.competent
        body["returnAgencyID"] = Self.competent
        let filed = try await Self.fileWithScans(server, body, token: deskA)
        #expect(filed.status == 201, "\(filed.text)")
        let code = try #require(filed.json["code"] as? String)
        let dossier = try await server.request("GET", "/api/v1/dossiers/\(code)", token: deskA).json
        #expect(dossier["returnAgencyID"] as? String == Self.competent)
    }

    @Test("Refused with a 422 naming the field, and nothing filed: no flag, another province, unknown, wrong level, wrong return desk")
    func refusals() async throws {
        let server = try await Self.start()
        defer { Task { await server.stop() } }
        let deskA = try await server.login(.desk, agency: Self.receiving)
        let before = try await server.request("GET", "/api/v1/dossiers", token: deskA).json["total"] as? Int

        var unflagged = try await server.intakeBody()
        let procedure = try await server.store.procedure(code: "2.000513")!
        #expect(procedure.isFiledAnywhere == false)
        unflagged["procedureCode"] = procedure.code
        unflagged["documents"] = procedure.documents.map { ["name": $0.name, "originals": $0.originals, "copies": $0.copies] }
        unflagged["competentAgencyID"] = Self.competent
        var otherProvince = try await server.intakeBody()
        otherProvince["competentAgencyID"] = TestServer.agencyB
        var unknown = try await server.intakeBody()
        unknown["competentAgencyID"] = "000.99.99.H42"
        var provinceLevel = try await server.intakeBody()
        provinceLevel["competentAgencyID"] = "000.00.00.H42"
        var merged = try await server.intakeBody()
        merged["competentAgencyID"] = "000.15.23.H42"
        var elsewhereReturn = try await server.intakeBody()
        elsewhereReturn["competentAgencyID"] = Self.competent
        elsewhereReturn["returnAgencyID"] = TestServer.agencyB
        var returnByPost = try await server.intakeBody()
        returnByPost["competentAgencyID"] = Self.competent
        returnByPost["returnAgencyID"] = Self.competent
        returnByPost["returnMethod"] = "electronic"

        for (label, body, field) in [
            ("procedure without the flag", unflagged, "competentAgencyID"), ("agency of another province", otherProvince, "competentAgencyID"),
            ("unknown agency", unknown, "competentAgencyID"), ("agency of another level", provinceLevel, "competentAgencyID"),
            ("agency merged away", merged, "competentAgencyID"), ("return desk of neither agency", elsewhereReturn, "returnAgencyID"),
            ("return desk without a desk return", returnByPost, "returnAgencyID"),
        ] {
            let result = try await server.request("POST", "/api/v1/dossiers", token: deskA, json: body)
            #expect(result.status == 422, "\(label): \(result.text)")
            #expect(result.headers["content-type"] == "application/problem+json", "\(label)")
            let fields = (result.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(fields.contains(field), "\(label): \(fields)")
        }
        // Handed on electronically, the papers must be digitised: every document handed in.
        var unscanned = try await server.intakeBody()
        unscanned["competentAgencyID"] = Self.competent
        let withoutScans = try await server.request("POST", "/api/v1/dossiers", token: deskA, json: unscanned)
        #expect(withoutScans.status == 422 && (withoutScans.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "document-1")
        let oneMissing = try await Self.fileWithScans(server, unscanned, token: deskA, skipping: 3)
        #expect(oneMissing.status == 422 && (oneMissing.json["errors"] as? [[String: Any]])?.map { $0["field"] as? String } == ["document-3"])
        let after = try await server.request("GET", "/api/v1/dossiers", token: deskA).json["total"] as? Int
        #expect(before == after)
        let queue = try await Self.queue(server, "incoming", token: try await server.login(.desk, agency: Self.competent))
        #expect(queue.isEmpty)
    }
}
