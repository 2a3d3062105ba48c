import Foundation
import MotCuaConfig
import MotCuaCore
import Testing
@testable import MotCuaServer

/// The TT 03/2025/TT-VPCP forms that are new (05 notice of stop, 06 control sheet, 07 tracking
/// book), compared byte for byte with `Golden/`. `MOTCUA_UPDATE_GOLDEN=1 swift test --filter
/// FormSetTests` rewrites them after a deliberate change; review the diff.
@Suite("Forms by circular: TT 03/2025's 05, 06 and 07 (golden files)")
struct FormSetTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    let catalogue = try! SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
    let calendar = try! ConfigLoader.loadCalendars(from: repository.appendingPathComponent("Config")).standard
    let agency = "000.15.01.H42"

    func actor(_ role: Role, _ name: String) -> Actor {
        Actor(id: "\(role.rawValue)-1", name: name, role: role, agencyID: agency, departmentID: catalogue.tree.agencies[agency]!.departments[0].id)
    }

    /// A dossier taken through `steps` at fixed times, received at `received`.
    func dossier(_ number: Int, received: String, steps: [(DossierCommand, Actor, String)]) throws -> (Dossier, [DossierEvent]) {
        let procedure = catalogue.procedures.first { $0.code == "1.001193" }!
        let intake = Intake(
            procedure: procedure,
            applicant: Applicant(name: "Nguyễn Văn \(number == 1 ? "An" : "Bình")", idNumber: "00120300400\(number)", phone: "091234567\(number)", address: "Số \(number), Lê Lợi, Sông Trí"),
            documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) }, returnMethod: .desk)
        let departments = catalogue.tree.agencies[agency]!.departments
        func context(_ actor: Actor, _ at: String) -> DecisionContext {
            DecisionContext(actor: actor, now: WorkCalendar.parse(at)!, calendar: calendar, departments: departments)
        }
        var events = try Lifecycle.file(intake, code: "\(agency)-260302-000\(number)", id: "d\(number)", context: context(actor(.desk, "Nguyễn Thị Hoa"), received))
        var d = Lifecycle.replay(events)!
        for (command, actor, at) in steps {
            let new = try Lifecycle.decide(command, dossier: d, context: context(actor, at))
            d = new.reduce(d) { Lifecycle.evolve($0, $1) }
            events += new
        }
        return (d, events)
    }

    func renderer() throws -> FormRenderer {
        let settings = try AppConfiguration.load(from: repository.appendingPathComponent("Config"), environment: [:]).forms
        return FormRenderer(
            settings: settings, agencies: catalogue.tree, procedures: Dictionary(uniqueKeysWithValues: catalogue.procedures.map { ($0.code, $0) }))
    }

    func compare(_ text: String, golden name: String) throws {
        let file = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["MOTCUA_UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: file)
        }
        // Bytes: reading the file as a String would drop the CSV's byte order mark.
        let expected = try Data(contentsOf: file)
        #expect(Data(text.utf8) == expected, "\(name) differs from its golden file; MOTCUA_UPDATE_GOLDEN=1 rewrites it")
    }

    var leader: Actor { actor(.leader, "Trần Văn Lâm") }
    var handler: Actor { actor(.handler, "Lê Thị Thu") }
    var desk: Actor { actor(.desk, "Nguyễn Thị Hoa") }

    func finished() throws -> (Dossier, [DossierEvent]) {
        let department = catalogue.tree.agencies[agency]!.departments[0].id
        return try dossier(1, received: "2026-03-02T08:15:00+07:00", steps: [
            (.transfer(departmentID: department), desk, "2026-03-02T09:00:00+07:00"),
            (.assign(handler: handler), leader, "2026-03-02T09:30:00+07:00"),
            (.approve(note: "Đủ điều kiện"), leader, "2026-03-02T14:00:00+07:00"),
            (.resultReady, handler, "2026-03-02T15:00:00+07:00"),
            (.returnResult(method: .desk), desk, "2026-03-03T08:00:00+07:00"),
        ])
    }

    func stopped() throws -> (Dossier, [DossierEvent]) {
        try dossier(2, received: "2026-03-02T10:00:00+07:00", steps: [
            (.requestSupplementation(items: ["Giấy chứng sinh"], reason: "Bản chụp không rõ"), desk, "2026-03-02T10:05:00+07:00"),
            (.closeAbandoned(requestedAt: WorkCalendar.parse("2026-03-02T10:05:00+07:00")!, afterWorkingDays: 20),
             Actor(id: "watch", name: "Hệ thống", role: .system, agencyID: agency), "2026-03-31T10:05:00+07:00"),
        ])
    }

    @Test("05: the notice that processing stopped, with its reason and the missing papers")
    func stopNotice() throws {
        let (d, events) = try stopped()
        let html = try renderer().render(form: "05", dossier: d, events: events)
        #expect(html.contains("Mẫu số 05 – Thông tư số 03/2025/TT-VPCP"))
        #expect(html.contains("<h1>Thông báo dừng giải quyết hồ sơ</h1>") && html.contains("Giấy chứng sinh"))
        try compare(html, golden: "form-05.html")
        // A dossier that did not stop has no such notice; the tracking book is not a dossier's form.
        let (running, runningEvents) = try finished()
        #expect(throws: Problem.self) { try renderer().render(form: "05", dossier: running, events: runningEvents) }
        #expect(throws: Problem.self) { try renderer().render(form: "07", dossier: running, events: runningEvents) }
    }

    @Test("06: the control sheet, one row per hand-off, each step's outcome on the row that ends it")
    func controlSheet() throws {
        let (d, events) = try finished()
        let html = try renderer().render(form: "06", dossier: d, events: events)
        #expect(html.contains("Chuyển hồ sơ đến phòng chuyên môn") && html.contains("Lê Thị Thu"))
        #expect(html.contains("Tiếp nhận, chuyển hồ sơ: Đúng hạn") && html.contains("Trả kết quả: Đúng hạn"))
        try compare(html, golden: "form-06.html")
    }

    @Test("A dossier received before 15/9/2025 prints TT 01/2018's forms: its 06 is the control sheet, its 05 the book")
    func olderCircular() throws {
        let department = catalogue.tree.agencies[agency]!.departments[0].id
        let (d, events) = try dossier(1, received: "2025-09-12T08:15:00+07:00", steps: [(.transfer(departmentID: department), desk, "2025-09-12T09:00:00+07:00")])
        let html = try renderer().render(form: "06", dossier: d, events: events)
        #expect(html.contains("Mẫu số 06 – Thông tư số 01/2018/TT-VPCP"))
        #expect(throws: Problem.self) { try renderer().render(form: "05", dossier: d, events: events) }
        #expect(throws: Problem.self) { try renderer().render(form: "07", dossier: d, events: events) }
    }

    @Test("07: the tracking book of the desk, as HTML and as CSV with a byte order mark")
    func trackingBook() throws {
        let settings = try AppConfiguration.load(from: repository.appendingPathComponent("Config"), environment: [:]).forms
        let set = settings.set(at: WorkCalendar.parse("2026-03-31T12:00:00+07:00")!)
        let book = TrackingBook(
            agencyName: catalogue.tree.agencies[agency]!.name, form: set.form(.trackingBook), set: set,
            from: LocalDate(iso: "2026-03-01")!, to: LocalDate(iso: "2026-03-31")!, dossiers: [try finished().0, try stopped().0],
            names: { catalogue.tree.agencies[$0]?.name ?? $0 })
        #expect(book.html.contains("Mẫu số 07 – Thông tư số 03/2025/TT-VPCP") && book.html.contains("<h1>Sổ theo dõi hồ sơ</h1>"))
        #expect(book.csv.hasPrefix("\u{FEFF}STT,Mã hồ sơ,") && book.csv.hasSuffix("\r\n") && book.csv.components(separatedBy: "\r\n").count == 4)
        try compare(book.html, golden: "form-07.html")
        try compare(book.csv, golden: "form-07.csv")
    }
}

