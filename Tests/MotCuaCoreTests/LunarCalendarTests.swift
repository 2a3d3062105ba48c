import Foundation
import Testing
@testable import MotCuaCore

@Suite("Vietnamese lunar calendar")
struct LunarCalendarTests {
    /// Tết (lunar 1/1) in Vietnam. 2025–2029: shared/domain.md. 1985 and 2007 are the years the
    /// Vietnamese calendar (UTC+7) differs from the Chinese one (UTC+8): Tết 1985 was 21 January
    /// in Vietnam and 20 February in China; Tết 2007 was 17 February in Vietnam, 18 February in
    /// China (Hồ Ngọc Đức, "Âm lịch Việt Nam", and Wikipedia "Tết"). 1968: the North's new
    /// calendar put Tết Mậu Thân on 29 January, a day before the South (UTC+8).
    static let tetDates: [(Int, String)] = [
        (1968, "1968-01-29"), (1975, "1975-02-11"), (1980, "1980-02-16"), (1985, "1985-01-21"),
        (1990, "1990-01-27"), (1995, "1995-01-31"), (2000, "2000-02-05"), (2001, "2001-01-24"),
        (2004, "2004-01-22"), (2007, "2007-02-17"), (2010, "2010-02-14"), (2015, "2015-02-19"),
        (2018, "2018-02-16"), (2020, "2020-01-25"), (2021, "2021-02-12"), (2022, "2022-02-01"),
        (2023, "2023-01-22"), (2024, "2024-02-10"), (2025, "2025-01-29"), (2026, "2026-02-17"),
        (2027, "2027-02-06"), (2028, "2028-01-26"), (2029, "2029-02-13"),
        // New moon 2030-02-02 16:07 UT: 23:07 in Vietnam, 00:07 on the 3rd in China.
        (2030, "2030-02-02"),
    ]

    @Test("Tết across decades, against cited dates", arguments: tetDates)
    func tet(year: Int, expected: String) throws {
        #expect(try LunarCalendar.tet(year).iso == expected)
        let lunar = try LunarCalendar.lunar(from: LocalDate(iso: expected)!)
        #expect(lunar == LunarDate(day: 1, month: 1, year: year, leap: false))
    }

    @Test("Leap months of recent years")
    func leapMonths() {
        // 2020: nhuận tháng 4; 2023: nhuận tháng 2; 2025: nhuận tháng 6; 2028: nhuận tháng 5;
        // 2033: nhuận tháng 11 in Vietnam (the "2033 problem" year).
        #expect(LunarCalendar.leapMonth(ofLunarYear: 2020) == 4)
        #expect(LunarCalendar.leapMonth(ofLunarYear: 2023) == 2)
        #expect(LunarCalendar.leapMonth(ofLunarYear: 2024) == nil)
        #expect(LunarCalendar.leapMonth(ofLunarYear: 2025) == 6)
        #expect(LunarCalendar.leapMonth(ofLunarYear: 2028) == 5)
        #expect(LunarCalendar.leapMonth(ofLunarYear: 2033) == 11)
    }

    @Test("Every month start 1900–2100 agrees with an independent ephemeris (PyEphem)")
    func everyMonthAgainstEphemeris() throws {
        let url = Bundle.module.url(forResource: "lunar-months-ephem", withExtension: "tsv", subdirectory: "Fixtures")!
        let rows = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(rows.count > 2400)
        var mismatches: [String] = []
        var tooCloseToCall = 0
        for row in rows {
            let f = row.split(separator: "\t")
            // A new moon within a minute of local midnight is beyond what either ephemeris and
            // ΔT model can place on one day or the other (1944, 1967, 2054, 2077, 2085).
            guard abs(Int(f[4])!) >= 60 else { tooCloseToCall += 1; continue }
            let expected = LunarDate(day: 1, month: Int(f[1])!, year: Int(f[0])!, leap: f[2] == "1")
            let first = LocalDate(iso: f[3])!
            let lunar = try LunarCalendar.lunar(from: first)
            if lunar != expected { mismatches.append("\(f[3]): got \(lunar), expected \(expected)") }
            let back = try LunarCalendar.solar(from: expected)
            if back != first { mismatches.append("\(expected): got \(back.iso), expected \(f[3])") }
            // The day before a month start is the last day of the previous month.
            if first.julianDay > LocalDate(year: 1900, month: 1, day: 1)!.julianDay {
                let previous = try LunarCalendar.lunar(from: first.adding(days: -1))
                if !(29...30).contains(previous.day) { mismatches.append("\(f[3]): month before has \(previous.day) days") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        #expect(tooCloseToCall <= 5)
    }

    @Test("Round trip for every day of the supported range")
    func roundTrip() throws {
        var date = LocalDate(year: 1900, month: 1, day: 1)!
        let last = LocalDate(year: 2100, month: 12, day: 31)!
        var previous: LunarDate?
        while date <= last {
            let lunar = try LunarCalendar.lunar(from: date)
            #expect(try LunarCalendar.solar(from: lunar) == date)
            if let previous, lunar.day != 1 {
                #expect(lunar.day == previous.day + 1 && lunar.month == previous.month && lunar.leap == previous.leap)
            }
            previous = lunar
            date = date.adding(days: 1)
        }
    }

    @Test("Out-of-range and impossible dates are refused")
    func refusals() throws {
        #expect(throws: CalendarError.yearOutOfRange(1899, supported: 1900...2100)) {
            try LunarCalendar.lunar(from: LocalDate(year: 1899, month: 12, day: 31)!)
        }
        #expect(throws: CalendarError.yearOutOfRange(2101, supported: 1900...2100)) {
            try LunarCalendar.lunar(from: LocalDate(year: 2101, month: 1, day: 1)!)
        }
        // 2024 has no leap month; lunar month 6 of 2025 is leap but 7 is not.
        #expect(throws: CalendarError.self) { try LunarCalendar.solar(from: LunarDate(day: 1, month: 3, year: 2024, leap: true)) }
        #expect(throws: CalendarError.self) { try LunarCalendar.solar(from: LunarDate(day: 1, month: 7, year: 2025, leap: true)) }
        #expect(try LunarCalendar.solar(from: LunarDate(day: 1, month: 6, year: 2025, leap: true)).iso == "2025-07-25")
        #expect(throws: CalendarError.self) { try LunarCalendar.solar(from: LunarDate(day: 31, month: 1, year: 2026)) }
    }

    @Test("Sexagenary year names")
    func yearNames() {
        #expect(LunarCalendar.sexagenaryName(ofYear: 2026) == "Bính Ngọ")
        #expect(LunarCalendar.sexagenaryName(ofYear: 2025) == "Ất Tỵ")
        #expect(LunarCalendar.sexagenaryName(ofYear: 1984) == "Giáp Tý")
    }
}
