import Foundation
import Testing
@testable import MotCuaCore

/// The statutory calendar (Labour Code 2019, art. 112) over a span of years, without decisions:
/// each holiday is off, a holiday on a weekend is made up on a weekday that is not itself a
/// holiday, and the days off are weekdays only.
@Suite("Holidays over the years")
struct HolidayPropertyTests {
    @Test("Every year 2000–2060: eleven statutory days, every one of them not worked, each weekday day off named", arguments: Array(stride(from: 2000, through: 2060, by: 3)))
    func years(year: Int) throws {
        let holidays = try HolidayRules.statutoryHolidays(of: year)
        let names = Set(holidays.map(\.name))
        #expect(names.isSuperset(of: [HolidayRules.tetName, HolidayRules.newYearName, HolidayRules.hungKingsName, HolidayRules.reunificationName,
                                      HolidayRules.labourDayName, HolidayRules.nationalDayName]))
        let calendar = try HolidayRules.calendarYear(year)
        for holiday in holidays where holiday.date.year == year {
            #expect(calendar.status(of: holiday.date) == .off, "\(holiday.name) \(holiday.date)")
        }
        #expect(calendar.daysOff.allSatisfy { !$0.date.isWeekend }, "the days off listed are weekdays")
        #expect(calendar.weekendHolidays.allSatisfy { $0.date.isWeekend })
        #expect(calendar.daysOff.allSatisfy { calendar.nameOfDayOff($0.date) == $0.name && !$0.name.isEmpty })
        // No more weekday days off than the holidays and their compensations can explain.
        #expect(calendar.daysOff.count <= holidays.count)
        // Without a decision there are no make-up Saturdays.
        #expect(calendar.workingDays.isEmpty)
    }

    @Test("New Year, the 30th of April, the 1st of May and the 2nd of September fall on their dates", arguments: [2025, 2026, 2027, 2030])
    func fixedDates(year: Int) throws {
        let holidays = try HolidayRules.statutoryHolidays(of: year)
        let dates = Set(holidays.map(\.date))
        for (month, day) in [(1, 1), (4, 30), (5, 1), (9, 2)] {
            #expect(dates.contains(LocalDate(year: year, month: month, day: day)!), "\(year)-\(month)-\(day)")
        }
        // Giỗ Tổ on the 10th of the third lunar month; Tết starts on the first of the first.
        let hung = try #require(holidays.first { $0.name == HolidayRules.hungKingsName })
        #expect(try LunarCalendar.lunar(from: hung.date).day == 10 && (try LunarCalendar.lunar(from: hung.date)).month == 3)
        let tet = holidays.filter { $0.name == HolidayRules.tetName }.map(\.date)
        #expect(tet.contains(try LunarCalendar.tet(year)))
        #expect(tet.count == 5, "the last day of the old year and the first four of the new")
    }

    @Test("Years outside the lunar calendar's range are refused, not guessed")
    func outOfRange() {
        #expect(throws: CalendarError.self) { try HolidayRules.calendarYear(1899) }
        #expect(throws: CalendarError.self) { try HolidayRules.calendarYear(2101) }
    }
}
