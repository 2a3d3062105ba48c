import Foundation
import MotCuaCore
import MotCuaDemo
import Testing
@testable import MotCuaStore

/// The same history written to SQLite and to PostgreSQL must read back the same through every
/// question the application asks: dossiers and control sheets, searches and their pages, queues,
/// statistics, late steps, the watch's crossings and the outboxes. A province moving up (or a
/// test written against one backend) relies on it.
@Suite("SQLite and PostgreSQL answer alike")
struct BackendParityTests {
    static let start = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
    static let leader = Actor(id: "leader-1", name: "Lãnh đạo", role: .leader, agencyID: desk.agencyID)
    static var department: String { catalogue.tree.agencies[desk.agencyID]!.departments[0].id }
    static var handler: Actor { Actor(id: "handler-1", name: "Chuyên viên", role: .handler, agencyID: desk.agencyID, departmentID: department) }
    static let names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Đặng Văn Em", "Võ Thị Giang", "Nguyễn Thị Ánh", "Hoàng Văn Hải"]

    /// Files `count` dossiers and moves each along a path drawn from `seed`, at fixed times and with
    /// fixed ids, so that both stores get the very same events.
    static func history(into store: any DossierStore, count: Int, seed: UInt64) async throws -> [String] {
        var rng = SeededGenerator(seed: seed)
        var codes: [String] = []
        for index in 0..<count {
            let at = start.addingTimeInterval(Double(index) * 1_800)
            let application = intake(names[index % names.count] + (index >= names.count ? " \(index)" : ""), procedureCode: index % 3 == 0 ? "1.000656" : "1.001193")
            let context = DecisionContext(actor: desk, now: at, calendar: calendar, departments: catalogue.tree.agencies[desk.agencyID]!.departments)
            let filed = try await store.fileDossier(agencyID: desk.agencyID, day: WorkCalendar.localDate(of: at), idempotencyKey: nil) { code in
                try Lifecycle.file(application, code: code, id: String(format: "dossier-%04d", index), context: context)
            }.0
            codes.append(filed.code)
            let steps: [(DossierCommand, Actor)] = switch Int.random(in: 0..<6, using: &rng) {
            case 0: []
            case 1: [(.transfer(departmentID: department), desk)]
            case 2: [(.transfer(departmentID: department), desk), (.assign(handler: handler), leader), (.approve(note: nil), leader), (.resultReady, handler)]
            case 3: [(.transfer(departmentID: department), desk), (.approve(note: nil), leader), (.resultReady, handler), (.returnResult(method: .desk), desk)]
            case 4: [(.requestSupplementation(items: ["Giấy chứng sinh"], reason: "Thiếu"), desk)]
            default: [(.refuse(reason: "Không đủ điều kiện"), desk)]
            }
            var now = at
            for (command, actor) in steps {
                now = now.addingTimeInterval(Double(Int.random(in: 1...40, using: &rng)) * 3_600)
                let stepContext = DecisionContext(actor: actor, now: now, calendar: calendar, departments: catalogue.tree.agencies[desk.agencyID]!.departments)
                _ = try await store.apply(code: filed.code) { try Lifecycle.decide(command, dossier: $0, context: stepContext) }
            }
        }
        return codes
    }

