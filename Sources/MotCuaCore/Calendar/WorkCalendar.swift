import Foundation

/// A processing term as the catalogue states it.
public enum Term: Hashable, Sendable, Codable, CustomStringConvertible {
    case workingDays(Int)
    case workingHours(Int)
    /// Calendar days (ngày): counted on the wall clock, then moved onto working time.
    case calendarDays(Int)

    public var description: String {
        switch self {
        case let .workingDays(n): return "\(n) ngày làm việc"
        case let .workingHours(n): return "\(n) giờ làm việc"
        case let .calendarDays(n): return "\(n) ngày"
        }
    }
}

/// A stretch of time during which a dossier's clock does not run (waiting for supplementation,
/// for the fee, or for the post office). An open pause has no end yet.
public struct Pause: Hashable, Sendable, Codable {
    public var start: Date
    public var end: Date?

    public init(start: Date, end: Date?) {
        self.start = start
        self.end = end
    }
}

/// Working time of one office schedule over a range of years: which instants are worked, and
/// deadlines counted in working time.
///
/// Built once from the national calendar (holidays, compensation, yearly decisions) and a
/// `WorkWeek`, then immutable and shareable between tasks. Internally every instant is a count of
/// whole seconds in Vietnam local time (UTC+7, no daylight saving) and every day carries the
/// working seconds accumulated before it, so that a due time is one binary search plus a walk
/// over that day's two or three periods, whatever the term.
public struct WorkCalendar: Sendable {
    /// Seconds east of UTC of Vietnam local time.
    public static let utcOffset: Int64 = 7 * 3600
    static let secondsPerDay: Int64 = 86_400
    static let unixEpochJulianDay = 2_440_588

    public let week: WorkWeek
    public let years: ClosedRange<Int>
    /// The national calendar of each year in `years`, in order.
    public let calendarYears: [CalendarYear]

    struct Span: Sendable {
        var start: Int64
        var end: Int64
    }

    let firstJulianDay: Int
    let dayCount: Int
    let scheduleOfDay: [UInt8]
    let schedules: [[Span]]
    /// Working seconds before each day; `dayCount + 1` entries.
    let cumulative: [Int64]

    /// Builds the calendar. `decisions` are the yearly government decisions by year, and `files`
    /// names the file each came from, for error messages.
    public init(
        years: ClosedRange<Int>, week: WorkWeek = .standard,
        decisions: [Int: YearDecision] = [:], files: [Int: String] = [:]
    ) throws(CalendarError) {
        var calendarYears: [CalendarYear] = []
        for year in years {
            calendarYears.append(
                try HolidayRules.calendarYear(year, decision: decisions[year], file: files[year] ?? "<built-in>"))
        }
        self.init(years: years, week: week, calendarYears: calendarYears)
    }

    /// Builds the calendar from already derived years (which must match `years`, in order).
    public init(years: ClosedRange<Int>, week: WorkWeek, calendarYears: [CalendarYear]) {
        precondition(calendarYears.map(\.year) == Array(years), "calendar years do not match the range")
        self.week = week
        self.years = years
        self.calendarYears = calendarYears
        let first = LocalDate(year: years.lowerBound, month: 1, day: 1)!
        let last = LocalDate(year: years.upperBound, month: 12, day: 31)!
        firstJulianDay = first.julianDay
        dayCount = first.days(to: last) + 1

        var schedules: [[Span]] = []
        var index: [[WorkingPeriod]: UInt8] = [:]
        var scheduleOfDay = [UInt8](repeating: 0, count: dayCount)
        var cumulative = [Int64](repeating: 0, count: dayCount + 1)
        var total: Int64 = 0
        for offset in 0..<dayCount {
            let date = LocalDate(julianDay: firstJulianDay + offset)
            let status = calendarYears[date.year - years.lowerBound].status(of: date)
            let periods = week.periods(on: date, status: status)
            let id: UInt8
            if let known = index[periods] {
                id = known
            } else {
                id = UInt8(schedules.count)
                index[periods] = id
                schedules.append(periods.map { Span(start: Int64($0.start.minutes) * 60, end: Int64($0.end.minutes) * 60) })
            }
            scheduleOfDay[offset] = id
            cumulative[offset] = total
            for span in schedules[Int(id)] { total += span.end - span.start }
        }
        cumulative[dayCount] = total
        self.schedules = schedules
        self.scheduleOfDay = scheduleOfDay
        self.cumulative = cumulative
    }

    /// Working seconds in one working day (8 hours by default).
    public var workingDaySeconds: Int64 { Int64(week.hoursPerWorkingDay) * 3600 }

    // MARK: Days

