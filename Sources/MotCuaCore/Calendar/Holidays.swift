/// A dated entry with its Vietnamese name: a day off, or a weekend day declared a working day.
public struct NamedDay: Hashable, Sendable, Codable {
    public var date: LocalDate
    public var name: String

    public init(date: LocalDate, name: String) {
        self.date = date
        self.name = name
    }
}

/// One year's government decision on days off (thông báo nghỉ lễ, Tết), as data.
///
/// Each field overrides or extends what the Labour Code rules generate for that year:
/// `tet` and `nationalDay`, when present, are the exact days off for those holidays (no
/// compensation is derived for them); `daysOff` adds days; `workingDays` declares weekend days
/// to be worked (làm bù). A swap is one entry in each.
public struct YearDecision: Sendable, Equatable {
    public var year: Int
    public var tet: [LocalDate]?
    public var nationalDay: [LocalDate]?
    public var daysOff: [NamedDay]
    public var workingDays: [NamedDay]

    public init(
        year: Int, tet: [LocalDate]? = nil, nationalDay: [LocalDate]? = nil,
        daysOff: [NamedDay] = [], workingDays: [NamedDay] = []
    ) {
        self.year = year
        self.tet = tet
        self.nationalDay = nationalDay
        self.daysOff = daysOff
        self.workingDays = workingDays
    }
}

/// The days that are not worked, and the weekend days that are, in one solar year.
public struct CalendarYear: Sendable, Equatable {
    public let year: Int
    /// Monday-to-Friday dates that are not worked, each with the reason.
    public let daysOff: [NamedDay]
    /// Saturdays and Sundays declared working days.
    public let workingDays: [NamedDay]
    /// Holidays that fell on a Saturday or Sunday (compensated on a weekday): they matter to the
    /// desks that open at weekends.
    public let weekendHolidays: [NamedDay]

    /// What the national calendar makes of `date` (which must lie in this year).
    public func status(of date: LocalDate) -> DayStatus {
        if workingDays.contains(where: { $0.date == date }) { return .makeUp }
        if daysOff.contains(where: { $0.date == date }) || weekendHolidays.contains(where: { $0.date == date }) {
            return .off
        }
        return .regular
    }

    /// The reason `date` is not worked, if it is a named day off.
    public func nameOfDayOff(_ date: LocalDate) -> String? {
        daysOff.first(where: { $0.date == date })?.name ?? weekendHolidays.first(where: { $0.date == date })?.name
    }
}

/// Public holidays of the Labour Code 2019, art. 112, and how a year's calendar is derived.
public enum HolidayRules {
    public static let tetName = "Tết Nguyên đán"
    public static let newYearName = "Tết Dương lịch"
    public static let hungKingsName = "Giỗ Tổ Hùng Vương"
    public static let reunificationName = "Ngày Chiến thắng"
    public static let labourDayName = "Ngày Quốc tế Lao động"
    public static let nationalDayName = "Quốc khánh"

    /// The holidays of `year` before any compensation: 1/1, Tết (the last day of the lunar year
    /// and lunar 1/1–1/4), Giỗ Tổ (lunar 10/3), 30/4, 1/5, 2/9 and its adjacent day.
    ///
    /// The adjacent day of 2/9 is the government's choice each year; by default *(practice)* it
    /// is 1/9, or 3/9 when 2/9 is a Thursday so that the break joins the weekend.
    public static func statutoryHolidays(of year: Int) throws(CalendarError) -> [NamedDay] {
        let tet = try LunarCalendar.tet(year)
        let hungKings = try LunarCalendar.solar(from: LunarDate(day: 10, month: 3, year: year))
        var days = [NamedDay(date: date(year, 1, 1), name: newYearName)]
        for offset in -1...3 {
            days.append(NamedDay(date: tet.adding(days: offset), name: tetName))
        }
        days.append(NamedDay(date: hungKings, name: hungKingsName))
        days.append(NamedDay(date: date(year, 4, 30), name: reunificationName))
        days.append(NamedDay(date: date(year, 5, 1), name: labourDayName))
        days.append(contentsOf: nationalDays(of: year).map { NamedDay(date: $0, name: nationalDayName) })
        return days
    }