@Suite("The tracking book and the new forms through the officer API")
struct TrackingBookAPITests {
    @Test("GET /api/v1/books: the desk's dossiers of the period, HTML or CSV; a period backwards is refused; forms 05 and 06 by their numbers")
    func book() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), other = try await server.login(.desk, agency: TestServer.agencyB)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: "Đỗ Văn Sổ"))
        let code = try #require(filed.json["code"] as? String)

        let csv = try await server.request("GET", "/api/v1/books?from=2026-03-01&to=2026-03-31&format=csv", token: desk)
        #expect(csv.status == 200 && csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.body.prefix(3) == Data([0xEF, 0xBB, 0xBF]) && csv.text.contains(code) && csv.text.contains("Đỗ Văn Sổ"))
        let html = try await server.request("GET", "/api/v1/books", token: desk)
        #expect(html.status == 200 && html.text.contains("Mẫu số 07 – Thông tư số 03/2025/TT-VPCP") && html.text.contains(code))
        // Another agency's desk does not see it in its book.
        #expect(try await server.request("GET", "/api/v1/books?format=csv", token: other).text.contains(code) == false)
        let backwards = try await server.request("GET", "/api/v1/books?from=2026-03-05&to=2026-03-01", token: desk)
        #expect(backwards.status == 422 && backwards.text.contains("from"))
        #expect(try await server.request("GET", "/api/v1/books?to=2026-02-31", token: desk).status == 422)

        let sheet = try await server.request("GET", "/api/v1/dossiers/\(code)/forms/06", token: desk)
        #expect(sheet.status == 200 && sheet.text.contains("Phiếu kiểm soát quá trình giải quyết hồ sơ"))
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)/forms/05", token: desk).status == 409)
        #expect(try await server.request("GET", "/api/v1/dossiers/\(code)/forms/07", token: desk).status == 422)
    }
}

