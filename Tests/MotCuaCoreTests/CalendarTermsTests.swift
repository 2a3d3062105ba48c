import Foundation
import MotCuaDemo
import Testing
@testable import MotCuaCore

/// The calendar's answers the watch, the queues and the reports rely on besides the due time:
/// terms in calendar days, the time left (and how far past), the share of a term used, the
/// window before an appointment, and the days not worked with their reasons.
@Suite("Calendar: calendar-day terms, time left, windows, days not worked")
struct CalendarTermsTests {
    let calendar = testCalendar

    @Test("A term in calendar days lands on its hour, or at the close of that working day, or of the next", arguments: [
        // Monday 09:00 + 2 days: Wednesday 09:00, a working time.
        ("2026-03-02T09:00:00+07:00", 2, "2026-03-04T09:00:00+07:00"),
        // Thursday 09:00 + 2 days: Saturday: the close of the next working day (Monday 17:00).
        ("2026-03-05T09:00:00+07:00", 2, "2026-03-09T17:00:00+07:00"),
        // Monday 12:00 (lunch) starts at 13:00; + 1 day: Tuesday 13:00.
        ("2026-03-02T12:00:00+07:00", 1, "2026-03-03T13:00:00+07:00"),
        // Monday 20:00 starts Tuesday 07:30; + 1 day: Wednesday 07:30.
        ("2026-03-02T20:00:00+07:00", 1, "2026-03-04T07:30:00+07:00"),
        // Friday 13 February 2026 + 3 days: Monday 16 February is Tết: the close of Tuesday 24 February.
        ("2026-02-13T10:00:00+07:00", 3, "2026-02-23T17:00:00+07:00"),
        // Zero days: the start itself (moved onto working time).
        ("2026-03-02T09:00:00+07:00", 0, "2026-03-02T09:00:00+07:00"),
    ])
    func calendarDays(start: String, days: Int, due: String) throws {
        #expect(iso(try calendar.dueInCalendarDays(from: at(start), days: days)) == due)
        #expect(iso(try calendar.due(from: at(start), term: .calendarDays(days))) == due)
    }

    @Test("Time left: working seconds to the appointment, and counted the same way past it")
    func remaining() throws {
        let due = at("2026-03-03T09:00:00+07:00")
        #expect(try calendar.remaining(from: at("2026-03-02T09:00:00+07:00"), until: due) == 8 * 3600)
        #expect(try calendar.remaining(from: at("2026-03-02T16:00:00+07:00"), until: due) == 2 * 3600 + 30 * 60)
        #expect(try calendar.remaining(from: due, until: due) == 0)
        #expect(try calendar.remaining(from: at("2026-03-03T10:00:00+07:00"), until: due) == -3600)
        // 09:00–11:30 and 13:00–17:00 past it: evenings do not count.
        let expected: Int64 = -23_400
        #expect(try calendar.remaining(from: at("2026-03-03T20:00:00+07:00"), until: due) == expected)
    }

    @Test("The share of a term used: 0 at intake, 1 at the appointment, above 1 past it; pauses do not count")
    func shares() throws {
        let start = at("2026-03-02T07:30:00+07:00")  // the office opens
        let term: Int64 = 2 * 8 * 3600
        #expect(try calendar.shareUsed(start: start, workingSeconds: term, now: start) == 0)
        #expect(try calendar.shareUsed(start: start, workingSeconds: term, now: at("2026-03-02T17:00:00+07:00")) == 0.5)
        #expect(try calendar.shareUsed(start: start, workingSeconds: term, now: at("2026-03-04T17:00:00+07:00")) == 1.5)
        let pause = Pause(start: at("2026-03-02T07:30:00+07:00"), end: at("2026-03-03T07:30:00+07:00"))
        #expect(try calendar.shareUsed(start: start, workingSeconds: term, now: at("2026-03-03T17:00:00+07:00"), pauses: [pause]) == 0.5)
        #expect(try calendar.shareUsed(start: start, workingSeconds: 0, now: start) == 1, "no term: used up")
    }

    @Test("Property: the window before an appointment holds exactly its working time, whatever the day")
    func windows() throws {
        var rng = SeededGenerator(seed: 31)
        for _ in 0..<500 {
            let start = at("2026-01-05T07:30:00+07:00").addingTimeInterval(Double(Int.random(in: 0..<(300 * 96), using: &rng)) * 900)
            let term = Int64(Int.random(in: 1...40, using: &rng)) * 1_800
            let due = try calendar.due(from: start, workingSeconds: term)
            let window = Int64(Int.random(in: 0...Int(term), using: &rng))
            let opens = try calendar.instant(workingSeconds: window, before: due)
            #expect(opens <= due)
            #expect(try calendar.elapsed(from: opens, to: due) == window, "\(iso(start)) + \(term) s, window \(window) s")
            #expect(try calendar.remaining(from: opens, until: due) == window)
        }
    }

    @Test("Days not worked between two instants, each with its reason: weekends, Tết, swaps")
    func daysOff() throws {
        let days = calendar.daysNotWorked(from: at("2026-02-13T10:00:00+07:00"), to: at("2026-02-24T10:00:00+07:00"))
        let dates = days.map(\.date.iso)
        #expect(dates.contains("2026-02-14") && dates.contains("2026-02-15"), "the weekend")
        #expect(["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"].allSatisfy(dates.contains), "Tết")
        #expect(!dates.contains("2026-02-13") && !dates.contains("2026-02-24"))
        #expect(days.allSatisfy { !$0.name.isEmpty })
        #expect(calendar.daysNotWorked(from: at("2026-03-02T08:00:00+07:00"), to: at("2026-03-06T17:00:00+07:00")).isEmpty, "a working week")
        // A make-up Saturday is worked; the swapped weekday is not.
        #expect(calendar.reasonNotWorked(day("2026-01-10")) == nil && calendar.isWorkingDay(day("2026-01-10")))
        #expect(calendar.reasonNotWorked(day("2026-01-02")) != nil)
        #expect(try calendar.nextWorkingDay(after: day("2026-02-13")) == day("2026-02-23"))
    }
}
