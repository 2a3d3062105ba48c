import Foundation
import MotCuaCore
import Testing
@testable import MotCuaStore

/// The overdue watch, the officer queues and the search filters as both backends answer them.
/// Several instances sweep the same database: a crossing must be recorded once whoever sweeps.
@Suite("Watch, queues and search filters, on every backend")
struct WatchStoreTests {
    let now = WorkCalendar.parse("2026-03-02T09:00:00+07:00")!
    static let leader = Actor(id: "leader-1", name: "Lãnh đạo", role: .leader, agencyID: desk.agencyID)
    static var department: String { catalogue.tree.agencies[desk.agencyID]!.departments[0].id }
    static var handler: Actor { Actor(id: "handler-1", name: "Chuyên viên", role: .handler, agencyID: desk.agencyID, departmentID: department) }

    @discardableResult
    func run(_ store: any DossierStore, _ code: String, _ command: DossierCommand, by actor: Actor, at time: Date) async throws -> Dossier {
        let departments = catalogue.tree.agencies[actor.agencyID]?.departments ?? []
        let context = DecisionContext(actor: actor, now: time, calendar: calendar, departments: departments)
        return try await store.apply(code: code) { try Lifecycle.decide(command, dossier: $0, context: context) }
    }

    @Test("Each threshold is crossed once: near due, then due today and overdue; sweeping again or from another instance adds nothing", arguments: Backend.all)
    func crossings(backend: Backend) async throws {
        let database = try await backend.scratch()
        let store = try await database.open()
        // A term of one working day is near due from its start (the window is 8 working hours).
        let filed = try await file(store, intake(), at: now)
        let due = try #require(filed.dueAt)
        #expect(WorkCalendar.localDate(of: due) == WorkCalendar.localDate(of: now).adding(days: 1))
        let early = try await store.sweepAlerts(now: now + 60, limit: 100)
        #expect(early.alerts.map(\.kind) == [.nearDue])
        #expect(try await store.sweepAlerts(now: now + 120, limit: 100).alerts.isEmpty)

        let late = due + 3600
        let first = try await store.sweepAlerts(now: late, limit: 100)
        let kinds = Set(first.alerts.map(\.kind))
        #expect(kinds.isSuperset(of: [.dueToday, .overdue]) && !kinds.contains(.nearDue))
        #expect(first.alerts.allSatisfy { $0.dossierID == filed.id && $0.code == filed.code && $0.agencyID == desk.agencyID && $0.at == late })
        #expect(first.alerts.first { $0.kind == .overdue }?.due == due)
        // The same sweep again, and a second instance on the same database: nothing new.
        #expect(try await store.sweepAlerts(now: late + 60, limit: 100).alerts.isEmpty)
        let other = try await database.open()
        #expect(try await other.sweepAlerts(now: late + 120, limit: 100).alerts.isEmpty)
        #expect(Set(try await store.alerts(dossierID: filed.id).map(\.kind)) == kinds.union([.nearDue]))
    }