@Suite("Late steps by department and by officer through the officer API")
struct StepReportAPITests {
    @Test("GET /api/v1/reports/steps: the desk's late step under the desk, the department's under it; by officer, the handler answers for processing")
    func steps() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let desk = try await server.login(.desk), leader = try await server.login(.leader)
        let filed = try await server.request("POST", "/api/v1/dossiers", token: desk, json: try await server.intakeBody(name: "Vũ Thị Bước"))
        let code = try #require(filed.json["code"] as? String)
        let departments = try #require(try await server.store.agencies().first { $0.id == TestServer.agencyA }?.departments)
        // 1.001193 (one working day, Hộ tịch: 10% desk): the desk's step is due at 08:48; it transfers at 09:00.
        server.clock.advance(3600)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/transfer", token: desk, json: ["departmentID": departments[0].id]).status == 200)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/assign", token: leader, json: ["handlerID": "handler@\(TestServer.agencyA)"]).status == 200)
        server.clock.advance(600)
        #expect(try await server.request("POST", "/api/v1/dossiers/\(code)/approve", token: leader, json: [:]).status == 200)

        let report = try await server.request("GET", "/api/v1/reports/steps?from=2026-03-01&to=2026-03-31", token: leader)
        #expect(report.status == 200, "\(report.text)")
        let rows = try #require(report.json["rows"] as? [[String: Any]])
        let deskRow = try #require(rows.first { $0["key"] as? String == "" })
        #expect(deskRow["name"] as? String == "Bộ phận Một cửa" && deskRow["late"] as? Int == 1 && deskRow["total"] as? Int == 1)
        let department = try #require(rows.first { $0["key"] as? String == departments[0].id })
        #expect(department["name"] as? String == departments[0].name && department["late"] as? Int == 0 && department["total"] as? Int == 1)
        let officers = try await server.request("GET", "/api/v1/reports/steps?from=2026-03-01&to=2026-03-31&by=officer", token: leader)
        let keys = Set(((officers.json["rows"] as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String })
        #expect(keys == ["desk@\(TestServer.agencyA)", "handler@\(TestServer.agencyA)"], "\(officers.text)")
        #expect(try await server.request("GET", "/api/v1/reports/steps?by=procedure", token: leader).status == 422)
    }
}

