import Foundation
import Testing
@testable import MotCuaCore

@Suite("Public holidays (Labour Code 2019, art. 112)")
struct HolidayTests {
    func offDates(_ year: CalendarYear) -> [String] { year.daysOff.map(\.date.iso) }

    @Test("Statutory defaults: Tết is the last day of the lunar year plus lunar 1/1–1/4")
    func statutoryTet() throws {
        let days = try HolidayRules.statutoryHolidays(of: 2026).filter { $0.name == HolidayRules.tetName }
        #expect(days.map(\.date.iso) == ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"])
    }

    @Test("Giỗ Tổ 2026 falls on Sunday 26/4 and is compensated on Monday 27/4")
    func hungKingsCompensation() throws {
        let year = try HolidayRules.calendarYear(2026)
        #expect(year.daysOff.contains { $0.date == day("2026-04-27") && $0.name.contains("Giỗ Tổ") })
        #expect(year.weekendHolidays.contains { $0.date == day("2026-04-26") })
        #expect(year.status(of: day("2026-04-27")) == .off)
    }

    @Test("Tết days on a weekend are compensated on the following working days (2027)")
    func tetCompensation() throws {
        // Lunar 1/1 2027 is Saturday 6 February: Fri 5, Sat 6, Sun 7, Mon 8, Tue 9 are Tết;
        // Saturday and Sunday are made good on Wednesday 10 and Thursday 11.
        let year = try HolidayRules.calendarYear(2027)
        #expect(offDates(year).filter { $0.hasPrefix("2027-02") } ==
            ["2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11"])
    }

    @Test("1 May on a Saturday is compensated on Monday 3 May (2027)")
    func labourDayCompensation() throws {
        let year = try HolidayRules.calendarYear(2027)
        #expect(offDates(year).contains("2027-05-03"))
        #expect(offDates(year).contains("2027-04-30"))
    }

    @Test("2 September and its adjacent day", arguments: [
        (2024, ["2024-09-02", "2024-09-03"]), // Monday: 1/9 is Sunday, compensated on Tuesday
        (2025, ["2025-09-01", "2025-09-02"]), // Tuesday: Monday 1/9
        (2027, ["2027-09-02", "2027-09-03"]), // Thursday: Friday 3/9 joins the weekend
        (2028, ["2028-09-01", "2028-09-04"]), // Saturday: Friday 1/9, Saturday made good Monday
    ])
    func nationalDay(year: Int, expected: [String]) throws {
        let calendar = try HolidayRules.calendarYear(year)
        #expect(offDates(calendar).filter { $0.hasPrefix("\(year)-09") } == expected)
    }

    @Test("The 2026 decision: exact Tết days, swaps and make-up Saturdays")
    func decision() throws {
        let year = try HolidayRules.calendarYear(2026, decision: decision2026)
        #expect(offDates(year) == [
            "2026-01-01", "2026-01-02", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
            "2026-04-27", "2026-04-30", "2026-05-01", "2026-08-31", "2026-09-01", "2026-09-02",
        ])
        #expect(year.workingDays.map(\.date.iso) == ["2026-01-10", "2026-08-22"])
        #expect(year.status(of: day("2026-01-10")) == .makeUp)
        #expect(year.status(of: day("2026-01-03")) == .regular)
    }

    @Test("A decision that makes one day both off and working is refused")
    func contradictoryDecision() {
        let bad = YearDecision(year: 2026, workingDays: [NamedDay(date: day("2026-04-26"), name: "x")])
        #expect(throws: CalendarError.invalidConfiguration(
            file: "2026.json", key: "workingDays[0]",
            reason: "2026-04-26 is declared both a day off and a working day")) {
            try HolidayRules.calendarYear(2026, decision: bad, file: "2026.json")
        }
        let weekday = YearDecision(year: 2026, workingDays: [NamedDay(date: day("2026-03-03"), name: "x")])
        #expect(throws: CalendarError.self) { try HolidayRules.calendarYear(2026, decision: weekday) }
        let weekendOff = YearDecision(year: 2026, daysOff: [NamedDay(date: day("2026-03-07"), name: "x")])
        #expect(throws: CalendarError.self) { try HolidayRules.calendarYear(2026, decision: weekendOff) }
    }

    @Test("Every year 1900–2100 builds with eleven statutory days off")
    func everyYear() throws {
        for year in LunarCalendar.supportedYears {
            let calendar = try HolidayRules.calendarYear(year)
            // 11 holiday days; those on weekends reappear as compensation days, so the
            // weekday count is exactly 11 unless two holidays share a date.
            #expect(calendar.daysOff.count == 11, "year \(year): \(calendar.daysOff.map(\.date.iso))")
        }
    }

    @Test("Years outside 1900–2100 are refused")
    func range() {
        #expect(throws: CalendarError.yearOutOfRange(1899, supported: 1900...2100)) { try HolidayRules.calendarYear(1899) }
        #expect(throws: CalendarError.yearOutOfRange(2101, supported: 1900...2100)) { try HolidayRules.calendarYear(2101) }
    }
}