    @Test("Two instances sweeping at once record each crossing once between them", arguments: Backend.all)
    func concurrentSweeps(backend: Backend) async throws {
        let database = try await backend.scratch()
        let store = try await database.open()
        var latest = now
        for index in 0..<12 {
            let filed = try await file(store, intake("Người nộp \(index)"), at: now)
            latest = max(latest, try #require(filed.dueAt))
        }
        let other = try await database.open()
        let late = latest + 86_400
        async let a = store.sweepAlerts(now: late, limit: 100)
        async let b = other.sweepAlerts(now: late, limit: 100)
        let (first, second) = try await (a, b)
        let all = first.alerts + second.alerts
        #expect(all.count == Set(all.map { "\($0.dossierID)/\($0.kind)" }).count, "no crossing twice: \(first.alerts.count) + \(second.alerts.count)")
        let byDossier = Dictionary(grouping: all, by: \.dossierID)
        #expect(byDossier.count == 12)
        #expect(byDossier.values.allSatisfy { Set($0.map(\.kind)).isSuperset(of: [.nearDue, .dueToday, .overdue]) })
        // What the two recorded is what a lone sweep records: each dossier's crossings, once.
        var recorded = 0
        for id in byDossier.keys { recorded += try await store.alerts(dossierID: id).count }
        #expect(recorded == all.count)
    }

    @Test("A finished dossier leaves the watch; the sweep reads at most its limit and says how many", arguments: Backend.all)
    func finishedAndLimited(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let refused = try await file(store, intake("Một"), at: now)
        try await run(store, refused.code, .refuse(reason: "Không thuộc thẩm quyền"), by: desk, at: now + 60)
        var dues: [Date] = []
        for index in 0..<5 { dues.append(try #require(try await file(store, intake("Hai \(index)"), at: now).dueAt)) }
        let late = dues.max()! + 86_400
        let page = try await store.sweepAlerts(now: late, limit: 2)
        #expect(page.dossiers == 2)
        var looked = page.dossiers
        var alerts = page.alerts
        while true {
            let next = try await store.sweepAlerts(now: late, limit: 2)
            looked += next.dossiers
            alerts += next.alerts
            if next.dossiers < 2 { break }
        }
        #expect(Set(alerts.map(\.dossierID)).count == 5)
        #expect(!alerts.contains { $0.dossierID == refused.id })
        #expect(try await store.alerts(dossierID: refused.id).isEmpty)
    }

    @Test("Queues follow the dossier: the agency's, the department's, the handler's, then ready, and supplementation", arguments: Backend.all)
    func queues(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let a = try await file(store, intake("Nguyễn Văn An"), at: now)
        let b = try await file(store, intake("Trần Thị Bình"), at: now)
        func codes(_ kind: QueueKind, officer: String? = nil, department: String? = nil, at time: Date? = nil) async throws -> Set<String> {
            let page = try await store.queue(QueueQuery(kind: kind, agencyID: desk.agencyID, officerID: officer, departmentID: department, now: time ?? now + 600))
            #expect(page.total == page.items.count)
            return Set(page.items.map(\.code))
        }
        #expect(try await codes(.agency) == [a.code, b.code])
        #expect(try await codes(.mine, officer: Self.handler.id).isEmpty)

        try await run(store, a.code, .transfer(departmentID: Self.department), by: desk, at: now + 60)
        #expect(try await codes(.department, department: Self.department) == [a.code])
        try await run(store, a.code, .assign(handler: Self.handler), by: Self.leader, at: now + 120)
        #expect(try await codes(.mine, officer: Self.handler.id) == [a.code])

        try await run(store, b.code, .requestSupplementation(items: ["Giấy chứng sinh"], reason: "Thiếu"), by: desk, at: now + 180)
        #expect(try await codes(.supplementation) == [b.code])

        try await run(store, a.code, .approve(note: nil), by: Self.leader, at: now + 240)
        try await run(store, a.code, .resultReady, by: Self.handler, at: now + 300)
        #expect(try await codes(.ready) == [a.code])
        // The handler keeps it in sight until it is returned: "mine" is every open dossier handled.
        #expect(try await codes(.mine, officer: Self.handler.id) == [a.code])
        try await run(store, a.code, .returnResult(method: .desk), by: desk, at: now + 360)
        #expect(try await codes(.ready).isEmpty)
        #expect(try await codes(.mine, officer: Self.handler.id).isEmpty)
        #expect(try await !codes(.agency).contains(a.code), "a returned dossier leaves the agency's open list")
        // Another agency's queues are its own.
        let elsewhere = try await store.queue(QueueQuery(kind: .agency, agencyID: "000.07.01.H25", now: now + 600))
        #expect(elsewhere.total == 0)
    }

    @Test("Overdue and near-due queues judge at the time asked", arguments: Backend.all)
    func timeQueues(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let filed = try await file(store, intake(), at: now)
        let due = try #require(filed.dueAt)
        func codes(_ kind: QueueKind, at time: Date) async throws -> [String] {
            try await store.queue(QueueQuery(kind: kind, agencyID: desk.agencyID, now: time)).items.map(\.code)
        }
        #expect(try await codes(.overdue, at: now + 60).isEmpty)
        // One working day: near due from the start.
        #expect(try await codes(.nearDue, at: now + 60) == [filed.code])
        #expect(try await codes(.nearDue, at: due - 60) == [filed.code])
        #expect(try await codes(.overdue, at: due - 60).isEmpty)
        #expect(try await codes(.overdue, at: due + 60) == [filed.code])
        #expect(try await codes(.nearDue, at: due + 60).isEmpty, "overdue is no longer near due")
    }

    @Test("Search filters: identity number, phone, procedure, statuses, submission window, receiving agency, lists of codes", arguments: Backend.all)
    func filters(backend: Backend) async throws {
        let store = try await backend.makeStore()
        var first = intake("Lê Văn Cường")
        first.applicant.idNumber = "042190000001"
        first.applicant.phone = "0987000001"
        let c = try await file(store, first, at: now)
        let d = try await file(store, intake("Phạm Thị Dung", procedureCode: "1.000656"), at: now + 3600)
        let e = try await file(store, intake("Võ Văn Em"), at: now + 86_400)
        try await run(store, e.code, .refuse(reason: "Không đủ điều kiện"), by: desk, at: now + 86_460)
        func found(_ query: DossierQuery) async throws -> Set<String> { Set(try await store.search(query).items.map(\.code)) }
        let mine = desk.agencyID

        #expect(try await found(DossierQuery(visibleToAgency: mine, idNumber: "042190000001")) == [c.code])
        #expect(try await found(DossierQuery(visibleToAgency: mine, phone: "0987000001")) == [c.code])
        #expect(try await found(DossierQuery(visibleToAgency: mine, procedureCode: "1.000656")) == [d.code])
        #expect(try await found(DossierQuery(visibleToAgency: mine, statuses: [.refused])) == [e.code])
        #expect(try await found(DossierQuery(visibleToAgency: mine, statuses: [.refused, .received])) == [c.code, d.code, e.code])
        #expect(try await found(DossierQuery(visibleToAgency: mine, submittedFrom: now + 1800, submittedTo: now + 7200)) == [d.code])
        #expect(try await found(DossierQuery(visibleToAgency: mine, submittedFrom: now + 3600)) == [d.code, e.code], "the window includes its start")
        #expect(try await found(DossierQuery(visibleToAgency: mine, submittedTo: now + 1)) == [c.code])
        #expect(try await found(DossierQuery(visibleToAgency: mine, submittedTo: now)).isEmpty, "the window ends before its end")
        var byCodes = DossierQuery(visibleToAgency: mine)
        byCodes.codes = [c.code, e.code, "000.15.01.H42-990101-0001"]
        #expect(try await found(byCodes) == [c.code, e.code])
        var byProcedures = DossierQuery(visibleToAgency: mine)
        byProcedures.procedureCodes = ["1.000656", "9.999999"]
        #expect(try await found(byProcedures) == [d.code])
        var receiving = DossierQuery(visibleToAgency: nil)
        receiving.agencyID = mine
        #expect(try await found(receiving) == [c.code, d.code, e.code])
        receiving.agencyID = "000.07.01.H25"
        #expect(try await found(receiving).isEmpty)
        // Filters combine with AND.
        #expect(try await found(DossierQuery(visibleToAgency: mine, idNumber: "042190000001", statuses: [.refused])).isEmpty)
    }

    @Test("Versions, control sheets and file references read back", arguments: Backend.all)
    func readBack(backend: Backend) async throws {
        let store = try await backend.makeStore()
        let filed = try await file(store, intake(), at: now)
        #expect(try await store.version(code: filed.code) == filed.version)
        let transferred = try await run(store, filed.code, .transfer(departmentID: Self.department), by: desk, at: now + 60)
        #expect(try await store.version(code: filed.code) == transferred.version && transferred.version == filed.version + 1)
        #expect(try await store.events(dossierID: filed.id).map(\.sequence) == Array(1...transferred.version))
        #expect(try await store.version(code: "000.15.01.H42-990101-0001") == nil)
        #expect(try await store.events(dossierID: "none").isEmpty)
        #expect(try await !store.isFileReferenced(sha256: String(repeating: "0", count: 64)))
    }
}