    /// The national calendar of `year`, if this calendar covers it.
    public func calendarYear(_ year: Int) -> CalendarYear? {
        years.contains(year) ? calendarYears[year - years.lowerBound] : nil
    }

    /// Whether this schedule works at all on `date`.
    public func isWorkingDay(_ date: LocalDate) -> Bool {
        let offset = date.julianDay - firstJulianDay
        guard offset >= 0, offset < dayCount else { return false }
        return !schedules[Int(scheduleOfDay[offset])].isEmpty
    }

    /// Why `date` is not worked: the holiday's name, or the weekly rest day.
    public func reasonNotWorked(_ date: LocalDate) -> String? {
        guard !isWorkingDay(date) else { return nil }
        if let name = calendarYear(date.year)?.nameOfDayOff(date) { return name }
        return "Nghỉ hằng tuần"
    }

    /// The first working day strictly after `date`.
    public func nextWorkingDay(after date: LocalDate) throws(CalendarError) -> LocalDate {
        var candidate = date.adding(days: 1)
        while !isWorkingDay(candidate) {
            guard candidate.julianDay - firstJulianDay < dayCount else {
                throw .instantOutOfRange(date.iso)
            }
            candidate = candidate.adding(days: 1)
        }
        return candidate
    }

    /// The periods worked on `date`, as instants.
    public func workingPeriods(on date: LocalDate) -> [DateInterval] {
        let offset = date.julianDay - firstJulianDay
        guard offset >= 0, offset < dayCount else { return [] }
        let base = (Int64(date.julianDay - WorkCalendar.unixEpochJulianDay)) * WorkCalendar.secondsPerDay
        return schedules[Int(scheduleOfDay[offset])].map {
            DateInterval(start: WorkCalendar.date(local: base + $0.start), end: WorkCalendar.date(local: base + $0.end))
        }
    }

    // MARK: Instants

    /// Whether `instant` falls within office hours (a period's start included, its end not).
    public func isWorkingTime(_ instant: Date) -> Bool {
        let t = WorkCalendar.local(instant)
        let (day, second) = WorkCalendar.split(t)
        let offset = day - firstJulianDay
        guard offset >= 0, offset < dayCount else { return false }
        return schedules[Int(scheduleOfDay[offset])].contains { second >= $0.start && second < $0.end }
    }

    /// The working period that contains `instant`, or else the next one to begin.
    public func nextWorkingPeriod(from instant: Date) throws(CalendarError) -> DateInterval {
        let t = WorkCalendar.local(instant)
        var (day, second) = WorkCalendar.split(t)
        while true {
            let offset = day - firstJulianDay
            guard offset >= 0, offset < dayCount else { throw .instantOutOfRange(WorkCalendar.format(instant)) }
            let base = Int64(day - WorkCalendar.unixEpochJulianDay) * WorkCalendar.secondsPerDay
            for span in schedules[Int(scheduleOfDay[offset])] where second < span.end {
                return DateInterval(
                    start: WorkCalendar.date(local: base + span.start), end: WorkCalendar.date(local: base + span.end))
            }
            day += 1
            second = 0
        }
    }

    /// Working time between two instants, in seconds (0 when `end` is not after `start`).
    public func elapsed(from start: Date, to end: Date) throws(CalendarError) -> Int64 {
        max(0, try position(WorkCalendar.local(end)) - position(WorkCalendar.local(start)))
    }

    /// Working time between two instants net of the pauses (which may overlap the range or
    /// each other; an open pause runs to `end`).
    public func elapsed(from start: Date, to end: Date, pauses: [Pause]) throws(CalendarError) -> Int64 {
        var total = try elapsed(from: start, to: end)
        for interval in WorkCalendar.merged(pauses, until: end) {
            let from = max(interval.start, start), to = min(interval.end, end)
            if from < to { total -= try elapsed(from: from, to: to) }
        }
        return total
    }

    /// The instant at which `seconds` of working time have run from `start`.
    ///
    /// A start outside office hours counts from the next period. When the count runs out exactly
    /// at the end of a period the due time is that end (17:00), not the next morning.
    public func due(from start: Date, workingSeconds seconds: Int64) throws(CalendarError) -> Date {
        precondition(seconds >= 0, "a term cannot be negative")
        if seconds == 0 { return start }
        let target = try position(WorkCalendar.local(start)) + seconds
        return WorkCalendar.date(local: try instant(atPosition: target, label: start))
    }

    /// The earliest instant from which only `seconds` of working time remain until `end`: where
    /// a warning window of that length opens.
    public func instant(workingSeconds seconds: Int64, before end: Date) throws(CalendarError) -> Date {
        precondition(seconds >= 0, "a window cannot be negative")
        let target = try position(WorkCalendar.local(end)) - seconds
        guard target > 0 else { return WorkCalendar.date(local: Int64(firstJulianDay - WorkCalendar.unixEpochJulianDay) * WorkCalendar.secondsPerDay) }
        return WorkCalendar.date(local: try instant(atPosition: target, label: end))
    }

