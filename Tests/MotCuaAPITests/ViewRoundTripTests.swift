import Foundation
import Testing
@testable import MotCuaAPI
@testable import MotCuaClient
@testable import MotCuaCore

/// The answers the server writes and the typed client reads: each view of the contract, built
/// from a dossier that went through many steps, is written by the wire writer and read back by
/// the wire reader to the same bytes. A key renamed on one side only fails here.
@Suite("Views written and read back")
struct ViewRoundTripTests {
    static let agency = "000.15.01.H42"
    static let calendar: WorkCalendar = try! WorkCalendar(years: 2025...2027, decisions: [:])

    /// A dossier supplemented, charged, handed to another agency and back, approved, returned by post.
    static func journey() throws -> (Dossier, [DossierEvent]) {
        let procedure = Procedure(
            code: "1.001193", name: "Đăng ký khai sinh", field: "Hộ tịch", level: "xa", term: .workingDays(3), fee: Fee(amount: 8000, text: "8.000 đồng"),
            onlineLevel: 4, postalIntake: true, postalReturn: true,
            documents: [DocumentRequirement(name: "Tờ khai", originals: 1, copies: 0), DocumentRequirement(name: "Giấy chứng sinh", originals: 1, copies: 1)],
            source: "thử")
        let address = PostalAddress(recipient: "Trần Thị Bình", phone: "0912345678", street: "Xóm 2", ward: "xã Kỳ Anh", province: "tỉnh Hà Tĩnh")
        var intake = Intake(
            procedure: procedure, applicant: Applicant(name: "Trần Thị \"Bình\"", idNumber: "042190000123", phone: "0912345678", email: "binh@example.vn", address: "Xóm 2"),
            documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) }, returnMethod: .post)
        intake.postalAddress = address
        var now = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
        let departments = [Department(id: "TP", name: "Tư pháp")]
        func context(_ role: Role, _ agency: String = agency) -> DecisionContext {
            DecisionContext(actor: Actor(id: "\(role.rawValue)-1", name: "Cán bộ", role: role, agencyID: agency, departmentID: "TP"), now: now, calendar: calendar, departments: departments)
        }
        var events = try Lifecycle.file(intake, code: "\(agency)-260302-0001", id: "d1", context: context(.desk))
        var dossier = try #require(Lifecycle.replay(events))
        let steps: [(DossierCommand, Role, String)] = [
            (.transfer(departmentID: "TP"), .desk, agency), (.assign(handler: Actor(id: "handler-1", name: "Chuyên viên", role: .handler, agencyID: agency, departmentID: "TP")), .leader, agency),
            (.requestSupplementation(items: ["Giấy chứng sinh"], reason: "Bản sao mờ"), .handler, agency), (.supplementationReceived(note: "Đã nhận"), .desk, agency),
            (.requestFee(amount: 8000), .handler, agency), (.feePaid(), .desk, agency),
            (.sendToAgency(agencyID: "000.07.01.H25", note: "Xác minh"), .handler, agency), (.receiveFromAgency, .desk, "000.07.01.H25"),
            (.sendToAgency(agencyID: agency, note: nil), .handler, "000.07.01.H25"), (.receiveFromAgency, .desk, agency),
            (.approve(note: "Đồng ý"), .leader, agency), (.resultReady, .handler, agency),
        ]
        for (command, role, actorAgency) in steps {
            now = now.addingTimeInterval(3_600)
            let new = try Lifecycle.decide(command, dossier: dossier, context: context(role, actorAgency))
            dossier = new.reduce(dossier) { Lifecycle.evolve($0, $1) }
            events += new
        }
        return (dossier, events)
    }

    /// Written, read back, written again: the same bytes.
    func roundTrip<T: Codable>(_ value: T, _ type: T.Type) throws -> String {
        let first = try WireJSON.encode(value)
        let back = try WireJSON.decoder.decode(T.self, from: first)
        let second = try WireJSON.encode(back)
        #expect(first == second, "\(T.self): \(String(decoding: first, as: UTF8.self).prefix(300))")
        return String(decoding: first, as: UTF8.self)
    }

    @Test("A dossier's view with its control sheet, shipments and handler")
    func dossierView() throws {
        let (dossier, events) = try Self.journey()
        let text = try roundTrip(DossierView(dossier, events: events), DossierView.self)
        for key in ["\"controlSheet\"", "\"shipments\"", "\"handler\"", "\"pauses\"", "\"postalAddress\"", "\"nationalStatus\"", "\"appointmentAt\""] {
            #expect(text.contains(key), "\(key)")
        }
        let view = try WireJSON.decoder.decode(DossierView.self, from: Data(text.utf8))
        #expect(view.code == dossier.code && view.status == .resultReady && view.controlSheet?.count == events.count)
        #expect(view.applicant.name == "Trần Thị \"Bình\"")
        _ = try roundTrip(DossierView(dossier), DossierView.self)
    }

    @Test("The receipt of an intake, with and without its secret's view")
    func receipt() throws {
        let (dossier, _) = try Self.journey()
        let text = try roundTrip(IntakeReceipt(dossier, secret: "ABCD-EFGH-JKMN"), IntakeReceipt.self)
        #expect(text.contains("ABCD-EFGH-JKMN"))
    }

    @Test("Each event's view, whatever its kind")
    func events() throws {
        let (_, events) = try Self.journey()
        for event in events { _ = try roundTrip(EventView(event), EventView.self) }
        #expect(Set(events.map(\.kind)).count >= 10)
    }

    @Test("Shipments and procedures")
    func others() throws {
        let (dossier, _) = try Self.journey()
        for shipment in dossier.shipments ?? [] { _ = try roundTrip(ShipmentView(shipment), ShipmentView.self) }
        #expect(dossier.shipments?.isEmpty == false, "a result returned by post orders its delivery")
        let procedure = Procedure(
            code: "1.001193", name: "Đăng ký khai sinh", field: "Hộ tịch", level: "xa", term: .calendarDays(30), fee: Fee(amount: nil, text: "Theo tỉnh"),
            onlineLevel: 3, postalIntake: false, postalReturn: true, documents: [DocumentRequirement(name: "Tờ khai", originals: 1, copies: 0)], source: "thử",
            illustrative: ["term"], anywhereInProvince: true)
        let full = try roundTrip(ProcedureView(procedure, withDocuments: true), ProcedureView.self)
        #expect(full.contains("\"documents\"") && full.contains("\"anywhereInProvince\":true"))
        let short = try roundTrip(ProcedureView(procedure, withDocuments: false), ProcedureView.self)
        #expect(!short.contains("\"documents\""))
    }

    @Test("Statistics' views: a report, indicators, targets, late steps")
    func statistics() throws {
        let period = ReportPeriodView(from: "2026-03-01", to: "2026-03-31", judgedAt: WorkCalendar.parse("2026-03-15T10:00:00+07:00")!)
        var tally = Tally()
        tally.received.total = 3; tally.received.desk = 3; tally.resolved.total = 2; tally.resolved.onTime = 2; tally.pending.total = 1; tally.pending.withinTerm = 1
        let row = ReportRowView(key: Self.agency, name: "UBND phường Sông Trí", tally: tally)
        _ = try roundTrip(ReportView(period: period, agency: NamedReference(id: Self.agency, name: "Sông Trí"), by: "agency", rows: [row], total: row), ReportView.self)
        let indicators = IndicatorList(period: period, items: [
            IndicatorView(indicator: "onTimeRate", name: "Tỷ lệ đúng hạn", unit: "ratio", value: 2.0 / 3, numerator: 2, denominator: 3),
            IndicatorView(indicator: "onlinePaymentRate", name: "Thanh toán trực tuyến", unit: "ratio", numerator: 0, denominator: 0),
        ])
        let text = try roundTrip(indicators, IndicatorList.self)
        #expect(!text.contains("\"value\":null"), "no value is left out, not written as null")
        let steps = StepReportView(period: period, agency: nil, by: "department", rows: [
            StepReportView.Row(key: "", name: "Bộ phận Một cửa", total: 2, late: 1, steps: [StepReportView.Count(step: .desk, total: 2, late: 1)]),
        ])
        _ = try roundTrip(steps, StepReportView.self)
    }
}

