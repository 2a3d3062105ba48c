import ArgumentParser
import MotCuaCore

struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "Xem lịch làm việc một năm: ngày nghỉ lễ, Tết, nghỉ bù và ngày làm bù.",
        discussion: "Ví dụ: motcua calendar 2026; motcua calendar 2026 --json"
    )

    @Argument(help: "Năm dương lịch (1900–2100).")
    var year: Int

    @OptionGroup var options: CalendarOptions

    @Flag(name: .long, help: "In kết quả dạng JSON.")
    var json = false

    func run() throws {
        guard LunarCalendar.supportedYears.contains(year) else {
            throw UserError.calendar(.yearOutOfRange(year, supported: LunarCalendar.supportedYears))
        }
        let calendar = try options.loadCalendar()
        guard calendar.calendarYear(year) != nil else {
            throw UserError.calendar(.yearOutOfRange(year, supported: calendar.years))
        }
        print(json ? Self.json(calendar, year: year) : Self.text(calendar, year: year))
    }

    /// `--json`: the year's days off and working days, keys in this order.
    struct YearJSON: Encodable {
        struct Day: Encodable { var date: String; var name: String }
        var year: Int
        var daysOff: [Day]
        var workingDays: [Day]
    }

    static func json(_ calendar: WorkCalendar, year: Int) -> String {
        let days = calendar.calendarYear(year)!
        func list(_ entries: [NamedDay]) -> [YearJSON.Day] { entries.map { .init(date: $0.date.iso, name: $0.name) } }
        return commandJSON(YearJSON(year: year, daysOff: list(days.daysOff), workingDays: list(days.workingDays)))
    }

    static func text(_ calendar: WorkCalendar, year: Int) -> String {
        let days = calendar.calendarYear(year)!
        var lines = ["Lịch làm việc năm \(year) (năm \(LunarCalendar.sexagenaryName(ofYear: year)) bắt đầu ngày \((try? LunarCalendar.tet(year).vietnamese) ?? "?"))"]
        lines.append("Ký hiệu: * ngày nghỉ (không làm việc), + ngày làm bù (thứ Bảy/Chủ nhật làm việc).")
        var workingCount = 0
        for month in 1...12 {
            lines.append("")
            lines.append("Tháng \(month)/\(year)")
            lines.append(" T2   T3   T4   T5   T6   T7   CN")
            let first = LocalDate(year: year, month: month, day: 1)!
            var row = String(repeating: "     ", count: first.weekday - 1)
            var notes: [String] = []
            for day in 1...LocalDate.daysIn(month: month, year: year) {
                let date = LocalDate(year: year, month: month, day: day)!
                var mark = " "
                if let off = days.daysOff.first(where: { $0.date == date }) {
                    mark = "*"
                    notes.append("  * \(date.vietnamese) \(vietnameseWeekdayName(date.weekday)): \(off.name)")
                } else if let working = days.workingDays.first(where: { $0.date == date }) {
                    mark = "+"
                    notes.append("  + \(date.vietnamese) \(vietnameseWeekdayName(date.weekday)): \(working.name)")
                }
                if calendar.isWorkingDay(date) { workingCount += 1 }
                let number = String(day)
                row += String(repeating: " ", count: 3 - number.count) + number + mark + " "
                if date.weekday == 7 {
                    lines.append(row.trimmingTrailingSpaces())
                    row = ""
                }
            }
            if !row.isEmpty { lines.append(row.trimmingTrailingSpaces()) }
            lines += notes
        }
        lines.append("")
        lines.append("Tổng cộng: \(days.daysOff.count) ngày nghỉ trong tuần, \(days.workingDays.count) ngày làm bù, \(workingCount) ngày làm việc.")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
