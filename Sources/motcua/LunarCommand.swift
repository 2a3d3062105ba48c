import ArgumentParser
import MotCuaCore

struct LunarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lunar",
        abstract: "Đổi ngày dương lịch sang âm lịch (hoặc ngược lại với --to-solar).",
        discussion: "Ví dụ: motcua lunar 2026-02-17 --json; motcua lunar 2025-06-01 --to-solar --leap"
    )

    @Argument(help: "Ngày dạng yyyy-MM-dd (dương lịch; âm lịch khi có --to-solar).")
    var date: String

    @Flag(name: .long, help: "Hiểu DATE là ngày âm lịch và đổi sang dương lịch.")
    var toSolar = false

    @Flag(name: .long, help: "Với --to-solar: tháng nhuận.")
    var leap = false

    @Flag(name: .long, help: "In kết quả dạng JSON.")
    var json = false

    func run() throws {
        print(try Self.render(date: date, toSolar: toSolar, leap: leap, json: json))
    }

    static func render(date text: String, toSolar: Bool, leap: Bool, json: Bool) throws -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, let y = parts[0], let m = parts[1], let d = parts[2], text.count == 10 else {
            throw UserError.input("'\(text)' không phải là ngày hợp lệ.", hint: "Nhập ngày dạng yyyy-MM-dd, ví dụ 2026-02-17.")
        }
        do {
            if toSolar {
                let lunar = LunarDate(day: d, month: m, year: y, leap: leap)
                let solar = try LunarCalendar.solar(from: lunar)
                if json {
                    struct Solar: Encodable { var date: String; var weekday: Int }
                    return commandJSON(Solar(date: solar.iso, weekday: solar.weekday))
                }
                return "Ngày \(lunar.day) \(lunar.monthName) năm \(lunar.yearName) (âm lịch) là \(vietnameseWeekdayName(solar.weekday)), ngày \(solar.vietnamese) dương lịch."
            }
            guard let solar = LocalDate(year: y, month: m, day: d) else {
                throw UserError.input("Ngày \(text) không tồn tại.", hint: "Nhập ngày dạng yyyy-MM-dd, ví dụ 2026-02-17.")
            }
            let lunar = try LunarCalendar.lunar(from: solar)
            if json {
                struct Lunar: Encodable { var day: Int; var month: Int; var year: Int; var leap: Bool }
                return commandJSON(Lunar(day: lunar.day, month: lunar.month, year: lunar.year, leap: lunar.leap))
            }
            return "\(vietnameseWeekdayName(solar.weekday)), ngày \(solar.vietnamese) dương lịch là ngày \(lunar.day) \(lunar.monthName) năm \(lunar.yearName) (âm lịch \(lunar.day)/\(lunar.month)\(lunar.leap ? " nhuận" : "")/\(lunar.year))."
        } catch let error as CalendarError {
            throw UserError.calendar(error)
        }
    }
}