/// The tracking book's CSV read back field by field, as a spreadsheet reads RFC 4180: names
/// and addresses with commas, quotes and line breaks must come back whole, in their columns.
@Suite("The tracking book's CSV, read back")
struct TrackingBookCSVTests {
    /// An RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = ""
        var quoted = false
        var characters = Array(text.unicodeScalars)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"" {
                    if characters.first == "\"" { field.unicodeScalars.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(field); field = ""
            } else if c == "\r", characters.first == "\n" {
                characters.removeFirst()
                record.append(field); records.append(record); record = []; field = ""
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }

    @Test("Commas, quotes and line breaks in a field come back whole, each row with every column")
    func roundTrip() throws {
        let catalogue = try SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
        let calendar = try ConfigLoader.loadCalendars(from: repository.appendingPathComponent("Config")).standard
        let agency = "000.15.01.H42"
        let procedure = try #require(catalogue.procedures.first { $0.code == "1.001193" })
        let tricky = [
            ("Nguyễn Văn \"Tí\" An", "Số 1, ngõ 2, Lê Lợi"), ("Trần, Thị Bình", "Thôn 3\nxã Kỳ Anh"), ("Lê Thị Hoa", "Thôn 4\r\nxã Kỳ Anh"), ("Lê Văn Cường", "Đường \"Trần Phú\", \"Hà Tĩnh\""),
            ("Phạm An", "Hết"),
        ]
        var dossiers: [Dossier] = []
        for (index, (name, address)) in tricky.enumerated() {
            let intake = Intake(
                procedure: procedure, applicant: Applicant(name: name, idNumber: "00120300400\(index)", phone: "091234567\(index)", address: address),
                documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) }, returnMethod: .desk)
            let context = DecisionContext(
                actor: Actor(id: "desk-1", name: "Hoa", role: .desk, agencyID: agency), now: WorkCalendar.parse("2026-03-02T08:0\(index):00+07:00")!,
                calendar: calendar, departments: catalogue.tree.agencies[agency]!.departments)
            dossiers.append(try #require(Lifecycle.replay(try Lifecycle.file(intake, code: "\(agency)-260302-000\(index + 1)", id: "d\(index)", context: context))))
        }
        let settings = try AppConfiguration.load(from: repository.appendingPathComponent("Config"), environment: [:]).forms
        let set = settings.set(at: WorkCalendar.parse("2026-03-31T12:00:00+07:00")!)
        let book = TrackingBook(
            agencyName: "UBND phường Sông Trí", form: set.form(.trackingBook), set: set, from: LocalDate(iso: "2026-03-01")!,
            to: LocalDate(iso: "2026-03-31")!, dossiers: dossiers, names: { catalogue.tree.agencies[$0]?.name ?? $0 })
        let csv = book.csv
        #expect(csv.hasPrefix("\u{FEFF}"))
        let records = Self.records(String(csv.dropFirst()))
        #expect(records.count == 1 + tricky.count)
        #expect(records.allSatisfy { $0.count == TrackingBook.columns.count })
        #expect(records[0] == TrackingBook.columns)
        let nameColumn = try #require(TrackingBook.columns.firstIndex(of: "Tên cá nhân, tổ chức"))
        let addressColumn = try #require(TrackingBook.columns.firstIndex(of: "Địa chỉ"))
        for (index, (name, address)) in tricky.enumerated() {
            #expect(records[index + 1][0] == String(index + 1))
            #expect(records[index + 1][nameColumn] == name)
            #expect(records[index + 1][addressColumn] == address)
        }
        // And the HTML escapes what the markup would read.
        #expect(book.html.contains("Nguyễn Văn &quot;Tí&quot; An") || book.html.contains("Nguyễn Văn &#34;Tí&#34; An"))
        #expect(!book.html.contains("\"Trần Phú\""))
    }

    @Test("The reader itself: quotes, doubled quotes, empty fields, a final line without CRLF")
    func reader() {
        #expect(Self.records("a,b\r\n\"c,d\",\"e\"\"f\"\r\n,\r\ng") == [["a", "b"], ["c,d", "e\"f"], ["", ""], ["g"]])
    }
}

/// Every form of the set in force, for dossiers of every ending: printed where the dossier has
/// what the form records, refused with a reason where it has not, and never carrying the
/// applicant's text as markup.
@Suite("Every form for every kind of dossier")
struct EveryFormTests {
    let catalogue = try! SeedLoader.loadCatalogue(from: repository.appendingPathComponent("Seeds"))
    let calendar = try! ConfigLoader.loadCalendars(from: repository.appendingPathComponent("Config")).standard
    let agency = "000.15.01.H42"
    static let hostile = "<script>alert(\"x\")</script> & Co"

