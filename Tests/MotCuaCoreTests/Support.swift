import Foundation
@testable import MotCuaCore

/// Parses a test instant; a bad literal is a bug in the test itself.
func at(_ text: String) -> Date {
    guard let date = WorkCalendar.parse(text) else { preconditionFailure("bad instant literal \(text)") }
    return date
}

func day(_ text: String) -> LocalDate {
    guard let date = LocalDate(iso: text) else { preconditionFailure("bad date literal \(text)") }
    return date
}

func iso(_ date: Date) -> String { WorkCalendar.format(date) }

/// The 2026 decision as shipped in Config/calendars/2026.json (Thông báo 9441/TB-BNV and
/// Công văn 12729/VPCP-KGVX), built in code so the Core tests need no files.
let decision2026 = YearDecision(
    year: 2026,
    tet: ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"].map(day),
    nationalDay: [day("2026-09-01"), day("2026-09-02")],
    daysOff: [
        NamedDay(date: day("2026-01-02"), name: "Nghỉ hoán đổi"),
        NamedDay(date: day("2026-08-31"), name: "Nghỉ hoán đổi"),
    ],
    workingDays: [
        NamedDay(date: day("2026-01-10"), name: "Làm bù"),
        NamedDay(date: day("2026-08-22"), name: "Làm bù"),
    ]
)

/// One shared calendar for 2024–2028: building it is cheap, but once is enough.
let testCalendar: WorkCalendar = {
    do {
        return try WorkCalendar(years: 2024...2028, decisions: [2026: decision2026])
    } catch {
        preconditionFailure("test calendar does not build: \(error)")
    }
}()