    @Test("The same history, every answer the same", arguments: Backend.all.filter { $0 == .postgres })
    func parity(backend: Backend) async throws {
        let sqlite = try await Backend.sqlite.makeStore()
        let postgres = try await backend.makeStore()
        for store in [sqlite, postgres] { _ = try await store.saveCatalogue(tree: catalogue.tree, procedures: catalogue.procedures) }
        let codes = try await Self.history(into: sqlite, count: 40, seed: 11)
        #expect(try await Self.history(into: postgres, count: 40, seed: 11) == codes, "the same codes, in the same order")

        for code in codes {
            let a = try #require(try await sqlite.dossier(code: code))
            #expect(try await postgres.dossier(code: code) == a, "\(code)")
            #expect(try await postgres.events(dossierID: a.id) == (try await sqlite.events(dossierID: a.id)), "\(code)")
            #expect(try await postgres.notifications(dossierID: a.id).map(\.id) == (try await sqlite.notifications(dossierID: a.id).map(\.id)))
            #expect(try await postgres.portalMessages(dossierID: a.id).map(\.id) == (try await sqlite.portalMessages(dossierID: a.id).map(\.id)))
        }

        // Searches, their totals and their pages, walked to the end by cursor.
        var queries: [DossierQuery] = [
            DossierQuery(visibleToAgency: desk.agencyID, limit: 7), DossierQuery(visibleToAgency: desk.agencyID, name: "van", limit: 5),
            DossierQuery(visibleToAgency: desk.agencyID, name: "nguyen thi", limit: 5), DossierQuery(visibleToAgency: desk.agencyID, statuses: [.returned, .refused]),
            DossierQuery(visibleToAgency: desk.agencyID, procedureCode: "1.000656", limit: 4), DossierQuery(visibleToAgency: desk.agencyID, code: "\(desk.agencyID)-2603", limit: 6),
            DossierQuery(visibleToAgency: desk.agencyID, submittedFrom: Self.start.addingTimeInterval(36_000), submittedTo: Self.start.addingTimeInterval(72_000)),
            DossierQuery(visibleToAgency: "000.07.01.H25"),
        ]
        var codeList = DossierQuery(visibleToAgency: desk.agencyID)
        codeList.codes = Array(codes.prefix(5)) + ["\(desk.agencyID)-990101-0001"]
        queries.append(codeList)
        for query in queries {
            var a = query, b = query
            var pagesA: [[String]] = [], pagesB: [[String]] = []
            for _ in 0..<20 {
                let pageA = try await sqlite.search(a), pageB = try await postgres.search(b)
                #expect(pageA.total == pageB.total && pageA.totalIsExact == pageB.totalIsExact, "\(query)")
                pagesA.append(pageA.items.map(\.code))
                pagesB.append(pageB.items.map(\.code))
                guard let nextA = pageA.next, let nextB = pageB.next else {
                    #expect(pageA.next == nil && pageB.next == nil)
                    break
                }
                a.after = nextA
                b.after = nextB
            }
            #expect(pagesA == pagesB, "\(query)")
        }

        // Queues, at a time when some are overdue.
        let late = Self.start.addingTimeInterval(10 * 86_400)
        for kind in QueueKind.allCases {
            let query = QueueQuery(kind: kind, agencyID: desk.agencyID, officerID: Self.handler.id, departmentID: Self.department, now: late, limit: 100)
            let (a, b) = (try await sqlite.queue(query), try await postgres.queue(query))
            #expect(a.total == b.total && a.items.map(\.code) == b.items.map(\.code), "\(kind)")
        }

        // Statistics over periods, and late steps by department and by officer.
        for name in ["2026-03", "2026-Q1", "2026"] {
            let bounds = try ReportPeriod(named: name).bounds
            let a = try await sqlite.statTallies(from: bounds.from, to: bounds.to, agencies: nil).sorted { "\($0.agencyID)\($0.procedureCode)" < "\($1.agencyID)\($1.procedureCode)" }
            let b = try await postgres.statTallies(from: bounds.from, to: bounds.to, agencies: nil).sorted { "\($0.agencyID)\($0.procedureCode)" < "\($1.agencyID)\($1.procedureCode)" }
            #expect(a == b, "\(name)")
            for byOfficer in [false, true] {
                let stepsA = try await sqlite.stepTallies(from: Double(bounds.from), to: Double(bounds.to), agencies: nil, byOfficer: byOfficer)
                let stepsB = try await postgres.stepTallies(from: Double(bounds.from), to: Double(bounds.to), agencies: nil, byOfficer: byOfficer)
                #expect(Set(stepsA) == Set(stepsB), "\(name) by officer: \(byOfficer)")
            }
        }

        // The watch records the same crossings.
        let sweptA = try await sqlite.sweepAlerts(now: late, limit: 1_000).alerts
        let sweptB = try await postgres.sweepAlerts(now: late, limit: 1_000).alerts
        #expect(Set(sweptA.map { "\($0.code) \($0.kind) \($0.due.timeIntervalSince1970)" }) == Set(sweptB.map { "\($0.code) \($0.kind) \($0.due.timeIntervalSince1970)" }))
        #expect(!sweptA.isEmpty)

        // And the outboxes sum up alike.
        let summaries = { (store: any DossierStore) async throws -> [String] in
            try await store.outboxSummaries().map { "\($0.outbox) \($0.pending) \($0.dead) \($0.retrying)" }.sorted()
        }
        #expect(try await summaries(sqlite) == (try await summaries(postgres)))
        #expect(try await sqlite.counts().dossiers == (try await postgres.counts().dossiers))
    }
}
