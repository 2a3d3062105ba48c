import ArgumentParser
import Foundation
import MotCuaCore

struct DeadlineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadline",
        abstract: "Tính thời hạn giải quyết (ngày hẹn trả) theo thời gian làm việc.",
        discussion: "Ví dụ: motcua deadline --from 2026-02-13T15:30:00+07:00 --days 5 --json"
    )

    @Option(name: .long, help: "Thời điểm tiếp nhận, dạng yyyy-MM-ddTHH:mm[:ss][+07:00]; không có múi giờ thì hiểu là giờ Việt Nam.")
    var from: String

    @Option(name: .long, help: "Số ngày làm việc (1 ngày = 8 giờ làm việc).")
    var days: Int?

    @Option(name: .long, help: "Số giờ làm việc.")
    var hours: Int?

    @Option(name: .customLong("calendar-days"), help: "Số ngày theo lịch (kể cả ngày nghỉ).")
    var calendarDays: Int?

    @OptionGroup var options: CalendarOptions

    @Flag(name: .long, help: "In kết quả dạng JSON.")
    var json = false

    func validate() throws {
        let given = [days, hours, calendarDays].compactMap { $0 }
        guard given.count == 1 else {
            throw ValidationError("Cần đúng một trong --days, --hours hoặc --calendar-days.")
        }
        guard given[0] >= 0, given[0] <= 10_000 else {
            throw ValidationError("Thời hạn phải từ 0 đến 10000.")
        }
    }

    var term: Term {
        if let days { return .workingDays(days) }
        if let hours { return .workingHours(hours) }
        return .calendarDays(calendarDays ?? 0)
    }

    func run() throws {
        guard let start = WorkCalendar.parse(from) else {
            throw UserError.input(
                "'\(from)' không phải là thời điểm hợp lệ.",
                hint: "Nhập dạng yyyy-MM-ddTHH:mm:ss+07:00, ví dụ 2026-02-13T15:30:00+07:00.")
        }
        let calendar = try options.loadCalendar()
        print(try Self.render(calendar: calendar, start: start, term: term, json: json))
    }

    static func render(calendar: WorkCalendar, start: Date, term: Term, json: Bool) throws -> String {
        let due: Date, countingFrom: Date
        do {
            due = try calendar.due(from: start, term: term)
            countingFrom = calendar.isWorkingTime(start) ? start : try calendar.nextWorkingPeriod(from: start).start
        } catch {
            throw UserError.calendar(error)
        }
        let skipped = calendar.daysNotWorked(from: start, to: due)
        let (unit, value): (String, Int) = switch term {
        case let .workingDays(n): ("workingDays", n)
        case let .workingHours(n): ("workingHours", n)
        case let .calendarDays(n): ("calendarDays", n)
        }
        if json {
            struct Term: Encodable { var unit: String; var value: Int }
            struct Skipped: Encodable { var date: String; var reason: String }
            struct Answer: Encodable {
                var due: String, from: String, countingFrom: String
                var term: Term
                var workingSeconds: Int
                var skippedDays: [Skipped]
            }
            return commandJSON(Answer(
                due: WorkCalendar.format(due), from: WorkCalendar.format(start), countingFrom: WorkCalendar.format(countingFrom),
                term: Term(unit: unit, value: value), workingSeconds: Int((try? calendar.elapsed(from: start, to: due)) ?? 0),
                skippedDays: skipped.map { Skipped(date: $0.date.iso, reason: $0.name) }))
        }
        var lines = [
            "Tiếp nhận:  \(human(start))",
            "Thời hạn:   \(term)",
        ]
        if countingFrom != start {
            lines.append("Tiếp nhận ngoài giờ làm việc: bắt đầu tính từ \(human(countingFrom)).")
        }
        lines.append("Hẹn trả:    \(human(due))")
        if skipped.isEmpty {
            lines.append("Không có ngày nghỉ nào trong khoảng này.")
        } else {
            lines.append("Các ngày không tính vào thời hạn:")
            for day in skipped {
                lines.append("  - \(vietnameseWeekdayName(day.date.weekday)) \(day.date.vietnamese): \(day.name)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// "Thứ Sáu 27/02/2026 15:30".
    static func human(_ instant: Date) -> String {
        let iso = WorkCalendar.format(instant)
        let date = WorkCalendar.localDate(of: instant)
        let time = iso.dropFirst(11).prefix(iso.hasSuffix(":00+07:00") ? 5 : 8)
        return "\(vietnameseWeekdayName(date.weekday)) \(date.vietnamese) \(time)"
    }
}
