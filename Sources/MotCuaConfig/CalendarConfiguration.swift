import Foundation
import MotCuaCore

/// The working calendars of a deployment: the default office schedule and the agencies that keep
/// their own hours, all sharing the national holidays and yearly decisions.
public struct WorkCalendars: Sendable {
    public let standard: WorkCalendar
    /// Calendars of agencies with their own hours, by agency identifier.
    public let agencies: [String: WorkCalendar]
    /// After this time of day a received dossier is transferred the next working day.
    public let transferCutoff: TimeOfDay

    public init(standard: WorkCalendar, agencies: [String: WorkCalendar] = [:], transferCutoff: TimeOfDay) {
        self.standard = standard
        self.agencies = agencies
        self.transferCutoff = transferCutoff
    }

    /// The calendar that applies to an agency: its own when it has one, else the default.
    public func calendar(forAgency identifier: String) -> WorkCalendar {
        agencies[identifier] ?? standard
    }
}

/// `calendar` section of `Config/motcua.json`.
struct CalendarSection: Decodable {
    var directory: String?
    var years: YearRange?
    var transferCutoff: TimeOfDay?
    var workingHours: WorkingHoursSection?
    var agencyWorkingHours: [String: WorkingHoursSection]?

    struct YearRange: Decodable {
        var from: Int
        var to: Int
    }
}

/// A schedule as written in the configuration. Every key is optional: an agency's entry only
/// names what differs from the default.
struct WorkingHoursSection: Decodable {
    var periods: [WorkingPeriod]?
    var weekdays: [String]?
    var monday: [WorkingPeriod]?
    var tuesday: [WorkingPeriod]?
    var wednesday: [WorkingPeriod]?
    var thursday: [WorkingPeriod]?
    var friday: [WorkingPeriod]?
    var saturday: [WorkingPeriod]?
    var sunday: [WorkingPeriod]?
    var makeUpDay: [WorkingPeriod]?
    var hoursPerWorkingDay: Int?

    static let dayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    var perDay: [[WorkingPeriod]?] { [monday, tuesday, wednesday, thursday, friday, saturday, sunday] }

    /// Applies this section on top of `base`.
    func week(over base: WorkWeek, file: String, label: String) throws(CalendarError) -> WorkWeek {
        var days = base.days
        if periods != nil || weekdays != nil {
            let open = weekdays ?? Self.dayNames.enumerated().filter { !base.days[$0.offset].isEmpty }.map(\.element)
            let defaultPeriods = periods ?? base.days.first(where: { !$0.isEmpty }) ?? WorkWeek.standardPeriods
            for name in open where !Self.dayNames.contains(name) {
                throw .invalidConfiguration(file: file, key: "\(label).weekdays", reason: "unknown weekday '\(name)'")
            }
            days = Self.dayNames.map { open.contains($0) ? defaultPeriods : [] }
        }
        for (index, override) in perDay.enumerated() {
            if let override { days[index] = override }
        }
        return try WorkWeek(
            days: days,
            makeUpDay: makeUpDay ?? periods ?? base.makeUpDay,
            hoursPerWorkingDay: hoursPerWorkingDay ?? base.hoursPerWorkingDay,
            file: file, label: label
        )
    }
}

/// One `Config/calendars/YYYY.json` file as written.
struct YearDecisionFile: Decodable {
    var year: Int
    var tet: [String]?
    var nationalDay: [String]?
    var swaps: [Swap]?
    var daysOff: [Entry]?
    var workingDays: [Entry]?

    struct Swap: Decodable {
        var dayOff: String
        var workingDay: String
        var name: String
    }

    struct Entry: Decodable {
        var date: String
        var name: String
    }