    /// Working time left from `now` until `due`; negative, counted the same way, once past it.
    public func remaining(from now: Date, until due: Date) throws(CalendarError) -> Int64 {
        due >= now ? try elapsed(from: now, to: due) : -(try elapsed(from: due, to: now))
    }

    /// The due time of a term that starts at `start`.
    public func due(from start: Date, term: Term) throws(CalendarError) -> Date {
        switch term {
        case let .workingDays(n): return try due(from: start, workingSeconds: Int64(n) * workingDaySeconds)
        case let .workingHours(n): return try due(from: start, workingSeconds: Int64(n) * 3600)
        case let .calendarDays(n): return try dueInCalendarDays(from: start, days: n)
        }
    }

    /// The due time of a term in working time whose clock was stopped during `pauses`: the
    /// dossier keeps its remaining time while paused and resumes with it. `nil` while a pause is
    /// still open (the clock is stopped, so there is no due time).
    public func due(from start: Date, workingSeconds seconds: Int64, pauses: [Pause]) throws(CalendarError) -> Date? {
        var cursor = start
        var remaining = seconds
        for interval in WorkCalendar.merged(pauses, until: .distantFuture) where interval.end > cursor {
            if interval.start > cursor {
                let available = try elapsed(from: cursor, to: interval.start)
                if available >= remaining { return try due(from: cursor, workingSeconds: remaining) }
                remaining -= available
            }
            if interval.end == .distantFuture { return nil }
            cursor = interval.end
        }
        return try due(from: cursor, workingSeconds: remaining)
    }

    /// The share of a term already used at `now`, net of pauses: 0 at intake, 1 at the due time,
    /// above 1 once overdue.
    public func shareUsed(start: Date, workingSeconds term: Int64, now: Date, pauses: [Pause] = []) throws(CalendarError) -> Double {
        guard term > 0 else { return 1 }
        return Double(try elapsed(from: start, to: now, pauses: pauses)) / Double(term)
    }

    /// Terms in calendar days: `start` (moved onto working time if it falls outside it) plus
    /// `days` × 24 hours. When that instant is not working time, the term runs to the close of
    /// that day if it is a working day, else of the next working day (Civil Code 2015, art. 148).
    public func dueInCalendarDays(from start: Date, days: Int) throws(CalendarError) -> Date {
        precondition(days >= 0, "a term cannot be negative")
        let begin = isWorkingTime(start) ? start : try nextWorkingPeriod(from: start).start
        let landing = begin.addingTimeInterval(Double(days) * 86_400)
        if isWorkingTime(landing) { return landing }
        var date = WorkCalendar.localDate(of: landing)
        while true {
            if let close = workingPeriods(on: date).last?.end, close >= landing { return close }
            date = try nextWorkingDay(after: date)
        }
    }

    /// The transfer rule: a dossier received by `cutoff` (15:00 by default) on a working day goes
    /// to the competent department the same day, by the close of office; one received later, or
    /// on a day off, by the end of the next working day's first period (its morning).
    public func transferDeadline(receivedAt: Date, cutoff: TimeOfDay) throws(CalendarError) -> Date {
        let date = WorkCalendar.localDate(of: receivedAt)
        let (_, second) = WorkCalendar.split(WorkCalendar.local(receivedAt))
        if isWorkingDay(date), second <= Int64(cutoff.minutes) * 60, let close = workingPeriods(on: date).last?.end {
            return close
        }
        let next = try nextWorkingDay(after: date)
        return workingPeriods(on: next)[0].end
    }

    /// The days between `start` and `end` (inclusive) that this schedule does not work, with why.
    public func daysNotWorked(from start: Date, to end: Date) -> [NamedDay] {
        var result: [NamedDay] = []
        var date = WorkCalendar.localDate(of: start)
        let last = WorkCalendar.localDate(of: end)
        while date <= last {
            if let reason = reasonNotWorked(date) { result.append(NamedDay(date: date, name: reason)) }
            date = date.adding(days: 1)
        }
        return result
    }

    // MARK: Internals

    /// Working seconds from the calendar's origin up to local instant `t`.
    @inline(__always)
    func position(_ t: Int64) throws(CalendarError) -> Int64 {
        let (day, second) = WorkCalendar.split(t)
        let offset = day - firstJulianDay
        guard offset >= 0, offset < dayCount else { throw .instantOutOfRange(WorkCalendar.format(local: t)) }
        var p = cumulative[offset]
        for span in schedules[Int(scheduleOfDay[offset])] {
            if second >= span.end {
                p += span.end - span.start
            } else {
                if second > span.start { p += second - span.start }
                break
            }
        }
        return p
    }

