import Foundation
import MotCuaDemo
import Testing
@testable import MotCuaCore

@Suite("Deadlines in working time")
struct WorkCalendarTests {
    static let cases: [(String, String, Term, String)] = [
        // Intakes across Tết 2026 (16–20 February off, 14–22 with the weekends).
        ("Tết: Friday before, 5 days", "2026-02-13T15:30:00+07:00", .workingDays(5), "2026-02-27T15:30:00+07:00"),
        ("Tết: at the close on Friday", "2026-02-13T17:00:00+07:00", .workingDays(1), "2026-02-23T17:00:00+07:00"),
        ("Tết: intake during Tết", "2026-02-18T10:00:00+07:00", .workingDays(1), "2026-02-23T17:00:00+07:00"),
        // The 30/4–1/5 bridge: Thursday and Friday off in 2026.
        ("30/4–1/5 bridge", "2026-04-29T08:00:00+07:00", .workingDays(2), "2026-05-05T08:00:00+07:00"),
        // Giỗ Tổ on Sunday 26/4/2026: Monday 27/4 is the compensation day.
        ("Giỗ Tổ compensation Monday", "2026-04-24T16:00:00+07:00", .workingDays(1), "2026-04-28T16:00:00+07:00"),
        // Make-up Saturday 10/1/2026 (swapped with Friday 2/1).
        ("make-up Saturday", "2026-01-09T13:00:00+07:00", .workingDays(1), "2026-01-10T11:30:00+07:00"),
        ("swapped Friday is off", "2026-01-01T09:00:00+07:00", .workingHours(1), "2026-01-05T08:30:00+07:00"),
        // Intakes outside office hours.
        ("at 11:45, lunch break", "2026-03-03T11:45:00+07:00", .workingDays(1), "2026-03-04T11:30:00+07:00"),
        ("at 17:30, after closing", "2026-03-03T17:30:00+07:00", .workingDays(1), "2026-03-04T17:00:00+07:00"),
        ("on a Sunday", "2026-03-08T10:00:00+07:00", .workingHours(2), "2026-03-09T09:30:00+07:00"),
        ("before opening", "2026-03-03T06:00:00+07:00", .workingDays(1), "2026-03-03T17:00:00+07:00"),
        // Ends exactly at a period's end: that end, not the next opening.
        ("ends at 17:00", "2026-03-03T07:30:00+07:00", .workingHours(8), "2026-03-03T17:00:00+07:00"),
        ("ends at 11:30", "2026-03-03T07:30:00+07:00", .workingHours(4), "2026-03-03T11:30:00+07:00"),
        ("over the lunch break", "2026-03-03T10:00:00+07:00", .workingHours(2), "2026-03-03T13:30:00+07:00"),
        ("zero term", "2026-03-03T10:00:00+07:00", .workingDays(0), "2026-03-03T10:00:00+07:00"),
        ("seconds are kept", "2026-03-03T10:00:27+07:00", .workingHours(1), "2026-03-03T11:00:27+07:00"),
        ("UTC input", "2026-03-03T03:00:00Z", .workingHours(1), "2026-03-03T11:00:00+07:00"),
        // Calendar-day terms land on working time (Civil Code 2015, art. 148).
        ("calendar days landing on a working day", "2026-03-02T09:00:00+07:00", .calendarDays(2), "2026-03-04T09:00:00+07:00"),
        ("calendar days landing on a Sunday", "2026-03-03T09:00:00+07:00", .calendarDays(5), "2026-03-09T17:00:00+07:00"),
        ("calendar days landing in Tết", "2026-02-09T09:00:00+07:00", .calendarDays(7), "2026-02-23T17:00:00+07:00"),
        ("calendar days from outside hours", "2026-03-07T20:00:00+07:00", .calendarDays(1), "2026-03-10T07:30:00+07:00"),
        // A long term across the year end.
        ("30 days across New Year", "2026-12-15T09:00:00+07:00", .workingDays(30), "2027-01-27T09:00:00+07:00"),
    ]

    @Test("Table of due times", arguments: cases)
    func dueTimes(name: String, start: String, term: Term, expected: String) throws {
        #expect(iso(try testCalendar.due(from: at(start), term: term)) == expected, "\(name)")
    }

