import Foundation
import Testing
@testable import MotCuaCore

/// The calendar's words and its office hours' checks: lunar months and years by name, dates as
/// Vietnamese documents write them, and every mistake in a working week refused by key.
@Suite("Calendar words and working weeks")
struct CalendarWordsTests {
    @Test("Lunar months by their customary names, leap months marked")
    func monthNames() {
        #expect(LunarDate(day: 1, month: 1, year: 2026).monthName == "tháng Giêng")
        #expect(LunarDate(day: 1, month: 12, year: 2026).monthName == "tháng Chạp")
        #expect(LunarDate(day: 15, month: 6, year: 2025, leap: true).monthName == "tháng 6 nhuận")
        #expect(LunarDate(day: 15, month: 6, year: 2025, leap: true).description == "15/6 (nhuận)/2025")
        #expect(LunarDate(day: 2, month: 3, year: 2026).description == "2/3/2026")
    }

    @Test("The sexagenary cycle repeats every sixty years", arguments: [
        (1984, "Giáp Tý"), (2024, "Giáp Thìn"), (2025, "Ất Tỵ"), (2026, "Bính Ngọ"), (2027, "Đinh Mùi"), (2043, "Quý Hợi"), (1900, "Canh Tý"),
    ])
    func years(year: Int, name: String) {
        #expect(LunarCalendar.sexagenaryName(ofYear: year) == name)
        #expect(LunarCalendar.sexagenaryName(ofYear: year + 60) == name)
        #expect(LunarDate(day: 1, month: 1, year: year).yearName == name)
    }

    @Test("Dates as documents write them, weekdays by name, leap years")
    func dates() {
        let tet = day("2026-02-17")
        #expect(tet.vietnamese == "17/02/2026" && tet.iso == "2026-02-17" && tet.description == "2026-02-17")
        #expect(tet.weekday == 2 && vietnameseWeekdayName(tet.weekday) == "Thứ Ba")
        #expect((1...7).map(vietnameseWeekdayName) == ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"])
        #expect(day("2026-02-21").isWeekend && day("2026-02-22").isWeekend && !day("2026-02-23").isWeekend)
        #expect(LocalDate.isLeapYear(2024) && !LocalDate.isLeapYear(2100) && LocalDate.isLeapYear(2000) && !LocalDate.isLeapYear(2026))
        #expect(LocalDate(year: 2026, month: 2, day: 29) == nil && LocalDate(year: 2028, month: 2, day: 29) != nil)
        #expect(LocalDate(iso: "2026-2-1") == nil && LocalDate(iso: "20260201") == nil && LocalDate(iso: "2026-02-01") != nil)
        #expect(day("2026-12-31").adding(days: 1) == day("2027-01-01") && day("2026-03-01").days(to: day("2026-02-01")) == -28)
    }

    @Test("Times of day: HH:mm, 24:00 as an end, nothing else")
    func times() throws {
        #expect(TimeOfDay("07:30")?.minutes == 450 && TimeOfDay("24:00")?.minutes == 1_440)
        #expect(TimeOfDay("24:01") == nil && TimeOfDay("7h30") == nil && TimeOfDay("07:30:00") == nil)
        #expect(TimeOfDay(hour: 13, minute: 0)?.description == "13:00")
        let decoded = try JSONDecoder().decode([TimeOfDay].self, from: Data(#"["07:30","17:00"]"#.utf8))
        #expect(decoded.map(\.description) == ["07:30", "17:00"])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([TimeOfDay].self, from: Data(#"["7:30"]"#.utf8)) }
    }

    static func period(_ start: String, _ end: String) -> WorkingPeriod { WorkingPeriod(start: TimeOfDay(start)!, end: TimeOfDay(end)!) }

    @Test("A working week's mistakes, each refused naming its key")
    func weeks() {
        let standard = WorkWeek.standardPeriods
        func refusal(_ days: [[WorkingPeriod]], makeUp: [WorkingPeriod] = standard, hours: Int = 8) -> String? {
            do {
                _ = try WorkWeek(days: days, makeUpDay: makeUp, hoursPerWorkingDay: hours, file: "motcua.json", label: "workingHours")
                return nil
            } catch let CalendarError.invalidConfiguration(_, key, _) {
                return key
            } catch {
                return "\(error)"
            }
        }
        let week = Array(repeating: standard, count: 5) + [[], []]
        #expect(refusal(week) == nil)
        #expect(refusal(Array(week.prefix(6))) == "workingHours")
        #expect(refusal(week, hours: 0) == "workingHours.hoursPerWorkingDay")
        #expect(refusal(week, hours: 25) == "workingHours.hoursPerWorkingDay")
        #expect(refusal(Array(repeating: [], count: 7)) == "workingHours", "no day is worked")
        var overlapping = week
        overlapping[2] = [Self.period("07:30", "12:00"), Self.period("11:30", "17:00")]
        #expect(refusal(overlapping) == "workingHours.wednesday[1]")
        var backwards = week
        backwards[4] = [Self.period("13:00", "17:00"), Self.period("07:30", "11:30")]
        #expect(refusal(backwards) == "workingHours.friday[1]", "periods in order")
        #expect(refusal(week, makeUp: [Self.period("11:00", "08:00")]) == "workingHours.makeUpDay[0]")
        #expect(WorkWeek.standard.days[5].isEmpty && WorkWeek.standard.days[6].isEmpty && WorkWeek.standard.hoursPerWorkingDay == 8)
    }
}