    func run(_ steps: [(DossierCommand, Role)], missing: [String] = []) throws -> (Dossier, [DossierEvent]) {
        let procedure = try #require(catalogue.procedures.first { $0.code == "1.001193" })
        let intake = Intake(
            procedure: procedure, applicant: Applicant(name: Self.hostile, idNumber: "001203004005", phone: "0912345678", address: "<b>Sông Trí</b>"),
            documents: procedure.documents.map { ProvidedDocument(name: $0.name, originals: $0.originals, copies: $0.copies) }, returnMethod: .desk,
            missingItems: missing)
        let departments = catalogue.tree.agencies[agency]!.departments
        var now = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
        func context(_ role: Role) -> DecisionContext {
            DecisionContext(actor: Actor(id: role.rawValue, name: "Cán bộ", role: role, agencyID: agency, departmentID: departments[0].id), now: now, calendar: calendar, departments: departments)
        }
        var events = try Lifecycle.file(intake, code: "\(agency)-260302-0001", id: "d1", context: context(.desk))
        var dossier = try #require(Lifecycle.replay(events))
        for (command, role) in steps {
            now = now.addingTimeInterval(4 * 86_400)
            let new = try Lifecycle.decide(command, dossier: dossier, context: context(role))
            dossier = new.reduce(dossier) { Lifecycle.evolve($0, $1) }
            events += new
        }
        return (dossier, events)
    }

    @Test("Each form prints for the dossiers it belongs to and is refused for the others")
    func everyForm() throws {
        let settings = try AppConfiguration.load(from: repository.appendingPathComponent("Config"), environment: [:]).forms
        let renderer = FormRenderer(settings: settings, agencies: catalogue.tree, procedures: Dictionary(uniqueKeysWithValues: catalogue.procedures.map { ($0.code, $0) }))
        let department = catalogue.tree.agencies[agency]!.departments[0].id
        let dossiers: [String: (Dossier, [DossierEvent])] = [
            "received": try run([]),
            "incomplete": try run([], missing: ["Giấy chứng sinh"]),
            "refused": try run([(.refuse(reason: "Không đủ <điều kiện>"), .desk)]),
            "stopped": try run([(.stop(reason: "Có tranh chấp"), .leader)]),
            "apologized": try run([(.transfer(departmentID: department), .desk), (.apologize(reason: "Chờ xác minh", newDueAt: WorkCalendar.parse("2026-04-30T16:00:00+07:00")!), .leader)]),
            "returned": try run([(.transfer(departmentID: department), .desk), (.approve(note: nil), .leader), (.resultReady, .handler), (.returnResult(method: .desk), .desk)]),
        ]
        let set = settings.set(at: WorkCalendar.parse("2026-03-02T08:00:00+07:00")!)
        var printed: [String: Set<String>] = [:]
        for (name, (dossier, events)) in dossiers {
            for (number, form) in set.forms {
                do {
                    let html = try renderer.render(form: number, dossier: dossier, events: events)
                    printed[number, default: []].insert(name)
                    #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains(dossier.code), "\(number) for \(name)")
                    #expect(!html.contains("<script>") && !html.contains("<b>Sông"), "\(number) for \(name) carries markup")
                    #expect(html.components(separatedBy: "<table").count == html.components(separatedBy: "</table>").count, "\(number) for \(name)")
                    #expect(html.contains(form.title) || html.uppercased().contains(form.title.uppercased()), "\(number) for \(name)")
                } catch let problem as Problem {
                    #expect(problem.status == 409 || problem.status == 422, "\(number) for \(name): \(problem.status)")
                }
            }
        }
        let byKind = Dictionary(uniqueKeysWithValues: set.forms.map { ($0.value.kind, $0.key) })
        let receipt = try #require(byKind[.receipt]), refusal = try #require(byKind[.refusal]), stop = try #require(byKind[.stopNotice])
        let supplementation = try #require(byKind[.supplementation]), apology = try #require(byKind[.apology]), sheet = try #require(byKind[.controlSheet])
        #expect(printed[refusal] == ["refused"])
        #expect(printed[stop] == ["stopped"])
        #expect(printed[apology] == ["apologized"])
        #expect(printed[supplementation] == ["incomplete"])
        #expect(printed[sheet] == Set(dossiers.keys), "the control sheet prints for every dossier")
        #expect(printed[receipt]?.isSuperset(of: ["received", "returned", "apologized"]) == true)
        #expect(printed[byKind[.trackingBook] ?? "07"] == nil, "the book is per desk and period, not per dossier")
        // An unknown number names the form field.
        #expect(throws: Problem.self) { try renderer.render(form: "99", dossier: dossiers["received"]!.0, events: dossiers["received"]!.1) }
    }
}