    @Test("A pause spanning Tết keeps the remaining time")
    func pauseAcrossTet() throws {
        let start = at("2026-02-10T08:00:00+07:00")
        let term = 5 * testCalendar.workingDaySeconds
        #expect(iso(try testCalendar.due(from: start, workingSeconds: term)) == "2026-02-24T08:00:00+07:00")
        let pause = Pause(start: at("2026-02-12T08:00:00+07:00"), end: at("2026-02-24T08:00:00+07:00"))
        // 16 h worked before the pause; 24 h remain from Tuesday 24/2 08:00.
        let due = try testCalendar.due(from: start, workingSeconds: term, pauses: [pause])
        #expect(due.map(iso) == "2026-02-27T08:00:00+07:00")
        // While the pause is open there is no due time.
        #expect(try testCalendar.due(from: start, workingSeconds: term, pauses: [Pause(start: pause.start, end: nil)]) == nil)
        // Elapsed net of the pause, at resume: exactly the 16 h worked before it.
        #expect(try testCalendar.elapsed(from: start, to: pause.end!, pauses: [pause]) == 16 * 3600)
        let share = try testCalendar.shareUsed(start: start, workingSeconds: term, now: pause.end!, pauses: [pause])
        #expect(share == 0.4)
        #expect(try testCalendar.shareUsed(start: start, workingSeconds: term, now: due!, pauses: [pause]) == 1)
    }

    @Test("Overlapping and out-of-range pauses count once")
    func overlappingPauses() throws {
        let start = at("2026-03-02T07:30:00+07:00")
        let pauses = [
            Pause(start: at("2026-03-02T08:00:00+07:00"), end: at("2026-03-02T10:00:00+07:00")),
            Pause(start: at("2026-03-02T09:00:00+07:00"), end: at("2026-03-02T11:00:00+07:00")),
            Pause(start: at("2026-02-01T09:00:00+07:00"), end: at("2026-02-02T11:00:00+07:00")),
        ]
        #expect(try testCalendar.elapsed(from: start, to: at("2026-03-02T17:00:00+07:00"), pauses: pauses) == 5 * 3600)
        #expect(iso(try testCalendar.due(from: start, workingSeconds: 8 * 3600, pauses: pauses)!) == "2026-03-03T10:30:00+07:00")
    }

    @Test("Working time, periods and the transfer cut-off")
    func helpers() throws {
        #expect(testCalendar.isWorkingTime(at("2026-03-03T07:30:00")))
        #expect(testCalendar.isWorkingTime(at("2026-03-03T11:29:59")))
        #expect(!testCalendar.isWorkingTime(at("2026-03-03T11:30:00")))
        #expect(!testCalendar.isWorkingTime(at("2026-03-07T09:00:00")))
        #expect(testCalendar.isWorkingTime(at("2026-01-10T09:00:00")))
        #expect(!testCalendar.isWorkingTime(at("2026-02-17T09:00:00")))

        let next = try testCalendar.nextWorkingPeriod(from: at("2026-02-13T17:30:00"))
        #expect(iso(next.start) == "2026-02-23T07:30:00+07:00" && iso(next.end) == "2026-02-23T11:30:00+07:00")
        let current = try testCalendar.nextWorkingPeriod(from: at("2026-03-03T14:00:00"))
        #expect(iso(current.start) == "2026-03-03T13:00:00+07:00")

        let cutoff = TimeOfDay(hour: 15, minute: 0)!
        #expect(iso(try testCalendar.transferDeadline(receivedAt: at("2026-03-03T14:59:00"), cutoff: cutoff)) == "2026-03-03T17:00:00+07:00")
        #expect(iso(try testCalendar.transferDeadline(receivedAt: at("2026-03-03T15:00:00"), cutoff: cutoff)) == "2026-03-03T17:00:00+07:00")
        #expect(iso(try testCalendar.transferDeadline(receivedAt: at("2026-03-03T15:01:00"), cutoff: cutoff)) == "2026-03-04T11:30:00+07:00")
        #expect(iso(try testCalendar.transferDeadline(receivedAt: at("2026-02-13T16:00:00"), cutoff: cutoff)) == "2026-02-23T11:30:00+07:00")

        #expect(try testCalendar.elapsed(from: at("2026-02-13T15:30:00"), to: at("2026-02-27T15:30:00")) == 40 * 3600)
        #expect(try testCalendar.elapsed(from: at("2026-02-27T15:30:00"), to: at("2026-02-13T15:30:00")) == 0)
        #expect(try testCalendar.nextWorkingDay(after: day("2026-02-13")) == day("2026-02-23"))
        #expect(testCalendar.reasonNotWorked(day("2026-04-27"))?.contains("Giỗ Tổ") == true)
    }