/// The intake's length limits: an oversized field is refused by name before anything is decided.
@Suite("Intake requests: length limits")
struct IntakeLimitsTests {
    static func request(_ change: (inout IntakeRequest) -> Void = { _ in }) -> IntakeRequest {
        var request = IntakeRequest(
            procedureCode: "1.001193", applicant: Applicant(name: "An", idNumber: "001203004005", phone: "0912345678", address: "Sông Trí"),
            documents: [ProvidedDocument(name: "Tờ khai", originals: 1, copies: 0)], returnMethod: .desk)
        change(&request)
        return request
    }

    @Test("A usual request has none")
    func usual() {
        #expect(Self.request().sizeProblems().isEmpty)
    }

    @Test("Each limit names its field", arguments: [
        ("procedureCode", 33), ("competentAgencyID", 41), ("returnAgencyID", 41), ("applicant.idNumber", 33), ("applicant.phone", 33),
        ("applicant.email", 255), ("note", 2_001), ("documents[0].name", IntakeRequest.documentNameLimit + 1), ("missingItems[0]", IntakeRequest.documentNameLimit + 1),
    ])
    func limits(field: String, length: Int) {
        let long = String(repeating: "a", count: length)
        let request = Self.request { r in
            switch field {
            case "procedureCode": r.procedureCode = long
            case "competentAgencyID": r.competentAgencyID = long
            case "returnAgencyID": r.returnAgencyID = long
            case "applicant.idNumber": r.applicant.idNumber = long
            case "applicant.phone": r.applicant.phone = long
            case "applicant.email": r.applicant.email = long
            case "note": r.note = long
            case "documents[0].name": r.documents[0].name = long
            default: r.missingItems = [long]
            }
        }
        #expect(request.sizeProblems().map(\.field) == [field])
        // One character less passes.
        let shorter = Self.request { r in if field == "note" { r.note = String(repeating: "a", count: length - 1) } }
        #expect(shorter.sizeProblems().isEmpty)
    }

