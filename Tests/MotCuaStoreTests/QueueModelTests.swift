import Foundation
import MotCuaCore
import MotCuaDemo
import Testing
@testable import MotCuaStore

/// The officer queues against a model: random dossiers moved through random steps, then every
/// queue at several moments must hold exactly what the rules say, on both backends.
@Suite("Queues against their rules, on every backend")
struct QueueModelTests {
    static var department: String { catalogue.tree.agencies[desk.agencyID]!.departments[0].id }
    static var handlers: [Actor] {
        (1...2).map { Actor(id: "handler-\($0)", name: "Chuyên viên \($0)", role: .handler, agencyID: desk.agencyID, departmentID: department) }
    }
    static let leader = Actor(id: "leader-1", name: "Lãnh đạo", role: .leader, agencyID: desk.agencyID)

    /// What each queue holds by its definition (`QueuePlan`), read off the dossiers themselves.
    static func expected(_ kind: QueueKind, _ d: Dossier, officer: String, now: Date) -> Bool {
        let here = d.currentAgencyID == desk.agencyID
        switch kind {
        case .mine: return here && d.handlerID == officer && !d.status.isFinal
        case .department: return here && d.departmentID == department && !d.status.isFinal
        case .agency: return here && !d.status.isFinal
        case .nearDue: return here && d.watchPlan.map { $0.due >= now && $0.nearDue <= now } == true
        case .overdue: return here && d.watchPlan.map { $0.due < now } == true
        case .supplementation: return here && d.status == .supplementation
        case .ready: return here && d.status == .resultReady
        case .incoming: return d.pendingAgencyID == desk.agencyID
        case .receivedForOthers: return d.receivingAgencyID == desk.agencyID && !d.status.isFinal
        case .postal: return here && ((d.status == .submitted && d.channel == .postal) || (d.status == .resultReady && d.returnMethod == .post))
        }
    }

    @Test("Every queue, for two handlers, at three moments, holds what its rule says", arguments: Backend.all)
    func model(backend: Backend) async throws {
        let store = try await backend.makeStore()
        var rng = SeededGenerator(seed: 1234)
        let start = WorkCalendar.parse("2026-03-02T08:00:00+07:00")!
        let departments = catalogue.tree.agencies[desk.agencyID]!.departments
        var codes: [String] = []
        for index in 0..<36 {
            let at = start.addingTimeInterval(Double(index) * 1_200)
            var dossier = try await file(store, intake("Người nộp \(index)"), at: at)
            var now = at
            let steps = Int.random(in: 0...5, using: &rng)
            let path: [(DossierCommand, Actor)] = [
                (.transfer(departmentID: Self.department), desk), (.assign(handler: Self.handlers.randomElement(using: &rng)!), Self.leader),
                (Bool.random(using: &rng) ? .requestSupplementation(items: ["Giấy chứng sinh"], reason: "Thiếu") : .approve(note: nil), Self.leader),
                (.resultReady, Self.handlers[0]), (.returnResult(method: .desk), desk),
            ]
            for (command, actor) in path.prefix(steps) {
                now = now.addingTimeInterval(Double(Int.random(in: 1...20, using: &rng)) * 1_800)
                let context = DecisionContext(actor: actor, now: now, calendar: calendar, departments: departments)
                guard let next = try? await store.apply(code: dossier.code, decide: { try Lifecycle.decide(command, dossier: $0, context: context) }) else { break }
                dossier = next
            }
            codes.append(dossier.code)
        }
        var dossiers: [Dossier] = []
        for code in codes { dossiers.append(try #require(try await store.dossier(code: code))) }

        for now in [start.addingTimeInterval(3_600), start.addingTimeInterval(86_400), start.addingTimeInterval(6 * 86_400)] {
            for officer in Self.handlers.map(\.id) {
                for kind in QueueKind.allCases {
                    let query = QueueQuery(kind: kind, agencyID: desk.agencyID, officerID: officer, departmentID: Self.department, now: now, limit: 200)
                    let page = try await store.queue(query)
                    let want = Set(dossiers.filter { Self.expected(kind, $0, officer: officer, now: now) }.map(\.code))
                    #expect(Set(page.items.map(\.code)) == want, "\(kind) for \(officer) at \(WorkCalendar.format(now))")
                    #expect(page.total == want.count)
                }
            }
        }
        // The sample reaches most queues: the rules are not checked on empty sets only.
        let busy = QueueKind.allCases.filter { kind in dossiers.contains { Self.expected(kind, $0, officer: Self.handlers[0].id, now: start.addingTimeInterval(86_400)) } }
        #expect(busy.count >= 5, "\(busy)")
    }
}