    /// The earliest local instant whose position is `target` (> 0).
    @inline(__always)
    func instant(atPosition target: Int64, label: Date) throws(CalendarError) -> Int64 {
        guard target <= cumulative[dayCount] else { throw .instantOutOfRange("due time from \(WorkCalendar.format(label))") }
        // Largest offset with cumulative[offset] < target.
        var low = 0, high = dayCount
        while high - low > 1 {
            let mid = (low + high) >> 1
            if cumulative[mid] < target { low = mid } else { high = mid }
        }
        var remaining = target - cumulative[low]
        let base = Int64(firstJulianDay + low - WorkCalendar.unixEpochJulianDay) * WorkCalendar.secondsPerDay
        for span in schedules[Int(scheduleOfDay[low])] {
            let length = span.end - span.start
            if remaining <= length { return base + span.start + remaining }
            remaining -= length
        }
        preconditionFailure("cumulative table inconsistent at day \(low)")
    }

    static func merged(_ pauses: [Pause], until end: Date) -> [DateInterval] {
        let intervals = pauses.map { DateInterval(start: $0.start, end: max($0.start, $0.end ?? end)) }
            .sorted { $0.start < $1.start }
        var result: [DateInterval] = []
        for interval in intervals {
            if let last = result.last, interval.start <= last.end {
                result[result.count - 1] = DateInterval(start: last.start, end: max(last.end, interval.end))
            } else {
                result.append(interval)
            }
        }
        return result
    }

    @inline(__always)
    static func local(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down)) + utcOffset
    }

    @inline(__always)
    static func date(local t: Int64) -> Date {
        Date(timeIntervalSince1970: Double(t - utcOffset))
    }

    /// Splits a local instant into its Julian Day Number and the seconds since local midnight.
    @inline(__always)
    static func split(_ t: Int64) -> (day: Int, second: Int64) {
        var days = t / secondsPerDay
        var second = t % secondsPerDay
        if second < 0 { days -= 1; second += secondsPerDay }
        return (Int(days) + unixEpochJulianDay, second)
    }

    /// The Vietnam-local calendar date of an instant.
    /// Local midnight (Vietnam time) at the start of `date`.
    public static func instant(_ date: LocalDate) -> Date {
        Date(timeIntervalSince1970: Double(Int64(date.julianDay - unixEpochJulianDay) * secondsPerDay - utcOffset))
    }

    public static func localDate(of instant: Date) -> LocalDate {
        LocalDate(julianDay: split(local(instant)).day)
    }

    /// `2026-02-27T15:30:00+07:00`.
    public static func format(_ instant: Date) -> String { format(local: local(instant)) }

    /// Parses `yyyy-MM-ddTHH:mm[:ss]` with an optional `Z` or `±HH:MM` offset; without one the
    /// time is read as Vietnam local time. Returns `nil` for anything else.
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count >= 16, chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " "),
              let date = LocalDate(iso: text.prefix(10)) else { return nil }
        var rest = Substring(text.dropFirst(11))
        var offset: Int64 = utcOffset
        if rest.hasSuffix("Z") {
            offset = 0
            rest = rest.dropLast()
        } else if rest.count > 6, let sign = rest.dropLast(5).last, sign == "+" || sign == "-" {
            let zone = rest.suffix(5)
            guard zone.count == 5, let zoneTime = TimeOfDay(zone), zoneTime.minutes < 24 * 60 else { return nil }
            offset = Int64(zoneTime.minutes) * 60 * (sign == "-" ? -1 : 1)
            rest = rest.dropLast(6)
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
              let h = Int(parts[0]), let m = Int(parts[1]), h < 24, m < 60 else { return nil }
        var s = 0
        if parts.count == 3 {
            guard let seconds = Int(parts[2]), seconds < 60 else { return nil }
            s = seconds
        }
        let local = Int64(date.julianDay - unixEpochJulianDay) * secondsPerDay + Int64(h * 3600 + m * 60 + s)
        return Date(timeIntervalSince1970: Double(local - offset))
    }

    static func format(local t: Int64) -> String {
        let (day, second) = split(t)
        let date = LocalDate(julianDay: day)
        let h = LocalDate.pad(Int(second / 3600), 2), m = LocalDate.pad(Int(second % 3600 / 60), 2)
        let s = LocalDate.pad(Int(second % 60), 2)
        return "\(date.iso)T\(h):\(m):\(s)+07:00"
    }
}