    @Test("Counts: more than 100 documents, missing items or inapplicable ones; a count of copies out of 0–100")
    func counts() {
        let many = (0..<101).map { ProvidedDocument(name: "Giấy \($0)", originals: 1, copies: 0) }
        #expect(Self.request { $0.documents = many }.sizeProblems().map(\.field) == ["documents"])
        #expect(Self.request { $0.missingItems = (0..<101).map { "M\($0)" } }.sizeProblems().map(\.field) == ["missingItems"])
        #expect(Self.request { $0.notApplicable = (0..<101).map { "N\($0)" } }.sizeProblems().map(\.field) == ["notApplicable"])
        #expect(Self.request { $0.documents[0].copies = 101 }.sizeProblems().map(\.field) == ["documents[0]"])
        #expect(Self.request { $0.documents[0].originals = -1 }.sizeProblems().map(\.field) == ["documents[0]"])
    }

    @Test("Characters, not bytes: a long Vietnamese name of the limit's length passes")
    func characters() {
        let name = String(repeating: "ệ", count: IntakeRequest.documentNameLimit)
        #expect(name.utf8.count > IntakeRequest.documentNameLimit)
        #expect(Self.request { $0.documents[0].name = name }.sizeProblems().isEmpty)
    }
}

/// The typed client's own parts, without a server.
@Suite("Typed client parts")
struct OfficerClientPartsTests {
    @Test("A code is one path segment: slashes, spaces and question marks escaped, the code's own characters kept")
    func segments() {
        #expect(OfficerClient.segment("000.15.01.H42-260302-0001") == "000.15.01.H42-260302-0001")
        #expect(OfficerClient.segment("a/b") == "a%2Fb")
        #expect(OfficerClient.segment("x y") == "x%20y")
        #expect(OfficerClient.segment("?q=1") == "%3Fq=1")
        #expect(!OfficerClient.segment("../me").contains("/"))
    }

    @Test("An answer of another shape is a typed error naming the type expected; the right shape decodes")
    func replies() throws {
        let reply = OfficerClient.Reply(status: 200, body: Data(#"{"status":"ok"}"#.utf8))
        do {
            _ = try reply.decode(OfficerView.self)
            Issue.record("decoded")
        } catch let OfficerClientError.unexpectedShape(detail) {
            #expect(detail.hasPrefix("OfficerView"))
        }
        let officer = OfficerClient.Reply(status: 200, body: Data(#"{"id":"o1","username":"hoa","name":"Hoa","role":"desk","agencyID":"X"}"#.utf8))
        let view = try officer.decode(OfficerView.self)
        #expect(view.username == "hoa" && view.role == .desk && view.departmentID == nil)
    }

    @Test("A client keeps its server and token; a path that is not one is refused before anything is sent")
    func paths() async throws {
        let client = OfficerClient(server: URL(string: "http://127.0.0.1:9")!, token: "t")
        #expect(client.server.absoluteString == "http://127.0.0.1:9" && client.token == "t" && client.timeout == 30)
        do {
            _ = try await client.send("GET", "http://[::1")
            Issue.record("sent")
        } catch OfficerClientError.invalidPath(let path) {
            #expect(path == "http://[::1")
        }
    }
}