    /// Checks every date and turns the file into a `YearDecision`.
    func decision(file: String, expectedYear: Int?) throws(CalendarError) -> YearDecision {
        if let expectedYear, expectedYear != year {
            throw .invalidConfiguration(file: file, key: "year", reason: "is \(year) but the file is for \(expectedYear)")
        }
        guard LunarCalendar.supportedYears.contains(year) else {
            throw .invalidConfiguration(file: file, key: "year", reason: CalendarError.yearOutOfRange(year, supported: LunarCalendar.supportedYears).description)
        }
        func date(_ text: String, _ key: String) throws(CalendarError) -> LocalDate {
            guard let date = LocalDate(iso: text) else {
                throw .invalidConfiguration(file: file, key: key, reason: "'\(text)' is not a valid date (yyyy-MM-dd)")
            }
            guard date.year == year else {
                throw .invalidConfiguration(file: file, key: key, reason: "\(text) is not in \(year)")
            }
            return date
        }
        func dates(_ list: [String]?, _ key: String) throws(CalendarError) -> [LocalDate]? {
            guard let list else { return nil }
            var seen = Set<LocalDate>()
            var result: [LocalDate] = []
            for (index, text) in list.enumerated() {
                let d = try date(text, "\(key)[\(index)]")
                guard seen.insert(d).inserted else {
                    throw .invalidConfiguration(file: file, key: "\(key)[\(index)]", reason: "\(text) is listed twice")
                }
                result.append(d)
            }
            return result
        }
        var off: [NamedDay] = []
        var working: [NamedDay] = []
        for (index, swap) in (swaps ?? []).enumerated() {
            let dayOff = try date(swap.dayOff, "swaps[\(index)].dayOff")
            let workingDay = try date(swap.workingDay, "swaps[\(index)].workingDay")
            guard !dayOff.isWeekend else {
                throw .invalidConfiguration(file: file, key: "swaps[\(index)].dayOff", reason: "\(swap.dayOff) is a weekend day, not a working day to swap")
            }
            guard workingDay.isWeekend else {
                throw .invalidConfiguration(file: file, key: "swaps[\(index)].workingDay", reason: "\(swap.workingDay) is not a Saturday or Sunday")
            }
            off.append(NamedDay(date: dayOff, name: "Nghỉ hoán đổi dịp \(swap.name) (làm bù \(workingDay.vietnamese))"))
            working.append(NamedDay(date: workingDay, name: "Làm bù cho ngày \(dayOff.vietnamese) (dịp \(swap.name))"))
        }
        for (index, entry) in (daysOff ?? []).enumerated() {
            let day = try date(entry.date, "daysOff[\(index)].date")
            guard !day.isWeekend else {
                throw .invalidConfiguration(file: file, key: "daysOff[\(index)].date", reason: "\(entry.date) is a Saturday or Sunday, already a weekly rest day")
            }
            off.append(NamedDay(date: day, name: entry.name))
        }
        for (index, entry) in (workingDays ?? []).enumerated() {
            let day = try date(entry.date, "workingDays[\(index)].date")
            guard day.isWeekend else {
                throw .invalidConfiguration(file: file, key: "workingDays[\(index)].date", reason: "\(entry.date) is not a Saturday or Sunday, it is already a working day")
            }
            guard !working.contains(where: { $0.date == day }) else {
                throw .invalidConfiguration(file: file, key: "workingDays[\(index)].date", reason: "\(entry.date) is declared a working day twice")
            }
            working.append(NamedDay(date: day, name: entry.name))
        }
        let offDates = Set(off.map(\.date)).union(try dates(tet, "tet") ?? []).union(try dates(nationalDay, "nationalDay") ?? [])
        if let clash = working.first(where: { offDates.contains($0.date) }) {
            throw .invalidConfiguration(file: file, key: "workingDays", reason: "\(clash.date.iso) is declared both a day off and a working day")
        }
        return YearDecision(
            year: year, tet: try dates(tet, "tet"), nationalDay: try dates(nationalDay, "nationalDay"),
            daysOff: off, workingDays: working
        )
    }
}