    @Test("An agency open on Saturday mornings")
    func saturdayDesk() throws {
        var days = WorkWeek.standard.days
        days[5] = [WorkingPeriod(start: TimeOfDay("07:30")!, end: TimeOfDay("11:30")!)]
        let week = try WorkWeek(days: days, makeUpDay: WorkWeek.standardPeriods, hoursPerWorkingDay: 8)
        let commune = try WorkCalendar(years: 2026...2027, week: week, decisions: [2026: decision2026])
        #expect(iso(try commune.due(from: at("2026-03-06T16:00:00"), term: .workingDays(1))) == "2026-03-09T10:30:00+07:00")
        // A holiday on Saturday closes the Saturday desk too (1 May 2027).
        #expect(!commune.isWorkingTime(at("2027-05-01T09:00:00")))
        #expect(commune.isWorkingTime(at("2027-05-08T09:00:00")))
        // A make-up Saturday is worked in full (Saturday 10/1/2026).
        #expect(commune.isWorkingTime(at("2026-01-10T09:00:00")))
    }

    @Test("Instants outside the built years are refused, never answered wrongly")
    func outOfRange() {
        #expect(throws: CalendarError.self) { try testCalendar.due(from: at("2023-12-31T09:00:00"), term: .workingDays(1)) }
        #expect(throws: CalendarError.self) { try testCalendar.due(from: at("2028-12-29T09:00:00"), term: .workingDays(30)) }
    }

    @Test("Working-hour validation names the key")
    func badWeek() {
        let inverted = [WorkingPeriod(start: TimeOfDay("13:00")!, end: TimeOfDay("11:00")!)]
        #expect(throws: CalendarError.invalidConfiguration(
            file: "motcua.json", key: "workingHours.monday[0]", reason: "starts at 13:00, not before its end 11:00")) {
            try WorkWeek(days: [inverted] + Array(repeating: [], count: 6), makeUpDay: [], hoursPerWorkingDay: 8, file: "motcua.json")
        }
        #expect(TimeOfDay("7:30") == nil && TimeOfDay("25:00") == nil && TimeOfDay("07:60") == nil)
    }

    @Test("Instant parsing")
    func parsing() {
        #expect(WorkCalendar.parse("2026-02-13T15:30:00+07:00") == WorkCalendar.parse("2026-02-13T08:30:00Z"))
        #expect(WorkCalendar.parse("2026-02-13T15:30") == WorkCalendar.parse("2026-02-13T15:30:00+07:00"))
        #expect(WorkCalendar.parse("2026-02-13T10:30:00-05:00") == WorkCalendar.parse("2026-02-13T15:30:00Z"))
        for bad in ["2026-02-30T10:00:00", "2026-02-13", "2026-02-13T25:00", "2026-02-13T10:00:00+7", "tomorrow"] {
            #expect(WorkCalendar.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite("Deadline properties")
struct DeadlinePropertyTests {
    /// Random instants over 2025–2027, at any hour, including nights, weekends and Tết.
    func randomStart(_ rng: inout SeededGenerator) -> Date {
        let from = at("2025-01-01T00:00:00").timeIntervalSince1970
        let to = at("2027-12-01T00:00:00").timeIntervalSince1970
        return Date(timeIntervalSince1970: Double(Int.random(in: Int(from)..<Int(to), using: &rng)))
    }

    @Test("due ≥ start, due(start, a+b) == due(due(start, a), b), elapsed(start, due(start, n)) == n")
    func properties() throws {
        var rng = SeededGenerator(seed: 20_260_217)
        for _ in 0..<5_000 {
            let start = randomStart(&rng)
            let a = Int64.random(in: 1...(30 * 8 * 3600), using: &rng)
            let b = Int64.random(in: 1...(30 * 8 * 3600), using: &rng)
            let dueA = try testCalendar.due(from: start, workingSeconds: a)
            #expect(dueA >= start)
            #expect(try testCalendar.due(from: start, workingSeconds: a + b) == testCalendar.due(from: dueA, workingSeconds: b))
            #expect(try testCalendar.elapsed(from: start, to: dueA) == a)
            #expect(testCalendar.isWorkingTime(dueA.addingTimeInterval(-1)))
        }
    }

    @Test("Agrees with a naive walk over every working period")
    func againstNaiveWalk() throws {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let start = randomStart(&rng)
            let days = Int.random(in: 1...30, using: &rng)
            let fast = try testCalendar.due(from: start, term: .workingDays(days))
            #expect(fast == naiveDue(from: start, seconds: Double(days * 8 * 3600)))
        }
    }

    /// Walks day by day through `workingPeriods(on:)`: slow, obvious, independent of the tables.
    func naiveDue(from start: Date, seconds: Double) -> Date {
        var remaining = seconds
        var date = WorkCalendar.localDate(of: start)
        while true {
            for period in testCalendar.workingPeriods(on: date) where period.end > start {
                let from = max(period.start, start)
                let available = period.end.timeIntervalSince(from)
                if remaining <= available { return from.addingTimeInterval(remaining) }
                remaining -= available
            }
            date = date.adding(days: 1)
        }
    }
}