    static func nationalDays(of year: Int) -> [LocalDate] {
        let second = date(year, 9, 2)
        let adjacent = second.weekday == 4 ? date(year, 9, 3) : date(year, 9, 1)
        return [adjacent, second].sorted()
    }

    /// Builds the calendar of `year`: statutory holidays, compensation for those falling on a
    /// weekly rest day or on another holiday (next working day, art. 112(3)), then the year's
    /// decision. Throws when the decision contradicts itself.
    public static func calendarYear(
        _ year: Int, decision: YearDecision? = nil, file: String = "<built-in>"
    ) throws(CalendarError) -> CalendarYear {
        guard LunarCalendar.supportedYears.contains(year) else {
            throw .yearOutOfRange(year, supported: LunarCalendar.supportedYears)
        }
        var holidays = try statutoryHolidays(of: year)
        var exact: [NamedDay] = []
        if let tet = decision?.tet {
            holidays.removeAll { $0.name == tetName }
            exact += tet.map { NamedDay(date: $0, name: tetName) }
        }
        if let national = decision?.nationalDay {
            holidays.removeAll { $0.name == nationalDayName }
            exact += national.map { NamedDay(date: $0, name: nationalDayName) }
        }
        holidays.sort { $0.date < $1.date }

        var off: [LocalDate: String] = [:]
        func markOff(_ day: NamedDay) {
            if let existing = off[day.date], existing != day.name {
                off[day.date] = existing + "; " + day.name
            } else {
                off[day.date] = day.name
            }
        }
        for day in exact { markOff(day) }
        // Compensation: a holiday on Saturday, Sunday or an already-taken holiday moves to the
        // next Monday–Friday that is neither a holiday nor already a compensation day.
        let holidayDates = Set(holidays.map(\.date) + exact.map(\.date))
        for day in holidays {
            let collides = off[day.date] != nil
            if day.date.isWeekend || collides {
                var candidate = day.date.adding(days: 1)
                while candidate.isWeekend || holidayDates.contains(candidate) || off[candidate] != nil {
                    candidate = candidate.adding(days: 1)
                }
                off[candidate] = "Nghỉ bù \(day.name) (\(day.date.vietnamese))"
            }
            if !day.date.isWeekend { markOff(day) }
        }

        var working: [LocalDate: String] = [:]
        if let decision {
            for (index, day) in decision.daysOff.enumerated() {
                guard !day.date.isWeekend else {
                    throw .invalidConfiguration(
                        file: file, key: "daysOff[\(index)]",
                        reason: "\(day.date.iso) is a \(weekdayName(day.date)), already a weekly rest day")
                }
                markOff(day)
            }
            for (index, day) in decision.workingDays.enumerated() {
                guard day.date.isWeekend else {
                    throw .invalidConfiguration(
                        file: file, key: "workingDays[\(index)]",
                        reason: "\(day.date.iso) is a \(weekdayName(day.date)), already a working day")
                }
                guard working[day.date] == nil else {
                    throw .invalidConfiguration(
                        file: file, key: "workingDays[\(index)]", reason: "\(day.date.iso) is listed twice")
                }
                working[day.date] = day.name
            }
            let offDates = Set(off.keys).union(exact.map(\.date)).union(holidays.map(\.date))
            for (index, day) in decision.workingDays.enumerated() where offDates.contains(day.date) {
                throw .invalidConfiguration(
                    file: file, key: "workingDays[\(index)]",
                    reason: "\(day.date.iso) is declared both a day off and a working day")
            }
        }
        let daysOff = off.filter { !$0.key.isWeekend }
            .map { NamedDay(date: $0.key, name: $0.value) }
            .sorted { $0.date < $1.date }
        let workingDays = working.map { NamedDay(date: $0.key, name: $0.value) }.sorted { $0.date < $1.date }
        let weekendHolidays = (holidays + exact).filter { $0.date.isWeekend }
            .sorted { $0.date < $1.date }
        return CalendarYear(
            year: year, daysOff: daysOff, workingDays: workingDays, weekendHolidays: weekendHolidays)
    }

    static func date(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d)! }

    static func weekdayName(_ date: LocalDate) -> String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][date.weekday - 1]
    }
}
