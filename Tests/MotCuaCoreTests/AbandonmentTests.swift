import Foundation
import Testing
@testable import MotCuaCore

@Suite("Dossiers abandoned in supplementation")
struct AbandonmentTests {
    @Test("The wait is counted in the agency's working days: weekends, Tết, the 30/4–1/5 holidays and a make-up Saturday", arguments: [
        ("2026-03-02T09:00:00+07:00", 5, "2026-03-09T09:00:00+07:00"),
        // Tết 2026: 16–20 February off, with the weekends around them.
        ("2026-02-13T10:00:00+07:00", 3, "2026-02-25T10:00:00+07:00"),
        // Saturday 10 January 2026 is a working day (swapped for Friday 2 January).
        ("2026-01-09T09:00:00+07:00", 1, "2026-01-10T09:00:00+07:00"),
        // 30 April and 1 May are days off, then the weekend.
        ("2026-04-29T14:00:00+07:00", 2, "2026-05-05T14:00:00+07:00"),
    ])
    func workingDays(requested: String, days: Int, closes: String) throws {
        #expect(try Lifecycle.abandonment(requestedAt: at(requested), afterWorkingDays: days, calendar: testCalendar) == at(closes))
    }

    @Test("Closed by the system once the wait reached its limit: processing stops with the reason on the control sheet; not a moment before, and never by an officer")
    func closing() throws {
        var d = try received(at: "2026-03-02T08:00:00+07:00")
        try run(.requestSupplementation(items: ["Giấy chứng sinh"], reason: "Thiếu"), &d, by: officer(.desk), at: "2026-03-02T09:00:00+07:00")
        let requested = at("2026-03-02T09:00:00+07:00")
        let system = Actor(id: "watch", name: "Hệ thống", role: .system, agencyID: agencyA)
        let command = DossierCommand.closeAbandoned(requestedAt: requested, afterWorkingDays: 5)
        #expect(throws: DomainError.self) { try run(command, &d, by: system, at: "2026-03-09T08:59:59+07:00") }
        #expect(throws: DomainError.self) { try run(command, &d, by: officer(.leader), at: "2026-03-09T09:00:00+07:00") }
        let events = try run(command, &d, by: system, at: "2026-03-09T09:00:00+07:00")
        #expect(events.map(\.kind) == [.stopped])
        #expect(events[0].items == ["Giấy chứng sinh"] && events[0].reason?.contains("5 ngày làm việc") == true)
        #expect(events[0].reason?.contains("02/03/2026") == true)
        #expect(d.status == .stopped && d.closedAt == at("2026-03-09T09:00:00+07:00") && !d.isPaused)
        // Counted as resolved, on time (domain.md: stopped dossiers count as on time, practice).
        #expect(StatFact(d)?.resolution == .closed && StatFact(d)?.resolvedAt == Int64(d.closedAt!.timeIntervalSince1970))
        // Once closed, the watch cannot close it again; a limit out of range is refused as a field.
        #expect(throws: DomainError.self) { try run(command, &d, by: system, at: "2026-03-10T09:00:00+07:00") }
        #expect(Lifecycle.fieldProblems(.closeAbandoned(requestedAt: requested, afterWorkingDays: 0), context: context(system, "2026-03-10T09:00:00+07:00")).map(\.field) == ["abandonAfterWorkingDays"])
    }
}
