import Foundation
import Testing
@testable import MotCuaCore

/// When the watch flags a dossier: the near-due window (a working day or a fifth of the term,
/// whichever is longer), the day of the appointment from local midnight, overdue a second after
/// the appointment, and a step's own due time before it.
@Suite("The watch's thresholds")
struct WatchPlanTests {
    @Test("Local midnight in Vietnam time, whatever the instant's UTC day")
    func midnight() {
        #expect(iso(WatchPlan.startOfLocalDay(at("2026-03-03T16:00:00+07:00"))) == "2026-03-03T00:00:00+07:00")
        #expect(iso(WatchPlan.startOfLocalDay(at("2026-03-03T00:00:00+07:00"))) == "2026-03-03T00:00:00+07:00")
        #expect(iso(WatchPlan.startOfLocalDay(at("2026-03-03T06:59:59+07:00"))) == "2026-03-03T00:00:00+07:00", "still the 2nd in UTC")
        #expect(iso(WatchPlan.startOfLocalDay(at("2026-03-02T23:59:59+07:00"))) == "2026-03-02T00:00:00+07:00")
        #expect(iso(WatchPlan.startOfLocalDay(at("1969-12-31T23:00:00+07:00"))) == "1969-12-31T00:00:00+07:00", "before 1970 too")
    }

    @Test("Thresholds in order: near due, due today, overdue a second after; the step's before the appointment")
    func thresholds() {
        let due = at("2026-03-05T16:00:00+07:00")
        let plan = WatchPlan(due: due, nearDue: at("2026-03-04T16:00:00+07:00"), stepDue: at("2026-03-03T10:00:00+07:00"))
        let list = plan.thresholds
        #expect(list.map(\.kind) == [.nearDue, .dueToday, .overdue, .stepOverdue])
        #expect(iso(list[0].at) == "2026-03-04T16:00:00+07:00")
        #expect(iso(list[1].at) == "2026-03-05T00:00:00+07:00")
        #expect(list[2].at == due.addingTimeInterval(1))
        #expect(iso(list[3].at) == "2026-03-03T10:00:01+07:00")
        #expect(plan.due(of: .stepOverdue) == at("2026-03-03T10:00:00+07:00") && plan.due(of: .overdue) == due)
    }

    @Test("A step due after the appointment is no step threshold; a window past the appointment is clipped to it")
    func clipping() {
        let due = at("2026-03-05T08:00:00+07:00")
        let late = WatchPlan(due: due, nearDue: due, stepDue: due.addingTimeInterval(60))
        #expect(late.stepDue == nil && late.thresholds.count == 3)
        let odd = WatchPlan(due: due, nearDue: due.addingTimeInterval(3_600))
        #expect(odd.thresholds[0].at == due, "near due never after the appointment")
        // An appointment at 07:30 on its day: 'due today' from midnight, before near-due's close.
        #expect(iso(odd.thresholds[1].at) == "2026-03-05T00:00:00+07:00")
    }

    @Test("The near-due window: a working day, or a fifth of a long term")
    func nearDueWindow() throws {
        let due = at("2026-03-13T16:00:00+07:00")  // a Friday
        let policy = NearDuePolicy.standard
        // Three working days: a fifth is under a day, so one working day before.
        #expect(iso(try policy.opens(before: due, termSeconds: 3 * 8 * 3600, calendar: testCalendar)) == "2026-03-12T16:00:00+07:00")
        // Fifteen working days: a fifth is three days (Tuesday 16:00).
        #expect(iso(try policy.opens(before: due, termSeconds: 15 * 8 * 3600, calendar: testCalendar)) == "2026-03-10T16:00:00+07:00")
        // A window across a weekend counts working time only: Monday 16:00 → the Friday before.
        let monday = at("2026-03-16T16:00:00+07:00")
        #expect(iso(try policy.opens(before: monday, termSeconds: 8 * 3600, calendar: testCalendar)) == "2026-03-13T16:00:00+07:00")
        // A stricter policy: half a day or a tenth.
        let strict = NearDuePolicy(workingSeconds: 4 * 3600, share: 0.1)
        // Four working hours before 16:00: 13:00–16:00 is three, then one of the morning (10:30).
        let opened = iso(try strict.opens(before: due, termSeconds: 8 * 3600, calendar: testCalendar))
        #expect(opened == "2026-03-13T10:30:00+07:00")
    }

    @Test("Only a dossier whose clock runs is watched", arguments: DossierStatus.allCases)
    func watched(status: DossierStatus) throws {
        let dossier = try dossier(in: status)
        let running: Set<DossierStatus> = [.received, .processing, .approved]
        #expect(dossier.isWatched == running.contains(status), "\(status)")
        #expect((dossier.watchPlan != nil) == running.contains(status))
        if let plan = dossier.watchPlan { #expect(plan.due == dossier.appointmentAt && plan.nearDue <= plan.due) }
    }

    @Test("Every alert kind has its own Vietnamese name")
    func names() {
        #expect(Set(AlertKind.allCases.map(\.vietnameseName)).count == AlertKind.allCases.count)
    }
}
